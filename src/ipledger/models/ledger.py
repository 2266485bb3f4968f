"""The ledger's domain: the contracts' enums and structs, as models shared by the
clients, the mirror, the read side and every front end."""

from __future__ import annotations

from enum import IntEnum, StrEnum
from typing import Annotated

from eth_utils.crypto import keccak

from ipledger.models.types import AS_NAME, Address, Bytes32, DecimalAmount, Model, name_schema


class Field(IntEnum):
    """`IPatentRegistry.Field`."""

    MECHANICAL = 0
    ELECTRICAL = 1
    CHEMICAL = 2
    OTHER = 3


class Status(IntEnum):
    """`IPatentRegistry.Status`."""

    FILED = 0
    GRANTED = 1
    LAPSED = 2
    EXPIRED = 3
    REVOKED = 4


FieldName = Annotated[Field, AS_NAME, name_schema(Field)]
StatusName = Annotated[Status, AS_NAME, name_schema(Status)]


class PatentTerms(Model):
    """Who owns a patent, in what field, in which legal state, until when."""

    patent_id: Bytes32
    owner: Address
    field: FieldName
    status: StatusName
    jurisdiction: str
    expiry: int


class PatentRecord(PatentTerms):
    """A registered patent, as `PatentRegistry.patent` returns it."""

    metadata_hash: Bytes32


class InvestorRecord(Model):
    """An eligible investor's listing."""

    account: Address
    jurisdiction: str
    expiry: int
    updated_at: int


class Role(StrEnum):
    """The ledger's roles (`contracts/libraries/Roles.sol`); the value is the role name."""

    REGISTRAR = "REGISTRAR_ROLE"
    TOKEN_AGENT = "TOKEN_AGENT_ROLE"  # noqa: S105 - a role name, not a secret
    REVENUE_DEPOSITOR = "REVENUE_DEPOSITOR_ROLE"
    COMPLIANCE = "COMPLIANCE_ROLE"  # held in the InvestorRegistry
    EVIDENCE_WRITER = "EVIDENCE_WRITER_ROLE"  # held in the EvidenceTrail
    ACCREDITOR = "ACCREDITOR_ROLE"  # held in the ValuationRegistry
    LENDER = "LENDER_ROLE"  # offers loans in the LoanBook (a listed bank)
    RISK = "RISK_ROLE"  # sets the CollateralPolicy's tables and the LoanBook's guarantee fund
    # The LoanBook's escrow, which holds pledged tokens without a listing: granted to the
    # LoanBook only, never to a person (see `OPERATOR_ROLES`).
    PLEDGE_CUSTODIAN = "PLEDGE_CUSTODIAN_ROLE"

    @property
    def id(self) -> bytes:
        return keccak(text=self.value)

    @property
    def contract(self) -> str:
        """The contract whose AccessControl holds this role."""
        return {
            Role.COMPLIANCE: "InvestorRegistry",
            Role.EVIDENCE_WRITER: "EvidenceTrail",
            Role.ACCREDITOR: "ValuationRegistry",
        }.get(self, "PatentRegistry")


# The roles deploy hands to people (the admin unless told otherwise).
OPERATOR_ROLES = tuple(r for r in Role if r is not Role.PLEDGE_CUSTODIAN)


class Method(IntEnum):
    """`IValuationRegistry.Method`."""

    INCOME = 0
    MARKET = 1
    COST = 2


class Purpose(IntEnum):
    """`IValuationRegistry.Purpose`: the scenarios of GB/T 42748-2023."""

    LICENSING = 0  # licensing and transfer
    FINANCE = 1  # pledge financing, securitisation, investment
    FINANCIAL_REPORTING = 2  # financial reporting and tax
    INFRINGEMENT_RELIEF = 3  # damages in infringement
    MANAGEMENT = 4  # portfolio grading and management
    OTHER = 5


def model_word(text: str) -> bytes:
    """A scoring model's "identifier@version" as the bytes32 the registry keeps: ASCII,
    at most 32 characters, right-padded with zeros."""
    if not text or len(text) > 32 or not text.isascii() or not text.isprintable():
        raise ValueError(f"{text!r} is not a model name: 1-32 printable ASCII characters")
    return text.encode("ascii").ljust(32, b"\0")


