// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title IInvestorRegistry
/// @notice Which accounts may hold revenue-rights tokens: investors whose KYC a
/// compliance officer has checked, each with a jurisdiction and an expiry. One registry
/// serves every token.
interface IInvestorRegistry {
    /// @notice An eligible investor's record.
    struct Investor {
        bytes2 jurisdiction; // ISO 3166-1 alpha-2 of the investor's KYC, e.g. "HK"
        uint64 expiry; // eligible while block.timestamp < expiry (unix seconds)
        uint64 updatedAt; // block time of the last change
    }

    /// @notice `account` is the zero address.
    error InvestorInvalidAccount(address account);
    /// @notice `expiry` is not after the current block time `nowTs`.
    error InvestorExpiryNotInFuture(address account, uint64 expiry, uint64 nowTs);
    /// @notice `jurisdiction` is not two upper-case letters.
    error InvestorInvalidJurisdiction(address account, bytes2 jurisdiction);
    /// @notice `account` is not listed.
    error InvestorNotListed(address account);

    /// @notice `account` was listed or relisted as eligible until `expiry`.
    event InvestorSet(address indexed account, bytes2 jurisdiction, uint64 expiry, address indexed by);
    /// @notice `account` was delisted; it can no longer receive or send tokens.
    event InvestorRemoved(address indexed account, address indexed by);

    /// @notice Lists `account` (or updates its listing). Compliance role only.
    function setInvestor(address account, bytes2 jurisdiction, uint64 expiry) external;

    /// @notice Delists `account`. Compliance role only.
    function removeInvestor(address account) external;

    /// @notice Whether `account` is listed and its KYC has not expired at this block.
    function isEligible(address account) external view returns (bool);

    /// @notice Whether each of two accounts is eligible: one call for both sides of a transfer.
    function areEligible(address first, address second) external view returns (bool, bool);

    /// @notice The listing of `account`; reverts with `InvestorNotListed` when there is none.
    function investor(address account) external view returns (Investor memory);
}
