// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Jurisdictions
/// @notice Jurisdictions are ISO 3166-1 alpha-2 codes stored as `bytes2` ("HK", "CN").
library Jurisdictions {
    /// @notice Whether `code` is two upper-case ASCII letters.
    function isCountryCode(bytes2 code) internal pure returns (bool) {
        return code[0] >= "A" && code[0] <= "Z" && code[1] >= "A" && code[1] <= "Z";
    }

    /// @notice Whether `number` is a publication number in canonical form: 1-32 characters
    /// of upper-case letters, digits, '.', '/' and '-', starting with a letter or a
    /// non-zero digit. No whitespace, no leading zeros: one patent, one spelling, one id
    /// ("HK 30012345", "CN ZL202310000001.X").
    function isCanonicalNumber(string calldata number) internal pure returns (bool) {
        bytes calldata b = bytes(number);
        if (b.length == 0 || b.length > 32) return false;
        if (!((b[0] >= "1" && b[0] <= "9") || (b[0] >= "A" && b[0] <= "Z"))) return false;
        for (uint256 i = 1; i < b.length; ++i) {
            bytes1 c = b[i];
            bool ok = (c >= "0" && c <= "9") || (c >= "A" && c <= "Z") || c == "." || c == "/" || c == "-";
            if (!ok) return false;
        }
        return true;
    }
}
