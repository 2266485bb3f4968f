// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IPatentRegistry
/// @notice The ledger's record of patents (owner, field, jurisdiction, legal status,
/// expiry, metadata) and the factory of each patent's revenue-rights token.
/// @dev A patent id is `keccak256(bytes("<jurisdiction> <publication number>"))`,
/// e.g. of "HK 30012345", so any client can derive it; see `patentIdOf`.
interface IPatentRegistry {
    /// @notice The technical field; the accredited valuation centre covers the first three.
    enum Field {
        Mechanical,
        Electrical,
        Chemical,
        Other
    }

    /// @notice Legal status. Only filed and granted patents carry revenue rights.
    enum Status {
        Filed,
        Granted,
        Lapsed,
        Expired,
        Revoked
    }

    /// @notice A registered patent.
    struct Patent {
        address owner; // the registered proprietor
        Field field; // technical field
        Status status; // legal status
        bytes2 jurisdiction; // ISO 3166-1 alpha-2 of the patent office, e.g. "HK", "CN"
        uint64 expiry; // end of the patent term (unix seconds)
        bytes32 metadataHash; // sha256 of the off-chain metadata document
    }

    /// @notice A patent with this id is already registered.
    error PatentAlreadyRegistered(bytes32 patentId);
    /// @notice No patent with this id is registered.
    error PatentNotRegistered(bytes32 patentId);
    /// @notice The owner is the zero address.
    error PatentInvalidOwner(bytes32 patentId, address owner);
    /// @notice The jurisdiction is not two upper-case letters, or the number is not in
    /// canonical form (1-32 of A-Z 0-9, '.', '/' or '-' only between them, no leading zero,
    /// no whitespace; digits only in HK).
    error PatentInvalidNumber(bytes2 jurisdiction, string publicationNumber);
    /// @notice The expiry is zero.
    error PatentInvalidExpiry(bytes32 patentId, uint64 expiry);
    /// @notice The patent already has its revenue-rights token.
    error PatentAlreadyTokenized(bytes32 patentId, address token);
    /// @notice The patent is lapsed, expired or revoked, or past its term.
    error PatentNotActive(bytes32 patentId, Status status, uint64 expiry);
    /// @notice The token terms are unusable (zero holder, payment token or supply, or a
    /// supply above 2**96 base units).
    error PatentInvalidTokenTerms(bytes32 patentId, address initialHolder, address paymentToken, uint256 supply);

    /// @notice The token implementation consults `tokens`, not this registry's `investors`.
    error PatentRegistryMismatch(address investors, address tokens);

    /// @notice A patent was registered.
    event PatentRegistered(
        bytes32 indexed patentId,
        bytes2 jurisdiction,
        string publicationNumber,
        address indexed owner,
        Field field,
        Status status,
        uint64 expiry,
        bytes32 metadataHash
    );
    /// @notice A patent's legal status changed.
    event PatentStatusChanged(bytes32 indexed patentId, Status previous, Status status);
    /// @notice A patent was assigned to a new owner.
    event PatentOwnerChanged(bytes32 indexed patentId, address indexed previous, address indexed owner);
    /// @notice A patent's metadata hash or expiry changed.
    event PatentMetadataUpdated(bytes32 indexed patentId, bytes32 metadataHash, uint64 expiry);
    /// @notice A patent's revenue rights were split into `supply` tokens held by `initialHolder`.
    event PatentTokenized(
        bytes32 indexed patentId,
        address indexed token,
        address indexed initialHolder,
        address paymentToken,
        uint256 supply,
        string name,
        string symbol
    );

    /// @notice Registers a patent. Registrar role only. The publication number must be in
    /// canonical form, so one patent can have only one registration.
    /// @return patentId `keccak256(bytes("<jurisdiction> <publicationNumber>"))`
    function registerPatent(
        bytes2 jurisdiction,
        string calldata publicationNumber,
        address owner,
        Field field,
        Status status,
        uint64 expiry,
        bytes32 metadataHash
    ) external returns (bytes32 patentId);

    /// @notice Records a change of legal status. Registrar role only.
    function setStatus(bytes32 patentId, Status status) external;

    /// @notice Records an assignment. Registrar role only.
    function setOwner(bytes32 patentId, address owner) external;

    /// @notice Records a new metadata hash and expiry (e.g. a term extension). Registrar role only.
    function setMetadata(bytes32 patentId, bytes32 metadataHash, uint64 expiry) external;

    /// @notice Creates the patent's revenue-rights token, an EIP-1167 clone, minting
    /// `supply` to `initialHolder`; revenue is paid in `paymentToken`. Registrar role only.
    function tokenize(
        bytes32 patentId,
        string calldata name,
        string calldata symbol,
        uint256 supply,
        address initialHolder,
        address paymentToken
    ) external returns (address token);

    /// @notice The patent's record; reverts with `PatentNotRegistered` for an unknown id.
    function patent(bytes32 patentId) external view returns (Patent memory);

    /// @notice Whether a patent with this id is registered.
    function isRegistered(bytes32 patentId) external view returns (bool);

    /// @notice Whether `patentId` is registered and, if so, its technical field (one read;
    /// the valuation registry keeps each valuation's field for its age policy).
    function fieldOf(bytes32 patentId) external view returns (bool registered, Field field);

    /// @notice Whether the patent currently carries revenue rights (filed or granted, within its term).
    function revenueActive(bytes32 patentId) external view returns (bool);

    /// @notice The patent's revenue-rights token, or the zero address before `tokenize`.
    function tokenOf(bytes32 patentId) external view returns (address);

    /// @notice How many patents are registered.
    function patentCount() external view returns (uint256);

    /// @notice The id of the `index`-th registered patent (registration order).
    function patentIdAt(uint256 index) external view returns (bytes32);

    /// @notice The id a patent with this jurisdiction and publication number has.
    function patentIdOf(bytes2 jurisdiction, string calldata publicationNumber) external pure returns (bytes32);

    /// @notice The registry of eligible investors every token consults.
    function investorRegistry() external view returns (address);

    /// @notice The implementation every revenue-rights token clones.
    function tokenImplementation() external view returns (address);
}
