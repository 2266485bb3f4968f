from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from ipledger.errors import CompilationError, CompilerVersionError
from ipledger.project import Project
from ipledger.toolchain import compiler as compiler_module
from ipledger.toolchain.compiler import EVM_VERSION, compile_project
from ipledger.toolchain.solc import ADAPTER, SOLC_VERSION, resolve_solc

GOOD = """// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
contract Coin is ERC20 {
    constructor() ERC20("Coin", "C") { _mint(msg.sender, 1); }
}
"""

BROKEN = """// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.30;

contract Broken {
    function f() external pure returns (uint256) {
        return undefinedThing;
    }
}
"""


@pytest.fixture
def tmp_project(tmp_path: Path, project: Project) -> Project:
    """A throwaway project sharing the real node_modules (solc-js, OpenZeppelin)."""
    (tmp_path / "contracts").mkdir()
    (tmp_path / "package.json").write_text("{}")
    (tmp_path / "node_modules").symlink_to(project.node_modules)
    (tmp_path / "contracts" / "Coin.sol").write_text(GOOD)
    return Project(tmp_path)


def test_compile_writes_artifact_with_expected_shape(tmp_project: Project) -> None:
    result = compile_project(project=tmp_project)
    assert not result.cached
    data = json.loads((tmp_project.build_dir / "Coin.json").read_text())
    assert {"abi", "bytecode", "deployedBytecode", "sourcePath", "compiler", "settings"} <= set(
        data
    )
    assert data["sourcePath"] == "contracts/Coin.sol"
    assert data["bytecode"].startswith("0x60")
    assert len(data["bytecode"]) > 1000
    assert data["compiler"]["version"].startswith(SOLC_VERSION + "+commit.")
    assert data["settings"]["evmVersion"] == EVM_VERSION == "prague"
    assert data["settings"]["optimizer"]["enabled"] is True
    assert len(data["sourceHash"]) == 64
    assert any(item.get("name") == "transfer" for item in data["abi"])
    # Library contracts (ERC20, IERC20...) are compiled but not published as artifacts.
    assert sorted(p.stem for p in tmp_project.build_dir.glob("*.json")) == ["Coin"]


def test_second_compile_without_change_runs_no_compiler(
    tmp_project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = compile_project(project=tmp_project)

    def no_compiler(*args: object, **kwargs: object) -> None:
        raise AssertionError("the compiler ran on a cache hit")

    monkeypatch.setattr(compiler_module, "compile_standard", no_compiler)
    second = compile_project(project=tmp_project, solc=first.solc)
    assert second.cached
    assert second.artifacts["Coin"] == first.artifacts["Coin"]


def test_changed_source_invalidates_cache(tmp_project: Project) -> None:
    first = compile_project(project=tmp_project)
    source = tmp_project.contracts_dir / "Coin.sol"
    source.write_text(source.read_text().replace('"C"', '"CC"'))
    second = compile_project(project=tmp_project, solc=first.solc)
    assert not second.cached
    assert second.artifacts["Coin"].bytecode != first.artifacts["Coin"].bytecode


def test_compile_error_names_file_line_and_message(tmp_project: Project) -> None:
    (tmp_project.contracts_dir / "Broken.sol").write_text(BROKEN)
    with pytest.raises(CompilationError) as info:
        compile_project(project=tmp_project)
    [diag] = info.value.diagnostics
    assert (diag.file, diag.line) == ("contracts/Broken.sol", 6)
    assert diag.message == "Undeclared identifier."
    assert "return undefinedThing;" in str(diag)
    assert "contracts/Broken.sol:6:" in str(info.value)
    assert not (tmp_project.build_dir / "Coin.json").exists()  # nothing half-written


def test_cli_compile_error_exits_nonzero(tmp_project: Project) -> None:
    from typer.testing import CliRunner

    from ipledger.cli import app

    (tmp_project.contracts_dir / "Broken.sol").write_text(BROKEN)
    result = CliRunner().invoke(app, ["compile", "--project", str(tmp_project.root)])
    assert result.exit_code == 1
    assert "contracts/Broken.sol:6:" in result.output


def test_solcjs_adapter_used_when_no_native_solc(project: Project, tmp_path: Path) -> None:
    env = {"PATH": os.pathsep.join([str(tmp_path), str(Path(shutil.which("node") or "").parent)])}
    env["SOLCX_BINARY_PATH"] = str(tmp_path / "no-solcx")
    solc = resolve_solc(node_modules=project.node_modules, env=env)
    assert solc.kind == "solc-js"
    assert solc.binary == ADAPTER
    assert solc.base_version == SOLC_VERSION


def test_solc_binary_env_is_honoured_and_version_checked(project: Project, tmp_path: Path) -> None:
    # The adapter answers like a solc binary, so it stands in for a configured native one.
    solc = resolve_solc(node_modules=project.node_modules, env={"SOLC_BINARY": str(ADAPTER)})
    assert (solc.binary, solc.kind) == (ADAPTER, "native")

    fake = tmp_path / "solc"
    fake.write_text(
        "#!/bin/sh\necho 'solc, the solidity compiler commandline interface'\n"
        "echo 'Version: 0.8.19+commit.7dd6d404.Linux.g++'\n"
    )
    fake.chmod(0o755)
    with pytest.raises(CompilerVersionError, match=r"0\.8\.19.*pins 0\.8\.30"):
        resolve_solc(node_modules=project.node_modules, env={"SOLC_BINARY": str(fake)})
