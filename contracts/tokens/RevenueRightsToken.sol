// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Clones} from "@openzeppelin/contracts/proxy/Clones.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {SafeCast} from "@openzeppelin/contracts/utils/math/SafeCast.sol";
import {ReentrancyGuardTransient} from "@openzeppelin/contracts/utils/ReentrancyGuardTransient.sol";
import {ERC20Upgradeable} from "@openzeppelin/contracts-upgradeable/token/ERC20/ERC20Upgradeable.sol";
import {IEvidenceTrail} from "../interfaces/IEvidenceTrail.sol";
import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {IRevenueRightsToken} from "../interfaces/IRevenueRightsToken.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title RevenueRightsToken
/// @notice A patent's revenue rights: a permissioned ERC-20 with pro-rata revenue sharing.
/// @dev Deployed once per suite as an implementation; each patent gets an EIP-1167 clone
/// whose immutable args are (patent registry, payment token, patent id, supply).
///
/// Revenue accounting: `_totals.deposited` is the payment token received by all deposits
/// so far. The supply is fixed at creation, so an account holding `b` tokens while the
/// deposits grew from R0 to R1 earned exactly `b * (R1 - R0) / supply`. Each account keeps
/// the total it was last settled at (`checkpoint`) and its earnings exactly, as whole
/// units (`owed`) plus a remainder in 1/supply-ths of a unit, so rounding never loses more
/// than one base unit per account, and claims never exceed deposits. Accounts are settled
/// before every balance change, so a transfer never moves revenue already earned. This is
/// the accumulator-per-share method of ERC-2222 with the supply as the fixed divisor.
///
/// Gas: the balance lives in the same slot as the account's revenue checkpoint and
/// compliance flags (OpenZeppelin's ERC20 keeps metadata, allowances and events; only
/// `_update`, `balanceOf` and `totalSupply` are ours), so a transfer touches the slots a
/// plain ERC-20 touches plus the token totals and the investor registry.
contract RevenueRightsToken is IRevenueRightsToken, ERC20Upgradeable, ReentrancyGuardTransient {
    using SafeERC20 for IERC20;

    /// @dev One slot per account, read on every transfer: balance, revenue checkpoint and
    /// compliance flags.
    struct Account {
        uint96 balance; // <= supply <= 2**96
        uint112 checkpoint; // `_totals.deposited` when the account was last settled
        bool frozen; // set by an agent
        bool exempt; // the issuer's initial holder, which need not be a listed investor
    }

    /// @dev What an account has earned; touched only when it settles or claims.
    struct Earnings {
        uint160 owed; // whole payment-token units earned and not claimed (<= deposited)
        uint96 remainder; // earned fraction of a unit, in 1/supply-ths (< supply)
    }

    /// @dev Read on every transfer, so kept in one slot.
    struct Totals {
        bool paused;
        uint24 deposits; // number of deposits so far
        uint112 deposited; // payment token received by all deposits (< 2**112)
    }

    Totals private _totals;
    mapping(address account => Account) private _accounts;
    mapping(address account => Earnings) private _earnings;

    /// @dev One investor registry serves every token of a suite, so it is an immutable of
    /// the shared implementation (clones run its code): read on every transfer for free.
    IInvestorRegistry private immutable _INVESTORS;
    /// @dev Likewise the evidence trail that deposits and forced transfers write to.
    IEvidenceTrail private immutable _EVIDENCE;

    constructor(IInvestorRegistry investors, IEvidenceTrail evidence) {
        _INVESTORS = investors;
        _EVIDENCE = evidence;
        _disableInitializers();
    }

    /// @inheritdoc IRevenueRightsToken
    function initialize(string calldata name_, string calldata symbol_, address initialHolder) external initializer {
        if (msg.sender != patentRegistry()) revert RevenueRightsNotRegistry(msg.sender);
        __ERC20_init(name_, symbol_);
        _accounts[initialHolder].exempt = true;
        _mint(initialHolder, totalSupply());
    }

    // ---- revenue ---------------------------------------------------------------------

    /// @inheritdoc IRevenueRightsToken
    function depositRevenue(uint256 amount, bytes32 reportHash) external nonReentrant {
        _checkRole(Roles.REVENUE_DEPOSITOR);
        Totals memory totals = _totals;
        if (totals.paused) revert RevenueRightsPaused();
        (address registry, address payment, bytes32 patent,) = _args();
        if (!IPatentRegistry(registry).revenueActive(patent)) revert RevenueRightsPatentInactive(patent);
        if (amount == 0) revert RevenueRightsZeroDeposit(amount, 0);
        if (reportHash == bytes32(0)) revert RevenueRightsMissingEvidence();

        // Credit what arrived, not what was asked: a fee-on-transfer token pays in less.
        uint256 before = IERC20(payment).balanceOf(address(this));
        IERC20(payment).safeTransferFrom(msg.sender, address(this), amount);
        uint256 received = IERC20(payment).balanceOf(address(this)) - before;
        // slither-disable-next-line incorrect-equality (nothing arrived: exact zero is the point)
        if (received == 0) revert RevenueRightsZeroDeposit(amount, received);

        totals.deposits += 1;
        totals.deposited = SafeCast.toUint112(totals.deposited + received);
        _totals = totals;
        emit RevenueDeposited(totals.deposits, msg.sender, received, reportHash);
        // slither-disable-next-line unused-return (the entry hash is in the trail's event)
        _EVIDENCE.append(patent, uint8(IEvidenceTrail.Kind.RevenueReport), reportHash, "");
    }

    /// @inheritdoc IRevenueRightsToken
    function claimableRevenue(address account) external view returns (uint256) {
        Earnings memory earnings = _earned(_accounts[account], _earnings[account], _totals.deposited);
        return earnings.owed;
    }

    /// @inheritdoc IRevenueRightsToken
    function claimRevenue() external nonReentrant returns (uint256 amount) {
        Totals memory totals = _totals;
        if (totals.paused) revert RevenueRightsPaused();
        Account memory account = _accounts[msg.sender];
        if (account.frozen) revert RevenueRightsFrozen(msg.sender);
        if (!account.exempt && !_INVESTORS.isEligible(msg.sender) && !_isCustodian(msg.sender)) {
            revert RevenueRightsNotEligible(msg.sender);
        }
        Earnings memory earnings = _earnings[msg.sender];
        bool settles = account.checkpoint != totals.deposited;
        if (settles) {
            earnings = _earned(account, earnings, totals.deposited);
            _accounts[msg.sender].checkpoint = totals.deposited;
        }
        amount = earnings.owed;
        earnings.owed = 0;
        if (settles || amount > 0) _earnings[msg.sender] = earnings;
        if (amount > 0) {
            (, address payment,,) = _args();
            IERC20(payment).safeTransfer(msg.sender, amount);
            emit RevenueClaimed(msg.sender, amount);
        }
    }

    /// @inheritdoc IRevenueRightsToken
    function revenueDeposited() external view returns (uint256) {
        return _totals.deposited;
    }

    /// @inheritdoc IRevenueRightsToken
    function revenueTotals() external view returns (uint256 deposited, uint256 held, uint256 deposits) {
        Totals memory totals = _totals;
        (, address payment,,) = _args();
        return (totals.deposited, IERC20(payment).balanceOf(address(this)), totals.deposits);
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
        _checkNotCustodian(account);
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
        _checkNotCustodian(from);
        // The sender's freeze, eligibility and the pause are what a forced transfer
        // overrides; the receiver must still be an eligible, unfrozen holder.
        Account memory receiver = _accounts[to];
        if (receiver.frozen) revert RevenueRightsFrozen(to);
        _checkEligible(address(0), true, to, receiver.exempt);
        _move(from, _accounts[from], to, receiver, amount, _totals.deposited);
        emit ForcedTransfer(from, to, amount, evidenceHash, msg.sender);
        (,, bytes32 patent,) = _args();
        // slither-disable-next-line unused-return (the entry hash is in the trail's event)
        _EVIDENCE.append(patent, uint8(IEvidenceTrail.Kind.CourtOrder), evidenceHash, "");
    }

    /// @inheritdoc IRevenueRightsToken
    function recoverAccount(address from, address to, bytes32 evidenceHash) external {
        _checkRole(Roles.TOKEN_AGENT);
        if (evidenceHash == bytes32(0)) revert RevenueRightsMissingEvidence();
        if (from == address(0) || from == to) revert ERC20InvalidSender(from);
        if (to == address(0)) revert ERC20InvalidReceiver(to);
        _checkNotCustodian(from);
        Account memory receiver = _accounts[to];
        if (receiver.frozen) revert RevenueRightsFrozen(to);
        _checkEligible(address(0), true, to, receiver.exempt);
        uint112 deposited = _totals.deposited;
        Account memory sender = _accounts[from];
        uint256 tokens = sender.balance;
        // Settles both sides at `deposited`, so everything `from` earned is in its earnings.
        _move(from, sender, to, receiver, tokens, deposited);
        Earnings memory lost = _earnings[from];
        Earnings memory kept = _earnings[to];
        uint256 supply = totalSupply();
        // Both remainders are < supply <= 2**96, so their sum fits; owed sums stay within
        // the deposits (< 2**112), far inside uint160.
        uint256 remainder = uint256(kept.remainder) + lost.remainder;
        uint160 revenue = lost.owed + uint160(remainder / supply); // what `to` can claim more
        kept.owed += revenue;
        kept.remainder = uint96(remainder % supply);
        _earnings[to] = kept;
        delete _earnings[from];
        emit AccountRecovered(from, to, tokens, revenue, evidenceHash, msg.sender);
        (,, bytes32 patent,) = _args();
        // slither-disable-next-line unused-return (the entry hash is in the trail's event)
        _EVIDENCE.append(patent, uint8(IEvidenceTrail.Kind.CourtOrder), evidenceHash, "");
    }

    // ---- views -----------------------------------------------------------------------

    /// @inheritdoc IRevenueRightsToken
    function patentId() external view returns (bytes32 id) {
        (,, id,) = _args();
    }

    /// @inheritdoc IRevenueRightsToken
    function paymentToken() external view returns (address token) {
        (, token,,) = _args();
    }

    /// @inheritdoc IRevenueRightsToken
    function patentRegistry() public view returns (address registry) {
        (registry,,,) = _args();
    }

    /// @inheritdoc IRevenueRightsToken
    function investorRegistry() external view returns (address) {
        return address(_INVESTORS);
    }

    /// @inheritdoc IRevenueRightsToken
    function evidenceTrail() external view returns (address) {
        return address(_EVIDENCE);
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

    // ---- ERC-20 storage -----------------------------------------------------------------

    /// @notice Balances live in the account slot (see the contract's notes).
    function balanceOf(address account) public view override returns (uint256) {
        return _accounts[account].balance;
    }

    /// @notice Fixed at creation: revenue rights are neither minted nor burnt afterwards.
    function totalSupply() public view override returns (uint256 supply) {
        (,,, supply) = _args();
    }

    // ---- internals -------------------------------------------------------------------

    /// @dev The hook every ordinary balance change passes through (the initial mint,
    /// transfer, transferFrom): pause, freeze and eligibility checks, then the move.
    /// `forcedTransfer` is the one other path to `_move`. Burning is not supported.
    function _update(address from, address to, uint256 value) internal override {
        Totals memory totals = _totals;
        if (totals.paused) revert RevenueRightsPaused();
        if (to == address(0)) revert ERC20InvalidReceiver(to);
        Account memory receiver = _accounts[to];
        if (receiver.frozen) revert RevenueRightsFrozen(to);
        Account memory sender = _accounts[from]; // the zero address's empty record for the mint
        if (from != address(0) && sender.frozen) revert RevenueRightsFrozen(from);
        _checkEligible(from, from == address(0) || sender.exempt, to, receiver.exempt);
        _move(from, sender, to, receiver, value, totals.deposited);
    }

    /// @dev Settles both sides at their pre-change balances, then moves `value`.
    function _move(
        address from,
        Account memory sender,
        address to,
        Account memory receiver,
        uint256 value,
        uint112 deposited
    ) private {
        if (from == address(0)) {
            // The single mint, from `initialize`, of the whole supply (<= 2**96).
            receiver.balance = SafeCast.toUint96(value);
            _accounts[to] = receiver;
        } else if (from == to) {
            // A self-transfer moves nothing; only the balance check applies.
            if (sender.balance < value) revert ERC20InsufficientBalance(from, sender.balance, value);
        } else {
            if (sender.balance < value) revert ERC20InsufficientBalance(from, sender.balance, value);
            bool senderSettles = sender.checkpoint != deposited;
            bool receiverSettles = receiver.checkpoint != deposited;
            if (senderSettles) sender = _settle(from, sender, deposited);
            if (receiverSettles) receiver = _settle(to, receiver, deposited);
            // value <= sender.balance, and balances sum to the supply <= 2**96: neither
            // the subtraction nor the addition can overflow.
            unchecked {
                sender.balance -= uint96(value);
                receiver.balance += uint96(value);
            }
            _store(from, sender, senderSettles);
            _store(to, receiver, receiverSettles);
        }
        emit Transfer(from, to, value);
    }

    /// @dev Writes back an account whose balance changed. Solidity copies a memory struct
    /// to storage field by field (a read-modify-write each), so only the fields that
    /// changed are written: the balance, and the checkpoint when it moved.
    function _store(address who, Account memory state, bool settled) private {
        Account storage stored = _accounts[who];
        if (settled) stored.checkpoint = state.checkpoint;
        stored.balance = state.balance;
    }

    /// @dev Asks the investor registry about whichever sides need it, in one call when
    /// both do. An exempt side (the initial holder, or the zero address of the mint) is not asked.
    function _checkEligible(address from, bool fromExempt, address to, bool toExempt) private view {
        bool fromOk = fromExempt;
        bool toOk = toExempt;
        if (!fromExempt && !toExempt) {
            (fromOk, toOk) = _INVESTORS.areEligible(from, to);
        } else if (!fromExempt) {
            fromOk = _INVESTORS.isEligible(from);
        } else if (!toExempt) {
            toOk = _INVESTORS.isEligible(to);
        }
        // A pledge custodian (the loan book's escrow) holds without a listing; asked only
        // when the investor registry says no, so ordinary transfers pay nothing for it.
        if (!fromOk && !_isCustodian(from)) revert RevenueRightsNotEligible(from);
        if (!toOk && !_isCustodian(to)) revert RevenueRightsNotEligible(to);
    }

    function _isCustodian(address account) private view returns (bool) {
        return IAccessControl(patentRegistry()).hasRole(Roles.PLEDGE_CUSTODIAN, account);
    }

    /// @dev Pledged tokens leave a custodian only through the loan book's own rules
    /// (release, enforcement): no agent freezes them or forces them out.
    function _checkNotCustodian(address account) private view {
        if (_isCustodian(account)) revert RevenueRightsCustodian(account);
    }

    /// @dev `state` settled at `deposited`: its earnings since the checkpoint are added to
    /// `_earnings[who]` (written only when it held tokens, else nothing changed). The
    /// caller stores `state`.
    function _settle(address who, Account memory state, uint112 deposited) private returns (Account memory) {
        if (state.balance > 0) _earnings[who] = _earned(state, _earnings[who], deposited);
        state.checkpoint = deposited;
        return state;
    }

    /// @dev `earnings` plus what holding `state.balance` earned since `state.checkpoint`.
    function _earned(Account memory state, Earnings memory earnings, uint112 deposited)
        private
        view
        returns (Earnings memory)
    {
        // slither-disable-next-line incorrect-equality (exact checkpoint match, not a balance guess)
        if (state.checkpoint == deposited || state.balance == 0) return earnings;
        uint256 supply = totalSupply();
        // balance <= supply <= 2**96 and revenue < 2**112, so the product fits easily.
        uint256 exact = uint256(state.balance) * (deposited - state.checkpoint) + earnings.remainder;
        // owed <= deposited < 2**112 (claims never exceed deposits), so it fits in uint160.
        earnings.owed += uint160(exact / supply);
        earnings.remainder = uint96(exact % supply); // < supply <= 2**96
        return earnings;
    }

    function _checkRole(bytes32 role) private view {
        if (!IAccessControl(patentRegistry()).hasRole(role, msg.sender)) {
            revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, role);
        }
    }

    /// @dev The clone's immutable args, read from its own code (cheaper than storage).
    function _args() private view returns (address registry, address payment, bytes32 patent, uint256 supply) {
        return abi.decode(Clones.fetchCloneArgs(address(this)), (address, address, bytes32, uint256));
    }
}
