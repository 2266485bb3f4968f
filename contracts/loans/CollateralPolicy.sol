// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {ICollateralPolicy} from "../interfaces/ICollateralPolicy.sol";
import {IPatentRegistry} from "../interfaces/IPatentRegistry.sol";
import {IValuationRecognition} from "../interfaces/IValuationRecognition.sol";
import {IValuationRegistry} from "../interfaces/IValuationRegistry.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title CollateralPolicy
/// @notice The risk officer's tables and what a pledge is worth (see `ICollateralPolicy`);
/// the loan book asks it, so the book's own code stays within the contract size limit.
contract CollateralPolicy is ICollateralPolicy {
    uint256 private constant BPS = 10_000;
    uint256 private constant WAD = 1e18;
    uint256 private constant WINDOW_SCALE = 1e18; // the age discount's precision

    IPatentRegistry public immutable patents;
    IValuationRecognition public immutable recognition;

    /// @dev Share of a valuation counted, by `IPatentRegistry.Field`.
    uint16[4] private _factorBps;
    /// @dev A valuation within this many seconds of its valid-until counts linearly less,
    /// down to zero at valid-until.
    uint64 private _ageWindow;
    mapping(address asset => mapping(bytes3 currency => uint256 rateWad)) private _rates;

    constructor(IPatentRegistry patents_, IValuationRecognition recognition_) {
        patents = patents_;
        recognition = recognition_;
        // The pilot's haircuts: the valuation centre's three fields at 50/50/40, others 30.
        _factorBps = [uint16(5000), 5000, 4000, 3000];
        _ageWindow = 90 days;
    }

    /// @inheritdoc ICollateralPolicy
    function setCollateralFactor(uint8 field, uint16 factorBps) external {
        _checkRole(Roles.RISK);
        if (field > uint8(type(IPatentRegistry.Field).max)) revert PolicyInvalid("field");
        if (factorBps > BPS) revert PolicyInvalid("factor");
        _factorBps[field] = factorBps;
        emit CollateralFactorSet(field, factorBps);
    }

    /// @inheritdoc ICollateralPolicy
    function setRate(address asset, bytes3 currency, uint256 rateWad) external {
        _checkRole(Roles.RISK);
        if (asset == address(0) || currency == bytes3(0)) revert PolicyInvalid("rate");
        _rates[asset][currency] = rateWad;
        emit RateSet(asset, currency, rateWad);
    }

    /// @inheritdoc ICollateralPolicy
    function setAgeWindow(uint64 ageWindow_) external {
        _checkRole(Roles.RISK);
        _ageWindow = ageWindow_;
        emit AgeWindowSet(ageWindow_);
    }

    /// @inheritdoc ICollateralPolicy
    function collateralFactor(uint8 field) external view returns (uint16) {
        return _factorBps[field];
    }

    /// @inheritdoc ICollateralPolicy
    function rate(address asset, bytes3 currency) external view returns (uint256) {
        return _rates[asset][currency];
    }

    /// @inheritdoc ICollateralPolicy
    function ageWindow() external view returns (uint64) {
        return _ageWindow;
    }

    /// @inheritdoc ICollateralPolicy
    function pledgeValue(
        bytes32 patentId,
        uint256 amount,
        uint256 supply,
        address asset,
        bool haircut,
        bytes2 jurisdiction
    ) external view returns (uint256) {
        IValuationRegistry.LatestValuation memory v = recognition.latestValuationIn(patentId, jurisdiction);
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

    function _checkRole(bytes32 role) private view {
        if (!IAccessControl(address(patents)).hasRole(role, msg.sender)) {
            revert IAccessControl.AccessControlUnauthorizedAccount(msg.sender, role);
        }
    }

}
