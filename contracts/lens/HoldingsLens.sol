// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IEvidenceTrail} from "../interfaces/IEvidenceTrail.sol";
import {IHoldingsLens} from "../interfaces/IHoldingsLens.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {IRevenueRightsToken} from "../interfaces/IRevenueRightsToken.sol";
import {IValuationRegistry} from "../interfaces/IValuationRegistry.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title HoldingsLens
/// @notice Holdings and patent summaries in one call; see IHoldingsLens.
contract HoldingsLens is IHoldingsLens {
    IPatentRegistry public immutable patents;
    IValuationRegistry public immutable valuations;
    IEvidenceTrail public immutable evidence;

    constructor(IPatentRegistry patents_, IValuationRegistry valuations_, IEvidenceTrail evidence_) {
        patents = patents_;
        valuations = valuations_;
        evidence = evidence_;
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
        for (uint256 i = offset; i < end; ++i) {
            bytes32 id = patents.patentIdAt(i);
            address token = patents.tokenOf(id);
            if (token == address(0)) continue;
            uint256 balance = IERC20(token).balanceOf(investor);
            // slither-disable-next-line incorrect-equality (holders only: an exact zero is no holding)
            if (balance == 0) continue;
            found[count++] = Holding(
                id,
                token,
                balance,
                IERC20(token).totalSupply(),
                IRevenueRightsToken(token).claimableRevenue(investor),
                IRevenueRightsToken(token).paymentToken(),
                valuations.latestValuation(id)
            );
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
    function _page(uint256 offset, uint256 limit) private view returns (uint256 end, uint256 next) {
        uint256 total = patents.patentCount();
        if (offset >= total) return (offset, 0);
        end = limit > total - offset ? total : offset + limit;
        next = end == total ? 0 : end;
    }
}
