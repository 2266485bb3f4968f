// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IEvidenceTrail
/// @notice A tamper-evident, hash-chained trail of the documents behind each patent
/// (filing, grant, assignment, licence, revenue report, valuation, court order, and a
/// loan's pledge, margin call, enforcement and release).
/// @dev Each entry's hash is `keccak256(abi.encode(previousHash, patentId, kind,
/// contentHash, submitter, timestamp))` with its low 64 bits replaced by the entry's
/// 1-based sequence number: 192 bits of hash commit to the fields and, through the
/// previous hash, to every earlier entry, and the number rides along, so storage keeps
/// one slot per patent (the head) and the count is read from it. The first entry's
/// previous hash is zero. Entries live in `EvidenceAppended` events, from which anyone
/// can rebuild and verify the chain. Nothing can be changed or removed.
interface IEvidenceTrail {
    /// @notice What a document is.
    enum Kind {
        Filing,
        Grant,
        Assignment,
        Licence,
        RevenueReport,
        Valuation,
        CourtOrder,
        Other,
        Pledge, // a loan agreement pledging the patent's revenue rights
        Release, // the pledge released: the loan was repaid
        MarginCall, // the lender called the loan: the remediation clock started
        Enforcement // the pledged rights went to the lender or a buyer
    }

    /// @notice The caller holds no writer role and is not the patent's revenue-rights token.
    error EvidenceUnauthorized(address caller, bytes32 patentId);
    /// @notice The content hash is zero.
    error EvidenceEmptyContent(bytes32 patentId);
    /// @notice `kind` is not a `Kind`.
    error EvidenceInvalidKind(uint8 kind);
    /// @notice The patent registry was already bound.
    error EvidenceRegistryAlreadyBound(address registry);

    /// @notice Entry `seq` (1-based) of a patent's trail, linking `previousHash` to `entryHash`.
    event EvidenceAppended(
        bytes32 indexed patentId,
        uint64 indexed seq,
        Kind kind,
        bytes32 contentHash,
        address indexed submitter,
        uint64 timestamp,
        bytes32 previousHash,
        bytes32 entryHash,
        string uri
    );
    /// @notice The trail learned which patent registry (and so which tokens) it serves.
    event PatentRegistryBound(address registry);

    /// @notice Appends an entry to `patentId`'s trail. Writers: holders of the writer role
    /// (registrar, token agents, the valuation registry), for any patent id, and a
    /// patent's own revenue-rights token, for that patent.
    /// @param contentHash sha256 of the document
    /// @param uri where the document can be fetched (may be empty)
    function append(bytes32 patentId, uint8 kind, bytes32 contentHash, string calldata uri)
        external
        returns (bytes32 entryHash);

    /// @notice The hash of the latest entry of `patentId`'s trail and the number of entries.
    function head(bytes32 patentId) external view returns (bytes32 entryHash, uint64 count);

    /// @notice The entry hash the trail computes for these fields (see the contract notes).
    function entryHashOf(
        bytes32 previousHash,
        bytes32 patentId,
        Kind kind,
        bytes32 contentHash,
        address submitter,
        uint64 timestamp,
        uint64 seq
    ) external pure returns (bytes32);
}
