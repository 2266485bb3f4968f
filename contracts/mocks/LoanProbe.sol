// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {ILoanBook} from "../interfaces/ILoanBook.sol";

/// @title LoanProbe
/// @notice Test-only: what the token state machine checks of the loan book after each
///         step, in one `eth_call`: the block time the views answer at (a loan's debt
///         accrues by the second), each loan's state and debt, what the book owes and holds
///         for each account, and the book's cash.
contract LoanProbe {
    struct Loans {
        uint256 timestamp;
        uint8[] states;
        uint256[] principal;
        uint256[] interest;
        uint256[] owed;
        uint256[] held;
        uint256 cash;
    }

    function read(ILoanBook book, uint256[] calldata ids, address[] calldata accounts, address token, address asset)
        external
        view
        returns (Loans memory out)
    {
        out.timestamp = block.timestamp;
        out.states = new uint8[](ids.length);
        out.principal = new uint256[](ids.length);
        out.interest = new uint256[](ids.length);
        for (uint256 i; i < ids.length; ++i) {
            ILoanBook.LoanView memory l = book.loan(ids[i]);
            out.states[i] = uint8(l.state);
            out.principal[i] = l.principalOutstanding;
            out.interest[i] = l.interest;
        }
        out.owed = new uint256[](accounts.length);
        out.held = new uint256[](accounts.length);
        for (uint256 i; i < accounts.length; ++i) {
            out.owed[i] = book.owed(accounts[i], asset);
            out.held[i] = book.held(accounts[i], token);
        }
        out.cash = IERC20(asset).balanceOf(address(book));
    }
}
