// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {ECDSA} from "@openzeppelin/contracts/utils/cryptography/ECDSA.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IEvidenceTrail} from "../interfaces/IEvidenceTrail.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {IValuationRegistry} from "../interfaces/IValuationRegistry.sol";
import {CalendarYear} from "../libraries/CalendarYear.sol";
import {Roles} from "../libraries/Roles.sol";
import {ValuationChallenges} from "./ValuationChallenges.sol";

/// @title ValuationRegistry
/// @notice Accredited valuers' EIP-712 valuations of patents; see IValuationRegistry.
/// Split by concept: `ValuerAccreditation` (who may value), `ValuationList` (each patent's
/// valuations by date, and which one counts), `ValuationChallenges` (disputes by those a
/// valuation affects), and this contract (attestation by EIP-712
/// signature, revocation, the subsidy cap).
contract ValuationRegistry is ValuationChallenges, EIP712 {
    bytes32 public constant VALUATION_TYPEHASH = keccak256(
        "Valuation(bytes32 reportId,bytes32 patentId,address valuer,uint128 value,bytes3 currency,"
        "uint64 valuationDate,uint64 validUntil,uint8 method,uint8 purpose,string standard,"
        "uint8 legalValue,uint8 technicalValue,uint8 economicValue,uint8 citationNetwork,"
        "uint8 commercialApplication,uint8 technologyMaturity,uint8 marketPotential,bytes32 scoringModel,"
        "bytes32 scoringInput,bytes32 reportHash,bool subsidised)"
    );
    bytes32 public constant REVOCATION_TYPEHASH = keccak256("Revocation(bytes32 reportId,string reason)");
    /// @notice A valuation dated longer ago than this before its attestation is refused.
    uint64 public constant MAX_AGE = 365 days;
    /// @notice A valuation must stay valid at least this long after its attestation (one
    /// expiring sooner is no basis for credit, and would only use up a subsidy slot).
    uint64 public constant MIN_VALIDITY = 30 days;

    IPatentRegistry private immutable _PATENTS;
    IEvidenceTrail private immutable _EVIDENCE;

    mapping(uint256 year => uint256) private _subsidised;
    uint256 private _subsidyCap;

    constructor(address admin, IPatentRegistry patents, IEvidenceTrail evidence, uint256 subsidyCap_)
        EIP712("ipledger ValuationRegistry", "1")
    {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _PATENTS = patents;
        _EVIDENCE = evidence;
        _subsidyCap = subsidyCap_;
        emit SubsidyCapSet(subsidyCap_);
    }

    /// @inheritdoc IValuationRegistry
    function revokeForCause(bytes32 patentId, bytes32 reportId, string calldata reason, bytes32 evidenceHash)
        external
        onlyRole(Roles.ACCREDITOR)
    {
        if (evidenceHash == bytes32(0)) revert ValuationInvalidField(reportId);
        if (_records[reportId].valuer == address(0)) revert ValuationNotAttested(reportId);
        if (_records[reportId].revoked) revert ValuationAlreadyRevoked(reportId);
        if (!_ofPatent(patentId, reportId)) revert ValuationWrongPatent(reportId, patentId);
        _revokeForCause(patentId, reportId, reason, evidenceHash);
    }

    function _revokeForCause(bytes32 patentId, bytes32 reportId, string memory reason, bytes32 evidenceHash)
        internal
        override
    {
        _revoke(reportId, reason, _records[reportId].valuer);
        emit ValuationRevokedForCause(reportId, patentId, msg.sender, evidenceHash);
        _appendEvidence(patentId, evidenceHash);
    }

    function _appendEvidence(bytes32 patentId, bytes32 contentHash) internal override {
        // slither-disable-next-line unused-return (the entry hash is in the trail's event)
        _EVIDENCE.append(patentId, uint8(IEvidenceTrail.Kind.Other), contentHash, "");
    }

    function _patentRegistry() internal view override returns (IPatentRegistry) {
        return _PATENTS;
    }

    /// @inheritdoc IValuationRegistry
    function setMaxValuationAge(uint8 field, uint64 maxAge) external onlyRole(Roles.ACCREDITOR) {
        if (field > uint8(type(IPatentRegistry.Field).max)) revert ValuationInvalidPolicy(field, maxAge);
        _maxAge[field] = maxAge;
        emit MaxValuationAgeSet(field, maxAge);
    }

    /// @inheritdoc IValuationRegistry
    function setSubsidyCap(uint256 cap) external onlyRole(DEFAULT_ADMIN_ROLE) {
        _subsidyCap = cap;
        emit SubsidyCapSet(cap);
    }

    // ---- attestations ----------------------------------------------------------------

    /// @inheritdoc IValuationRegistry
    function attest(Valuation calldata valuation, string calldata label, bytes calldata signature)
        external
    {
        if (!_labelFits(valuation.reportId, label)) revert ValuationLabelMismatch(valuation.reportId, label);
        (Rejection reason, uint8 field) = _check(valuation, signature);
        if (reason != Rejection.None) _revertFor(reason, valuation);
        _record(valuation, label, field);
    }

    /// @inheritdoc IValuationRegistry
    function attestBatch(
        Valuation[] calldata valuations,
        string[] calldata labels,
        bytes[] calldata signatures
    ) external returns (uint256 attested) {
        if (valuations.length != signatures.length || valuations.length != labels.length) {
            revert ValuationBatchLengthMismatch(valuations.length, signatures.length);
        }
        for (uint256 i = 0; i < valuations.length; ++i) {
            Rejection reason = Rejection.LabelMismatch;
            uint8 field = 0;
            if (_labelFits(valuations[i].reportId, labels[i])) {
                (reason, field) = _check(valuations[i], signatures[i]);
            }
            if (reason == Rejection.None) {
                _record(valuations[i], labels[i], field);
                ++attested;
            } else {
                emit AttestationSkipped(valuations[i].reportId, valuations[i].valuer, reason);
            }
        }
    }

    /// @inheritdoc IValuationRegistry
    function revoke(bytes32 reportId, string calldata reason) external {
        _revoke(reportId, reason, msg.sender);
    }

    /// @inheritdoc IValuationRegistry
    function revokeBySig(bytes32 reportId, string calldata reason, bytes calldata signature) external {
        bytes32 digest =
            _hashTypedDataV4(keccak256(abi.encode(REVOCATION_TYPEHASH, reportId, keccak256(bytes(reason)))));
        address signer = _records[reportId].valuer;
        if (!_isValidSignature(signer, digest, signature)) revert ValuationInvalidSignature(reportId, signer);
        _revoke(reportId, reason, signer);
    }

    // ---- views -----------------------------------------------------------------------

    /// @inheritdoc IValuationRegistry
    function hashValuation(Valuation calldata valuation) public view returns (bytes32) {
        // EIP-712 encodeData is the concatenation of 32-byte words; it is built in three
        // parts only to keep the compiler's stack within bounds.
        bytes memory head = abi.encode(
            VALUATION_TYPEHASH,
            valuation.reportId,
            valuation.patentId,
            valuation.valuer,
            valuation.value,
            valuation.currency,
            valuation.valuationDate,
            valuation.validUntil
        );
        bytes memory middle = abi.encode(
            valuation.method,
            valuation.purpose,
            keccak256(bytes(valuation.standard)),
            valuation.legalValue,
            valuation.technicalValue,
            valuation.economicValue,
            valuation.citationNetwork
        );
        bytes memory tail = abi.encode(
            valuation.commercialApplication,
            valuation.technologyMaturity,
            valuation.marketPotential,
            valuation.scoringModel,
            valuation.scoringInput,
            valuation.reportHash,
            valuation.subsidised
        );
        return _hashTypedDataV4(keccak256(bytes.concat(head, middle, tail)));
    }

    /// @inheritdoc IValuationRegistry
    function subsidisedIn(uint256 year) external view returns (uint256) {
        return _subsidised[year];
    }

    /// @inheritdoc IValuationRegistry
    function subsidyCap() external view returns (uint256) {
        return _subsidyCap;
    }

    // ---- internals -------------------------------------------------------------------

    /// @dev Every reason to refuse, cheapest checks first; the signature check last but
    /// one, since it costs the most.
    /// The patent's field comes back with the verdict: the record keeps it for the age policy.
    function _check(Valuation calldata v, bytes calldata signature)
        private
        view
        returns (Rejection, uint8 field)
    {
        if (
            v.reportId == bytes32(0) || v.value == 0 || v.reportHash == bytes32(0)
                || v.method > uint8(type(Method).max) || !_isCurrencyCode(v.currency) || !_scoresFit(v)
        ) return (Rejection.InvalidField, 0);
        if (address(bytes20(v.reportId)) != v.valuer) return (Rejection.ReportIdNotValuers, field);
        if (v.validUntil <= v.valuationDate) return (Rejection.InvalidDates, field);
        if (v.valuationDate > block.timestamp) return (Rejection.DateInFuture, field);
        if (v.validUntil < block.timestamp + MIN_VALIDITY) return (Rejection.Expired, field);
        if (v.valuationDate + MAX_AGE < block.timestamp) return (Rejection.TooOld, field);
        if (_records[v.reportId].valuer != address(0)) return (Rejection.AlreadyAttested, field);
        if (block.timestamp >= _valuers[v.valuer].accreditedUntil) return (Rejection.UnaccreditedValuer, field);
        (bool registered, IPatentRegistry.Field patentField) = _PATENTS.fieldOf(v.patentId);
        if (!registered) return (Rejection.UnknownPatent, 0);
        field = uint8(patentField);
        if (!_isValidSignature(v.valuer, hashValuation(v), signature)) return (Rejection.InvalidSignature, field);
        if (v.subsidised && _subsidised[CalendarYear.yearOf(block.timestamp)] >= _subsidyCap) {
            return (Rejection.SubsidyCapReached, field);
        }
        if (!_fitsByDate(v.patentId, v.valuationDate)) return (Rejection.Superseded, field);
        return (Rejection.None, field);
    }

    /// @dev An empty label names nothing; any other must be the one the id was made from
    /// (the id's last 12 bytes are the first 12 of its keccak256), so no one can show a
    /// report under another report's name.
    function _labelFits(bytes32 reportId, string calldata label) private pure returns (bool) {
        return bytes(label).length == 0 || bytes12(reportId << 160) == bytes12(keccak256(bytes(label)));
    }

    function _record(Valuation calldata v, string calldata label, uint8 field) private {
        uint16 subsidyYear = 0; // none held unless subsidised
        if (v.subsidised) {
            // The year of a block timestamp fits uint16 until the year 65535.
            subsidyYear = uint16(CalendarYear.yearOf(block.timestamp));
            ++_subsidised[subsidyYear];
        }
        bytes32 previous = _insertByDate(v.patentId, v.reportId, v.valuationDate);
        _records[v.reportId] = Record(
            v.valuer, v.validUntil, false, field, false, v.value, v.currency, v.valuationDate, subsidyYear, previous
        );
        _emitAttested(v, label);
        // slither-disable-next-line unused-return (the entry hash is in the trail's event)
        _EVIDENCE.append(v.patentId, uint8(IEvidenceTrail.Kind.Valuation), v.reportHash, "");
    }

    function _emitAttested(Valuation calldata v, string memory label) private {
        uint8[4] memory scores =
            [v.citationNetwork, v.commercialApplication, v.technologyMaturity, v.marketPotential];
        emit ValuationAttested(
            v.reportId,
            v.patentId,
            v.valuer,
            v.value,
            v.currency,
            v.valuationDate,
            v.validUntil,
            v.method,
            v.standard,
            scores,
            v.reportHash,
            v.subsidised,
            label
        );
        emit ValuationBasis(
            v.reportId,
            v.patentId,
            v.purpose,
            [v.legalValue, v.technicalValue, v.economicValue],
            v.scoringModel,
            v.scoringInput
        );
    }

    function _revoke(bytes32 reportId, string memory reason, address by) private {
        Record storage r = _records[reportId];
        if (r.valuer == address(0)) revert ValuationNotAttested(reportId);
        if (r.valuer != by) revert ValuationNotValuer(reportId, by);
        if (r.revoked) revert ValuationAlreadyRevoked(reportId);
        r.revoked = true;
        uint16 subsidyYear = r.subsidyYear;
        // slither-disable-next-line incorrect-equality (the same calendar year is the rule)
        if (subsidyYear != 0 && subsidyYear == CalendarYear.yearOf(block.timestamp)) {
            // The subsidy is settled per year: a valuation withdrawn within its year frees its slot.
            r.subsidyYear = 0;
            --_subsidised[subsidyYear];
        }
        emit ValuationRevoked(reportId, by, reason);
    }

    function _revertFor(Rejection reason, Valuation calldata v) private view {
        if (reason == Rejection.UnaccreditedValuer) revert ValuationUnaccreditedValuer(v.reportId, v.valuer);
        if (reason == Rejection.UnknownPatent) revert ValuationUnknownPatent(v.reportId, v.patentId);
        if (reason == Rejection.AlreadyAttested) revert ValuationAlreadyAttested(v.reportId);
        if (reason == Rejection.InvalidSignature) revert ValuationInvalidSignature(v.reportId, v.valuer);
        if (reason == Rejection.InvalidDates) revert ValuationInvalidDates(v.reportId, v.valuationDate, v.validUntil);
        if (reason == Rejection.DateInFuture) {
            revert ValuationDateInFuture(v.reportId, v.valuationDate, uint64(block.timestamp));
        }
        if (reason == Rejection.SubsidyCapReached) {
            revert ValuationSubsidyCapReached(v.reportId, CalendarYear.yearOf(block.timestamp), _subsidyCap);
        }
        _revertForLater(reason, v);
    }

    /// @dev The rejections added with the rules against back-dating, squatting and padding.
    function _revertForLater(Rejection reason, Valuation calldata v) private view {
        if (reason == Rejection.ReportIdNotValuers) revert ValuationReportIdNotValuers(v.reportId, v.valuer);
        if (reason == Rejection.Expired) revert ValuationExpired(v.reportId, v.validUntil, uint64(block.timestamp));
        if (reason == Rejection.TooOld) {
            revert ValuationTooOld(v.reportId, v.valuationDate, uint64(block.timestamp) - MAX_AGE);
        }
        if (reason == Rejection.Superseded) revert ValuationSuperseded(v.reportId, v.patentId);
        revert ValuationInvalidField(v.reportId);
    }

    /// @dev ECDSA first (it rejects high-s and malformed signatures), then ERC-1271 for a
    /// contract valuer. Trying ECDSA first spares an EOA valuer the cold code-size check
    /// (2,600 gas); a contract has no key, so ECDSA can never pass for it.
    function _isValidSignature(address signer, bytes32 digest, bytes calldata signature) private view returns (bool) {
        // slither-disable-next-line unused-return (the error argument only details the error)
        (address recovered, ECDSA.RecoverError error,) = ECDSA.tryRecover(digest, signature);
        if (error == ECDSA.RecoverError.NoError && recovered == signer) return true;
        return SignatureChecker.isValidERC1271SignatureNow(signer, digest, signature);
    }

    /// @dev The purpose is one of the standard's, every score 0-100, and the machine
    /// scores name the model behind them.
    function _scoresFit(Valuation calldata v) private pure returns (bool) {
        return v.purpose <= uint8(type(Purpose).max) && v.legalValue <= 100 && v.technicalValue <= 100
            && v.economicValue <= 100 && v.citationNetwork <= 100 && v.commercialApplication <= 100
            && v.technologyMaturity <= 100 && v.marketPotential <= 100 && v.scoringModel != bytes32(0);
    }

    function _isCurrencyCode(bytes3 code) private pure returns (bool) {
        for (uint256 i = 0; i < 3; ++i) {
            if (code[i] < "A" || code[i] > "Z") return false;
        }
        return true;
    }
}
