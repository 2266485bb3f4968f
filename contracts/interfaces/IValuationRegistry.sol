// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IValuationRegistry
/// @notice Valuations of patents by accredited valuers, under the national standard
/// (GB/T 42748-2023), signed by the valuer with EIP-712 and relayed by anyone.
/// @dev The EIP-712 domain is ("ipledger ValuationRegistry", "1", chain id, this
/// contract), readable through ERC-5267 `eip712Domain()`. The signature is checked
/// against `valuation.valuer`: by ECDSA (OpenZeppelin's, which rejects malleable high-s
/// and malformed signatures) for a key, and by ERC-1271 for a valuer that is a contract
/// (a firm's multisig or smart wallet). Each attestation appends a valuation entry (its report hash) to the
/// patent's evidence trail. History is readable from `ValuationAttested` events.
///
/// Rules an attacker would otherwise use:
/// - A report id belongs to its valuer: its first 20 bytes are the valuer's address (the
///   other 12 are the valuer's own id, e.g. the first 12 bytes of keccak256 of
///   "HKTIS-2026-0001"), so no other valuer can take or block it.
/// - The subsidy cap counts attestations by the chain's calendar year at attestation
///   (a signed date cannot move a valuation into a year with room). A valuation valid for
///   less than `MIN_VALIDITY` more, or dated more than `MAX_AGE` before the block, is refused; revoking a
///   subsidised valuation in the year it was attested returns its slot.
/// - Inserting a late valuation walks past at most `MAX_LATE_STEPS` later-dated live ones
///   of the same patent and `MAX_WALK` entries in all, unlinking the dead ones (revoked,
///   expired, withdrawn) it passes; `latestValuation` looks at most `MAX_WALK` entries.
///   So no one can make attestations or queries for a patent run out of gas.
/// - Withdrawing a valuer (`removeValuer`) is for cause: that key's valuations stop
///   counting in `latestValuation` and the key can never be accredited again. An
///   accreditation that lapses in time leaves its valuations counting. The accreditor
///   can revoke any single valuation for cause, citing evidence (`revokeForCause`).
interface IValuationRegistry {
    /// @notice Valuation method.
    enum Method {
        Income,
        Market,
        Cost
    }

    /// @notice What the valuation is for: the scenarios of GB/T 42748-2023, which choose
    /// the indicators and their weights.
    enum Purpose {
        Licensing, // licensing and transfer (许可转让)
        Finance, // pledge financing, securitisation, investment (金融)
        FinancialReporting, // financial reporting and tax (财务报告)
        InfringementRelief, // damages in infringement (侵权救济)
        Management, // portfolio grading and management (管理)
        Other
    }

    /// @notice Why an attestation was refused; `attestBatch` reports it per skipped item.
    enum Rejection {
        None,
        UnaccreditedValuer, // unknown valuer, or accreditation lapsed
        UnknownPatent,
        AlreadyAttested, // the report id is taken: a signature never counts twice
        InvalidSignature, // not the valuer's signature over these exact fields, or malleable
        InvalidDates, // valid-until not after the valuation date
        DateInFuture, // valuation date after the current block
        InvalidField, // zero report id, value, report hash or scoring model; bad currency, method, purpose or score
        SubsidyCapReached, // the calendar year's subsidised valuations are used up
        ReportIdNotValuers, // the report id's first 20 bytes are not the valuer's address
        Expired, // valid-until already passed, or less than MIN_VALIDITY away
        TooOld, // valuation date more than MAX_AGE before the block
        Superseded, // more than MAX_LATE_STEPS later-dated live valuations of the patent exist
        LabelMismatch // the report's own id given is not the one its on-chain id was made from
    }

