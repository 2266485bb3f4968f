"""An outbox belongs to one chain and registry; nonces are counted per relayer."""

from __future__ import annotations

import pytest
from eth_account import Account

from ipledger.chain.tx import NodeAccount, send_value
from ipledger.mirror.outbox import Outbox, OutboxMismatchError
from tests.support.mirror import REPORTS, MirrorEnv, write_reports

pytestmark = pytest.mark.chain


def test_an_outbox_of_another_registry_is_refused(env: MirrorEnv) -> None:
    """After a node reset and a new deployment the old outbox would call its reports
    confirmed and its nonces taken: it is refused, naming both registries."""
    box = Outbox(env.outbox_path)
    box.bind(env.ledger.w3.eth.chain_id, Account.create().address)  # the old deployment's
    box.close()
    with pytest.raises(OutboxMismatchError, match="give this one its own --outbox") as refused:
        env.mirror()
    assert env.ledger.valuations.address in str(refused.value)
    env.mirror(outbox=Outbox(env.outbox_path.with_name("fresh.sqlite"))).close()  # one's own


def test_a_second_relayer_starts_at_its_own_nonce(env: MirrorEnv) -> None:
    mirror = env.mirror()
    mirror.run_until_settled(env.source)
    mirror.close()
    other = Account.create()
    send_value(env.ledger.w3, NodeAccount(env.actors.admin.address), other.address, 10**18)
    write_reports(env.source, env.valuer.address, 2, "NEXT")
    mirror = env.mirror(relayer=other)
    summary = mirror.run_until_settled(env.source)
    counts = mirror.outbox.counts()
    mirror.close()
    assert counts == {"confirmed": len(REPORTS) + 2}
    assert summary.sent == 2
    assert env.ledger.w3.eth.get_transaction_count(other.address) == 1  # nonce 0, not after
