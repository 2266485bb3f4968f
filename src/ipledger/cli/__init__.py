"""`ipledger`: a thin typer front over the library. Tables by default, `--json` for
machines; every error is one clear line and a non-zero exit.

The app is assembled here, verb by verb, from the modules beside this one; they import
only `cli.common`, never each other or this module.
"""

from __future__ import annotations

import typer

from ipledger.cli import build, mirror, ops, queries

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

# operators' verbs
app.command("register")(ops.register_cmd)
app.command("tokenize")(ops.tokenize_cmd)
app.command("set-investor")(ops.set_investor_cmd)
app.command("deposit")(ops.deposit_cmd)
app.command("claim")(ops.claim_cmd)
app.command("append-evidence")(ops.append_evidence_cmd)

# reads
app.command("holdings")(queries.holdings_cmd)
app.command("valuations")(queries.valuations_cmd)
app.command("serve")(queries.serve_cmd)
patent_app = typer.Typer(help="Read a patent's record.", no_args_is_help=True)
patent_app.command("show")(queries.patent_show_cmd)
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

__all__ = ["app"]
