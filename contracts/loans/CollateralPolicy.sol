// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ILoanBook} from "../interfaces/ILoanBook.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {IValuationRegistry} from "../interfaces/IValuationRegistry.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title CollateralPolicy
/// @notice What pledged revenue rights are worth to a lender: the latest valid accredited
/// valuation of the patent x the pledged share of its supply x the field's collateral
/// factor x an age discount, converted into the loan's asset at the risk role's rate.
/// A patent that is lapsed, expired or revoked, without a valid valuation (revoked,
/// expired, by a withdrawn valuer), or valued in a currency without a rate counts zero.
abstract contract CollateralPolicy is ILoanBook {
    uint256 internal constant BPS = 10_000;
    uint256 internal constant WAD = 1e18;
    uint256 private constant WINDOW_SCALE = 1e18; // the age discount's precision

    IPatentRegistry public immutable patents;
    IValuationRegistry public immutable valuations;

    /// @dev Share of a valuation counted, by `IPatentRegistry.Field`.
    uint16[4] private _factorBps;
    /// @dev A valuation within this many seconds of its valid-until counts linearly less,
    /// down to zero at valid-until.
    uint64 private _ageWindow;
    mapping(address asset => mapping(bytes3 currency => uint256 rateWad)) private _rates;

    constructor(IPatentRegistry patents_, IValuationRegistry valuations_) {
        patents = patents_;
        valuations = valuations_;
        // The pilot's haircuts: the valuation centre's three fields at 50/50/40, others 30.
        _factorBps = [uint16(5000), 5000, 4000, 3000];
        _ageWindow = 90 days;
    }

    /// @inheritdoc ILoanBook
    function setCollateralFactor(uint8 field, uint16 factorBps) external {
        _checkRole(Roles.RISK);
        if (field > uint8(type(IPatentRegistry.Field).max)) revert LoanInvalidPolicy("field");
        if (factorBps > BPS) revert LoanInvalidPolicy("factor");
        _factorBps[field] = factorBps;
        emit CollateralFactorSet(field, factorBps);
    }

    /// @inheritdoc ILoanBook
    function setRate(address asset, bytes3 currency, uint256 rateWad) external {
        _checkRole(Roles.RISK);
        if (asset == address(0) || currency == bytes3(0)) revert LoanInvalidPolicy("rate");
        _rates[asset][currency] = rateWad;
        emit RateSet(asset, currency, rateWad);
    }

    /// @inheritdoc ILoanBook
    function setAgeWindow(uint64 ageWindow_) external {
        _checkRole(Roles.RISK);
        _ageWindow = ageWindow_;
        emit AgeWindowSet(ageWindow_);
    }

    /// @inheritdoc ILoanBook
    function collateralFactor(uint8 field) external view returns (uint16) {
        return _factorBps[field];
    }

    /// @inheritdoc ILoanBook
    function rate(address asset, bytes3 currency) external view returns (uint256) {
        return _rates[asset][currency];
    }

    /// @inheritdoc ILoanBook
    function ageWindow() external view returns (uint64) {
        return _ageWindow;
    }

    /// @dev What `amount` tokens of `patentId` (of `supply`) are worth in `asset`: with the
    /// field's factor and the age discount as collateral (`haircut`), or at the plain
    /// appraised value (what an enforcing lender is deemed to recover).
    function _value(bytes32 patentId, uint256 amount, uint256 supply, address asset, bool haircut)
        internal
        view
        returns (uint256)
    {
        IValuationRegistry.LatestValuation memory v = valuations.latestValuation(patentId);
        if (!v.found) return 0;
        uint256 rateWad = _rates[asset][v.currency];
        if (rateWad == 0 || !patents.revenueActive(patentId)) return 0;
        // One rounding, at the end: value x rate x pledged share [x factor x age], floored.
        // value < 2**128; amount <= supply <= 2**96; factor <= 10**4 and the window < 2**64
        // keep every product inside 256 bits (for any rate a risk officer would set).
        uint256 numerator = uint256(v.value) * rateWad;
        if (!haircut) return Math.mulDiv(numerator, amount, supply * WAD);
        return Math.mulDiv(numerator, amount * _haircut(patentId, v.validUntil), supply * WAD * BPS * WINDOW_SCALE);
    }

    /// @dev The field's factor x the age discount, in 1/(BPS * WINDOW_SCALE)-ths.
    function _haircut(bytes32 patentId, uint64 validUntil) private view returns (uint256) {
        if (validUntil <= block.timestamp) return 0;
        uint256 factor = _factorBps[uint8(patents.patent(patentId).field)];
        uint256 window = _ageWindow;
        uint256 remaining = validUntil - block.timestamp;
        if (window == 0 || remaining >= window) return factor * WINDOW_SCALE;
        return factor * WINDOW_SCALE * remaining / window;
    }

    /// @dev Roles (lender, risk) are held in the PatentRegistry's AccessControl, beside
    /// every other role of the suite.
    function _hasRole(bytes32 role, address account) internal view returns (bool) {
        return IAccessControl(address(patents)).hasRole(role, account);
    }

    function _checkRole(bytes32 role) internal view {
        if (!_hasRole(role, msg.sender)) revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, role);
    }

    /// @dev The supply of a pledged token (fixed at creation).
    function _supply(address token) internal view returns (uint256) {
        return IERC20(token).totalSupply();
    }
}
