// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ILoanBook} from "../../contracts/interfaces/ILoanBook.sol";
import {LoanBook} from "../../contracts/loans/LoanBook.sol";
import {TestHKD} from "../../contracts/mocks/TestHKD.sol";
import {RevenueRightsToken} from "../../contracts/tokens/RevenueRightsToken.sol";

/// @dev The cheatcodes these tests use (forge-std is not vendored: its npm package is stale).
interface Vm {
    function warp(uint256 timestamp) external;
    function prank(address sender) external;
    function sign(uint256 privateKey, bytes32 digest) external returns (uint8 v, bytes32 r, bytes32 s);
    function addr(uint256 privateKey) external returns (address);
}

Vm constant VM = Vm(address(uint160(uint256(keccak256("hevm cheat code")))));

function bound(uint256 x, uint256 lo, uint256 hi) pure returns (uint256) {
    return lo + x % (hi - lo + 1);
}

/// @notice Random lenders' and borrowers' moves against one valued patent: open, deposit
/// revenue, repay (part, all, or only sweep), pass time, call, cure, enforce, withdraw.
/// After each move every open loan is swept, so the book's money can be checked exactly.
contract LoanHandler {
    uint256 internal constant HKD = 1e6;
    uint256 internal constant TOKEN = 1e18;
    uint256 public constant MAX_LOANS = 20;

    LoanBook public immutable book;
    IERC20 public immutable token;
    TestHKD public immutable hkd;
    bytes32 public immutable patentId;
    address public constant LENDER = address(0x1000);
    address[3] public borrowers = [address(0x2001), address(0x2002), address(0x2003)];

    uint256[] public loans;
    uint256 public calls; // how many moves ran (to see the campaign did something)

    constructor(LoanBook book_, IERC20 token_, TestHKD hkd_, bytes32 patentId_) {
        book = book_;
        token = token_;
        hkd = hkd_;
        patentId = patentId_;
    }

    function loanCount() external view returns (uint256) {
        return loans.length;
    }

    function open(uint256 who, uint256 tokens, uint256 principal, uint16 sweepBps) external {
        if (loans.length >= MAX_LOANS) return;
        address borrower = borrowers[who % 3];
        tokens = bound(tokens, TOKEN, 50_000 * TOKEN);
        if (token.balanceOf(borrower) < tokens) return;
        ILoanBook.Terms memory t = ILoanBook.Terms({
            borrower: borrower,
            asset: address(hkd),
            // Up to 64% of the pledge's collateral value (HKD 6.25 a token): some offers
            // are over the 60% the terms allow, and their acceptance must fail whole.
            principal: uint96(bound(principal, 1, tokens * 4 / 1e12)),
            rateBps: 800,
            maxLtvBps: 6000,
            liquidationLtvBps: 7500,
            sweepBps: uint16(bound(sweepBps, 0, 10_000)),
            maturity: uint64(block.timestamp + 180 days),
            remediationPeriod: 10 days,
            offerExpiry: uint64(block.timestamp + 1 days),
            agreementHash: keccak256(abi.encode(loans.length))
        });
        ILoanBook.Pledge[] memory pledges = new ILoanBook.Pledge[](1);
        pledges[0] = ILoanBook.Pledge(patentId, tokens);
        VM.prank(LENDER);
        uint256 id = book.offer(t, pledges);
        VM.prank(borrower);
        try book.accept(id) {
            loans.push(id);
        } catch {
            require(token.balanceOf(borrower) >= tokens, "a failed acceptance moved the pledge");
        }
        _after();
    }

    function deposit(uint256 amount) external {
        amount = bound(amount, 1, 1_000_000 * HKD);
        hkd.mint(address(this), amount);
        hkd.approve(address(token), amount);
        RevenueRightsToken(address(token)).depositRevenue(amount, keccak256("revenue"));
        _after();
    }

    function repay(uint256 i, uint256 amount) external {
        if (loans.length == 0) return;
        uint256 id = loans[i % loans.length];
        ILoanBook.LoanView memory v = book.loan(id);
        VM.prank(v.borrower);
        try book.repay(id, bound(amount, 0, 250_000 * HKD)) {} catch {}
        _after();
    }

    function warp(uint256 seconds_) external {
        VM.warp(block.timestamp + bound(seconds_, 1, 45 days));
        _after();
    }

    function callOrEnforce(uint256 i, bool sell) external {
        if (loans.length == 0) return;
        uint256 id = loans[i % loans.length];
        VM.prank(LENDER);
        try book.callLoan(id, keccak256("notice")) {} catch {}
        VM.prank(LENDER);
        try book.enforce(id, LENDER, 0, keccak256("enforcement")) {} catch {}
        if (sell) {
            VM.prank(borrowers[(i + 1) % 3]);
            try book.bid(id, 1000 * HKD) {} catch {}
        }
        _after();
    }

    function cure(uint256 i) external {
        if (loans.length == 0) return;
        try book.cure(loans[i % loans.length]) {} catch {}
        _after();
    }

    function withdraw(uint256 who) external {
        address account = who % 4 == 3 ? LENDER : borrowers[who % 4];
        if (book.owed(account, address(hkd)) == 0) return;
        VM.prank(account);
        book.withdraw(address(hkd));
        _after();
    }

    /// @dev Sweeps every open loan (repay of 0 only settles), so credits are up to date.
    function _after() internal {
        calls += 1;
        for (uint256 i = 0; i < loans.length; ++i) {
            ILoanBook.State state = book.loan(loans[i]).state;
            if (state == ILoanBook.State.Active || state == ILoanBook.State.Called) {
                VM.prank(LENDER);
                book.repay(loans[i], 0);
            }
        }
    }
}
