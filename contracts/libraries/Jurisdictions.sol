// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Jurisdictions
/// @notice Jurisdictions are ISO 3166-1 alpha-2 codes stored as `bytes2` ("HK", "CN").
library Jurisdictions {
    /// @notice Whether `code` is two upper-case ASCII letters.
    function isCountryCode(bytes2 code) internal pure returns (bool) {
        return code[0] >= "A" && code[0] <= "Z" && code[1] >= "A" && code[1] <= "Z";
    }
}
