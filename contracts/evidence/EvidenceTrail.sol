// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IEvidenceTrail} from "../interfaces/IEvidenceTrail.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title EvidenceTrail
/// @notice Hash-chained evidence per patent; see IEvidenceTrail.
contract EvidenceTrail is IEvidenceTrail, AccessControl {
    struct Head {
        bytes32 entryHash;
        uint64 count;
    }

    mapping(bytes32 patentId => Head) private _heads;
    IPatentRegistry private _registry;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @notice Binds the patent registry whose patents (and tokens) this trail serves. Once,
    /// by the admin: the registry is deployed after the token implementation that needs
    /// this trail's address.
    function bindPatentRegistry(IPatentRegistry registry) external onlyRole(DEFAULT_ADMIN_ROLE) {
        if (address(_registry) != address(0)) revert EvidenceRegistryAlreadyBound(address(_registry));
        _registry = registry;
        emit PatentRegistryBound(address(registry));
    }

    /// @inheritdoc IEvidenceTrail
    function append(bytes32 patentId, uint8 kind, bytes32 contentHash, string calldata uri)
        external
        returns (bytes32 entryHash)
    {
        if (kind > uint8(type(Kind).max)) revert EvidenceInvalidKind(kind);
        if (contentHash == bytes32(0)) revert EvidenceEmptyContent(patentId);
        _checkWriter(patentId);

        Head memory current = _heads[patentId];
        uint64 timestamp = uint64(block.timestamp);
        entryHash = entryHashOf(current.entryHash, patentId, Kind(kind), contentHash, msg.sender, timestamp);
        uint64 seq = current.count + 1;
        _heads[patentId] = Head(entryHash, seq);
        emit EvidenceAppended(
            patentId, seq, Kind(kind), contentHash, msg.sender, timestamp, current.entryHash, entryHash, uri
        );
    }

    /// @inheritdoc IEvidenceTrail
    function head(bytes32 patentId) external view returns (bytes32 entryHash, uint64 count) {
        Head memory current = _heads[patentId];
        return (current.entryHash, current.count);
    }

    /// @inheritdoc IEvidenceTrail
    function entryHashOf(
        bytes32 previousHash,
        bytes32 patentId,
        Kind kind,
        bytes32 contentHash,
        address submitter,
        uint64 timestamp
    ) public pure returns (bytes32) {
        return keccak256(abi.encode(previousHash, patentId, kind, contentHash, submitter, timestamp));
    }

    /// @notice The registry this trail serves (zero until bound).
    function patentRegistry() external view returns (address) {
        return address(_registry);
    }

    /// @notice The role id of evidence writers.
    function WRITER_ROLE() external pure returns (bytes32) {
        return Roles.EVIDENCE_WRITER;
    }

    /// @dev Role holders may write to any registered patent's trail; a revenue-rights
    /// token only to its own patent's (it is what `tokenOf` returns, which also proves
    /// the patent registered).
    function _checkWriter(bytes32 patentId) private view {
        IPatentRegistry registry = _registry;
        if (hasRole(Roles.EVIDENCE_WRITER, msg.sender)) {
            if (address(registry) != address(0) && !registry.isRegistered(patentId)) {
                revert EvidenceUnknownPatent(patentId);
            }
            return;
        }
        if (address(registry) == address(0) || registry.tokenOf(patentId) != msg.sender) {
            revert EvidenceUnauthorized(msg.sender, patentId);
        }
    }
}
