"""`deployments/<chainId>.json`: written atomically (a hidden temporary beside it, then
one rename), stable and readable in a diff, and a malformed one named by field."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from ipledger.deploy.records import (
    ContractRecord,
    Deployment,
    DeploymentFileError,
    load_deployment,
    save_deployment,
)

ADDRESS = "0x" + "ab" * 20


def _deployment() -> Deployment:
    record = ContractRecord(
        address=ADDRESS,
        tx_hash="0x" + "01" * 32,
        block=7,
        artifact_hash="aa",
        code_hash="bb",
        args=[ADDRESS],
    )
    return Deployment(
        chain_id=31337,
        deployer=ADDRESS,
        contracts={"PatentRegistry": record, "EvidenceTrail": record},
    )


def test_saved_record_is_pretty_sorted_and_ends_with_a_newline(tmp_path: Path) -> None:
    path = tmp_path / "deployments" / "nested" / "31337.json"  # folders made as needed
    save_deployment(path, _deployment())
    text = path.read_text()
    data = json.loads(text)
    assert text == json.dumps(data, indent=2, sort_keys=True) + "\n"
    assert list(data["contracts"]) == ["EvidenceTrail", "PatentRegistry"]
    assert load_deployment(path) == _deployment()


def test_saving_renames_a_hidden_temporary_from_the_same_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "31337.json"
    renames: list[tuple[str, str]] = []
    real = os.replace

    def spy(src: str, dst: str) -> None:
        renames.append((str(src), str(dst)))
        real(src, dst)

    monkeypatch.setattr(os, "replace", spy)
    save_deployment(path, _deployment())
    [(src, dst)] = renames
    assert Path(src).parent == tmp_path  # same filesystem: the rename is atomic
    assert Path(src).name.startswith(".31337.json.")  # hidden from globs of *.json
    assert dst == str(path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["31337.json"]


def test_malformed_record_names_the_nested_field(tmp_path: Path) -> None:
    path = tmp_path / "31337.json"
    data = json.loads(_deployment().model_dump_json(by_alias=True))
    data["contracts"]["PatentRegistry"]["address"] = "0x1234"
    path.write_text(json.dumps(data))
    with pytest.raises(DeploymentFileError) as info:
        load_deployment(path)
    assert f"deployments file {path} is malformed at contracts.PatentRegistry.address:" in str(
        info.value
    )


def test_no_file_is_no_record(tmp_path: Path) -> None:
    assert load_deployment(tmp_path / "1.json") is None


def test_the_first_block_is_the_earliest_contracts() -> None:
    deployment = _deployment()
    later = deployment.contracts["PatentRegistry"].model_copy(update={"block": 9})
    both = deployment.model_copy(
        update={
            "contracts": {
                "PatentRegistry": later,
                **{"EvidenceTrail": deployment.contracts["EvidenceTrail"]},
            }
        }
    )
    assert both.first_block() == 7
    assert deployment.model_copy(update={"contracts": {}}).first_block() == 0  # nothing yet
