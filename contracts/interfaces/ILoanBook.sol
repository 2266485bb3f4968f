// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title ILoanBook
/// @notice Loans by listed banks against pledged revenue-rights tokens. The lender offers
/// terms; the borrower accepts, and in that one transaction the pledged tokens go into
/// this contract's escrow and the principal goes from the lender to the borrower.
/// Collateral is valued from accredited valuations (haircut by field, discounted as a
/// valuation nears its valid-until); revenue earned by pledged tokens is swept to the
/// lender at the agreed share until the debt is paid; an unhealthy or matured loan can
/// be called, cured within the remediation period, or enforced after it.
/// @dev Escrow, not a lien in the token: the token's transfer and deposit paths stay as
/// they are (O(1), no loan lookups), and pledged tokens cannot move because their holder
/// is this contract, which the token's agents cannot freeze or force. Money leaves this
/// contract only by `withdraw` (pull), so a blocked recipient never blocks a loan.
/// Every state change emits an event indexed by loan id (and patent, borrower, lender
/// where it has them), from which any indexer can rebuild the book.
interface ILoanBook {
    enum State {
        None,
        Offered, // terms set by the lender, waiting for the borrower
        Active, // principal paid out, tokens pledged
        Called, // unhealthy or matured: the remediation clock runs until `deadline`
        Repaid, // debt paid in full; the pledge released
        Enforced, // the pledged tokens went to the lender or a buyer
        Cancelled // an offer withdrawn or declined before acceptance
    }

    /// @notice What the lender offers.
    struct Terms {
        address borrower;
        address asset; // the payment token of every pledged patent's revenue rights
        uint96 principal; // in `asset` base units
        uint16 rateBps; // annual simple interest on the outstanding principal, accrued per second
        uint16 maxLtvBps; // loan-to-value allowed at opening
        uint16 liquidationLtvBps; // above this the loan may be called
        uint16 sweepBps; // share of the pledged tokens' revenue paid to the lender while in debt
        uint64 maturity; // unix seconds; unpaid after it, the loan may be called
        uint32 remediationPeriod; // seconds between a call and enforcement; fixed here
        uint64 offerExpiry; // the borrower accepts before this
        bytes32 agreementHash; // sha256 of the signed loan agreement (on each patent's trail)
    }

    /// @notice Tokens of one patent pledged to a loan.
    struct Pledge {
        bytes32 patentId;
        uint256 amount;
    }

    /// @notice A loan as the views show it, its debt brought up to this block.
    struct LoanView {
        uint256 loanId;
        State state;
        address borrower;
        address lender;
        address asset;
        uint256 principal; // as lent
        uint256 principalOutstanding;
        uint256 interest; // accrued and unpaid
        uint16 rateBps;
        uint16 maxLtvBps;
        uint16 liquidationLtvBps;
        uint16 sweepBps;
        uint64 maturity;
        uint32 remediationPeriod;
        uint64 deadline; // offer expiry while offered, remediation deadline while called, else 0
        bytes32 agreementHash;
        Pledge[] pledges;
    }

    /// @notice A loan's health at this block.
    struct Health {
        uint256 collateralValue; // in `asset` base units, after haircuts and age discounts
        uint256 debt; // principal outstanding plus interest, after revenue not yet swept
        uint256 ltvBps; // debt / collateral value; NO_COLLATERAL when the value is zero
        bool healthy; // no debt, or LTV within the liquidation level before maturity
    }

    error LoanUnknown(uint256 loanId);
    error LoanWrongState(uint256 loanId, State state);
    error LoanNotLender(uint256 loanId, address caller);
    error LoanNotBorrower(uint256 loanId, address caller);
    error LoanNotEligible(address account);
    error LoanInvalidTerms(string what);
    error LoanInvalidPledge(bytes32 patentId, string what);
    error LoanOfferExpired(uint256 loanId, uint64 offerExpiry);
    error LoanLtvTooHigh(uint256 loanId, uint256 ltvBps, uint16 maxLtvBps);
    error LoanHealthy(uint256 loanId);
    error LoanUnhealthy(uint256 loanId, uint256 ltvBps);
    error LoanRemediationRunning(uint256 loanId, uint64 deadline);
    /// @notice A pledge's revenue could not be swept now (its token would not pay the book):
    /// the loan cannot close, nor a pledge grow, until it can.
    error LoanUnsettled(uint256 loanId);
    /// @notice Less of `asset` arrived than was sent (a fee-on-transfer token): refused.
    error LoanShortTransfer(address asset, uint256 expected, uint256 received);
    error LoanNoBid(uint256 loanId, address buyer, uint256 price);
    error LoanZeroAmount();
    error LoanMissingEvidence();
    error LoanInvalidGuarantee(address fund, uint16 shareBps);

