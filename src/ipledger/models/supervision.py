"""What the index gives the supervisor and investors: registers at a record date,
distribution statements, flows, risk and subsidy use. Same JSON rules as every read
(camelCase, amounts as decimal strings, shares as exact decimal strings)."""

from __future__ import annotations

from pydantic import Field as Spec

from ipledger.models.types import Address, Bytes32, DecimalAmount, Model


class RegisterEntry(Model):
    holder: Address
    balance: DecimalAmount  # token base units held at the record date
    share: str  # balance / supply, a decimal string rounded down to 8 places
    jurisdiction: str | None  # as listed at the record date; None if never listed
    frozen: bool
    custodian: bool = False  # the loan book: it holds others' pledged tokens
    pledged: DecimalAmount = 0  # tokens this holder has pledged (held by the custodian)


class Register(Model):
    """The holders of a patent's revenue-rights tokens at one block."""

    patent_id: Bytes32
    reference: str | None
    token: Address
    block: int
    timestamp: int | None  # of the record block, when the index has it
    total_supply: DecimalAmount
    holders: list[RegisterEntry]


class Entitlement(Model):
    """One holder's part of one deposit: exact to the unit the token pays."""

    holder: Address
    balance: DecimalAmount  # at the deposit
    entitled: DecimalAmount  # payment-token base units
    claimed: DecimalAmount  # how much of it the holder has claimed since (oldest first)


class Distribution(Model):
    """One revenue deposit and what each holder earned by it."""

    patent_id: Bytes32
    token: Address
    seq: int
    block: int
    timestamp: int | None
    amount: DecimalAmount
    report_hash: Bytes32
    entitlements: list[Entitlement]


class StatementLine(Model):
    patent_id: Bytes32
    reference: str | None
    token: Address
    seq: int  # the deposit's number in its token
    block: int
    timestamp: int | None
    deposit: DecimalAmount  # the whole deposit
    balance: DecimalAmount  # the holder's tokens at the deposit
    entitled: DecimalAmount
    claimed: DecimalAmount


class Statement(Model):
    """A holder's revenue over a period: each deposit's entitlement, claimed or not."""

    holder: Address
    from_time: int | None = Spec(default=None, alias="from")
    to_time: int | None = Spec(default=None, alias="to")
    lines: list[StatementLine]
    entitled: DecimalAmount  # sum of the lines
    claimed: DecimalAmount  # of the lines' entitlement, claimed so far (oldest first)
    # What the holder can claim now, all periods (the tokens' claimableRevenue).
    unclaimed: DecimalAmount
    # Revenue an agent's recovery moved to this holder from a lost account, or away
    # from this one (all periods; a moved-away line stays unclaimed in `lines`).
    recovered_in: DecimalAmount = 0
    recovered_out: DecimalAmount = 0


class Flow(Model):
    """One movement of revenue-rights tokens, with both parties' jurisdictions."""

    block: int
    timestamp: int | None
    tx_hash: str
    patent_id: Bytes32
    reference: str | None
    token: Address
    # issue, transfer, forced, recovery, pledge, release, enforcement; freeze and
    # unfreeze (no tokens move: `to` is the account, `amount` its holding then)
    kind: str
    sender: Address | None = Spec(alias="from")
    receiver: Address = Spec(alias="to")
    amount: DecimalAmount
    from_jurisdiction: str | None
    to_jurisdiction: str | None

    @property
    def cross_border(self) -> bool:
        return None not in (self.from_jurisdiction, self.to_jurisdiction) and (
            self.from_jurisdiction != self.to_jurisdiction
        )


class Concentration(Model):
    patent_id: Bytes32
    reference: str | None
    holders: int
    top_holder: Address | None
    top_share: str  # decimal string, 8 places
    hhi: int  # Herfindahl-Hirschman index, 0..10000


class ValuationChange(Model):
    patent_id: Bytes32
    reference: str | None
    report_id: Bytes32
    value: DecimalAmount
    currency: str
    valuation_date: int
    valid_until: int
    age_days: int
    revoked: bool
    value_change: str | None  # signed decimal string vs the previous valuation
    score_changes: list[int] | None  # the four machine scores' changes vs the previous
    # The valuer's legal, technical and economic scores, their changes vs the previous,
    # and the model behind the machine scores ("identifier@version"): a change of scores
    # under one model is drift in the patent, across models it may be the model's.
    dimensions: list[int] | None = None
    dimension_changes: list[int] | None = None
    scoring_model: str | None = None
    # Across the boundary: the valuer's jurisdiction (None once withdrawn) and where a
    # recognition makes the valuation count beyond it.
    valuer_jurisdiction: str | None = None
    recognised_in: list[str] = Spec(default_factory=list)


class LoanRisk(Model):
    loans: int
    by_state: dict[str, int]
    ltv_at_opening_bps: list[int]  # one per opened loan
    principal: DecimalAmount  # lent in total
    recovered: DecimalAmount  # by enforcement
    shortfall: DecimalAmount
    recovery_rate: str | None  # recovered / (recovered + shortfall), 4 places


class Risk(Model):
    block: int
    as_of: int  # unix seconds: ages are counted to here
    concentration: list[Concentration]
    valuations: list[ValuationChange]
    loans: LoanRisk


class SubsidyUse(Model):
    year: int
    cap: DecimalAmount | None  # subsidised valuations allowed per year; None if never set
    used: int
    valuations: list[Bytes32]  # their report ids


class Difference(Model):
    """One place where the index and the chain disagree."""

    kind: str  # token, supply, balance, claimable, evidence, valuation, loan
    where: str  # what it is about: a token and holder, a patent, a loan
    index: str | None
    chain: str | None


class Verification(Model):
    """`ipledger index verify`: what was compared at the index's block, and where the
    index and the chain differ."""

    block: int
    checked: dict[str, int]  # how many of each kind were compared
    differences: list[Difference]

    @property
    def ok(self) -> bool:
        return not self.differences


class SupervisionSummary(Model):
    """What the pilot shows the supervisor, from the index it builds as it ends."""

    indexed_block: int
    events: int  # indexed in this run
    verified: bool  # `index verify` found no difference
    registers: list[Register]  # each tokenised patent's holders at the index's block
    flows: int
    cross_border: int  # flows between jurisdictions (Hong Kong <-> mainland)
    risk: Risk
    subsidy: SubsidyUse
