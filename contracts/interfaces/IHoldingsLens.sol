// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

import {IPatentRegistry} from "./IPatentRegistry.sol";
import {IValuationRegistry} from "./IValuationRegistry.sol";

/// @title IHoldingsLens
/// @notice Read-only views that gather, in one call, what investors and regulators read
/// token by token otherwise. Nothing here changes state.
/// @dev Pages run over the registry's patent index (`patentIdAt`): `offset` and `limit`
/// bound the patents scanned, so a call's cost is bounded whatever the registry's size;
/// `next` is where the following page starts (0 when the index is exhausted).
interface IHoldingsLens {
    /// @notice One patent an investor holds tokens of.
    struct Holding {
        bytes32 patentId;
        address token;
        uint256 balance; // token base units
        uint256 totalSupply;
        uint256 claimable; // payment-token base units
        address paymentToken;
        IValuationRegistry.LatestValuation valuation; // `found` false when none is valid now
    }

    /// @notice A registry-wide view of one patent.
    struct PatentSummary {
        bytes32 patentId;
        IPatentRegistry.Patent patent;
        address token; // zero before tokenisation
        uint256 totalSupply;
        uint256 revenueDeposited; // payment-token base units, all deposits
        uint64 evidenceCount;
        IValuationRegistry.LatestValuation valuation;
    }

    /// @notice The investor's holdings among patents [offset, offset + limit) of the index;
    /// each valuation is the latest that counts in the investor's listed jurisdiction
    /// (`IValuationRecognition.latestValuationIn`); a summary's is the latest in any.
    function holdingsOf(address investor, uint256 offset, uint256 limit)
        external
        view
        returns (Holding[] memory holdings, uint256 next);

    /// @notice Summaries of patents [offset, offset + limit) of the index.
    function patentSummaries(uint256 offset, uint256 limit)
        external
        view
        returns (PatentSummary[] memory summaries, uint256 next);
}