    /// @notice The basket offered is in `loan(loanId)`, and in `Pledged` events once accepted.
    event LoanOffered(uint256 indexed loanId, address indexed borrower, address indexed lender, Terms terms);
    event OfferCancelled(uint256 indexed loanId, address indexed by);
    event LoanOpened(
        uint256 indexed loanId, address indexed borrower, address indexed lender, uint256 principal, uint256 collateralValue
    );
    event Pledged(uint256 indexed loanId, bytes32 indexed patentId, address indexed borrower, uint256 amount);
    event Released(uint256 indexed loanId, bytes32 indexed patentId, address indexed borrower, uint256 amount);
    /// @notice Revenue earned by a pledge, split between lender (against the debt) and borrower.
    event RevenueSwept(uint256 indexed loanId, bytes32 indexed patentId, uint256 toLender, uint256 toBorrower);
    event Repaid(uint256 indexed loanId, address indexed payer, uint256 interest, uint256 principal);
    event LoanCalled(uint256 indexed loanId, address indexed lender, uint64 deadline, bytes32 noticeHash);
    event LoanCured(uint256 indexed loanId);
    event BidPlaced(uint256 indexed loanId, address indexed buyer, uint256 price);
    /// @notice The loan closed by enforcement: `recovered` is the price paid (to a buyer) or
    /// the appraised value of the tokens (to the lender), capped at the debt.
    event LoanEnforced(
        uint256 indexed loanId,
        address indexed to,
        uint256 price,
        uint256 recovered,
        uint256 shortfall,
        uint256 guaranteePaid,
        bytes32 noticeHash
    );
    event Withdrawn(address indexed account, address indexed asset, uint256 amount);
    /// @notice Released tokens the borrower could not receive now (frozen, delisted): held
    /// for it, `reclaim`able once it can.
    event PledgeHeld(uint256 indexed loanId, address indexed borrower, address indexed token, uint256 amount);
    event GuaranteeSet(address fund, uint16 shareBps);

    /// @notice Offers a loan on `terms` against `pledges` (1 to MAX_PLEDGES distinct
    /// patents). Lender role, eligible. Nothing moves until the borrower accepts.
    function offer(Terms calldata terms, Pledge[] calldata pledges) external returns (uint256 loanId);

    /// @notice Accepts an offer: pledges the tokens (approved to this contract) and pays the
    /// principal from the lender (approved to this contract) to the borrower, atomically.
    function accept(uint256 loanId) external;

    /// @notice Withdraws (lender) or declines (borrower) an offer not yet accepted.
    function cancel(uint256 loanId) external;

    /// @notice Pays up to `amount` of the debt (interest first), by anyone, after sweeping the
    /// pledges' revenue; no debt left (paid, or swept to zero) releases the pledge to the
    /// borrower. A called loan made healthy is cured. `amount` 0 only sweeps (and releases).
    function repay(uint256 loanId, uint256 amount) external returns (uint256 paid);

    /// @notice The borrower pledges `amount` more tokens of `patentId`.
    function pledgeMore(uint256 loanId, bytes32 patentId, uint256 amount) external;

    /// @notice The lender calls an unhealthy or matured loan, citing the notice's hash.
    function callLoan(uint256 loanId, bytes32 noticeHash) external;

    /// @notice Ends a call whose loan is healthy again (until it is enforced); anyone.
    function cure(uint256 loanId) external;

    /// @notice An eligible buyer offers `price` for a called loan's pledged tokens in this
    /// call (0 withdraws); the buyer approves the price to this contract.
    function bid(uint256 loanId, uint256 price) external;

    /// @notice After the remediation period, the lender takes the pledged tokens, or sells
    /// them to `to` at the price `to` bid; the shortfall is written off, less what the
    /// guarantee fund pays (on the debt less the larger of the price and the appraised value;
    /// nothing when the lender takes tokens no valid valuation supports).
    function enforce(uint256 loanId, address to, uint256 price, bytes32 noticeHash) external;

    /// @notice Pays out what this contract owes the caller in `asset`.
    function withdraw(address asset) external returns (uint256 amount);

    /// @notice Pays out released tokens of `token` held for the caller (see `PledgeHeld`).
    function reclaim(address token) external returns (uint256 amount);

    /// @notice Sets the guarantee fund and the share of a shortfall it pays (risk role).
    function setGuarantee(address fund, uint16 shareBps) external;

    function loan(uint256 loanId) external view returns (LoanView memory);
    function health(uint256 loanId) external view returns (Health memory);
    function healthOf(uint256[] calldata loanIds) external view returns (Health[] memory);
    function loanCount() external view returns (uint256);
    function loansOf(address account, bool asLender, uint256 offset, uint256 limit)
        external
        view
        returns (uint256[] memory loanIds, uint256 total);
    function pledgedOf(address borrower, bytes32 patentId) external view returns (uint256);
    function owed(address account, address asset) external view returns (uint256);
    function held(address borrower, address token) external view returns (uint256);
    /// @notice `buyer`'s bid in the loan's current call (bids lapse with a cure).
    function bidOf(uint256 loanId, address buyer) external view returns (uint256);
    function guarantee() external view returns (address fund, uint16 shareBps);
}
