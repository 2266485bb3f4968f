// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {IEvidenceTrail} from "../interfaces/IEvidenceTrail.sol";
import {IValuationRecognition} from "../interfaces/IValuationRecognition.sol";
import {IValuationRegistry} from "../interfaces/IValuationRegistry.sol";
import {Jurisdictions} from "../libraries/Jurisdictions.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title ValuationRecognition
/// @notice Mutual recognition of valuations between jurisdictions; see IValuationRecognition.
/// A contract of its own: the valuation registry is at the code size limit, and where a
/// valuation counts is a question its consumers ask, not one attestation answers.
contract ValuationRecognition is IValuationRecognition, EIP712 {
    bytes32 public constant RECOGNITION_TYPEHASH = keccak256(
        "Recognition(bytes32 reportId,bytes32 patentId,bytes2 jurisdiction,address recogniser,bytes32 reviewHash)"
    );

    IValuationRegistry public immutable valuations;
    IEvidenceTrail public immutable evidence;

    mapping(bytes2 where => mapping(bytes2 from => bool)) private _direct;
    mapping(bytes32 reportId => mapping(bytes2 jurisdiction => Recognition)) private _recognitions;
    mapping(bytes32 digest => bool) private _used;

    constructor(IValuationRegistry valuations_, IEvidenceTrail evidence_)
        EIP712("ipledger ValuationRecognition", "1")
    {
        valuations = valuations_;
        evidence = evidence_;
    }

    /// @inheritdoc IValuationRecognition
    function setDirectAcceptance(bytes2 where, bytes2 from, bool direct) external {
        if (!IAccessControl(address(valuations)).hasRole(Roles.ACCREDITOR, msg.sender)) {
            revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, Roles.ACCREDITOR);
        }
        if (!Jurisdictions.isCountryCode(where)) revert RecognitionInvalidJurisdiction(where);
        if (!Jurisdictions.isCountryCode(from) || from == where) revert RecognitionInvalidJurisdiction(from);
        _direct[where][from] = direct;
        emit DirectAcceptanceSet(where, from, direct);
    }

    /// @inheritdoc IValuationRecognition
    function recognise(
        bytes32 reportId,
        bytes32 patentId,
        bytes2 jurisdiction,
        address recogniser,
        bytes32 reviewHash,
        bytes calldata signature
    ) external {
        if (reportId == bytes32(0) || reviewHash == bytes32(0)) revert RecognitionInvalidField(reportId);
        if (_holds(_recognitions[reportId][jurisdiction])) revert RecognitionAlreadyRecognised(reportId, jurisdiction);
        (bool known, bytes2 home, uint64 until) = _accreditationOf(recogniser);
        if (!known || home != jurisdiction || block.timestamp >= until) {
            revert RecognitionNotAccredited(recogniser, jurisdiction);
        }
        bytes32 digest = hashRecognition(reportId, patentId, jurisdiction, recogniser, reviewHash);
        if (!SignatureChecker.isValidSignatureNow(recogniser, digest, signature)) {
            revert RecognitionInvalidSignature(reportId, recogniser);
        }
        // A signature counts once: a withdrawn recognition cannot be replayed, though
        // another review (or another recogniser) may recognise the report again.
        if (_used[digest]) revert RecognitionAlreadyRecognised(reportId, jurisdiction);
        _used[digest] = true;
        IValuationRegistry.LatestValuation memory v = valuations.countingValuation(patentId, reportId);
        if (!v.found) revert RecognitionNotCounting(reportId, patentId);
        if (valuations.valuerJurisdiction(v.valuer) == jurisdiction) revert RecognitionNotNeeded(reportId, jurisdiction);
        _recognitions[reportId][jurisdiction] = Recognition(recogniser, uint64(block.timestamp), false, patentId);
        emit ValuationRecognised(reportId, patentId, jurisdiction, recogniser, reviewHash);
        // slither-disable-next-line unused-return (the entry hash is in the trail's event)
        evidence.append(patentId, uint8(IEvidenceTrail.Kind.Valuation), reviewHash, "");
    }

    /// @inheritdoc IValuationRecognition
    function withdrawRecognition(bytes32 reportId, bytes2 jurisdiction, bytes32 reasonHash) external {
        Recognition storage r = _recognitions[reportId][jurisdiction];
        if (r.recogniser == address(0) || r.withdrawn) revert RecognitionNotRecognised(reportId, jurisdiction);
        if (
            msg.sender != r.recogniser
                && !IAccessControl(address(valuations)).hasRole(Roles.ACCREDITOR, msg.sender)
        ) revert RecognitionNotAllowed(reportId, msg.sender);
        if (reasonHash == bytes32(0)) revert RecognitionInvalidField(reportId);
        r.withdrawn = true;
        bytes32 patentId = r.patentId;
        emit RecognitionWithdrawn(reportId, patentId, jurisdiction, msg.sender, reasonHash);
        // slither-disable-next-line unused-return (the entry hash is in the trail's event)
        evidence.append(patentId, uint8(IEvidenceTrail.Kind.Other), reasonHash, "");
    }

    /// @inheritdoc IValuationRecognition
    function latestValuationIn(bytes32 patentId, bytes2 jurisdiction)
        external
        view
        returns (IValuationRegistry.LatestValuation memory)
    {
        // The newest first on its own: it nearly always counts, and the list costs memory.
        IValuationRegistry.LatestValuation memory latest = valuations.latestValuation(patentId);
        if (!latest.found || jurisdiction == bytes2(0) || _countsIn(latest, jurisdiction)) return latest;
        IValuationRegistry.LatestValuation[] memory list = valuations.countingValuations(patentId);
        for (uint256 i = 1; i < list.length; ++i) {
            if (_countsIn(list[i], jurisdiction)) return list[i];
        }
        return IValuationRegistry.LatestValuation(false, 0, address(0), 0, 0, 0, 0);
    }

    /// @inheritdoc IValuationRecognition
    function acceptsDirectly(bytes2 where, bytes2 from) external view returns (bool) {
        return where == from || _direct[where][from];
    }

    /// @inheritdoc IValuationRecognition
    function recognition(bytes32 reportId, bytes2 jurisdiction) external view returns (Recognition memory) {
        return _recognitions[reportId][jurisdiction];
    }

    /// @inheritdoc IValuationRecognition
    function hashRecognition(
        bytes32 reportId,
        bytes32 patentId,
        bytes2 jurisdiction,
        address recogniser,
        bytes32 reviewHash
    ) public view returns (bytes32) {
        return _hashTypedDataV4(
            keccak256(abi.encode(RECOGNITION_TYPEHASH, reportId, patentId, jurisdiction, recogniser, reviewHash))
        );
    }

    /// @dev Counts in `jurisdiction`: by a valuer of it, of one it accepts directly, or
    /// recognised there by a recogniser not since withdrawn for cause.
    function _countsIn(IValuationRegistry.LatestValuation memory v, bytes2 jurisdiction)
        private
        view
        returns (bool)
    {
        bytes2 home = valuations.valuerJurisdiction(v.valuer);
        if (home == jurisdiction || _direct[jurisdiction][home]) return true;
        return _holds(_recognitions[v.reportId][jurisdiction]);
    }

    /// @dev A recognition in force: made, not withdrawn, by a recogniser not since
    /// withdrawn for cause.
    function _holds(Recognition storage r) private view returns (bool) {
        return r.recogniser != address(0) && !r.withdrawn && !valuations.isWithdrawn(r.recogniser);
    }

    /// @dev A valuer's jurisdiction and accreditation; `known` false for one never
    /// accredited or withdrawn (the registry reverts for those).
    function _accreditationOf(address account) private view returns (bool known, bytes2 home, uint64 until) {
        try valuations.valuer(account) returns (IValuationRegistry.Valuer memory record) {
            return (true, record.jurisdiction, record.accreditedUntil);
        } catch {
            return (false, bytes2(0), 0);
        }
    }
}
