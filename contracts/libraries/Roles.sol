// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.28;

/// @title Roles
/// @notice The role identifiers of the ledger, held in the PatentRegistry's (and the
/// InvestorRegistry's) AccessControl. Revenue-rights tokens ask the PatentRegistry,
/// so one place grants and revokes every token's agents.
library Roles {
    /// @notice Registers patents, updates their records and tokenises them.
    bytes32 internal constant REGISTRAR = keccak256("REGISTRAR_ROLE");
    /// @notice Pauses tokens, freezes accounts and makes forced transfers (court orders,
    /// lost-wallet recovery), citing evidence.
    bytes32 internal constant TOKEN_AGENT = keccak256("TOKEN_AGENT_ROLE");
    /// @notice Pays licence revenue into tokens (the issuer or its servicer).
    bytes32 internal constant REVENUE_DEPOSITOR = keccak256("REVENUE_DEPOSITOR_ROLE");
    /// @notice Appends to patents' evidence trails (registrar, agents, the valuation registry).
    bytes32 internal constant EVIDENCE_WRITER = keccak256("EVIDENCE_WRITER_ROLE");
    /// @notice Accredits and de-accredits valuers.
    bytes32 internal constant ACCREDITOR = keccak256("ACCREDITOR_ROLE");
    /// @notice Lists and delists eligible (KYC'd) investors.
    bytes32 internal constant COMPLIANCE = keccak256("COMPLIANCE_ROLE");
    /// @notice Holds pledged tokens in escrow without an investor listing (the loan book
    /// only); agents cannot freeze it or force tokens out of it.
    bytes32 internal constant PLEDGE_CUSTODIAN = keccak256("PLEDGE_CUSTODIAN_ROLE");
    /// @notice Offers loans against pledged revenue rights (a listed bank); in the LoanBook.
    bytes32 internal constant LENDER = keccak256("LENDER_ROLE");
    /// @notice Sets the loan book's collateral factors, currency rates and guarantee fund.
    bytes32 internal constant RISK = keccak256("RISK_ROLE");
}
