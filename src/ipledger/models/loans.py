"""Loans against pledged revenue rights (`contracts/interfaces/ILoanBook.sol`), as the
CLI's `--json`, the API and the pilot give them out."""

from __future__ import annotations

from enum import IntEnum
from typing import Annotated

from ipledger.models.types import AS_NAME, Address, Bytes32, DecimalAmount, Model, name_schema

BPS = 10_000
NO_COLLATERAL = 2**32 - 1  # `LoanBook.NO_COLLATERAL`: the LTV of debt with no collateral value


class LoanState(IntEnum):
    """`ILoanBook.State`."""

    NONE = 0
    OFFERED = 1
    ACTIVE = 2
    CALLED = 3
    REPAID = 4
    ENFORCED = 5
    CANCELLED = 6


LoanStateName = Annotated[LoanState, AS_NAME, name_schema(LoanState)]


class LoanTerms(Model):
    """What a lender offers (`ILoanBook.Terms`); amounts in the asset's base units."""

    borrower: Address
    asset: Address
    principal: DecimalAmount
    rate_bps: int  # annual simple interest on the outstanding principal
    max_ltv_bps: int
    liquidation_ltv_bps: int
    sweep_bps: int  # share of the pledged tokens' revenue paid to the lender while in debt
    maturity: int  # unix seconds
    remediation_period: int  # seconds
    offer_expiry: int  # unix seconds
    agreement_hash: Bytes32

    def as_tuple(self) -> tuple[object, ...]:
        return (
            self.borrower,
            self.asset,
            self.principal,
            self.rate_bps,
            self.max_ltv_bps,
            self.liquidation_ltv_bps,
            self.sweep_bps,
            self.maturity,
            self.remediation_period,
            self.offer_expiry,
            self.agreement_hash,
        )


class LoanHealth(Model):
    """`ILoanBook.Health`: a loan's health at one block."""

    collateral_value: DecimalAmount  # asset base units, after haircuts and age discount
    debt: DecimalAmount
    ltv_bps: int  # NO_COLLATERAL (4294967295) when there is debt and no collateral value
    healthy: bool


class PledgedTokens(Model):
    patent_id: Bytes32
    reference: str | None  # "HK 30012345", from the patent's registration
    tokens: DecimalAmount  # token base units


class Loan(Model):
    """One loan, brought up to the block it was read at."""

    loan_id: int
    state: LoanStateName
    borrower: Address
    lender: Address
    asset: Address
    pledged: dict[str, DecimalAmount]  # patent reference (or id) -> tokens
    pledges: list[PledgedTokens]
    principal: DecimalAmount  # as lent
    principal_outstanding: DecimalAmount
    interest: DecimalAmount  # accrued, unpaid
    debt: DecimalAmount
    collateral_value: DecimalAmount
    ltv_bps: int
    max_ltv_bps: int
    liquidation_ltv_bps: int
    healthy: bool
    rate_bps: int
    sweep_bps: int
    maturity: int
    remediation_period: int
    call_deadline: int | None  # unix seconds, while called
    offer_expiry: int | None  # unix seconds, while offered
    agreement_hash: Bytes32
