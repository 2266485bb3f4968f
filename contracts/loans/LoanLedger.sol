// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ICollateralPolicy} from "../interfaces/ICollateralPolicy.sol";
import {ILoanBook} from "../interfaces/ILoanBook.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {IRevenueRightsToken} from "../interfaces/IRevenueRightsToken.sol";

/// @title LoanLedger
/// @notice The loan book's storage and arithmetic: interest accrual, the revenue sweep,
/// health, and the views. `LoanBook` adds the state transitions and the money moves.
/// @dev The sweep follows the token's own accumulator: a pledge of `amount` tokens earned
/// `amount * (D1 - D0) / supply` while the token's deposits grew from D0 to D1, kept
/// exactly (whole units plus a remainder in 1/supply-ths) as the token keeps it for the
/// book as one holder, so the pledges' whole units never exceed what the book can claim.
/// Nothing is looped over but a loan's own pledges (at most MAX_PLEDGES).
abstract contract LoanLedger is ILoanBook {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant MAX_PLEDGES = 8;
    /// @notice `ltvBps` of a loan with debt and no collateral value.
    uint256 internal constant NO_COLLATERAL = type(uint32).max;
    uint256 internal constant YEAR = 365 days;

    struct Loan {
        address borrower;
        uint64 maturity;
        address lender;
        uint16 rateBps;
        uint16 maxLtvBps;
        uint16 liquidationLtvBps;
        uint16 sweepBps;
        State state;
        uint8 pledgeCount;
        bytes2 jurisdiction; // the lender's listing at acceptance: where its collateral must count
        address asset;
        uint96 principal;
        // The offer writes every slot and accepting only updates them (a slot written from
        // zero costs 20,000 gas, an update 2,900): the debt shares a slot with a term.
        uint96 principalOutstanding;
        uint128 interest;
        uint32 remediationPeriod;
        uint64 lastAccrual;
        uint64 deadline; // offer expiry while offered, remediation deadline while called
        uint64 interestRemainder; // in 1/(BPS * YEAR)-ths of a base unit
        uint32 calls; // calls and cures so far: bids belong to one call
        bytes32 agreementHash;
    }

    struct PledgeSlot {
        bytes32 patentId;
        address token;
        uint96 amount;
        uint112 checkpoint; // the token's revenueDeposited when last swept
        uint96 remainder; // earned fraction of a unit, in 1/supply-ths
    }

    IPatentRegistry public immutable patents;
    ICollateralPolicy public immutable policy;

    uint256 private _count;
    mapping(uint256 loanId => Loan) internal _loans;
    mapping(uint256 loanId => mapping(uint256 index => PledgeSlot)) internal _pledges;
    mapping(address borrower => mapping(bytes32 patentId => uint256)) internal _pledgedOf;
    mapping(address account => mapping(address asset => uint256)) internal _owed;
    mapping(address account => uint256[]) private _byBorrower;
    mapping(address account => uint256[]) private _byLender;

    constructor(IPatentRegistry patents_, ICollateralPolicy policy_) {
        patents = patents_;
        policy = policy_;
    }

    // ---- views -----------------------------------------------------------------------

    /// @inheritdoc ILoanBook
    function loan(uint256 loanId) external view returns (LoanView memory v) {
        Loan storage l = _loan(loanId);
        (uint256 principalOutstanding, uint256 interest) = _pendingDebt(loanId, l);
        v.loanId = loanId;
        v.state = l.state;
        v.borrower = l.borrower;
        v.lender = l.lender;
        v.asset = l.asset;
        v.principal = l.principal;
        v.principalOutstanding = principalOutstanding;
        v.interest = interest;
        v.rateBps = l.rateBps;
        v.maxLtvBps = l.maxLtvBps;
        v.liquidationLtvBps = l.liquidationLtvBps;
        v.sweepBps = l.sweepBps;
        v.maturity = l.maturity;
        v.remediationPeriod = l.remediationPeriod;
        v.deadline = l.deadline;
        v.agreementHash = l.agreementHash;
        v.pledges = new Pledge[](l.pledgeCount);
        for (uint256 i = 0; i < v.pledges.length; ++i) {
            PledgeSlot storage p = _pledges[loanId][i];
            v.pledges[i] = Pledge(p.patentId, p.amount);
        }
    }

    /// @inheritdoc ILoanBook
    function health(uint256 loanId) external view returns (Health memory) {
        return _health(loanId, _loan(loanId));
    }

    /// @inheritdoc ILoanBook
    function healthOf(uint256[] calldata loanIds) external view returns (Health[] memory out) {
        out = new Health[](loanIds.length);
        for (uint256 i = 0; i < loanIds.length; ++i) {
            out[i] = _health(loanIds[i], _loan(loanIds[i]));
        }
    }

    /// @inheritdoc ILoanBook
    function loanCount() external view returns (uint256) {
        return _count;
    }

    /// @inheritdoc ILoanBook
    function loansOf(address account, bool asLender, uint256 offset, uint256 limit)
        external
        view
        returns (uint256[] memory loanIds, uint256 total)
    {
        uint256[] storage ids = asLender ? _byLender[account] : _byBorrower[account];
        total = ids.length;
        uint256 end = offset + limit < total ? offset + limit : total;
        loanIds = new uint256[](end > offset ? end - offset : 0);
        for (uint256 i = 0; i < loanIds.length; ++i) {
            loanIds[i] = ids[offset + i];
        }
    }

    /// @inheritdoc ILoanBook
    function pledgedOf(address borrower, bytes32 patentId) external view returns (uint256) {
        return _pledgedOf[borrower][patentId];
    }

    /// @inheritdoc ILoanBook
    function owed(address account, address asset) external view returns (uint256) {
        return _owed[account][asset];
    }

    // ---- internals -------------------------------------------------------------------

    function _newLoan(Terms calldata t, address lender) internal returns (uint256 loanId) {
        loanId = ++_count;
        Loan storage l = _loans[loanId];
        l.borrower = t.borrower;
        l.maturity = t.maturity;
        l.remediationPeriod = t.remediationPeriod;
        l.lender = lender;
        l.rateBps = t.rateBps;
        l.maxLtvBps = t.maxLtvBps;
        l.liquidationLtvBps = t.liquidationLtvBps;
        l.sweepBps = t.sweepBps;
        l.state = State.Offered;
        l.asset = t.asset;
        l.principal = t.principal;
        l.deadline = t.offerExpiry;
        l.agreementHash = t.agreementHash;
        _byBorrower[t.borrower].push(loanId);
        _byLender[lender].push(loanId);
    }

    function _loan(uint256 loanId) internal view returns (Loan storage l) {
        l = _loans[loanId];
        if (l.state == State.None) revert LoanUnknown(loanId);
    }

    function _checkState(uint256 loanId, Loan storage l, State expected) internal view {
        if (l.state != expected) revert LoanWrongState(loanId, l.state);
    }

    /// @dev Active or called: a loan with debt and a pledge.
    function _checkOpen(uint256 loanId, Loan storage l) internal view {
        State state = l.state;
        if (state != State.Active && state != State.Called) revert LoanWrongState(loanId, state);
    }

    /// @dev Brings the loan to this block: interest accrued, then each pledge's revenue
    /// since its checkpoint swept (the lender's share against interest, then principal; the
    /// rest owed to the borrower). A pledge whose token will not pay the book now (paused)
    /// keeps its checkpoint and is swept later.
    /// The claim is a call to the patent's own revenue-rights token (created by the
    /// registry, not a caller's choice), and every entry point is nonReentrant.
    // slither-disable-next-line reentrancy-no-eth,reentrancy-benign
    function _settle(uint256 loanId, Loan storage l) internal returns (bool complete) {
        complete = true;
        if (l.state != State.Active && l.state != State.Called) return complete;
        (uint256 interest, uint64 remainder) = _accrued(l);
        l.interestRemainder = remainder;
        l.lastAccrual = uint64(block.timestamp);
        uint256 principal = l.principalOutstanding;
        uint256 count = l.pledgeCount;
        for (uint256 i = 0; i < count; ++i) {
            PledgeSlot storage p = _pledges[loanId][i];
            (uint256 earned, uint112 checkpoint, uint96 rem) = _earned(p);
            if (checkpoint == p.checkpoint) continue;
            if (earned > 0) {
                // slither-disable-next-line unused-return (the book's credit is computed, not taken)
                try IRevenueRightsToken(p.token).claimRevenue() {}
                catch {
                    complete = false;
                    continue;
                }
            }
            p.checkpoint = checkpoint;
            p.remainder = rem;
            uint256 toLender;
            (principal, interest, toLender) = _sweep(principal, interest, earned, l.sweepBps);
            _owed[l.lender][l.asset] += toLender;
            _owed[l.borrower][l.asset] += earned - toLender;
            if (earned > 0) emit RevenueSwept(loanId, p.patentId, toLender, earned - toLender);
        }
        l.principalOutstanding = uint96(principal);
        l.interest = uint128(interest);
    }

    /// @dev Principal outstanding and interest as `_settle` would leave them now.
    function _pendingDebt(uint256 loanId, Loan storage l) internal view returns (uint256 principal, uint256 interest) {
        principal = l.principalOutstanding;
        interest = l.interest;
        if (l.state != State.Active && l.state != State.Called) return (principal, interest);
        (interest,) = _accrued(l);
        uint256 count = l.pledgeCount;
        for (uint256 i = 0; i < count; ++i) {
            (uint256 earned,,) = _earned(_pledges[loanId][i]);
            (principal, interest,) = _sweep(principal, interest, earned, l.sweepBps);
        }
    }

    function _accrued(Loan storage l) internal view returns (uint256 interest, uint64 remainder) {
        uint256 exact = uint256(l.principalOutstanding) * l.rateBps * (block.timestamp - l.lastAccrual)
            + l.interestRemainder;
        interest = l.interest + exact / (BPS * YEAR);
        // slither-disable-next-line weak-prng (a remainder kept exactly, not randomness)
        remainder = uint64(exact % (BPS * YEAR));
    }

    function _earned(PledgeSlot storage p) internal view returns (uint256 earned, uint112 checkpoint, uint96 rem) {
        checkpoint = uint112(IRevenueRightsToken(p.token).revenueDeposited());
        if (checkpoint == p.checkpoint) return (0, checkpoint, p.remainder);
        uint256 supply = _supply(p.token);
        uint256 exact = uint256(p.amount) * (checkpoint - p.checkpoint) + p.remainder;
        return (exact / supply, checkpoint, uint96(exact % supply));
    }

    /// @dev The lender's share of `earned`, at most the debt, paid against interest first.
    function _sweep(uint256 principal, uint256 interest, uint256 earned, uint16 sweepBps)
        internal
        pure
        returns (uint256, uint256, uint256 toLender)
    {
        toLender = earned * sweepBps / BPS;
        uint256 debt = principal + interest;
        if (toLender > debt) toLender = debt;
        uint256 toInterest = toLender < interest ? toLender : interest;
        return (principal - (toLender - toInterest), interest - toInterest, toLender);
    }

    function _health(uint256 loanId, Loan storage l) internal view returns (Health memory h) {
        (uint256 principal, uint256 interest) = _pendingDebt(loanId, l);
        h.debt = principal + interest;
        h.collateralValue = _collateralValue(loanId, l, true);
        h.ltvBps = _ltv(h.debt, h.collateralValue);
        // slither-disable-next-line incorrect-equality (no debt at all is healthy)
        h.healthy = h.debt == 0 || (h.ltvBps <= l.liquidationLtvBps && block.timestamp <= l.maturity);
    }

    /// @dev The pledged tokens' value as collateral (`haircut`), or at their plain
    /// appraised value (no field factor or age discount: what an enforcing lender takes).
    function _collateralValue(uint256 loanId, Loan storage l, bool haircut) internal view returns (uint256 value) {
        uint256 count = l.pledgeCount;
        for (uint256 i = 0; i < count; ++i) {
            PledgeSlot storage p = _pledges[loanId][i];
            value += policy.pledgeValue(p.patentId, p.amount, _supply(p.token), l.asset, haircut, l.jurisdiction);
        }
    }

    /// @dev Roles (lender, risk) are held in the PatentRegistry's AccessControl, beside
    /// every other role of the suite.
    function _hasRole(bytes32 role, address account) internal view returns (bool) {
        return IAccessControl(address(patents)).hasRole(role, account);
    }

    function _checkRole(bytes32 role) internal view {
        if (!_hasRole(role, msg.sender)) revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, role);
    }

    function _supply(address token) internal view returns (uint256) {
        return IERC20(token).totalSupply();
    }

    /// @dev Debt over value in basis points, rounded up; NO_COLLATERAL without value.
    function _ltv(uint256 debt, uint256 value) internal pure returns (uint256) {
        // slither-disable-next-line incorrect-equality (exact zeros: no debt, no value)
        if (debt == 0) return 0;
        // slither-disable-next-line incorrect-equality
        if (value == 0) return NO_COLLATERAL;
        uint256 ltv = (debt * BPS + value - 1) / value;
        return ltv < NO_COLLATERAL ? ltv : NO_COLLATERAL;
    }
}
