"""The live server the browser tests run against answers requests that arrive together.

A page often sends two requests at once (intake's live match check and the form's
submit); each writes an audit entry. They must both be answered and both land in one
unbroken chain, whichever database the tests run on.
"""

import http.client
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from django.conf import settings
from django.test import Client

from jcihub.accounts.models import User
from jcihub.audit.models import AuditAction, AuditEntry
from jcihub.audit.services import verify_chain

SEARCHES = 12


def test_requests_arriving_together_each_leave_an_audit_entry_in_one_chain(
    site: str, staff: dict[str, User]
) -> None:
    client = Client()
    client.force_login(staff["case_manager"])
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    before = AuditEntry.objects.filter(action=AuditAction.SEARCH).count()

    address = urlsplit(site)

    def search(n: int) -> int:
        connection = http.client.HTTPConnection(address.hostname, address.port, timeout=30)
        try:
            connection.request("GET", f"/people/?q=Smith{n}", headers={"Cookie": cookie})
            return connection.getresponse().status
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=6) as pool:
        statuses = list(pool.map(search, range(SEARCHES)))

    assert statuses == [200] * SEARCHES
    assert AuditEntry.objects.filter(action=AuditAction.SEARCH).count() == before + SEARCHES
    assert verify_chain().is_intact