    /// @notice A valuation, as the valuer signs it.
    struct Valuation {
        bytes32 reportId; // the valuer's address (20 bytes), then the valuer's own id of the report (12 bytes)
        bytes32 patentId; // the patent valued
        address valuer; // the accredited valuer who signs
        uint128 value; // in minor units of `currency`
        bytes3 currency; // ISO 4217 code, e.g. "HKD"
        uint64 valuationDate; // unix seconds
        uint64 validUntil; // unix seconds, after valuationDate
        uint8 method; // a `Method`
        uint8 purpose; // a `Purpose`
        string standard; // e.g. "GB/T 42748-2023"
        // The valuer's judgement on the standard's three first-level indicators, 0-100.
        uint8 legalValue;
        uint8 technicalValue;
        uint8 economicValue;
        // A scoring model's opinion, 0-100, kept apart from the valuer's judgement.
        uint8 citationNetwork;
        uint8 commercialApplication;
        uint8 technologyMaturity;
        uint8 marketPotential;
        bytes32 scoringModel; // the model's identifier and version, ASCII ("HKSTP-IPScore@2.1")
        bytes32 scoringInput; // sha256 of the data the model scored
        bytes32 reportHash; // sha256 of the report document
        bool subsidised; // counts against the pilot's yearly subsidy cap
    }

    /// @notice An accredited valuer.
    struct Valuer {
        string name;
        bytes2 jurisdiction; // "HK", or "CN" for mainland centres under mutual recognition
        uint64 accreditedUntil; // accredited while block.timestamp < accreditedUntil
    }

    /// @notice What `latestValuation` returns.
    struct LatestValuation {
        bool found; // false when the patent has no valid valuation now
        bytes32 reportId;
        address valuer;
        uint128 value;
        bytes3 currency;
        uint64 valuationDate;
        uint64 validUntil;
    }

    error ValuationUnaccreditedValuer(bytes32 reportId, address valuer);
    error ValuationUnknownPatent(bytes32 reportId, bytes32 patentId);
    error ValuationAlreadyAttested(bytes32 reportId);
    error ValuationInvalidSignature(bytes32 reportId, address valuer);
    error ValuationInvalidDates(bytes32 reportId, uint64 valuationDate, uint64 validUntil);
    error ValuationDateInFuture(bytes32 reportId, uint64 valuationDate, uint64 nowTs);
    error ValuationInvalidField(bytes32 reportId);
    error ValuationSubsidyCapReached(bytes32 reportId, uint256 year, uint256 cap);
    error ValuationBatchLengthMismatch(uint256 valuations, uint256 signatures);
    error ValuationNotAttested(bytes32 reportId);
    error ValuationAlreadyRevoked(bytes32 reportId);
    error ValuationNotValuer(bytes32 reportId, address caller);
    error ValuationInvalidValuer(address valuer);
    error ValuationReportIdNotValuers(bytes32 reportId, address valuer);
    error ValuationExpired(bytes32 reportId, uint64 validUntil, uint64 nowTs);
    error ValuationTooOld(bytes32 reportId, uint64 valuationDate, uint64 earliest);
    error ValuationSuperseded(bytes32 reportId, bytes32 patentId);
    error ValuationValuerWithdrawn(address valuer);
    error ValuationWrongPatent(bytes32 reportId, bytes32 patentId);
    error ValuationLabelMismatch(bytes32 reportId, string label);
    error ValuationInvalidPolicy(uint8 field, uint64 maxAge);
    error ValuationNotChallenger(bytes32 reportId, address account);
    error ValuationAlreadyChallenged(bytes32 reportId);
    error ValuationNotChallenged(bytes32 reportId);
    error ValuationTooManyChallenges(address challenger);

