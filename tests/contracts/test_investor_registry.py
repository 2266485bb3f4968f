from __future__ import annotations

import pytest

from ipledger.clients.ledger import Ledger
from ipledger.errors import ContractRevertError
from ipledger.models import Role
from tests.support.chain import advance, now
from tests.support.suite import YEAR, Actors


def test_listed_investor_is_eligible_until_expiry(ledger: Ledger, actors: Actors) -> None:
    investor = actors.investors[0].address
    expiry = now(ledger.w3) + 1000
    receipt = ledger.investors.set_investor(
        investor, jurisdiction="HK", expiry=expiry, sender=actors.admin
    )
    [event] = ledger.investors.events(receipt, "InvestorSet")
    assert (event["args"]["account"], event["args"]["expiry"]) == (investor, expiry)
    assert ledger.investors.is_eligible(investor)
    record = ledger.investors.investor(investor)
    assert (record.jurisdiction, record.expiry) == ("HK", expiry)
    advance(ledger.w3, 2000)
    assert not ledger.investors.is_eligible(investor)


def test_removed_investor_is_not_eligible(ledger: Ledger, actors: Actors) -> None:
    investor = actors.investors[0].address
    ledger.investors.set_investor(
        investor, jurisdiction="CN", expiry=now(ledger.w3) + YEAR, sender=actors.admin
    )
    ledger.investors.remove_investor(investor, sender=actors.admin)
    assert not ledger.investors.is_eligible(investor)
    with pytest.raises(ContractRevertError.named("InvestorNotListed")) as info:
        ledger.investors.investor(investor)
    assert info.value.arguments == {"account": investor}
    with pytest.raises(ContractRevertError.named("InvestorNotListed")):
        ledger.investors.remove_investor(investor, sender=actors.admin)


def test_unlisted_account_is_not_eligible(ledger: Ledger, actors: Actors) -> None:
    assert not ledger.investors.is_eligible(actors.outsider.address)


def test_only_compliance_manages_investors(ledger: Ledger, actors: Actors) -> None:
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")) as info:
        ledger.investors.set_investor(
            actors.outsider.address,
            jurisdiction="HK",
            expiry=now(ledger.w3) + YEAR,
            sender=actors.outsider,
        )
    assert info.value.arguments == {
        "account": actors.outsider.address,
        "neededRole": Role.COMPLIANCE.id,
    }
    with pytest.raises(ContractRevertError.named("AccessControlUnauthorizedAccount")):
        ledger.investors.remove_investor(actors.admin.address, sender=actors.agent)


def test_expiry_must_be_in_future(ledger: Ledger, actors: Actors) -> None:
    past = now(ledger.w3) - 1
    with pytest.raises(ContractRevertError.named("InvestorExpiryNotInFuture")) as info:
        ledger.investors.set_investor(
            actors.outsider.address, jurisdiction="HK", expiry=past, sender=actors.admin
        )
    assert info.value.arguments["expiry"] == past


def test_bad_account_or_jurisdiction_reverts(ledger: Ledger, actors: Actors) -> None:
    with pytest.raises(ContractRevertError.named("InvestorInvalidAccount")):
        ledger.investors.set_investor(
            "0x" + "00" * 20, jurisdiction="HK", expiry=2**40, sender=actors.admin
        )
    with pytest.raises(ContractRevertError.named("InvestorInvalidJurisdiction")):
        ledger.investors._send(
            "setInvestor", actors.outsider.address, b"h1", 2**40, sender=actors.admin
        )
    with pytest.raises(ValueError, match="ISO 3166-1"):
        ledger.investors.set_investor(
            actors.outsider.address, jurisdiction="hk", expiry=2**40, sender=actors.admin
        )
