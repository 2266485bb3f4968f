// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ILoanBook} from "../interfaces/ILoanBook.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {IValuationRegistry} from "../interfaces/IValuationRegistry.sol";
import {Roles} from "../libraries/Roles.sol";
import {ValuationList} from "./ValuationList.sol";

/// @title ValuationChallenges
/// @notice Disputes of a valuation by those it affects: a holder of at least
/// `CHALLENGE_MIN_BPS` of the patent's tokens, a lender whose open loan pledges them, or
/// the registrar. A challenged valuation counts nowhere (`latestValuation` skips it) until
/// the accreditor resolves it: upheld, it is revoked for cause; dismissed, it counts again.
/// @dev Against griefing: one open challenge per valuation; at most
/// `MAX_OPEN_CHALLENGES` open per challenger; a dismissed valuation can be challenged again
/// by the registrar only. Every challenge and decision is on the patent's evidence trail.
abstract contract ValuationChallenges is ValuationList {
    /// @notice A token holder must hold this share of the supply (basis points) to challenge.
    uint256 public constant CHALLENGE_MIN_BPS = 100;
    /// @notice Open challenges one account may have at a time.
    uint256 public constant MAX_OPEN_CHALLENGES = 3;

    mapping(bytes32 reportId => address) private _challenger; // while open
    mapping(address account => uint256) private _open;
    mapping(bytes32 reportId => bool) private _dismissed;

    /// @inheritdoc IValuationRegistry
    function challenge(bytes32 patentId, bytes32 reportId, bytes32 evidenceHash, address loanBook, uint256 loanId)
        external
    {
        Record storage r = _records[reportId];
        if (evidenceHash == bytes32(0)) revert ValuationInvalidField(reportId);
        // Only a valuation that can still count: a dead one (revoked, expired, by a withdrawn
        // valuer) is no one's concern, and no list proves which patent it was of.
        if (r.valuer == address(0) || _dead(reportId) || !_ofPatent(patentId, reportId)) {
            revert ValuationWrongPatent(reportId, patentId);
        }
        if (r.challenged) revert ValuationAlreadyChallenged(reportId);
        bool registrar = IAccessControl(address(_patentRegistry())).hasRole(Roles.REGISTRAR, msg.sender);
        if (!registrar && (_dismissed[reportId] || !_affected(patentId, loanBook, loanId))) {
            revert ValuationNotChallenger(reportId, msg.sender);
        }
        if (_open[msg.sender] >= MAX_OPEN_CHALLENGES) revert ValuationTooManyChallenges(msg.sender);
        r.challenged = true;
        _challenger[reportId] = msg.sender;
        ++_open[msg.sender];
        emit ValuationChallenged(reportId, patentId, msg.sender, evidenceHash);
        _appendEvidence(patentId, evidenceHash);
    }

    /// @inheritdoc IValuationRegistry
    function resolveChallenge(bytes32 patentId, bytes32 reportId, bool upheld, bytes32 decisionHash)
        external
        onlyRole(Roles.ACCREDITOR)
    {
        Record storage r = _records[reportId];
        if (!r.challenged) revert ValuationNotChallenged(reportId);
        if (decisionHash == bytes32(0)) revert ValuationInvalidField(reportId);
        if (!_ofPatent(patentId, reportId)) revert ValuationWrongPatent(reportId, patentId);
        r.challenged = false;
        --_open[_challenger[reportId]];
        delete _challenger[reportId];
        emit ChallengeResolved(reportId, patentId, upheld, decisionHash);
        if (upheld) {
            _revokeForCause(patentId, reportId, "challenge upheld", decisionHash);
        } else {
            _dismissed[reportId] = true;
            _appendEvidence(patentId, decisionHash);
        }
    }

    /// @inheritdoc IValuationRegistry
    function challengeOf(bytes32 reportId) external view returns (address challenger, bool dismissed) {
        return (_challenger[reportId], _dismissed[reportId]);
    }

    /// @dev A holder of enough of the patent's tokens, or the lender of an open loan
    /// pledging them (the loan book must be the registry's pledge custodian).
    function _affected(bytes32 patentId, address loanBook, uint256 loanId) private view returns (bool) {
        IPatentRegistry patents = _patentRegistry();
        address token = patents.tokenOf(patentId);
        if (token != address(0)) {
            uint256 held = IERC20(token).balanceOf(msg.sender);
            if (held * 10_000 >= IERC20(token).totalSupply() * CHALLENGE_MIN_BPS && held != 0) return true;
        }
        if (loanBook == address(0) || !IAccessControl(address(patents)).hasRole(Roles.PLEDGE_CUSTODIAN, loanBook)) {
            return false;
        }
        ILoanBook.LoanView memory loan = ILoanBook(loanBook).loan(loanId);
        if (loan.lender != msg.sender) return false;
        if (loan.state != ILoanBook.State.Active && loan.state != ILoanBook.State.Called) return false;
        for (uint256 i = 0; i < loan.pledges.length; ++i) {
            if (loan.pledges[i].patentId == patentId) return true;
        }
        return false;
    }

    function _patentRegistry() internal view virtual returns (IPatentRegistry);

    function _appendEvidence(bytes32 patentId, bytes32 contentHash) internal virtual;

    function _revokeForCause(bytes32 patentId, bytes32 reportId, string memory reason, bytes32 evidenceHash)
        internal
        virtual;
}