    /// @notice A valuation was recorded. The indexed fields are not repeated in the data;
    /// `scores` are citation network, commercial application, technology maturity and
    /// market potential, in that order.
    event ValuationAttested(
        bytes32 indexed reportId,
        bytes32 indexed patentId,
        address indexed valuer,
        uint128 value,
        bytes3 currency,
        uint64 valuationDate,
        uint64 validUntil,
        uint8 method,
        string standard,
        uint8[4] scores,
        bytes32 reportHash,
        bool subsidised,
        string label
    );
    /// @notice What a recorded valuation rests on (signed with it; emitted right after its
    /// `ValuationAttested`): its purpose, the valuer's scores on the standard's legal,
    /// technical and economic indicators, and the scoring model behind the four machine
    /// scores with a hash of the model's input.
    event ValuationBasis(
        bytes32 indexed reportId,
        bytes32 indexed patentId,
        uint8 purpose,
        uint8[3] dimensions,
        bytes32 scoringModel,
        bytes32 scoringInput
    );
    event AttestationSkipped(bytes32 indexed reportId, address indexed valuer, Rejection reason);
    /// @notice A valuation was revoked; its patent is in the report's `ValuationAttested`.
    event ValuationRevoked(bytes32 indexed reportId, address indexed valuer, string reason);
    event ValuerSet(address indexed valuer, string name, bytes2 jurisdiction, uint64 accreditedUntil);
    event ValuerRemoved(address indexed valuer);
    /// @notice The accreditor revoked a valuation for cause; `evidenceHash` is on the patent's trail.
    event ValuationRevokedForCause(
        bytes32 indexed reportId, bytes32 indexed patentId, address indexed accreditor, bytes32 evidenceHash
    );
    event SubsidyCapSet(uint256 cap);
    /// @notice Valuations of patents in `field` count for at most `maxAge` seconds after
    /// their valuation date (0: until their valid-until); then a revaluation is due.
    event MaxValuationAgeSet(uint8 indexed field, uint64 maxAge);
    /// @notice A valuation was disputed, citing `evidenceHash` (on the patent's trail): it
    /// counts nowhere until the accreditor resolves it.
    event ValuationChallenged(
        bytes32 indexed reportId, bytes32 indexed patentId, address indexed challenger, bytes32 evidenceHash
    );
    /// @notice The accreditor's decision: upheld (the valuation is revoked for cause, with
    /// `ValuationRevokedForCause`) or dismissed (it counts again).
    event ChallengeResolved(bytes32 indexed reportId, bytes32 indexed patentId, bool upheld, bytes32 decisionHash);
    /// @notice `removed` dead entries were unlinked from the patent's list (they stay in events).
    event ValuationsPruned(bytes32 indexed patentId, uint256 removed);

    /// @notice Accredits (or re-accredits) `valuer`. Accreditor role only.
    function setValuer(address valuer, string calldata name, bytes2 jurisdiction, uint64 accreditedUntil) external;

    /// @notice Withdraws `valuer`'s accreditation for cause: its valuations stop counting
    /// and the key can never be accredited again. Accreditor role only.
    function removeValuer(address valuer) external;

    /// @notice Revokes a valuation of `patentId` for cause (a leaked key, a fraudulent
    /// report), appending `evidenceHash` (the decision) to the patent's trail. Accreditor only.
    function revokeForCause(bytes32 patentId, bytes32 reportId, string calldata reason, bytes32 evidenceHash)
        external;

    /// @notice Unlinks dead entries (revoked, expired, by a withdrawn valuer) among the
    /// newest `maxSteps` of a patent's list, which only cost walks; anyone may call it.
    /// @return removed how many were unlinked
    function prune(bytes32 patentId, uint256 maxSteps) external returns (uint256 removed);

    /// @notice Whether `valuer` was withdrawn for cause.
    function isWithdrawn(address valuer) external view returns (bool);

    /// @notice The revaluation policy: valuations of patents in `field` (a
    /// `IPatentRegistry.Field`) stop counting `maxAge` seconds after their valuation date,
    /// however long their valid-until (0: no such limit). Accreditor role only.
    function setMaxValuationAge(uint8 field, uint64 maxAge) external;

    /// @notice Disputes `reportId`, a valuation of `patentId`, citing `evidenceHash`. By a
    /// holder of at least CHALLENGE_MIN_BPS of the patent's tokens, the lender of open loan
    /// `loanId` in `loanBook` (the registry's pledge custodian) pledging them, or the
    /// registrar; one open challenge per valuation, MAX_OPEN_CHALLENGES per challenger; a
    /// dismissed valuation again by the registrar only. (`loanBook` 0 when not a lender.)
    function challenge(bytes32 patentId, bytes32 reportId, bytes32 evidenceHash, address loanBook, uint256 loanId)
        external;

