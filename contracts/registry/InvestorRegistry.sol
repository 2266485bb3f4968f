// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";
import {IInvestorRegistry} from "../interfaces/IInvestorRegistry.sol";
import {Jurisdictions} from "../libraries/Jurisdictions.sol";
import {Roles} from "../libraries/Roles.sol";

/// @title InvestorRegistry
/// @notice Eligible (KYC'd) investors, managed by the compliance role.
contract InvestorRegistry is IInvestorRegistry, AccessControl {
    mapping(address account => Investor) private _investors;

    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
    }

    /// @inheritdoc IInvestorRegistry
    function setInvestor(address account, bytes2 jurisdiction, uint64 expiry)
        external
        onlyRole(Roles.COMPLIANCE)
    {
        if (account == address(0)) revert InvestorInvalidAccount(account);
        if (!Jurisdictions.isCountryCode(jurisdiction)) revert InvestorInvalidJurisdiction(account, jurisdiction);
        if (expiry <= block.timestamp) {
            revert InvestorExpiryNotInFuture(account, expiry, uint64(block.timestamp));
        }
        _investors[account] = Investor(jurisdiction, expiry, uint64(block.timestamp));
        emit InvestorSet(account, jurisdiction, expiry, msg.sender);
    }

    /// @inheritdoc IInvestorRegistry
    function removeInvestor(address account) external onlyRole(Roles.COMPLIANCE) {
        if (_investors[account].expiry == 0) revert InvestorNotListed(account);
        delete _investors[account];
        emit InvestorRemoved(account, msg.sender);
    }

    /// @inheritdoc IInvestorRegistry
    function isEligible(address account) external view returns (bool) {
        return block.timestamp < _investors[account].expiry;
    }

    /// @inheritdoc IInvestorRegistry
    function areEligible(address first, address second) external view returns (bool, bool) {
        return (block.timestamp < _investors[first].expiry, block.timestamp < _investors[second].expiry);
    }

    /// @inheritdoc IInvestorRegistry
    function investor(address account) external view returns (Investor memory) {
        Investor memory record = _investors[account];
        // slither-disable-next-line incorrect-equality (expiry 0 marks "never listed")
        if (record.expiry == 0) revert InvestorNotListed(account);
        return record;
    }

    /// @notice The role id of compliance officers.
    function COMPLIANCE_ROLE() external pure returns (bytes32) {
        return Roles.COMPLIANCE;
    }
}
