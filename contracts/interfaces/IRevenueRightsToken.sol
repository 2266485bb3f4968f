// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IRevenueRightsToken
/// @notice One patent's licence-revenue rights as an ERC-20 that only eligible investors
/// (and the issuer's initial holder) may hold. Revenue paid in is shared pro rata to
/// balances by an accumulator per share (as in ERC-2222), O(1) in the number of holders,
/// and claimed by each holder (pull).
/// @dev Roles (agent, revenue depositor) are held in the PatentRegistry's AccessControl;
/// a missing role reverts with OpenZeppelin's `AccessControlUnauthorizedAccount`.
interface IRevenueRightsToken {
    /// @notice `account` is neither an eligible investor nor the initial holder.
    error RevenueRightsNotEligible(address account);
    /// @notice `account` is frozen by an agent.
    error RevenueRightsFrozen(address account);
    /// @notice The token is paused.
    error RevenueRightsPaused();
    /// @notice The caller is not the PatentRegistry that created this token.
    error RevenueRightsNotRegistry(address caller);
    /// @notice A revenue deposit of zero, or one of which nothing arrived.
    error RevenueRightsZeroDeposit(uint256 amount, uint256 received);
    /// @notice The patent is lapsed, expired or revoked: its revenue rights take no deposits.
    error RevenueRightsPatentInactive(bytes32 patentId);
    /// @notice A forced transfer must cite the hash of its evidence (court order, recovery
    /// request), and a deposit the hash of its revenue report.
    error RevenueRightsMissingEvidence();
    /// @notice `account` holds pledged tokens in escrow (a loan book): agents cannot freeze
    /// it or force tokens out of it; its loans release or enforce them.
    error RevenueRightsCustodian(address account);
    /// @notice The freeze state is already what was asked.
    error RevenueRightsFreezeUnchanged(address account, bool frozen);

    /// @notice `amount` of the payment token (what actually arrived) was shared pro rata.
    /// @param seq 1-based number of this deposit
    /// @param reportHash sha256 of the licence revenue report the deposit pays out
    event RevenueDeposited(uint256 indexed seq, address indexed depositor, uint256 amount, bytes32 reportHash);
    /// @notice `account` claimed `amount` of the payment token.
    event RevenueClaimed(address indexed account, uint256 amount);
    /// @notice An agent froze or unfroze `account`.
    event AccountFreezeChanged(address indexed account, bool frozen, address indexed agent);
    /// @notice An agent moved `amount` from `from` to `to`, citing `evidenceHash`.
    event ForcedTransfer(
        address indexed from, address indexed to, uint256 amount, bytes32 evidenceHash, address indexed agent
    );
    /// @notice An agent moved all of `from`'s tokens and unclaimed revenue to `to` (a lost
    /// or seized wallet), citing `evidenceHash`; `revenue` is what `to` can now claim more
    /// (`from`'s whole units, and one more when their fractions add up to one).
    event AccountRecovered(
        address indexed from,
        address indexed to,
        uint256 tokens,
        uint256 revenue,
        bytes32 evidenceHash,
        address indexed agent
    );
    /// @notice An agent paused the token.
    event Paused(address account);
    /// @notice An agent unpaused the token.
    event Unpaused(address account);

    /// @notice Sets name and symbol and mints the whole supply (an immutable arg of the
    /// clone) to `initialHolder`. Called once, by the PatentRegistry, in the transaction
    /// that creates the clone.
    function initialize(string calldata name, string calldata symbol, address initialHolder) external;

    /// @notice Pulls `amount` of the payment token from the caller and shares what arrived
    /// pro rata to current balances; appends `reportHash` (sha256 of the licence revenue
    /// report) to the patent's evidence trail. Revenue-depositor role only.
    function depositRevenue(uint256 amount, bytes32 reportHash) external;

    /// @notice Revenue `account` has earned and not yet claimed, in payment-token base units.
    function claimableRevenue(address account) external view returns (uint256);

    /// @notice Sends the caller all it has earned; returns the amount (0 sends nothing).
    /// The caller must be eligible now (or the exempt issuer): a delisted or sanctioned
    /// investor's earnings are kept, payable on relisting or moved by `recoverAccount`.
    function claimRevenue() external returns (uint256 amount);

    /// @notice Stops transfers, deposits and claims. Agent role only.
    function pause() external;

    /// @notice Resumes them. Agent role only.
    function unpause() external;

    /// @notice Freezes or unfreezes `account`. Agent role only.
    function setFrozen(address account, bool frozen) external;

    /// @notice Moves `amount` from `from` to the eligible, unfrozen `to` regardless of
    /// `from`'s freeze, citing `evidenceHash`, which is appended to the patent's evidence
    /// trail as a court order. Earned revenue stays with `from`. Agent role only.
    function forcedTransfer(address from, address to, uint256 amount, bytes32 evidenceHash) external;

    /// @notice Moves all of `from`'s tokens and its earned, unclaimed revenue to the
    /// eligible, unfrozen `to` (lost-wallet recovery, seizure), citing `evidenceHash`,
    /// appended to the trail as a court order. Agent role only.
    function recoverAccount(address from, address to, bytes32 evidenceHash) external;

    /// @notice The patent whose revenue rights this token carries.
    function patentId() external view returns (bytes32);

    /// @notice The ERC-20 revenue is paid and claimed in.
    function paymentToken() external view returns (address);

    /// @notice The PatentRegistry that created this token and holds its roles.
    function patentRegistry() external view returns (address);

    /// @notice The InvestorRegistry deciding eligibility.
    function investorRegistry() external view returns (address);

    /// @notice The evidence trail deposits (revenue reports) and forced transfers (court
    /// orders) append to.
    function evidenceTrail() external view returns (address);

    /// @notice Whether the token is paused.
    function paused() external view returns (bool);

    /// @notice Whether `account` is frozen.
    function isFrozen(address account) external view returns (bool);

    /// @notice Whether `account` may hold the token without being a listed investor.
    function isExempt(address account) external view returns (bool);

    /// @notice Payment token deposited since creation (as received): the accumulator a
    /// holder's earnings follow (`balance * (now - then) / supply`), one storage read.
    function revenueDeposited() external view returns (uint256);

    /// @notice Payment token deposited since creation (as received), payment token the
    /// token holds now, and the number of deposits. What it holds beyond the holders' total
    /// claimable revenue is rounding dust (less than one base unit per holder), which stays
    /// in the contract, plus anything sent to it outside `depositRevenue`.
    function revenueTotals() external view returns (uint256 deposited, uint256 held, uint256 deposits);
}
