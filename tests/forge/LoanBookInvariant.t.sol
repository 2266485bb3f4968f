// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {EvidenceTrail} from "../../contracts/evidence/EvidenceTrail.sol";
import {IEvidenceTrail} from "../../contracts/interfaces/IEvidenceTrail.sol";
import {IInvestorRegistry} from "../../contracts/interfaces/IInvestorRegistry.sol";
import {ILoanBook} from "../../contracts/interfaces/ILoanBook.sol";
import {IPatentRegistry} from "../../contracts/interfaces/IPatentRegistry.sol";
import {IValuationRegistry} from "../../contracts/interfaces/IValuationRegistry.sol";
import {Roles} from "../../contracts/libraries/Roles.sol";
import {CollateralPolicy} from "../../contracts/loans/CollateralPolicy.sol";
import {LoanBook} from "../../contracts/loans/LoanBook.sol";
import {TestHKD} from "../../contracts/mocks/TestHKD.sol";
import {InvestorRegistry} from "../../contracts/registry/InvestorRegistry.sol";
import {PatentRegistry} from "../../contracts/registry/PatentRegistry.sol";
import {RevenueRightsToken} from "../../contracts/tokens/RevenueRightsToken.sol";
import {ValuationRecognition} from "../../contracts/valuation/ValuationRecognition.sol";
import {ValuationRegistry} from "../../contracts/valuation/ValuationRegistry.sol";
import {VM, bound, LoanHandler} from "./LoanHandler.sol";

