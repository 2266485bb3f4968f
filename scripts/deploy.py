#!/usr/bin/env python3
"""Deploy the ipledger suite: `scripts/deploy.py --rpc http://127.0.0.1:8545`.

The same as `ipledger deploy`: deploys what is missing or changed, reuses what is
intact, and records deployments/<chainId>.json. Sign with `--keystore FILE` (password
from $IPLEDGER_KEYSTORE_PASSWORD or a prompt); on a dev chain, its funded account 0.
"""

import sys

from ipledger.cli import app

if __name__ == "__main__":
    app(["deploy", *sys.argv[1:]], prog_name="scripts/deploy.py")
