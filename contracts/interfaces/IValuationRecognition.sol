// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IValuationRegistry} from "./IValuationRegistry.sol";

/// @title IValuationRecognition
/// @notice Where a valuation counts: mutual recognition of valuations between
/// jurisdictions (Shenzhen and Hong Kong, under the sandbox's cross-boundary pilot).
/// @dev A valuation counts in its valuer's own jurisdiction. In another jurisdiction it
/// counts when that jurisdiction's policy (the accreditor's) accepts the valuer's
/// jurisdiction directly, or once a valuer accredited in it signs a recognition of that
/// report: EIP-712 `Recognition(bytes32 reportId,bytes32 patentId,bytes2 jurisdiction,
/// address recogniser,bytes32 reviewHash)` in the domain ("ipledger ValuationRecognition",
/// "1", chain id, this contract), relayed by anyone; each signature counts once. The
/// recogniser or the accreditor may withdraw it, and a recogniser withdrawn for cause
/// takes its recognitions with it; either way the report may be recognised there again,
/// by a new signature (another review or another recogniser). A valuer's jurisdiction is
/// its accreditation's now (the accreditor moving a valuer moves its valuations); a
/// recogniser's accreditation lapsing in time leaves its recognitions in force, as a
/// valuer's lapsing leaves its valuations counting. Recognition,
/// withdrawal and policy are on the patent's evidence trail or in events.
/// Consumers ask `latestValuationIn`: the lens in the investor's jurisdiction, the
/// collateral policy in the lender's.
interface IValuationRecognition {
    /// @notice A recognition's state.
    struct Recognition {
        address recogniser; // 0: never recognised
        uint64 recognisedAt;
        bool withdrawn;
        bytes32 patentId;
    }

    error RecognitionInvalidSignature(bytes32 reportId, address recogniser);
    /// @notice The recogniser is not a valuer accredited now in `jurisdiction`.
    error RecognitionNotAccredited(address recogniser, bytes2 jurisdiction);
    /// @notice The report is not a valuation of `patentId` that counts now.
    error RecognitionNotCounting(bytes32 reportId, bytes32 patentId);
    /// @notice The valuer is accredited in `jurisdiction` itself: its valuation counts there already.
    error RecognitionNotNeeded(bytes32 reportId, bytes2 jurisdiction);
    /// @notice A recognition of the report is in force there, or this signature was used.
    error RecognitionAlreadyRecognised(bytes32 reportId, bytes2 jurisdiction);
    error RecognitionNotRecognised(bytes32 reportId, bytes2 jurisdiction);
    error RecognitionNotAllowed(bytes32 reportId, address caller);
    error RecognitionInvalidField(bytes32 reportId);
    error RecognitionInvalidJurisdiction(bytes2 jurisdiction);

    /// @notice `where` accepts valuations by valuers of `from` directly (or no longer).
    event DirectAcceptanceSet(bytes2 indexed where, bytes2 indexed from, bool direct);
    /// @notice `recogniser`, accredited in `jurisdiction`, recognised the report there;
    /// `reviewHash` (its review) is on the patent's trail.
    event ValuationRecognised(
        bytes32 indexed reportId,
        bytes32 indexed patentId,
        bytes2 indexed jurisdiction,
        address recogniser,
        bytes32 reviewHash
    );
    /// @notice The recognition was withdrawn by `by`; `reasonHash` is on the patent's trail.
    event RecognitionWithdrawn(
        bytes32 indexed reportId, bytes32 indexed patentId, bytes2 indexed jurisdiction, address by, bytes32 reasonHash
    );

    /// @notice Sets whether `where` accepts valuations by valuers of `from` without a
    /// recognition. Accreditor role (in the valuation registry) only.
    function setDirectAcceptance(bytes2 where, bytes2 from, bool direct) external;

    /// @notice Records `recogniser`'s signed recognition of valuation `reportId` of
    /// `patentId` in `jurisdiction`, `reviewHash` being its review document.
    function recognise(
        bytes32 reportId,
        bytes32 patentId,
        bytes2 jurisdiction,
        address recogniser,
        bytes32 reviewHash,
        bytes calldata signature
    ) external;

    /// @notice Withdraws a recognition; by its recogniser or the accreditor.
    function withdrawRecognition(bytes32 reportId, bytes2 jurisdiction, bytes32 reasonHash) external;

    /// @notice The newest valuation of `patentId` that counts now and counts in
    /// `jurisdiction` (0: in any, as `IValuationRegistry.latestValuation`).
    function latestValuationIn(bytes32 patentId, bytes2 jurisdiction)
        external
        view
        returns (IValuationRegistry.LatestValuation memory);

    /// @notice Whether valuations by valuers of `from` count in `where` without recognition.
    function acceptsDirectly(bytes2 where, bytes2 from) external view returns (bool);

    /// @notice The recognition of `reportId` in `jurisdiction`, if any.
    function recognition(bytes32 reportId, bytes2 jurisdiction) external view returns (Recognition memory);

    /// @notice The EIP-712 digest a recogniser signs.
    function hashRecognition(
        bytes32 reportId,
        bytes32 patentId,
        bytes2 jurisdiction,
        address recogniser,
        bytes32 reviewHash
    ) external view returns (bytes32);
}
