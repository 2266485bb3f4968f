// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {IRevenueRightsToken} from "../interfaces/IRevenueRightsToken.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title RevenueRightsToken
/// @notice A patent's revenue rights: a permissioned ERC-20 with pro-rata revenue sharing.
/// @dev Deployed once as an implementation; each patent gets an EIP-1167 clone whose
/// immutable args are (patent registry, investor registry, payment token, patent id).
///
/// Revenue accounting: `_revenueAt[n]` is the payment token received by deposits 1..n.
/// The supply is fixed at creation, so an account holding `b` tokens from deposit i to
/// deposit n earned exactly `b * (_revenueAt[n] - _revenueAt[i]) / supply`. Each account
/// remembers the deposit it was last settled at and keeps its earnings exactly, as whole
/// units (`owed`) plus a remainder in 1/supply-ths of a unit, so rounding never loses more
/// than one base unit per account, and claims never exceed deposits. Accounts are settled
/// in `_update` before every balance change, so a transfer never moves revenue already
/// earned; an account already settled at the latest deposit is not written again, so
/// steady-state transfers pay no accumulator writes.
contract RevenueRightsToken is IRevenueRightsToken, ERC20Upgradeable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev One slot per account: earnings and compliance flags read together.
    struct Account {
        uint112 owed; // whole payment-token units earned and not claimed (<= deposited)
        uint96 remainder; // earned fraction of a unit, in 1/supply-ths (< supply <= 2**96)
        uint24 settledAt; // deposit number the account was last settled at
        bool frozen; // set by an agent
        bool exempt; // the issuer's initial holder, which need not be a listed investor
        bool known; // has held tokens: the slot is non-zero, so later writes are cheap
    }

    /// @dev Read on every transfer, so kept in one slot.
    struct Totals {
        bool paused;
        uint24 deposits; // number of deposits so far
        uint112 deposited; // payment token received by deposits
        uint112 claimed; // payment token paid out by claims
    }

    Totals private _totals;
    mapping(uint256 depositNumber => uint256) private _revenueAt;
    mapping(address account => Account) private _accounts;

    /// @dev One investor registry serves every token of a suite, so it is an immutable of
    /// the shared implementation (clones run its code): read on every transfer for free.
    IInvestorRegistry private immutable _INVESTORS;

    constructor(IInvestorRegistry investors) {
        _INVESTORS = investors;
        _disableInitializers();
    }

    /// @inheritdoc IRevenueRightsToken
    function initialize(string calldata name_, string calldata symbol_, uint256 supply, address initialHolder)
        external
        initializer
    {
        if (msg.sender != patentRegistry()) revert RevenueRightsNotRegistry(msg.sender);
        __ERC20_init(name_, symbol_);
        _accounts[initialHolder].exempt = true;
        _mint(initialHolder, supply);
    }

    // ---- revenue ---------------------------------------------------------------------

    /// @inheritdoc IRevenueRightsToken
    function depositRevenue(uint256 amount, bytes32 reportHash) external nonReentrant {
        _checkRole(Roles.REVENUE_DEPOSITOR);
        Totals memory totals = _totals;
        if (totals.paused) revert RevenueRightsPaused();
        (address registry, address payment, bytes32 patent) = _args();
        if (!IPatentRegistry(registry).revenueActive(patent)) revert RevenueRightsPatentInactive(patent);
        uint256 supply = totalSupply();
        if (supply == 0) revert RevenueRightsNoSupply();
        if (amount == 0) revert RevenueRightsZeroDeposit(amount, 0);

        // Credit what arrived, not what was asked: a fee-on-transfer token pays in less.
        uint256 before = IERC20(payment).balanceOf(address(this));
        IERC20(payment).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(payment).balanceOf(address(this)) - before;
        if (received == 0) revert RevenueRightsZeroDeposit(amount, received);

        uint24 seq = totals.deposits + 1;
        _revenueAt[seq] = _revenueAt[totals.deposits] + received;
        totals.deposits = seq;
        totals.deposited = SafeCast.toUint112(totals.deposited + received);
        _totals = totals;
        emit RevenueDeposited(seq, msg.sender, received, reportHash);
    }

    /// @inheritdoc IRevenueRightsToken
    function claimableRevenue(address account) external view returns (uint256) {
        return _settled(_accounts[account], balanceOf(account), _totals.deposits).owed;
    }

    /// @inheritdoc IRevenueRightsToken
    function claimRevenue() external nonReentrant returns (uint256 amount) {
        Totals memory totals = _totals;
        if (totals.paused) revert RevenueRightsPaused();
        Account memory account = _settled(_accounts[msg.sender], balanceOf(msg.sender), totals.deposits);
        if (account.frozen) revert RevenueRightsFrozen(msg.sender);
        amount = account.owed;
        if (amount > 0) {
            account.owed = 0;
            _accounts[msg.sender] = account;
            // claimed <= deposited, which fits in uint112 by the check in depositRevenue.
            totals.claimed += uint112(amount);
            _totals = totals;
            (, address payment,) = _args();
            IERC20(payment).safeTransfer(msg.sender, amount);
            emit RevenueClaimed(msg.sender, amount);
        }
    }

    /// @inheritdoc IRevenueRightsToken
    function revenueTotals() external view returns (uint256 deposited, uint256 claimed, uint256 deposits) {
        Totals memory totals = _totals;
        return (totals.deposited, totals.claimed, totals.deposits);
    }

    // ---- agent controls --------------------------------------------------------------

    /// @inheritdoc IRevenueRightsToken
    function pause() external {
        _checkRole(Roles.TOKEN_AGENT);
        _totals.paused = true;
        emit Paused(msg.sender);
    }

    /// @inheritdoc IRevenueRightsToken
    function unpause() external {
        _checkRole(Roles.TOKEN_AGENT);
        _totals.paused = false;
        emit Unpaused(msg.sender);
    }

    /// @inheritdoc IRevenueRightsToken
    function setFrozen(address account, bool frozen) external {
        _checkRole(Roles.TOKEN_AGENT);
        if (_accounts[account].frozen == frozen) revert RevenueRightsFreezeUnchanged(account, frozen);
        _accounts[account].frozen = frozen;
        emit AccountFreezeChanged(account, frozen, msg.sender);
    }

    /// @inheritdoc IRevenueRightsToken
    function forcedTransfer(address from, address to, uint256 amount, bytes32 evidenceHash) external {
        _checkRole(Roles.TOKEN_AGENT);
        if (evidenceHash == bytes32(0)) revert RevenueRightsMissingEvidence();
        if (from == address(0)) revert ERC20InvalidSender(from);
        if (to == address(0)) revert ERC20InvalidReceiver(to);
        // The sender's freeze, eligibility and the pause are what a forced transfer
        // overrides; the receiver must still be an eligible, unfrozen holder.
        Account memory receiver = _accounts[to];
        _checkHolder(to, receiver);
        uint24 deposits = _totals.deposits;
        _settleStored(from, _accounts[from], deposits);
        _settleStored(to, receiver, deposits);
        ERC20Upgradeable._update(from, to, amount);
        emit ForcedTransfer(from, to, amount, evidenceHash, msg.sender);
    }

    // ---- views -----------------------------------------------------------------------

    /// @inheritdoc IRevenueRightsToken
    function patentId() external view returns (bytes32 id) {
        (,, id) = _args();
    }

    /// @inheritdoc IRevenueRightsToken
    function paymentToken() external view returns (address token) {
        (, token,) = _args();
    }

    /// @inheritdoc IRevenueRightsToken
    function patentRegistry() public view returns (address registry) {
        (registry,,) = _args();
    }

    /// @inheritdoc IRevenueRightsToken
    function investorRegistry() external view returns (address) {
        return address(_INVESTORS);
    }

    /// @inheritdoc IRevenueRightsToken
    function paused() external view returns (bool) {
        return _totals.paused;
    }

    /// @inheritdoc IRevenueRightsToken
    function isFrozen(address account) external view returns (bool) {
        return _accounts[account].frozen;
    }

    /// @inheritdoc IRevenueRightsToken
    function isExempt(address account) external view returns (bool) {
        return _accounts[account].exempt;
    }

    // ---- internals -------------------------------------------------------------------

    /// @dev The hook every ordinary balance change passes through (mint, transfer,
    /// transferFrom, burn): compliance checks, then settle both sides at their
    /// pre-change balances, then move the tokens. `forcedTransfer` is the one other path.
    function _update(address from, address to, uint256 value) internal override {
        Totals memory totals = _totals;
        if (totals.paused) revert RevenueRightsPaused();
        Account memory sender;
        Account memory receiver;
        if (from != address(0)) {
            sender = _accounts[from];
            if (sender.frozen) revert RevenueRightsFrozen(from);
        }
        if (to != address(0)) {
            receiver = _accounts[to];
            if (receiver.frozen) revert RevenueRightsFrozen(to);
        }
        _checkEligible(from, sender.exempt, to, receiver.exempt);
        if (from != address(0)) _settleStored(from, sender, totals.deposits);
        if (to != address(0)) _settleStored(to, receiver, totals.deposits);
        super._update(from, to, value);
    }

    /// @dev Asks the investor registry about whichever sides need it (not the zero
    /// address of a mint or burn, not an exempt initial holder), in one call when both do.
    function _checkEligible(address from, bool fromExempt, address to, bool toExempt) private view {
        bool askFrom = from != address(0) && !fromExempt;
        bool askTo = to != address(0) && !toExempt;
        bool fromOk = true;
        bool toOk = true;
        if (askFrom && askTo) {
            (fromOk, toOk) = _INVESTORS.areEligible(from, to);
        } else if (askFrom) {
            fromOk = _INVESTORS.isEligible(from);
        } else if (askTo) {
            toOk = _INVESTORS.isEligible(to);
        }
        if (!fromOk) revert RevenueRightsNotEligible(from);
        if (!toOk) revert RevenueRightsNotEligible(to);
    }

    function _checkHolder(address account, Account memory state) private view {
        if (state.frozen) revert RevenueRightsFrozen(account);
        if (!state.exempt && !_INVESTORS.isEligible(account)) {
            revert RevenueRightsNotEligible(account);
        }
    }

    /// @dev Writes only when something changed: new earnings since the last deposit, or
    /// a first receipt, which marks the slot `known` so the first transfer after each
    /// later deposit rewrites a non-zero slot (5,000 gas) rather than filling a zero one.
    function _settleStored(address who, Account memory state, uint24 deposits) private {
        if (state.settledAt == deposits && state.known) return;
        state = _settled(state, balanceOf(who), deposits);
        state.known = true;
        _accounts[who] = state;
    }

    /// @dev `state` brought up to deposit `deposits` for a holder of `balance`.
    function _settled(Account memory state, uint256 balance, uint24 deposits) private view returns (Account memory) {
        if (state.settledAt == deposits) return state;
        uint256 supply = totalSupply();
        // balance <= supply <= 2**96 and revenue < 2**112, so the product fits easily.
        uint256 revenue = _revenueAt[deposits] - _revenueAt[state.settledAt];
        uint256 earned = balance * revenue + state.remainder;
        state.owed = SafeCast.toUint112(state.owed + earned / supply);
        state.remainder = uint96(earned % supply); // < supply <= 2**96
        state.settledAt = deposits;
        return state;
    }

    function _checkRole(bytes32 role) private view {
        if (!IAccessControl(patentRegistry()).hasRole(role, msg.sender)) {
            revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, role);
        }
    }

    /// @dev The clone's immutable args, read from its own code (cheaper than storage).
    function _args() private view returns (address registry, address payment, bytes32 patent) {
        return abi.decode(Clones.fetchCloneArgs(address(this)), (address, address, bytes32));
    }
}
