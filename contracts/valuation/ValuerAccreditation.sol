// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IValuationRegistry} from "../interfaces/IValuationRegistry.sol";
import {Jurisdictions} from "../libraries/Jurisdictions.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title ValuerAccreditation
/// @notice Who may value patents: the accreditor's register of valuers, and the valuers
/// withdrawn for cause (whose valuations count no more and who cannot return).
abstract contract ValuerAccreditation is IValuationRegistry, AccessControl {
    mapping(address account => Valuer) internal _valuers;
    mapping(address account => bool) internal _withdrawn;

    /// @inheritdoc IValuationRegistry
    function setValuer(address account, string calldata name, bytes2 jurisdiction, uint64 accreditedUntil)
        external
        onlyRole(Roles.ACCREDITOR)
    {
        if (account == address(0) || !Jurisdictions.isCountryCode(jurisdiction) || bytes(name).length == 0) {
            revert ValuationInvalidValuer(account);
        }
        if (_withdrawn[account]) revert ValuationValuerWithdrawn(account);
        _valuers[account] = Valuer(name, jurisdiction, accreditedUntil);
        emit ValuerSet(account, name, jurisdiction, accreditedUntil);
    }

    /// @inheritdoc IValuationRegistry
    function removeValuer(address account) external onlyRole(Roles.ACCREDITOR) {
        if (_valuers[account].accreditedUntil == 0) revert ValuationInvalidValuer(account);
        delete _valuers[account];
        _withdrawn[account] = true;
        emit ValuerRemoved(account);
    }

    /// @inheritdoc IValuationRegistry
    function isWithdrawn(address account) external view returns (bool) {
        return _withdrawn[account];
    }

    /// @inheritdoc IValuationRegistry
    function valuerJurisdiction(address account) external view returns (bytes2) {
        return _valuers[account].jurisdiction;
    }

    /// @inheritdoc IValuationRegistry
    function valuer(address account) external view returns (Valuer memory record) {
        record = _valuers[account];
        if (record.accreditedUntil == 0) revert ValuationInvalidValuer(account);
    }
}
