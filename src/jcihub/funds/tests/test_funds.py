"""Spending against an authorisation: never more than it allows, nothing deleted, every
change audited, and only the roles that answer for it."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from jcihub.accounts.roles import RoleCode as R
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.core.tests.factories import user_with_role
from jcihub.funds import services
from jcihub.funds.models import Authorisation

pytestmark = pytest.mark.django_db


@pytest.fixture
def ipvi() -> Authorisation:
    """The authorisation the migration writes."""
    return Authorisation.objects.get(ordinance="Ordinance 260299", fund__account="2000-501905")


def spend(authorisation: Authorisation, amount: str, **fields: object):  # type: ignore[no-untyped-def]
    values = {
        "spent_on": dt.date(2026, 9, 1),
        "amount": Decimal(amount),
        "payee": "Print shop",
        "category": "materials",
        "description": "Deterrence letters",
        "reference": "PO-17",
    } | fields
    return services.record_expenditure(None, authorisation, **values)


def test_the_ipvi_authorisation_is_there_from_the_start(ipvi: Authorisation) -> None:
    assert ipvi.amount == Decimal("75000.00") and ipvi.programme == "ipvi"
    assert ipvi.spent == 0 and ipvi.remaining == Decimal("75000.00")


def test_spending_more_than_remains_is_refused(ipvi: Authorisation) -> None:
    spend(ipvi, "74000.00")
    with pytest.raises(ValidationError) as refused:
        spend(ipvi, "1000.01")
    assert "$1,000.00 left of $75,000.00" in str(refused.value)
    spend(ipvi, "1000.00")
    assert ipvi.remaining == 0


def test_a_void_keeps_the_line_needs_a_reason_and_frees_the_amount(ipvi: Authorisation) -> None:
    mistake = spend(ipvi, "500.00")
    with pytest.raises(ValidationError):
        services.void_expenditure(None, mistake, "  ")
    services.void_expenditure(None, mistake, "Entered twice")
    assert ipvi.expenditures.count() == 1 and ipvi.spent == 0
    with pytest.raises(ValidationError):
        services.void_expenditure(None, mistake, "again")
    summaries = list(AuditEntry.objects.values_list("summary", flat=True))
    assert any("voided" in s for s in summaries) and any("recorded" in s for s in summaries)


def test_spending_outside_the_authorised_period_is_refused(ipvi: Authorisation) -> None:
    ipvi.starts = dt.date(2026, 7, 1)
    ipvi.save()
    with pytest.raises(ValidationError) as refused:
        spend(ipvi, "10.00", spent_on=dt.date(2026, 6, 30))
    assert "from 01 July 2026" in str(refused.value)


def test_the_ledger_page_records_for_managers_only(ipvi: Authorisation, client) -> None:  # type: ignore[no-untyped-def]
    url = reverse("funds:ledger", args=[ipvi.pk])
    form = {
        "spent_on": "2026-09-02",
        "amount": "250.00",
        "payee": "Caterer",
        "category": "events",
        "description": "Call-in refreshments",
    }
    client.force_login(user_with_role(R.AUDITOR))
    assert client.get(url).status_code == 200
    assert client.post(url, form).status_code == 403
    assert ipvi.expenditures.count() == 0
    client.force_login(user_with_role(R.PROGRAM_MANAGER))
    assert client.post(url, form).status_code == 302
    assert ipvi.spent == Decimal("250.00")
    too_much = client.post(url, form | {"amount": "80000"})
    assert (
        too_much.status_code == 200 and b"would spend more than it authorises" in too_much.content
    )


def test_the_ledger_export_is_audited(ipvi: Authorisation, client) -> None:  # type: ignore[no-untyped-def]
    spend(ipvi, "12.00")
    client.force_login(user_with_role(R.DIRECTOR))
    response = client.get(reverse("funds:export", args=[ipvi.pk]))
    body = b"".join(response.streaming_content).decode()
    assert "Print shop" in body and "12.00" in body
    assert AuditEntry.objects.filter(action=AuditAction.EXPORT, summary__contains="260299").exists()
