// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IEvidenceTrail} from "../interfaces/IEvidenceTrail.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title EvidenceTrail
/// @notice Hash-chained evidence per patent; see IEvidenceTrail.
contract EvidenceTrail is IEvidenceTrail, AccessControl {
    /// @dev Each patent's latest entry hash, which carries the entry count in its low 64
    /// bits (see IEvidenceTrail): one slot, so an append costs one storage update.
    mapping(bytes32 patentId => bytes32 entryHash) private _heads;
    uint256 private constant _SEQ_MASK = type(uint64).max;
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

        bytes32 previous = _heads[patentId];
        uint64 seq = uint64(uint256(previous) & _SEQ_MASK) + 1;
        uint64 timestamp = uint64(block.timestamp);
        entryHash = entryHashOf(previous, patentId, Kind(kind), contentHash, msg.sender, timestamp, seq);
        _heads[patentId] = entryHash;
        emit EvidenceAppended(patentId, seq, Kind(kind), contentHash, msg.sender, timestamp, previous, entryHash, uri);
    }

    /// @inheritdoc IEvidenceTrail
    function head(bytes32 patentId) external view returns (bytes32 entryHash, uint64 count) {
        entryHash = _heads[patentId];
        count = uint64(uint256(entryHash) & _SEQ_MASK);
    }

    /// @inheritdoc IEvidenceTrail
    function entryHashOf(
        bytes32 previousHash,
        bytes32 patentId,
        Kind kind,
        bytes32 contentHash,
        address submitter,
        uint64 timestamp,
        uint64 seq
    ) public pure returns (bytes32) {
        bytes32 digest = keccak256(abi.encode(previousHash, patentId, kind, contentHash, submitter, timestamp));
        return (digest & ~bytes32(_SEQ_MASK)) | bytes32(uint256(seq));
    }

    /// @notice The registry this trail serves (zero until bound).
    function patentRegistry() external view returns (address) {
        return address(_registry);
    }

    /// @notice The role id of evidence writers.
    function WRITER_ROLE() external pure returns (bytes32) {
        return Roles.EVIDENCE_WRITER;
    }

    /// @dev Role holders may write to any patent id's trail: a filing receipt may be
    /// recorded before the patent is registered (clients check the id first). A
    /// revenue-rights token may write only to its own patent's trail.
    function _checkWriter(bytes32 patentId) private view {
        if (hasRole(Roles.EVIDENCE_WRITER, msg.sender)) return;
        IPatentRegistry registry = _registry;
        if (address(registry) == address(0) || registry.tokenOf(patentId) != msg.sender) {
            revert EvidenceUnauthorized(msg.sender, patentId);
        }
    }
}