def model_text(word: bytes) -> str:
    """The model's "identifier@version" from its bytes32."""
    return bytes(word).rstrip(b"\0").decode("ascii", "replace")


class Valuation(Model):
    """A valuation as the valuer signs it (`IValuationRegistry.Valuation`)."""

    report_id: Bytes32
    patent_id: Bytes32
    valuer: Address
    value: DecimalAmount  # minor units of `currency`
    currency: str  # ISO 4217
    valuation_date: int  # unix seconds
    valid_until: int
    method: Method
    purpose: Purpose
    standard: str
    # The valuer's judgement on GB/T 42748-2023's legal, technical and economic indicators.
    legal_value: int
    technical_value: int
    economic_value: int
    # A scoring model's opinion, with the model ("identifier@version") and its input's hash.
    citation_network: int
    commercial_application: int
    technology_maturity: int
    market_potential: int
    scoring_model: str
    scoring_input: Bytes32
    report_hash: Bytes32
    subsidised: bool
    # The valuer's own report id ("HKTIS-2026-0001"), sent beside the signed struct and
    # shown in the event; not signed (the on-chain id is made from it, and checked).
    label: str = ""

    def typed_message(self) -> dict[str, object]:
        """The EIP-712 message (field names as in Solidity)."""
        return {
            "reportId": self.report_id,
            "patentId": self.patent_id,
            "valuer": self.valuer,
            "value": self.value,
            "currency": self.currency.encode("ascii"),
            "valuationDate": self.valuation_date,
            "validUntil": self.valid_until,
            "method": int(self.method),
            "purpose": int(self.purpose),
            "standard": self.standard,
            "legalValue": self.legal_value,
            "technicalValue": self.technical_value,
            "economicValue": self.economic_value,
            "citationNetwork": self.citation_network,
            "commercialApplication": self.commercial_application,
            "technologyMaturity": self.technology_maturity,
            "marketPotential": self.market_potential,
            "scoringModel": model_word(self.scoring_model),
            "scoringInput": self.scoring_input,
            "reportHash": self.report_hash,
            "subsidised": self.subsidised,
        }

    def as_tuple(self) -> tuple[object, ...]:
        """The struct as a contract call argument."""
        return tuple(self.typed_message().values())


class EvidenceKind(IntEnum):
    """`IEvidenceTrail.Kind`."""

    FILING = 0
    GRANT = 1
    ASSIGNMENT = 2
    LICENCE = 3
    REVENUE_REPORT = 4
    VALUATION = 5
    COURT_ORDER = 6
    OTHER = 7
    PLEDGE = 8
    RELEASE = 9
    MARGIN_CALL = 10
    ENFORCEMENT = 11


KindName = Annotated[EvidenceKind, AS_NAME, name_schema(EvidenceKind)]
PurposeName = Annotated[Purpose, AS_NAME, name_schema(Purpose)]


class LatestValuation(Model):
    """`ValuationRegistry.latestValuation`: the latest valuation valid now, if any."""

    report_id: Bytes32
    valuer: Address
    value: DecimalAmount
    currency: str
    valuation_date: int
    valid_until: int


class SuiteAddresses(Model):
    """Where the ledger's contracts live on one chain."""

    investor_registry: Address
    evidence_trail: Address
    token_implementation: Address
    patent_registry: Address
    valuation_registry: Address
    valuation_recognition: Address
    holdings_lens: Address
    collateral_policy: Address
    loan_book: Address
    payment_token: Address  # what tokenize pays revenue in unless told otherwise

    def of(self, contract: str) -> Address:
        """The address of the suite contract named `contract` (e.g. "PatentRegistry")."""
        address: Address = getattr(self, CONTRACT_FIELDS[contract])
        return address


CONTRACT_FIELDS = {
    "InvestorRegistry": "investor_registry",
    "EvidenceTrail": "evidence_trail",
    "RevenueRightsToken": "token_implementation",
    "PatentRegistry": "patent_registry",
    "ValuationRegistry": "valuation_registry",
    "ValuationRecognition": "valuation_recognition",
    "HoldingsLens": "holdings_lens",
    "CollateralPolicy": "collateral_policy",
    "LoanBook": "loan_book",
    "TestHKD": "payment_token",
}
