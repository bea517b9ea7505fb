"""Browser tests: Chromium driven by Playwright against pytest-django's live server.

One Chromium for the whole session; every test gets a fresh browser context (its own
cookies), so tests never share a signed-in session. The live server serves static files
through Django's StaticFilesHandler (the app finders), so USWDS and htmx load from a fresh
clone after `make setup`, without `collectstatic`.

The page keeps the app's real Content-Security-Policy: axe-core is evaluated through the
DevTools protocol (`page.evaluate`), which CSP does not govern, so there is no need to
bypass CSP, and every page is also checked for CSP violations (an inline style or script
that slipped into a template).
"""

import json
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings as django_settings
from django.core.servers.basehttp import WSGIServer
from django.test import Client
from django.test.testcases import LiveServerThread, QuietWSGIRequestHandler
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, sync_playwright
from pytest_django.live_server_helper import LiveServer

from jcihub.accounts.models import Role, User
from jcihub.accounts.roles import write_roles
from jcihub.core.tests.factories import TEST_PASSWORD, user_with_role

PROJECT_DIR = Path(__file__).resolve().parents[2]
AXE_SOURCE_FILE = PROJECT_DIR / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
]
# WCAG 2.1 A and AA (the legal bar), plus axe's best practices: landmarks, region,
# heading order and the like, which screen-reader users rely on to find their way.
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
# Record every Content-Security-Policy violation the page triggers. An init script is
# injected through the DevTools protocol, so CSP does not block it.
CSP_WATCH = """
window.__cspViolations = [];
document.addEventListener('securitypolicyviolation', (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || 'inline'}`);
});
"""
DESKTOP = {"width": 1280, "height": 900}


@pytest.fixture(scope="session")
def playwright_driver() -> Iterator[Playwright]:
    # Playwright's sync API runs an event loop under the test, which Django's async-safety
    # check mistakes for async code calling the ORM; the test code itself is synchronous.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as driver:
        yield driver
    if previous is None:
        os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    else:
        os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="session")
def browser(playwright_driver: Playwright) -> Iterator[Browser]:
    chromium = playwright_driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
    yield chromium
    chromium.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_SOURCE_FILE.exists():
        pytest.fail(f"axe-core is missing at {AXE_SOURCE_FILE}; run `make setup` (npm ci).")
    return AXE_SOURCE_FILE.read_text()


@pytest.fixture(autouse=True)
def _plain_http(settings: Any) -> None:
    """The live server speaks plain HTTP: no HTTPS redirect, no Secure-only cookies."""
    settings.SECURE_SSL_REDIRECT = False
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False


class _LiveServerThread(LiveServerThread):
    """Django's live server thread, answering one request at a time when it shares the
    tests' in-memory SQLite connection.

    With an in-memory database every request runs on that one connection, so two
    requests at once (a live-match check and the form's submit) would interleave their
    transactions: both audit entries would follow the same last entry, and the chain's
    unique `prev_hash` refuses the second with a server error. In use each request has
    its own connection, and SQLite's IMMEDIATE transactions or PostgreSQL's advisory lock
    serialise writers to the chain; on PostgreSQL the tests keep the threaded server."""

    def _create_server(self, connections_override: Any = None) -> Any:
        if not connections_override:
            return super()._create_server(connections_override)
        # Not threaded: Django answers each request with `Connection: close`.
        address = (self.host, self.port)
        return WSGIServer(address, QuietWSGIRequestHandler, allow_reuse_address=False)


@pytest.fixture(scope="session")
def live_server(django_db_setup: None) -> Iterator[LiveServer]:
    """pytest-django's live server, on the thread above, started once the test database
    exists: started before, it would not know the database is in memory, and its threads
    would each open their own connection to SQLite's shared cache, where a second writer
    fails at once with "database table is locked"."""
    server = LiveServer("localhost", start=False)
    made = server.thread
    server.thread = _LiveServerThread(
        made.host,
        static_handler=made.static_handler,
        connections_override=made.connections_override,
        port=made.port,
    )
    server.thread.daemon = True
    server.start()
    yield server
    server.stop()


@pytest.fixture
def site(live_server: Any, transactional_db: None) -> str:
    """The live server's address. Browser tests commit for real (the server answers from
    another thread), and the flush after each one removes the roles the migrations wrote,
    so they are written again here."""
    write_roles(Role)
    return str(live_server.url)


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    opened: list[BrowserContext] = []

    def open_context(**kwargs: Any) -> BrowserContext:
        context = browser.new_context(viewport=kwargs.pop("viewport", DESKTOP), **kwargs)
        context.set_default_timeout(10_000)
        context.add_init_script(CSP_WATCH)
        opened.append(context)
        return context

    yield open_context
    for context in opened:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


@pytest.fixture
def assert_accessible(axe_source: str) -> Callable[[Page], None]:
    """Run axe-core on the page as it is now; fail listing every violation and its nodes."""

    def check(page: Page) -> None:
        page.wait_for_load_state("load")
        if not page.evaluate("() => typeof window.axe === 'object'"):
            page.evaluate(axe_source)
        result = page.evaluate("options => axe.run(document, options)", AXE_OPTIONS)
        violations = result["violations"]
        assert not violations, f"axe found violations on {page.url}:\n" + describe(violations)
        csp = page.evaluate("() => window.__cspViolations || []")
        assert not csp, f"Content-Security-Policy violations on {page.url}: {csp}"

    return check


def describe(violations: list[dict[str, Any]]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"]:
            lines.append(f"    {json.dumps(node['target'])}: {node['failureSummary']}")
    return "\n".join(lines)


# --- People who use the system ----------------------------------------------------------


@pytest.fixture
def staff(site: str) -> dict[str, User]:
    """One user per role the journeys need; each signs in with TEST_PASSWORD."""
    return {
        role: user_with_role(role, username=username, first_name=first, last_name=last)
        for role, username, first, last in (
            ("case_manager", "keisha", "Keisha", "Brown"),
            ("victim_advocate", "maria", "Maria", "Santos"),
            ("auditor", "ruth", "Ruth", "Okafor"),
            ("system_admin", "chris", "Chris", "Lee"),
            ("director", "dana", "Dana", "Whitfield"),
        )
    }


@pytest.fixture
def sign_in(site: str) -> Callable[..., None]:
    """Sign in through the real form, as a person would."""

    def through_form(page: Page, username: str, password: str = TEST_PASSWORD) -> None:
        page.goto(f"{site}/accounts/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state("load")

    return through_form


@pytest.fixture
def signed_in(site: str, new_context: Callable[..., BrowserContext]) -> Callable[..., Page]:
    """A page already signed in as the user (a session made server-side, set as a cookie):
    for tests about a page rather than about signing in."""

    def open_as(user: User, **context_kwargs: Any) -> Page:
        client = Client()
        client.force_login(user)
        context = new_context(**context_kwargs)
        cookie = client.cookies[django_settings.SESSION_COOKIE_NAME]
        context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": site, "httpOnly": True}]
        )
        return context.new_page()

    return open_as
