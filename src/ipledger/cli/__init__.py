"""`ipledger`: a thin typer front over the library. Tables by default, `--json` for
machines; every error is one clear line and a non-zero exit.

The app is assembled here, verb by verb, from the modules beside this one; they import
`cli.common` (and the tables of `cli.render`), never each other or this module.
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperOption

from ipledger.cli import (
    accounts,
    admin_ops,
    build,
    challenges,
    index,
    loans,
    mirror,
    ops,
    queries,
    recognition,
    reports,
    token_ops,
)

_type_of = TyperOption.display_type_rich


def _no_type_for_flags(self: TyperOption, ctx: Any) -> str | None:
    # typer 0.29 labels a flag `<bool>` in help, which reads as if `--json true` were
    # wanted (it is an error): a flag takes no value, so it shows none.
    return None if self.is_flag else _type_of(self, ctx)


TyperOption.display_type_rich = _no_type_for_flags  # type: ignore[method-assign]

app = typer.Typer(
    help="ipledger: a ledger for tokenised patent revenue rights.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# build and run
app.command("compile")(build.compile_cmd)
app.command("node")(build.node_cmd)
app.command("deploy")(build.deploy_cmd)
app.command("demo")(build.demo_cmd)
account_app = typer.Typer(
    help="Signing keys: make a keystore, list a dev chain's accounts, fund an account.",
    no_args_is_help=True,
)
account_app.command("new")(accounts.account_new_cmd)
account_app.command("list")(accounts.account_list_cmd)
account_app.command("fund")(accounts.account_fund_cmd)
app.add_typer(account_app, name="account")

# operators' verbs
app.command("register")(ops.register_cmd)
app.command("tokenize")(ops.tokenize_cmd)
app.command("set-investor")(ops.set_investor_cmd)
app.command("append-evidence")(ops.append_evidence_cmd)
app.command("deposit")(token_ops.deposit_cmd)
app.command("claim")(token_ops.claim_cmd)
app.command("transfer")(token_ops.transfer_cmd)
app.command("approve")(token_ops.approve_cmd)
app.command("pause")(token_ops.pause_cmd)
app.command("unpause")(token_ops.unpause_cmd)
app.command("freeze")(token_ops.freeze_cmd)
app.command("unfreeze")(token_ops.unfreeze_cmd)
app.command("forced-transfer")(token_ops.forced_transfer_cmd)
valuer_app = typer.Typer(help="Valuers' accreditation (accreditor).", no_args_is_help=True)
valuer_app.command("accredit")(admin_ops.accredit_cmd)
valuer_app.command("withdraw")(admin_ops.withdraw_cmd)
app.add_typer(valuer_app, name="valuer")
valuation_app = typer.Typer(
    help="Revoke, challenge and recognise valuations; the revaluation and recognition policies.",
    no_args_is_help=True,
)
valuation_app.command("revoke")(admin_ops.revoke_cmd)
valuation_app.command("max-age")(admin_ops.max_age_cmd)
valuation_app.command("challenge")(challenges.challenge_cmd)
valuation_app.command("resolve")(challenges.resolve_cmd)
valuation_app.command("revoke-for-cause")(admin_ops.revoke_for_cause_cmd)
valuation_app.command("recognise")(recognition.recognise_cmd)
valuation_app.command("withdraw-recognition")(recognition.withdraw_recognition_cmd)
valuation_app.command("accept")(recognition.accept_cmd)
valuation_app.command("latest")(recognition.latest_cmd)
app.add_typer(valuation_app, name="valuation")
role_app = typer.Typer(help="Grant and revoke the ledger's roles (admin).", no_args_is_help=True)
role_app.command("grant")(admin_ops.grant_role_cmd)
role_app.command("revoke")(admin_ops.revoke_role_cmd)
app.add_typer(role_app, name="role")

# reads
app.command("holdings")(queries.holdings_cmd)
app.command("valuations")(queries.valuations_cmd)
app.command("serve")(queries.serve_cmd)
patent_app = typer.Typer(
    help="A patent's record: read it, or change it (registrar).", no_args_is_help=True
)
patent_app.command("show")(queries.patent_show_cmd)
patent_app.command("set-status")(admin_ops.set_status_cmd)
patent_app.command("set-owner")(admin_ops.set_owner_cmd)
app.add_typer(patent_app, name="patent")
evidence_app = typer.Typer(help="Read and verify evidence trails.", no_args_is_help=True)
evidence_app.command("verify")(queries.evidence_verify_cmd)
app.add_typer(evidence_app, name="evidence")

# the valuation mirror
mirror_app = typer.Typer(
    help="Mirror valuers' signed valuations onto the chain.", invoke_without_command=True
)
mirror_app.callback()(mirror.mirror_cmd)
mirror_app.command("status")(mirror.mirror_status_cmd)
app.add_typer(mirror_app, name="mirror")

# loans against pledged revenue rights
loan_app = typer.Typer(
    help="Loans against pledged revenue rights: offer, accept, repay, call, cure, enforce.",
    no_args_is_help=True,
)
loan_app.command("offer")(loans.offer_cmd)
loan_app.command("accept")(loans.accept_cmd)
loan_app.command("repay")(loans.repay_cmd)
loan_app.command("call")(loans.call_cmd)
loan_app.command("cure")(loans.cure_cmd)
loan_app.command("bid")(loans.bid_cmd)
loan_app.command("enforce")(loans.enforce_cmd)
loan_app.command("cancel")(loans.cancel_cmd)
loan_app.command("withdraw")(loans.withdraw_cmd)
loan_app.command("show")(loans.show_cmd)
app.add_typer(loan_app, name="loan")
app.command("loans")(loans.loans_cmd)

# the supervision index and what reads from it
index_app = typer.Typer(
    help="Follow the suite's events into SQL (SQLite or PostgreSQL); `index verify`.",
    invoke_without_command=True,
)
index_app.callback()(index.index_cmd)
index_app.command("verify")(index.index_verify_cmd)
app.add_typer(index_app, name="index")
report_app = typer.Typer(
    help="Registers, statements, flows, risk and subsidy from the index; the audit bundle.",
    no_args_is_help=True,
)
report_app.command("register")(reports.report_register_cmd)
report_app.command("statements")(reports.report_statements_cmd)
report_app.command("flows")(reports.report_flows_cmd)
report_app.command("risk")(reports.report_risk_cmd)
report_app.command("subsidy")(reports.report_subsidy_cmd)
report_app.command("export")(reports.report_export_cmd)
report_app.command("verify")(reports.report_verify_cmd)
app.add_typer(report_app, name="report")
api_token_app = typer.Typer(
    help="Bearer tokens for the API's /regulator routes.", no_args_is_help=True
)
api_token_app.command("new")(index.api_token_new_cmd)
app.add_typer(api_token_app, name="api-token")

__all__ = ["app"]