    /// @notice Decides a challenge (accreditor): upheld revokes the valuation for cause,
    /// dismissed lets it count again; `decisionHash` goes on the patent's trail.
    function resolveChallenge(bytes32 patentId, bytes32 reportId, bool upheld, bytes32 decisionHash) external;

    /// @notice Who challenges `reportId` now (0: no open challenge), and whether a
    /// challenge of it was dismissed.
    function challengeOf(bytes32 reportId) external view returns (address challenger, bool dismissed);

    /// @notice The revaluation policy's maximum age for `field` (0: none).
    function maxValuationAge(uint8 field) external view returns (uint64);

    /// @notice Sets how many subsidised valuations a calendar year may have. Admin only.
    function setSubsidyCap(uint256 cap) external;

    /// @notice Records `valuation`, signed by its valuer; reverts with the reason otherwise.
    /// `label` is the valuer's own report id ("HKTIS-2026-0001"), put in the event so that
    /// people see it beside the hash: when given, the on-chain id must be made from it
    /// (its last 12 bytes are keccak256(label)'s first 12); "" gives none.
    function attest(Valuation calldata valuation, string calldata label, bytes calldata signature)
        external;

    /// @notice Records each valid valuation; skips the others, emitting `AttestationSkipped`
    /// with the reason, so one bad item never blocks the rest.
    /// @return attested how many were recorded
    function attestBatch(
        Valuation[] calldata valuations,
        string[] calldata labels,
        bytes[] calldata signatures
    )
        external
        returns (uint256 attested);

    /// @notice Revokes a valuation; by its valuer only.
    function revoke(bytes32 reportId, string calldata reason) external;

    /// @notice Revokes a valuation with the valuer's EIP-712 signature over
    /// `Revocation(bytes32 reportId,string reason)`, relayed by anyone.
    function revokeBySig(bytes32 reportId, string calldata reason, bytes calldata signature) external;

    /// @notice Whether `reportId` was ever attested (revoked ones included).
    function isAttested(bytes32 reportId) external view returns (bool);

    /// @notice Whether `reportId` was revoked.
    function isRevoked(bytes32 reportId) external view returns (bool);

    /// @notice The valuation of `patentId` with the latest valuation date that is neither
    /// revoked, expired, stale (older than its field's maximum age) nor challenged at this
    /// block, by a valuer not withdrawn; `found` is false when there is none among the newest
    /// MAX_WALK entries.
    function latestValuation(bytes32 patentId) external view returns (LatestValuation memory);

    /// @notice Every valuation of `patentId` that `latestValuation` could return, newest
    /// valuation date first (the first is `latestValuation`'s), among the newest MAX_WALK
    /// entries: what a consumer with its own rules (`IValuationRecognition`) picks from.
    function countingValuations(bytes32 patentId) external view returns (LatestValuation[] memory);

    /// @notice Valuation `reportId` if it is one of `patentId`'s that count now (`found`
    /// false otherwise), in the same bounded walk (`reportId` 0: the latest).
    function countingValuation(bytes32 patentId, bytes32 reportId) external view returns (LatestValuation memory);

    /// @notice The EIP-712 digest a valuer signs for `valuation`.
    function hashValuation(Valuation calldata valuation) external view returns (bytes32);

    /// @notice A valuer's jurisdiction (0 for an unknown or withdrawn valuer): one slot,
    /// for consumers that ask where each valuation counts.
    function valuerJurisdiction(address account) external view returns (bytes2);

    /// @notice A valuer's accreditation; reverts for an unknown valuer.
    function valuer(address account) external view returns (Valuer memory);

    /// @notice Subsidised valuations attested in calendar year `year` (UTC, by block time),
    /// less those revoked in the year they were attested.
    function subsidisedIn(uint256 year) external view returns (uint256);

    /// @notice The yearly cap on subsidised valuations.
    function subsidyCap() external view returns (uint256);
}