/// @notice The loan book's money and escrow hold under any sequence of moves.
contract LoanBookInvariantTest {
    uint256 internal constant VALUER_KEY = 0xA11CE;
    LoanBook internal book;
    LoanHandler internal handler;
    RevenueRightsToken internal token;
    TestHKD internal hkd;
    bytes32 internal patentId;

    function setUp() public {
        InvestorRegistry investors = new InvestorRegistry(address(this));
        EvidenceTrail trail = new EvidenceTrail(address(this));
        RevenueRightsToken implementation =
            new RevenueRightsToken(IInvestorRegistry(address(investors)), IEvidenceTrail(address(trail)));
        PatentRegistry patents = new PatentRegistry(address(this), address(investors), address(implementation));
        ValuationRegistry valuations = new ValuationRegistry(
            address(this), IPatentRegistry(address(patents)), IEvidenceTrail(address(trail)), 100
        );
        ValuationRecognition recognition =
            new ValuationRecognition(IValuationRegistry(address(valuations)), IEvidenceTrail(address(trail)));
        CollateralPolicy policy = new CollateralPolicy(IPatentRegistry(address(patents)), recognition);
        book = new LoanBook(IPatentRegistry(address(patents)), policy, IEvidenceTrail(address(trail)));
        hkd = new TestHKD(address(this));
        trail.bindPatentRegistry(IPatentRegistry(address(patents)));
        investors.grantRole(Roles.COMPLIANCE, address(this));
        trail.grantRole(Roles.EVIDENCE_WRITER, address(this));
        trail.grantRole(Roles.EVIDENCE_WRITER, address(valuations));
        trail.grantRole(Roles.EVIDENCE_WRITER, address(book));
        valuations.grantRole(Roles.ACCREDITOR, address(this));
        patents.grantRole(Roles.REGISTRAR, address(this));
        patents.grantRole(Roles.RISK, address(this));
        patents.grantRole(Roles.PLEDGE_CUSTODIAN, address(book));
        policy.setRate(address(hkd), "HKD", 1e22); // 6-decimal HKD per HKD cent

        patentId = patents.registerPatent(
            "HK", "30012345", address(this), IPatentRegistry.Field.Mechanical,
            IPatentRegistry.Status.Granted, uint64(block.timestamp + 3650 days), keccak256("meta")
        ); // forgefmt: disable-line
        token = RevenueRightsToken(
            patents.tokenize(patentId, "HK 30012345", "RR1", 1_000_000e18, address(this), address(hkd))
        );
        _value(valuations);

        handler = new LoanHandler(book, IERC20(address(token)), hkd, patentId);
        hkd.transferOwnership(address(handler)); // the handler mints the revenue it deposits
        patents.grantRole(Roles.REVENUE_DEPOSITOR, address(handler));
        patents.grantRole(Roles.LENDER, handler.LENDER());
        uint64 forever = uint64(block.timestamp + 3650 days);
        investors.setInvestor(handler.LENDER(), "HK", forever);
        _fund(handler.LENDER());
        for (uint256 i = 0; i < 3; ++i) {
            address b = handler.borrowers(i);
            investors.setInvestor(b, "HK", forever);
            token.transfer(b, 200_000e18);
            VM.prank(b);
            token.approve(address(book), type(uint256).max);
            _fund(b);
        }
    }

    function _fund(address who) internal {
        VM.prank(address(handler));
        hkd.mint(who, 100_000_000e6);
        VM.prank(who);
        hkd.approve(address(book), type(uint256).max);
    }

    /// @dev A valuation of HKD 12.5M, valid two years, signed by an accredited key.
    function _value(ValuationRegistry valuations) internal {
        address valuer = VM.addr(VALUER_KEY);
        valuations.setValuer(valuer, "V", "HK", uint64(block.timestamp + 3650 days));
        IValuationRegistry.Valuation memory v = IValuationRegistry.Valuation({
            reportId: bytes32(uint256(uint160(valuer)) << 96 | 1),
            patentId: patentId,
            valuer: valuer,
            value: 12_500_000_00,
            currency: "HKD",
            valuationDate: uint64(block.timestamp),
            validUntil: uint64(block.timestamp + 730 days),
            method: 0,
            purpose: 1,
            standard: "GB/T 42748-2023",
            legalValue: 70,
            technicalValue: 70,
            economicValue: 70,
            citationNetwork: 70,
            commercialApplication: 70,
            technologyMaturity: 70,
            marketPotential: 70,
            scoringModel: "HKSTP-IPScore@2.1",
            scoringInput: keccak256("scoring input"),
            reportHash: keccak256("report"),
            subsidised: false
        });
        (uint8 sv, bytes32 r, bytes32 s) = VM.sign(VALUER_KEY, valuations.hashValuation(v));
        valuations.attest(v, "", abi.encodePacked(r, s, sv));
    }

    /// @notice Interest accrues per second on the outstanding principal, exactly: the debt
    /// after any time is principal + principal x rate x seconds / (10,000 x 365 days).
    function testFuzz_interestAccruesExactly(uint256 principal, uint256 rateBps, uint256 elapsed) public {
        principal = bound(principal, 1, 200_000e6);
        rateBps = bound(rateBps, 0, 5000);
        elapsed = bound(elapsed, 0, 170 days);
        address borrower = handler.borrowers(0);
        ILoanBook.Terms memory t = ILoanBook.Terms({
            borrower: borrower,
            asset: address(hkd),
            principal: uint96(principal),
            rateBps: uint16(rateBps),
            maxLtvBps: 6000,
            liquidationLtvBps: 7500,
            sweepBps: 0,
            maturity: uint64(block.timestamp + 180 days),
            remediationPeriod: 10 days,
            offerExpiry: uint64(block.timestamp + 1 days),
            agreementHash: keccak256("fuzz")
        });
        ILoanBook.Pledge[] memory pledges = new ILoanBook.Pledge[](1);
        pledges[0] = ILoanBook.Pledge(patentId, 100_000e18); // HKD 625,000 of collateral
        VM.prank(handler.LENDER());
        uint256 id = book.offer(t, pledges);
        VM.prank(borrower);
        book.accept(id);
        VM.warp(block.timestamp + elapsed);
        uint256 expected = principal + principal * rateBps * elapsed / (10_000 * 365 days);
        require(book.health(id).debt == expected, "interest is not exact");
    }

    /// @notice The handler's moves do reach the book: a loan opens, revenue is swept to
    /// both sides, and the lender withdraws (so the invariants above check real states).
    function test_handlerMovesReachTheBook() public {
        handler.open(0, 40_000e18, 100_000e6, 5000); // about 40% of the pledge's value
        require(handler.loanCount() == 1, "no loan opened");
        handler.deposit(999_999e6);
        ILoanBook.LoanView memory v = book.loan(handler.loans(0));
        uint256 earned = v.pledges[0].amount * token.revenueDeposited() / token.totalSupply();
        address lender = handler.LENDER();
        require(earned > 0, "the pledge earned nothing");
        require(book.owed(lender, address(hkd)) == earned / 2, "the lender's half of the pledge's revenue");
        require(book.owed(handler.borrowers(0), address(hkd)) == earned - earned / 2, "the borrower's half");
        handler.withdraw(3);
        require(book.owed(lender, address(hkd)) == 0, "withdrawn");
        invariant_bookIsSolventToTheUnit();
        invariant_escrowHoldsExactlyTheOpenPledges();
    }

    function targetContracts() public view returns (address[] memory targets) {
        targets = new address[](1);
        targets[0] = address(handler);
    }

    /// @notice The escrow holds exactly the open loans' pledges (and what it holds for
    /// borrowers who could not receive a release), and `pledgedOf` agrees.
    function invariant_escrowHoldsExactlyTheOpenPledges() public view {
        uint256 open;
        uint256 heldFor;
        for (uint256 i = 0; i < handler.loanCount(); ++i) {
            ILoanBook.LoanView memory v = book.loan(handler.loans(i));
            if (v.state == ILoanBook.State.Active || v.state == ILoanBook.State.Called) {
                open += v.pledges[0].amount;
            }
        }
        uint256 pledged;
        for (uint256 i = 0; i < 3; ++i) {
            pledged += book.pledgedOf(handler.borrowers(i), patentId);
            heldFor += book.held(handler.borrowers(i), address(token));
        }
        require(pledged == open, "pledgedOf disagrees with the open loans");
        require(token.balanceOf(address(book)) == open + heldFor, "escrow holds other than the pledges");
    }

    /// @notice Every credit is backed: what the book holds and can claim covers what it
    /// owes, and exceeds it by less than one base unit per pledge (the sweep's rounding).
    function invariant_bookIsSolventToTheUnit() public view {
        uint256 owed = book.owed(handler.LENDER(), address(hkd));
        for (uint256 i = 0; i < 3; ++i) {
            owed += book.owed(handler.borrowers(i), address(hkd));
        }
        uint256 assets = hkd.balanceOf(address(book)) + token.claimableRevenue(address(book));
        require(assets >= owed, "the book owes more than it holds and can claim");
        require(assets - owed <= handler.loanCount(), "revenue earned by pledges went uncredited");
    }

    /// @notice No loan's outstanding principal exceeds what was lent.
    function invariant_principalNeverGrows() public view {
        for (uint256 i = 0; i < handler.loanCount(); ++i) {
            ILoanBook.LoanView memory v = book.loan(handler.loans(i));
            require(v.principalOutstanding <= v.principal, "principal grew");
        }
    }
}
