// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {CalendarYear} from "../libraries/CalendarYear.sol";

/// @title CalendarYearHarness
/// @notice Exposes the internal CalendarYear library to tests.
contract CalendarYearHarness {
    function yearOf(uint256 timestamp) external pure returns (uint256) {
        return CalendarYear.yearOf(timestamp);
    }
}
