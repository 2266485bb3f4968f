// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {IEvidenceTrail} from "../interfaces/IEvidenceTrail.sol";
import {ICollateralPolicy} from "../interfaces/ICollateralPolicy.sol";
import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {ILoanBook} from "../interfaces/ILoanBook.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {IRevenueRightsToken} from "../interfaces/IRevenueRightsToken.sol";
import {Roles} from "../libraries/Roles.sol";
import {LoanLedger} from "./LoanLedger.sol";

/// @title LoanBook
/// @notice Loans against pledged revenue rights: offer, accept (atomic pledge and
/// principal), revenue sweep, repay, margin call, cure, enforcement. See `ILoanBook`.
/// @dev The book must hold the PLEDGE_CUSTODIAN role in the PatentRegistry (its escrow
/// holds tokens without a listing) and the evidence-writer role in the trail. Lenders and
/// the risk officer hold their roles in the PatentRegistry too.
contract LoanBook is LoanLedger, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    IEvidenceTrail public immutable evidence;

    uint256 private constant MIN_REMEDIATION = 1 days;

    /// @dev keccak256(loan id, call number, buyer) -> price: a cure lapses every bid.
    mapping(bytes32 bid => uint256 price) private _bids;
    mapping(address borrower => mapping(address token => uint256)) private _held;
    address private _fund;
    uint16 private _guaranteeBps;

    constructor(IPatentRegistry patents_, ICollateralPolicy policy_, IEvidenceTrail evidence_)
        LoanLedger(patents_, policy_)
    {
        evidence = evidence_;
    }

    // ---- opening ---------------------------------------------------------------------

    /// @inheritdoc ILoanBook
    function offer(Terms calldata terms, Pledge[] calldata pledges) external nonReentrant returns (uint256 loanId) {
        _checkRole(Roles.LENDER);
        _checkEligible(msg.sender);
        _checkTerms(terms);
        if (pledges.length == 0 || pledges.length > MAX_PLEDGES) revert LoanInvalidTerms("pledges");
        loanId = _newLoan(terms, msg.sender);
        for (uint256 i = 0; i < pledges.length; ++i) {
            bytes32 patentId = pledges[i].patentId;
            for (uint256 j = 0; j < i; ++j) {
                if (pledges[j].patentId == patentId) revert LoanInvalidPledge(patentId, "pledged twice");
            }
            _addPledge(loanId, i, patentId, pledges[i].amount, terms.asset);
        }
        _loans[loanId].pledgeCount = uint8(pledges.length);
        emit LoanOffered(loanId, terms.borrower, msg.sender, terms);
    }

    /// @inheritdoc ILoanBook
    function accept(uint256 loanId) external nonReentrant {
        Loan storage l = _loan(loanId);
        _checkState(loanId, l, State.Offered);
        if (msg.sender != l.borrower) revert LoanNotBorrower(loanId, msg.sender);
        if (block.timestamp >= l.deadline) revert LoanOfferExpired(loanId, l.deadline);
        if (block.timestamp >= l.maturity) revert LoanInvalidTerms("maturity");
        address lender = l.lender;
        if (!_hasRole(Roles.LENDER, lender)) revert LoanNotLender(loanId, lender);
        _checkEligible(msg.sender);
        // Fixed for the loan's life: a later listing change must not move its collateral.
        l.jurisdiction = _listedJurisdiction(lender);
        uint256 value = _collateralValue(loanId, l, true);
        uint256 ltv = _ltv(l.principal, value);
        if (ltv > l.maxLtvBps) revert LoanLtvTooHigh(loanId, ltv, l.maxLtvBps);

        l.state = State.Active;
        l.deadline = 0;
        l.lastAccrual = uint64(block.timestamp);
        l.principalOutstanding = l.principal;
        uint256 count = l.pledgeCount;
        for (uint256 i = 0; i < count; ++i) {
            PledgeSlot storage p = _pledges[loanId][i];
            p.checkpoint = SafeCast.toUint112(IRevenueRightsToken(p.token).revenueDeposited());
            _pledgedOf[msg.sender][p.patentId] += p.amount;
            emit Pledged(loanId, p.patentId, msg.sender, p.amount);
        }
        emit LoanOpened(loanId, msg.sender, lender, l.principal, value);
        for (uint256 i = 0; i < count; ++i) {
            PledgeSlot storage p = _pledges[loanId][i];
            IERC20(p.token).safeTransferFrom(msg.sender, address(this), p.amount);
            _record(p.patentId, IEvidenceTrail.Kind.Pledge, l.agreementHash);
        }
        // slither-disable-next-line arbitrary-send-erc20 (the lender offered this principal)
        IERC20(l.asset).safeTransferFrom(lender, msg.sender, l.principal);
    }

    /// @inheritdoc ILoanBook
    function cancel(uint256 loanId) external {
        Loan storage l = _loan(loanId);
        _checkState(loanId, l, State.Offered);
        if (msg.sender != l.lender && msg.sender != l.borrower) revert LoanNotLender(loanId, msg.sender);
        l.state = State.Cancelled;
        l.deadline = 0;
        emit OfferCancelled(loanId, msg.sender);
    }

    // ---- servicing -------------------------------------------------------------------

    /// @inheritdoc ILoanBook
    // slither-disable-next-line reentrancy-no-eth,reentrancy-benign
    function repay(uint256 loanId, uint256 amount) external nonReentrant returns (uint256 paid) {
        Loan storage l = _loan(loanId);
        _checkOpen(loanId, l);
        bool complete = _settle(loanId, l);
        uint256 interest = l.interest;
        uint256 debt = l.principalOutstanding + interest;
        paid = amount < debt ? amount : debt;
        uint256 toInterest = paid < interest ? paid : interest;
        l.interest = uint128(interest - toInterest);
        l.principalOutstanding -= uint96(paid - toInterest);
        if (paid > 0) {
            _owed[l.lender][l.asset] += paid;
            emit Repaid(loanId, msg.sender, toInterest, paid - toInterest);
        }
        bool full = paid == debt;
        if (full) {
            // Every pledge's revenue must be swept before its tokens leave the book.
            if (!complete) revert LoanUnsettled(loanId);
            _release(loanId, l);
        } else {
            _cureIfHealthy(loanId, l);
        }
        if (paid > 0) _pull(l.asset, msg.sender, paid);
        if (full) _handBack(loanId, l);
    }

    /// @inheritdoc ILoanBook
    // slither-disable-next-line reentrancy-no-eth,reentrancy-benign
    function pledgeMore(uint256 loanId, bytes32 patentId, uint256 amount) external nonReentrant {
        Loan storage l = _loan(loanId);
        _checkOpen(loanId, l);
        if (msg.sender != l.borrower) revert LoanNotBorrower(loanId, msg.sender);
        _settle(loanId, l);
        uint256 count = l.pledgeCount;
        uint256 index = count;
        for (uint256 i = 0; i < count; ++i) {
            if (_pledges[loanId][i].patentId == patentId) index = i;
        }
        PledgeSlot storage p = _pledges[loanId][index];
        if (index == count) {
            if (count == MAX_PLEDGES) revert LoanInvalidTerms("pledges");
            _addPledge(loanId, index, patentId, amount, l.asset);
            p.checkpoint = SafeCast.toUint112(IRevenueRightsToken(p.token).revenueDeposited());
            l.pledgeCount = uint8(count + 1);
        } else {
            if (amount == 0) revert LoanInvalidPledge(patentId, "zero amount");
            // Its earnings so far were swept at the old amount; a stale checkpoint would
            // pay the new tokens revenue from before they were pledged.
            if (p.checkpoint != IRevenueRightsToken(p.token).revenueDeposited()) revert LoanUnsettled(loanId);
            p.amount = SafeCast.toUint96(p.amount + amount);
        }
        _pledgedOf[msg.sender][patentId] += amount;
        emit Pledged(loanId, patentId, msg.sender, amount);
        _cureIfHealthy(loanId, l);
        IERC20(p.token).safeTransferFrom(msg.sender, address(this), amount);
        _record(patentId, IEvidenceTrail.Kind.Pledge, l.agreementHash);
    }

    // ---- default ---------------------------------------------------------------------

    /// @inheritdoc ILoanBook
    // slither-disable-next-line reentrancy-no-eth,reentrancy-benign
    function callLoan(uint256 loanId, bytes32 noticeHash) external nonReentrant {
        Loan storage l = _loan(loanId);
        _checkState(loanId, l, State.Active);
        if (msg.sender != l.lender) revert LoanNotLender(loanId, msg.sender);
        if (noticeHash == bytes32(0)) revert LoanMissingEvidence();
        _settle(loanId, l);
        Health memory h = _health(loanId, l);
        if (h.healthy) revert LoanHealthy(loanId);
        uint64 deadline = uint64(block.timestamp) + l.remediationPeriod;
        l.state = State.Called;
        l.deadline = deadline;
        l.calls += 1;
        emit LoanCalled(loanId, msg.sender, deadline, noticeHash);
        _recordAll(loanId, l, IEvidenceTrail.Kind.MarginCall, noticeHash);
    }

    /// @inheritdoc ILoanBook
    // slither-disable-next-line reentrancy-no-eth,reentrancy-benign
    function cure(uint256 loanId) external nonReentrant {
        Loan storage l = _loan(loanId);
        _checkState(loanId, l, State.Called);
        _settle(loanId, l);
        Health memory h = _health(loanId, l);
        if (!h.healthy) revert LoanUnhealthy(loanId, h.ltvBps);
        _cure(loanId, l);
    }

    /// @inheritdoc ILoanBook
    function bid(uint256 loanId, uint256 price) external {
        Loan storage l = _loan(loanId);
        _checkState(loanId, l, State.Called);
        _checkEligible(msg.sender);
        _bids[_bidKey(loanId, l.calls, msg.sender)] = price;
        emit BidPlaced(loanId, msg.sender, price);
    }

    /// @inheritdoc ILoanBook
    // slither-disable-next-line reentrancy-no-eth,reentrancy-benign
    function enforce(uint256 loanId, address to, uint256 price, bytes32 noticeHash) external nonReentrant {
        Loan storage l = _loan(loanId);
        bool sale = _checkEnforce(loanId, l, to, price, noticeHash);
        if (!_settle(loanId, l)) revert LoanUnsettled(loanId);
        Health memory h = _health(loanId, l);
        if (h.healthy) revert LoanHealthy(loanId);
        uint256 guaranteePaid = _close(loanId, l, to, price, h.debt, noticeHash);
        uint256 count = l.pledgeCount;
        for (uint256 i = 0; i < count; ++i) {
            PledgeSlot storage p = _pledges[loanId][i];
            _pledgedOf[l.borrower][p.patentId] -= p.amount;
        }
        for (uint256 i = 0; i < count; ++i) {
            PledgeSlot storage p = _pledges[loanId][i];
            IERC20(p.token).safeTransfer(to, p.amount);
            _record(p.patentId, IEvidenceTrail.Kind.Enforcement, noticeHash);
        }
        if (sale) _pull(l.asset, to, price); // `to` bid exactly this price
        if (guaranteePaid > 0) _pull(l.asset, _fund, guaranteePaid); // the fund the risk role set
    }

    /// @dev Who may enforce when, and to whom: the lender, after the remediation period,
    /// to itself (no price) or to a buyer at exactly the price it bid in this call.
    function _checkEnforce(uint256 loanId, Loan storage l, address to, uint256 price, bytes32 noticeHash)
        private
        view
        returns (bool sale)
    {
        _checkState(loanId, l, State.Called);
        if (msg.sender != l.lender) revert LoanNotLender(loanId, msg.sender);
        if (noticeHash == bytes32(0)) revert LoanMissingEvidence();
        if (block.timestamp < l.deadline) revert LoanRemediationRunning(loanId, l.deadline);
        sale = to != msg.sender;
        if (sale ? price == 0 || _bids[_bidKey(loanId, l.calls, to)] != price : price != 0) {
            revert LoanNoBid(loanId, to, price);
        }
    }

    /// @dev Closes an enforced loan: what was recovered (the price, or the tokens'
    /// appraised value when the lender takes them) against `debt`, the shortfall written
    /// off, the guarantee fund's share of it, and who is owed what.
    function _close(uint256 loanId, Loan storage l, address to, uint256 price, uint256 debt, bytes32 noticeHash)
        private
        returns (uint256 guaranteePaid)
    {
        address lender = l.lender;
        address asset = l.asset;
        bool sale = to != lender;
        uint256 appraised = _collateralValue(loanId, l, false);
        uint256 recovered = sale ? price : appraised;
        if (recovered > debt) recovered = debt;
        // The fund covers what neither the price nor the appraised value covers (a cheap sale
        // to a friend cannot draw on it), and nothing when the lender takes tokens that no
        // valid valuation supports: that shortfall is not established.
        uint256 covered = appraised > recovered ? (appraised < debt ? appraised : debt) : recovered;
        // slither-disable-next-line incorrect-equality (no valid valuation: exactly zero)
        guaranteePaid = !sale && appraised == 0 ? 0 : _guaranteeFor(asset, debt - covered);
        l.state = State.Enforced;
        l.deadline = 0;
        l.principalOutstanding = 0;
        l.interest = 0;
        delete _bids[_bidKey(loanId, l.calls, to)];
        if (sale) {
            _owed[lender][asset] += recovered;
            _owed[l.borrower][asset] += price - recovered; // a price above the debt is the borrower's
        }
        _owed[lender][asset] += guaranteePaid;
        emit LoanEnforced(loanId, to, price, recovered, debt - recovered, guaranteePaid, noticeHash);
    }

    /// @inheritdoc ILoanBook
    function withdraw(address asset) external nonReentrant returns (uint256 amount) {
        amount = _owed[msg.sender][asset];
        if (amount == 0) revert LoanZeroAmount();
        _owed[msg.sender][asset] = 0;
        emit Withdrawn(msg.sender, asset, amount);
        IERC20(asset).safeTransfer(msg.sender, amount);
    }

    /// @inheritdoc ILoanBook
    function setGuarantee(address fund, uint16 shareBps) external {
        _checkRole(Roles.RISK);
        if (shareBps > BPS || (fund == address(0) && shareBps != 0)) revert LoanInvalidGuarantee(fund, shareBps);
        _fund = fund;
        _guaranteeBps = shareBps;
        emit GuaranteeSet(fund, shareBps);
    }

    /// @inheritdoc ILoanBook
    function guarantee() external view returns (address fund, uint16 shareBps) {
        return (_fund, _guaranteeBps);
    }

    /// @inheritdoc ILoanBook
    function bidOf(uint256 loanId, address buyer) external view returns (uint256) {
        return _bids[_bidKey(loanId, _loans[loanId].calls, buyer)];
    }

    /// @inheritdoc ILoanBook
    function held(address borrower, address token) external view returns (uint256) {
        return _held[borrower][token];
    }

    /// @inheritdoc ILoanBook
    function reclaim(address token) external nonReentrant returns (uint256 amount) {
        amount = _held[msg.sender][token];
        if (amount == 0) revert LoanZeroAmount();
        _held[msg.sender][token] = 0;
        IERC20(token).safeTransfer(msg.sender, amount);
    }

    // ---- internals -------------------------------------------------------------------

    /// @dev The fund's share of `shortfall`, as far as its balance and allowance reach: an
    /// empty fund reduces what the lender gets back, never blocks enforcement.
    function _guaranteeFor(address asset, uint256 shortfall) private view returns (uint256 pay) {
        address fund = _fund;
        // slither-disable-next-line incorrect-equality (no shortfall: exactly zero is the point)
        if (fund == address(0) || shortfall == 0) return 0;
        pay = shortfall * _guaranteeBps / BPS;
        uint256 balance = IERC20(asset).balanceOf(fund);
        uint256 allowance = IERC20(asset).allowance(fund, address(this));
        if (pay > balance) pay = balance;
        if (pay > allowance) pay = allowance;
    }

    /// @dev Debt paid in full: the pledge is released (effects; `_handBack` moves the tokens).
    function _release(uint256 loanId, Loan storage l) private {
        l.state = State.Repaid;
        l.deadline = 0;
        address borrower = l.borrower;
        uint256 count = l.pledgeCount;
        for (uint256 i = 0; i < count; ++i) {
            PledgeSlot storage p = _pledges[loanId][i];
            _pledgedOf[borrower][p.patentId] -= p.amount;
            emit Released(loanId, p.patentId, borrower, p.amount);
        }
    }

    /// @dev A borrower who cannot receive now (frozen, delisted) must not block the
    /// repayment: its tokens are held for it to `reclaim`. (Called last, under the guard.)
    // slither-disable-next-line reentrancy-no-eth
    function _handBack(uint256 loanId, Loan storage l) private {
        address borrower = l.borrower;
        uint256 count = l.pledgeCount;
        for (uint256 i = 0; i < count; ++i) {
            PledgeSlot storage p = _pledges[loanId][i];
            bool sent = false;
            try IERC20(p.token).transfer(borrower, p.amount) returns (bool ok) {
                sent = ok;
            } catch {}
            if (!sent) {
                _held[borrower][p.token] += p.amount;
                emit PledgeHeld(loanId, borrower, p.token, p.amount);
            }
            _record(p.patentId, IEvidenceTrail.Kind.Release, l.agreementHash);
        }
    }

    /// @dev Pulls `amount` of `asset` from `from`; what arrives must be all of it.
    function _pull(address asset, address from, uint256 amount) private {
        uint256 before = IERC20(asset).balanceOf(address(this));
        // slither-disable-next-line arbitrary-send-erc20 (callers: the payer itself, a bidder's own price, the configured fund)
        IERC20(asset).safeTransferFrom(from, address(this), amount);
        uint256 received = IERC20(asset).balanceOf(address(this)) - before;
        if (received != amount) revert LoanShortTransfer(asset, amount, received);
    }

    function _bidKey(uint256 loanId, uint32 calls, address buyer) private pure returns (bytes32) {
        return keccak256(abi.encode(loanId, calls, buyer));
    }

    function _cureIfHealthy(uint256 loanId, Loan storage l) private {
        if (l.state == State.Called && _health(loanId, l).healthy) _cure(loanId, l);
    }

    function _cure(uint256 loanId, Loan storage l) private {
        l.state = State.Active;
        l.deadline = 0;
        l.calls += 1; // the call's bids lapse
        emit LoanCured(loanId);
    }

    function _recordAll(uint256 loanId, Loan storage l, IEvidenceTrail.Kind kind, bytes32 contentHash) private {
        uint256 count = l.pledgeCount;
        for (uint256 i = 0; i < count; ++i) {
            _record(_pledges[loanId][i].patentId, kind, contentHash);
        }
    }

    function _record(bytes32 patentId, IEvidenceTrail.Kind kind, bytes32 contentHash) private {
        // slither-disable-next-line unused-return (the entry hash is in the trail's event)
        evidence.append(patentId, uint8(kind), contentHash, "");
    }

    /// @dev An eligible account's jurisdiction; LoanNotEligible (InvestorNotListed from the
    /// registry for one never listed) otherwise.
    function _listedJurisdiction(address account) private view returns (bytes2) {
        IInvestorRegistry.Investor memory record = IInvestorRegistry(patents.investorRegistry()).investor(account);
        if (block.timestamp >= record.expiry) revert LoanNotEligible(account);
        return record.jurisdiction;
    }

    function _checkEligible(address account) private view {
        if (!IInvestorRegistry(patents.investorRegistry()).isEligible(account)) revert LoanNotEligible(account);
    }

    function _checkTerms(Terms calldata t) private view {
        if (t.borrower == address(0) || t.borrower == msg.sender) revert LoanInvalidTerms("borrower");
        if (t.asset == address(0)) revert LoanInvalidTerms("asset");
        if (t.principal == 0) revert LoanInvalidTerms("principal");
        if (t.maxLtvBps == 0 || t.maxLtvBps > t.liquidationLtvBps || t.liquidationLtvBps > BPS) {
            revert LoanInvalidTerms("ltv");
        }
        if (t.sweepBps > BPS) revert LoanInvalidTerms("sweep");
        if (t.maturity <= block.timestamp) revert LoanInvalidTerms("maturity");
        if (t.remediationPeriod < MIN_REMEDIATION) revert LoanInvalidTerms("remediation");
        if (t.offerExpiry <= block.timestamp || t.offerExpiry > t.maturity) revert LoanInvalidTerms("expiry");
        if (t.agreementHash == bytes32(0)) revert LoanMissingEvidence();
    }

    function _addPledge(uint256 loanId, uint256 index, bytes32 patentId, uint256 amount, address asset) private {
        if (amount == 0) revert LoanInvalidPledge(patentId, "zero amount");
        address token = patents.tokenOf(patentId);
        if (token == address(0)) revert LoanInvalidPledge(patentId, "not tokenised");
        if (IRevenueRightsToken(token).paymentToken() != asset) revert LoanInvalidPledge(patentId, "other asset");
        PledgeSlot storage p = _pledges[loanId][index];
        p.patentId = patentId;
        p.token = token;
        p.amount = SafeCast.toUint96(amount);
    }
}
