"""The mirror names a skipped attestation by the registry's own `Rejection` enum: the
names and their order are the contract's."""

from __future__ import annotations

import re

from ipledger.mirror.settle import REJECTIONS
from ipledger.project import Project


def test_rejection_names_are_the_contracts_in_its_order(project: Project) -> None:
    source = (project.contracts_dir / "interfaces" / "IValuationRegistry.sol").read_text()
    body = re.search(r"enum Rejection \{(.*?)\}", source, re.S)
    assert body is not None
    names = [re.sub(r"//.*", "", line).strip(" ,") for line in body.group(1).splitlines()]
    assert [n for n in names if n] == REJECTIONS
