// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title CalendarYear
/// @notice The UTC calendar year of a unix timestamp (proleptic Gregorian), for rules
/// counted per calendar year such as the pilot's subsidy cap.
library CalendarYear {
    /// @dev Howard Hinnant's `civil_from_days`, for days since 1970-01-01 >= 0.
    // slither-disable-start divide-before-multiply (integer calendar arithmetic: the
    // truncating divisions are the algorithm, checked against Python's datetime in tests)
    function yearOf(uint256 timestamp) internal pure returns (uint256 year) {
        uint256 z = timestamp / 86400 + 719468;
        uint256 era = z / 146097;
        uint256 doe = z - era * 146097; // day of era, [0, 146096]
        uint256 yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365; // [0, 399]
        uint256 doy = doe - (365 * yoe + yoe / 4 - yoe / 100); // day of year from March 1
        uint256 mp = (5 * doy + 2) / 153; // month from March, [0, 11]
        year = yoe + era * 400 + (mp >= 10 ? 1 : 0); // January and February count to the next year
    }
    // slither-disable-end divide-before-multiply
}
