"""The sandbox pilot, end to end: the data in `examples/pilot/` run on a chain.

Deploys the suite (or reuses it), registers the pilot patents with their evidence,
tokenises them, mirrors the valuer's signed valuations, sells tokens to investors
(paid in the test HKD stablecoin), opens the bank's loan to the issuer against pledged
tokens, deposits a quarter's licence revenue (swept in part to the bank), lets investors
claim, stresses the loan (a revoked valuation, a call, a cure: `pilot/loan.py`), and
reads back holdings, loans and a verified evidence trail.

Every step looks at the chain first and does only what is missing (`pilot/steps.py`):
a run interrupted anywhere is completed by the next, and a complete one is only read.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from web3 import Web3

from ipledger.chain.tx import NodeAccount
from ipledger.clients.ledger import Ledger
from ipledger.deploy.records import deployment_path, load_deployment, save_deployment
from ipledger.deploy.suite import deploy
from ipledger.errors import IpledgerError
from ipledger.models import Role, patent_id
from ipledger.pilot import steps, valuations
from ipledger.pilot.data import PilotData, PilotResult
from ipledger.pilot.loan import open_pilot_loan, stress_pilot_loan
from ipledger.pilot.steps import Pilot
from ipledger.project import Project
from ipledger.read.labels import Labels
from ipledger.read.loans import loans
from ipledger.read.queries import evidence_trail, holdings
from ipledger.read.revaluation import valuations_due
from ipledger.toolchain.artifacts import Artifact

if TYPE_CHECKING:
    from sqlalchemy import Engine


def run_pilot(
    *,
    w3: Web3,
    project: Project,
    artifacts: dict[str, Artifact],
    data_dir: Path,
    step: Callable[[str], None] = lambda _: None,
    index: Engine | None = None,
) -> PilotResult:
    """Run the pilot in `data_dir` on `w3` (a dev chain: its funded accounts act), or
    complete a run that was interrupted; `already_ran` when there was nothing to do.
    With `index`, the chain's events go into it and the supervisor's view is read back."""
    data = PilotData.model_validate_json((data_dir / "pilot.json").read_text(encoding="utf-8"))
    accounts = w3.eth.accounts
    needed = 1 + max(
        p.account or 0 for p in [data.registrar, data.issuer, data.bank, *data.investors]
    )
    if len(accounts) < needed:
        raise IpledgerError(
            f"the pilot needs {needed} funded dev accounts; the node has {len(accounts)}"
        )
    registrar = NodeAccount(accounts[data.registrar.account or 0])
    issuer = NodeAccount(accounts[data.issuer.account or 0])
    holders = {p.name: NodeAccount(accounts[p.account or 0]) for p in [data.bank, *data.investors]}

    step("deploying the suite")
    path = deployment_path(project.deployments_dir, w3.eth.chain_id)
    result = deploy(
        w3=w3,
        artifacts=artifacts,
        admin=registrar,
        # The bank lends; the registrar keeps the other roles (the risk role included).
        operators={
            Role.REVENUE_DEPOSITOR: issuer.address,
            Role.LENDER: holders[data.bank.name].address,
        },
        previous=load_deployment(path),
    )
    save_deployment(path, result.deployment)
    ledger = Ledger.attach(
        w3=w3,
        artifacts=artifacts,
        addresses=result.deployment.addresses(),
        first_block=result.deployment.first_block(),
    )
    summary = PilotResult(
        chain_id=w3.eth.chain_id,
        deployment=path,
        deployed=result.deployed,
        # The bank and investors, and the SME issuer when it borrows against its tokens.
        investors={name: a.address for name, a in holders.items()}
        | ({data.issuer.name: issuer.address} if data.loan is not None else {}),
        patents={p.label: patent_id(p.jurisdiction, p.publication_number) for p in data.patents},
    )
    pilot = Pilot(ledger, data, data_dir, registrar, issuer, holders, step)
    changed = bool(result.deployed) | steps.onboard(pilot) | steps.revaluation_policy(pilot)
    tokens, registered = steps.register_and_tokenize(pilot)
    registry_block = result.deployment.contracts["ValuationRegistry"].block
    changed |= registered | valuations.mirror_all(pilot, registry_block)
    changed |= steps.sell(pilot, tokens)
    parties = {**holders, data.issuer.name: issuer}
    documents = data_dir / "documents"
    loan_id = None
    if data.loan is not None:
        loan_id, opened = open_pilot_loan(ledger, data.loan, documents, parties, registrar, step)
        changed |= opened
    changed |= steps.deposit_revenue(pilot, tokens) | steps.claim(pilot, tokens)
    changed |= valuations.recognise_mainland(pilot) | valuations.challenge_dismissed(pilot)
    if data.loan is not None and loan_id is not None:
        valuer = pilot.valuer()
        changed |= stress_pilot_loan(ledger, data.loan, loan_id, documents, valuer, parties, step)
    read = _read_back(ledger, summary, data_dir, already_ran=not changed)
    if index is None:
        return read
    from ipledger.pilot.supervise import supervise  # SQLAlchemy: only with an index

    return read.model_copy(
        update={"supervision": supervise(ledger, result.deployment, index, step)}
    )


def _read_back(
    ledger: Ledger, summary: PilotResult, data_dir: Path, *, already_ran: bool
) -> PilotResult:
    labels = Labels(ledger)  # the patents' references, asked once for the whole read-back
    found = [holdings(ledger, a, labels=labels) for a in summary.investors.values()]
    first = next(iter(summary.patents.values()))
    trail = evidence_trail(ledger, first, documents=data_dir / "documents")
    return summary.model_copy(
        update={
            "holdings": found,
            "trail": trail,
            "already_ran": already_ran,
            "loans": loans(ledger, labels=labels),
            "valuations_due": valuations_due(ledger, within_days=365, labels=labels),
        }
    )


def pilot_json(result: PilotResult) -> dict[str, object]:
    """The machine-readable summary `ipledger demo --json` prints."""
    return {
        "chainId": result.chain_id,
        "deployment": str(result.deployment),
        "deployed": result.deployed,
        "alreadyRan": result.already_ran,
        "investors": list(result.investors.values()),
        "patents": ["0x" + pid.hex() for pid in result.patents.values()],
        "holdings": [
            {
                "investor": h.investor,
                "holdings": [
                    # The holdings' own JSON, and the currency of the implied value.
                    {**x.as_json(), "valuationCurrency": x.valuation and x.valuation.currency}
                    for x in h.holdings
                ],
            }
            for h in result.holdings
        ],
        "evidenceVerified": bool(result.trail and result.trail.ok),
        "loans": [loan.as_json() for loan in result.loans],
        "supervision": None if result.supervision is None else result.supervision.as_json(),
        "valuationsDue": [r.as_json() for r in result.valuations_due],
    }
