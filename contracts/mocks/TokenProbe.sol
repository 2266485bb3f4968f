// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IRevenueRightsToken} from "../interfaces/IRevenueRightsToken.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";

/// @title TokenProbe
/// @notice Test-only: a token's every holder's balance and claimable revenue, and its
///         revenue totals, in one `eth_call` without encoding each answer as bytes.
contract TokenProbe {
    function read(address token, address[] calldata holders)
        external
        view
        returns (uint256[] memory balances, uint256[] memory claimable, uint256 deposited, uint256 held, uint256 deposits)
    {
        balances = new uint256[](holders.length);
        claimable = new uint256[](holders.length);
        for (uint256 i; i < holders.length; ++i) {
            balances[i] = IERC20(token).balanceOf(holders[i]);
            claimable[i] = IRevenueRightsToken(token).claimableRevenue(holders[i]);
        }
        (deposited, held, deposits) = IRevenueRightsToken(token).revenueTotals();
    }
}
