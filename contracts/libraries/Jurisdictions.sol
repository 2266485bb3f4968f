// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Jurisdictions
/// @notice Jurisdictions are ISO 3166-1 alpha-2 codes stored as `bytes2` ("HK", "CN").
library Jurisdictions {
    /// @notice Whether `code` is two upper-case ASCII letters.
    function isCountryCode(bytes2 code) internal pure returns (bool) {
        return code[0] >= "A" && code[0] <= "Z" && code[1] >= "A" && code[1] <= "Z";
    }

    /// @notice Whether `number` is a publication number of `jurisdiction` in canonical
    /// form: 1-32 characters, starting with a letter or a non-zero digit, of upper-case
    /// letters and digits, with '.', '/' or '-' only between two of them; Hong Kong's are
    /// digits only. No whitespace, no leading zeros: one patent, one spelling, one id
    /// ("HK 30012345", "CN ZL202310000001.X").
    function isCanonicalNumber(bytes2 jurisdiction, string calldata number) internal pure returns (bool) {
        bytes calldata b = bytes(number);
        if (b.length == 0 || b.length > 32 || b[0] == "0") return false;
        bool digitsOnly = jurisdiction == "HK";
        for (uint256 i = 0; i < b.length; ++i) {
            if (_isAlnum(b[i], digitsOnly)) continue;
            bool separator = b[i] == "." || b[i] == "/" || b[i] == "-";
            bool between = i > 0 && i + 1 < b.length && _isAlnum(b[i - 1], false) && _isAlnum(b[i + 1], false);
            if (digitsOnly || !separator || !between) return false;
        }
        return true;
    }

    function _isAlnum(bytes1 c, bool digitsOnly) private pure returns (bool) {
        return (c >= "0" && c <= "9") || (!digitsOnly && c >= "A" && c <= "Z");
    }
}
