// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IEvidenceTrail} from "../interfaces/IEvidenceTrail.sol";
import {IHoldingsLens} from "../interfaces/IHoldingsLens.sol";
import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {IRevenueRightsToken} from "../interfaces/IRevenueRightsToken.sol";
import {IValuationRecognition} from "../interfaces/IValuationRecognition.sol";
import {IValuationRegistry} from "../interfaces/IValuationRegistry.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title HoldingsLens
/// @notice Holdings and patent summaries in one call; see IHoldingsLens.
contract HoldingsLens is IHoldingsLens {
    IPatentRegistry public immutable patents;
    IValuationRegistry public immutable valuations;
    IValuationRecognition public immutable recognition;
    IEvidenceTrail public immutable evidence;
    /// @dev Where investors are listed (the registry's, fixed at its deployment).
    IInvestorRegistry private immutable _INVESTORS;

    constructor(
        IPatentRegistry patents_,
        IValuationRegistry valuations_,
        IValuationRecognition recognition_,
        IEvidenceTrail evidence_
    ) {
        patents = patents_;
        valuations = valuations_;
        recognition = recognition_;
        evidence = evidence_;
        _INVESTORS = IInvestorRegistry(patents_.investorRegistry());
    }

    /// @inheritdoc IHoldingsLens
    function holdingsOf(address investor, uint256 offset, uint256 limit)
        external
        view
        returns (Holding[] memory holdings, uint256 next)
    {
        uint256 end;
        (end, next) = _page(offset, limit);
        Holding[] memory found = new Holding[](end - offset);
        uint256 count = 0;
        bytes2 jurisdiction = _jurisdictionOf(investor);
        for (uint256 i = offset; i < end; ++i) {
            bytes32 id = patents.patentIdAt(i);
            address token = patents.tokenOf(id);
            if (token == address(0)) continue;
            uint256 balance = IERC20(token).balanceOf(investor);
            // slither-disable-next-line incorrect-equality (holders only: an exact zero is no holding)
            if (balance == 0) continue;
            found[count++] = _holding(id, token, investor, balance, jurisdiction);
        }
        holdings = new Holding[](count);
        for (uint256 i = 0; i < count; ++i) {
            holdings[i] = found[i];
        }
    }

    /// @inheritdoc IHoldingsLens
    function patentSummaries(uint256 offset, uint256 limit)
        external
        view
        returns (PatentSummary[] memory summaries, uint256 next)
    {
        uint256 end;
        (end, next) = _page(offset, limit);
        summaries = new PatentSummary[](end - offset);
        for (uint256 i = offset; i < end; ++i) {
            bytes32 id = patents.patentIdAt(i);
            PatentSummary memory s = summaries[i - offset];
            s.patentId = id;
            s.patent = patents.patent(id);
            s.token = patents.tokenOf(id);
            if (s.token != address(0)) {
                s.totalSupply = IERC20(s.token).totalSupply();
                // slither-disable-next-line unused-return (only the deposit total is summarised)
                (s.revenueDeposited,,) = IRevenueRightsToken(s.token).revenueTotals();
            }
            // slither-disable-next-line unused-return (only the count is summarised)
            (, s.evidenceCount) = evidence.head(id);
            s.valuation = valuations.latestValuation(id);
        }
    }

    /// @dev The end of the page and the next offset (0 when the index is exhausted).
    function _holding(bytes32 id, address token, address investor, uint256 balance, bytes2 jurisdiction)
        private
        view
        returns (Holding memory)
    {
        return Holding(
            id,
            token,
            balance,
            IERC20(token).totalSupply(),
            IRevenueRightsToken(token).claimableRevenue(investor),
            IRevenueRightsToken(token).paymentToken(),
            recognition.latestValuationIn(id, jurisdiction)
        );
    }

    /// @dev The investor's listed jurisdiction, where its holdings' valuations must count;
    /// 0 (any) for an account no longer listed, which the registry refuses to describe.
    function _jurisdictionOf(address investor) private view returns (bytes2) {
        try _INVESTORS.investor(investor) returns (
            IInvestorRegistry.Investor memory record
        ) {
            return record.jurisdiction;
        } catch {
            return bytes2(0);
        }
    }

    function _page(uint256 offset, uint256 limit) private view returns (uint256 end, uint256 next) {
        uint256 total = patents.patentCount();
        if (offset >= total) return (offset, 0);
        end = limit > total - offset ? total : offset + limit;
        next = end == total ? 0 : end;
    }
}
