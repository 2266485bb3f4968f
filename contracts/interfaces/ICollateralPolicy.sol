// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title ICollateralPolicy
/// @notice What pledged revenue rights are worth to a lender: the latest valid accredited
/// valuation of the patent x the pledged share of its supply x the field's collateral
/// factor x an age discount, converted into the loan's asset at the risk role's rate.
/// A patent that is lapsed, expired or revoked, without a valid valuation (revoked,
/// expired, by a withdrawn valuer), or valued in a currency without a rate counts zero.
/// The valuation is the latest that counts in `jurisdiction`, the lender's listing when
/// the loan was accepted (`IValuationRecognition.latestValuationIn`; 0: any): a mainland
/// valuation backs a Hong Kong bank's loan once a Hong Kong valuer has recognised it.
/// @dev The tables are set by holders of RISK_ROLE in the PatentRegistry's AccessControl.
interface ICollateralPolicy {
    /// @notice A table entry out of range (`what` names it).
    error PolicyInvalid(string what);

    event CollateralFactorSet(uint8 field, uint16 factorBps);
    event RateSet(address indexed asset, bytes3 currency, uint256 rateWad);
    event AgeWindowSet(uint64 ageWindow);

    /// @notice Sets the share of a valuation counted for a field (`IPatentRegistry.Field`).
    function setCollateralFactor(uint8 field, uint16 factorBps) external;

    /// @notice Sets `asset` base units per minor unit of `currency`, scaled by 1e18; zero
    /// makes valuations in `currency` count nothing for loans in `asset`.
    function setRate(address asset, bytes3 currency, uint256 rateWad) external;

    /// @notice Sets how long before its valid-until a valuation starts losing value.
    function setAgeWindow(uint64 ageWindow) external;

    /// @notice What `amount` tokens of `patentId` (of `supply`) are worth in `asset`: as
    /// collateral (`haircut`: field factor and age discount) or at the plain appraised
    /// value, where it counts in `jurisdiction`. Rounded down once.
    function pledgeValue(
        bytes32 patentId,
        uint256 amount,
        uint256 supply,
        address asset,
        bool haircut,
        bytes2 jurisdiction
    )
        external
        view
        returns (uint256);

    function collateralFactor(uint8 field) external view returns (uint16);
    function rate(address asset, bytes3 currency) external view returns (uint256);
    function ageWindow() external view returns (uint64);
}
