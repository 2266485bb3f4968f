"""Morpho Blue as the lending peer: a loan opened as `supplyCollateral` + `borrow`, and a
partial `repay`, on the same chain as ipledger's loan book.

Morpho Blue 1.0.0 (npm `@morpho-org/morpho-blue`, pinned in bench/peers/morpho) is
compiled with the solc it pins (0.8.19, through solc-js) and its own settings (via-IR,
999,999 optimizer runs; Paris, 0.8.19's latest EVM), with its own mocks for the loan and
collateral tokens, the oracle and the interest rate model.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from web3 import Web3
from web3.contract import Contract

from bench.common import peer_artifacts
from ipledger.chain.tx import NodeAccount
from ipledger.deploy.suite import deploy_artifact
from ipledger.project import Project
from ipledger.toolchain.artifacts import Artifact, CompilerInfo
from ipledger.toolchain.compiler import run_solc
from ipledger.toolchain.solc import solcjs

MORPHO_SOLC = "0.8.19"  # the version Morpho Blue 1.0.0 pins
PACKAGE = "node_modules/@morpho-org/morpho-blue/src"
UNITS = {
    "Morpho": "Morpho.sol",
    "ERC20Mock": "mocks/ERC20Mock.sol",
    "OracleMock": "mocks/OracleMock.sol",
    "IrmMock": "mocks/IrmMock.sol",
}
LLTV = 8 * 10**17  # 80%
PRICE_SCALE = 10**36  # one collateral unit is worth one loan unit


def compile_morpho(root: Path) -> dict[str, Artifact]:
    """Morpho Blue and its mocks from `root` (bench/peers/morpho), with its own settings."""
    peer = Project(root=root)
    solc = solcjs(node_modules=peer.node_modules, version=MORPHO_SOLC)
    settings = {
        "optimizer": {"enabled": True, "runs": 999_999},
        "viaIR": True,
        "evmVersion": "paris",
        "outputSelection": {
            "*": {"*": ["abi", "evm.bytecode.object", "evm.deployedBytecode.object"]}
        },
    }
    sources = {f"{PACKAGE}/{u}": {"urls": [f"{PACKAGE}/{u}"]} for u in UNITS.values()}
    sources = {name: {"content": (root / name).read_text()} for name in sources}
    output = run_solc(
        peer, solc, {"language": "Solidity", "sources": sources, "settings": settings}
    )
    info = CompilerInfo(version=solc.version, kind=solc.kind)
    contracts = {name: f"{PACKAGE}/{unit}" for name, unit in UNITS.items()}
    return peer_artifacts(output, contracts, info=info, settings=settings)


@dataclass(frozen=True)
class MorphoMarket:
    w3: Web3
    morpho: Contract
    loan: Contract
    collateral: Contract
    params: tuple[str, str, str, str, int]

    @classmethod
    def open(cls, *, w3: Web3, artifacts: dict[str, Artifact], owner: NodeAccount) -> MorphoMarket:
        """A market (mock loan token, mock collateral, price 1:1, mock IRM, LLTV 80%)."""

        def deployed(name: str, *args: object) -> Contract:
            address, _ = deploy_artifact(w3=w3, artifact=artifacts[name], sender=owner, args=args)
            return w3.eth.contract(address=address, abi=artifacts[name].abi)

        morpho = deployed("Morpho", owner.address)
        loan, collateral = deployed("ERC20Mock"), deployed("ERC20Mock")
        oracle, irm = deployed("OracleMock"), deployed("IrmMock")
        market = cls(
            w3,
            morpho,
            loan,
            collateral,
            (loan.address, collateral.address, oracle.address, irm.address, LLTV),
        )
        market.send(owner, oracle.functions.setPrice(PRICE_SCALE))
        market.send(owner, morpho.functions.enableIrm(irm.address))
        market.send(owner, morpho.functions.enableLltv(LLTV))
        market.send(owner, morpho.functions.createMarket(market.params))
        return market

    def send(self, sender: NodeAccount, call: object) -> int:
        """Send `call` from `sender`; its gas from the receipt."""
        tx = call.transact({"from": sender.address})  # type: ignore[attr-defined]
        receipt = self.w3.eth.wait_for_transaction_receipt(tx)
        if receipt["status"] != 1:
            raise RuntimeError(f"Morpho call reverted: {receipt}")
        return int(receipt["gasUsed"])

    def fund(self, who: NodeAccount, *, loan: int = 0, collateral: int = 0) -> None:
        for token, amount in ((self.loan, loan), (self.collateral, collateral)):
            if amount:
                self.send(who, token.functions.setBalance(who.address, amount))
                self.send(who, token.functions.approve(self.morpho.address, 2**256 - 1))

    def supply(self, lender: NodeAccount, assets: int) -> int:
        return self.send(
            lender, self.morpho.functions.supply(self.params, assets, 0, lender.address, b"")
        )

    def open_position(self, borrower: NodeAccount, collateral: int, assets: int) -> tuple[int, int]:
        """Gas of supplyCollateral, then of borrow."""
        m = self.morpho.functions
        first = self.send(
            borrower, m.supplyCollateral(self.params, collateral, borrower.address, b"")
        )
        second = self.send(
            borrower, m.borrow(self.params, assets, 0, borrower.address, borrower.address)
        )
        return first, second

    def repay(self, borrower: NodeAccount, assets: int) -> int:
        return self.send(
            borrower, self.morpho.functions.repay(self.params, assets, 0, borrower.address, b"")
        )
