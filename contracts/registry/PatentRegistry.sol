// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {IRevenueRightsToken} from "../interfaces/IRevenueRightsToken.sol";
import {Jurisdictions} from "../libraries/Jurisdictions.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title PatentRegistry
/// @notice Patents on one ledger, and the factory of their revenue-rights tokens. Its
/// roles also govern every token (agents, revenue depositors).
contract PatentRegistry is IPatentRegistry, AccessControl {
    /// @notice Token supplies are capped so the revenue accumulator's rounding loses
    /// less than one base unit per deposit (see RevenueRightsToken).
    uint256 public constant MAX_SUPPLY = 2 ** 96;

    address private immutable _investorRegistry;
    address private immutable _tokenImplementation;

    mapping(bytes32 patentId => Patent) private _patents;
    mapping(bytes32 patentId => address token) private _tokens;
    bytes32[] private _patentIds;

    constructor(address admin, address investorRegistry_, address tokenImplementation_) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        // Tokens check eligibility against their implementation's investor registry.
        address tokensConsult = IRevenueRightsToken(tokenImplementation_).investorRegistry();
        if (tokensConsult != investorRegistry_) revert PatentRegistryMismatch(investorRegistry_, tokensConsult);
        _investorRegistry = investorRegistry_;
        _tokenImplementation = tokenImplementation_;
    }

    /// @inheritdoc IPatentRegistry
    function registerPatent(
        bytes2 jurisdiction,
        string calldata publicationNumber,
        address owner,
        Field field,
        Status status,
        uint64 expiry,
        bytes32 metadataHash
    ) external onlyRole(Roles.REGISTRAR) returns (bytes32 patentId) {
        if (!Jurisdictions.isCountryCode(jurisdiction) || !Jurisdictions.isCanonicalNumber(jurisdiction, publicationNumber)) {
            revert PatentInvalidNumber(jurisdiction, publicationNumber);
        }
        patentId = patentIdOf(jurisdiction, publicationNumber);
        if (_patents[patentId].owner != address(0)) revert PatentAlreadyRegistered(patentId);
        if (owner == address(0)) revert PatentInvalidOwner(patentId, owner);
        if (expiry == 0) revert PatentInvalidExpiry(patentId, expiry);

        _patents[patentId] = Patent(owner, field, status, jurisdiction, expiry, metadataHash);
        _patentIds.push(patentId);
        emit PatentRegistered(patentId, jurisdiction, publicationNumber, owner, field, status, expiry, metadataHash);
    }

    /// @inheritdoc IPatentRegistry
    function setStatus(bytes32 patentId, Status status) external onlyRole(Roles.REGISTRAR) {
        Patent storage record = _existing(patentId);
        Status previous = record.status;
        record.status = status;
        emit PatentStatusChanged(patentId, previous, status);
    }

    /// @inheritdoc IPatentRegistry
    function setOwner(bytes32 patentId, address owner) external onlyRole(Roles.REGISTRAR) {
        Patent storage record = _existing(patentId);
        if (owner == address(0)) revert PatentInvalidOwner(patentId, owner);
        address previous = record.owner;
        record.owner = owner;
        emit PatentOwnerChanged(patentId, previous, owner);
    }

    /// @inheritdoc IPatentRegistry
    function setMetadata(bytes32 patentId, bytes32 metadataHash, uint64 expiry) external onlyRole(Roles.REGISTRAR) {
        Patent storage record = _existing(patentId);
        if (expiry == 0) revert PatentInvalidExpiry(patentId, expiry);
        record.metadataHash = metadataHash;
        record.expiry = expiry;
        emit PatentMetadataUpdated(patentId, metadataHash, expiry);
    }

    /// @inheritdoc IPatentRegistry
    function tokenize(
        bytes32 patentId,
        string calldata name,
        string calldata symbol,
        uint256 supply,
        address initialHolder,
        address paymentToken
    ) external onlyRole(Roles.REGISTRAR) returns (address token) {
        _checkTokenizable(patentId, supply, initialHolder, paymentToken);
        token = _createToken(patentId, paymentToken, supply);
        IRevenueRightsToken(token).initialize(name, symbol, initialHolder);
        emit PatentTokenized(patentId, token, initialHolder, paymentToken, supply, name, symbol);
    }

    /// @inheritdoc IPatentRegistry
    function patent(bytes32 patentId) external view returns (Patent memory) {
        return _existing(patentId);
    }

    /// @inheritdoc IPatentRegistry
    function isRegistered(bytes32 patentId) external view returns (bool) {
        return _patents[patentId].owner != address(0);
    }

    /// @inheritdoc IPatentRegistry
    function fieldOf(bytes32 patentId) external view returns (bool registered, Field field) {
        Patent storage p = _patents[patentId];
        return (p.owner != address(0), p.field);
    }

    /// @inheritdoc IPatentRegistry
    function revenueActive(bytes32 patentId) external view returns (bool) {
        return _active(_patents[patentId]);
    }

    /// @inheritdoc IPatentRegistry
    function tokenOf(bytes32 patentId) external view returns (address) {
        return _tokens[patentId];
    }

    /// @inheritdoc IPatentRegistry
    function patentCount() external view returns (uint256) {
        return _patentIds.length;
    }

    /// @inheritdoc IPatentRegistry
    function patentIdAt(uint256 index) external view returns (bytes32) {
        return _patentIds[index];
    }

    /// @inheritdoc IPatentRegistry
    function patentIdOf(bytes2 jurisdiction, string calldata publicationNumber) public pure returns (bytes32) {
        return keccak256(abi.encodePacked(jurisdiction, " ", publicationNumber));
    }

    /// @inheritdoc IPatentRegistry
    function investorRegistry() external view returns (address) {
        return _investorRegistry;
    }

    /// @inheritdoc IPatentRegistry
    function tokenImplementation() external view returns (address) {
        return _tokenImplementation;
    }

    function _checkTokenizable(bytes32 patentId, uint256 supply, address initialHolder, address paymentToken)
        private
        view
    {
        Patent storage record = _existing(patentId);
        if (!_active(record)) revert PatentNotActive(patentId, record.status, record.expiry);
        address existing = _tokens[patentId];
        if (existing != address(0)) revert PatentAlreadyTokenized(patentId, existing);
        if (initialHolder == address(0) || paymentToken == address(0) || supply == 0 || supply > MAX_SUPPLY) {
            revert PatentInvalidTokenTerms(patentId, initialHolder, paymentToken, supply);
        }
    }

    /// @dev The clone carries this registry, its payment token, patent and supply as immutable args
    /// (read from its code, not storage); salt = patent id, so its address is predictable.
    /// Creating it runs no foreign code, and it is recorded before being initialised.
    function _createToken(bytes32 patentId, address paymentToken, uint256 supply) private returns (address token) {
        bytes memory args = abi.encode(address(this), paymentToken, patentId, supply);
        token = Clones.cloneDeterministicWithImmutableArgs(_tokenImplementation, args, patentId);
        _tokens[patentId] = token;
    }

    function _existing(bytes32 patentId) private view returns (Patent storage record) {
        record = _patents[patentId];
        if (record.owner == address(0)) revert PatentNotRegistered(patentId);
    }

    function _active(Patent storage record) private view returns (bool) {
        return (record.status == Status.Filed || record.status == Status.Granted) && block.timestamp < record.expiry;
    }
}
