"""The person page of someone with 200 timeline events, under 20 concurrent clients.

In the database of the search benchmark's people (built first if missing), one person
gets 200 timeline events through the application's own services: the record's creation,
40 addresses (37 of them past), 24 safety flags of which 20 cleared, 15 consents of which
10 revoked, 10 relationships, and 80 police incidents loaded from an internal-feed KCPD
file by the importer, which links them to the person through their KCPD number. Each
client is a case manager (a registry role cleared for criminal-justice information, so
every event is theirs to see) with their own session, created server-side.

The real server (gunicorn `jcihub.wsgi`, sync workers, as `make demo` serves it) runs on a
free loopback port. The benchmark checks the page first (every timeline page, 200 events
in all), then measures it and `/healthz` (a bare view: one `SELECT 1`), each with one
client and then with 20 concurrent clients on keep-alive connections. Every response must
be a 200 holding the expected number of timeline entries, or the run fails.

Two times per request: the client's (send to last byte, on loopback: includes waiting for
a free worker) and the server's own, from the `Server-Timing` header that
`core.middleware.ServerTimingMiddleware` (the first middleware) sets: what the issue's
"server time" means. Each view of the page writes its audit entry, as in use; the hash
chain serialises those writes, and that cost is in the figures.

    python -m benchmarks.person_page --backend postgres
"""

import argparse
import csv
import datetime as dt
import http.client
import os
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from rich.table import Table

from ._setup import (
    BACKENDS,
    BENCH_DIR,
    PROJECT,
    database_url,
    machine,
    make_console,
    setup_django,
    summary,
)
from .population import ensure_population

EVENTS = 200
TARGET_P95_MS = 150.0
GIVEN, FAMILY = "Timeline", "Benchmark"
KCPD_NUMBER = "900000000001"  # outside the population's numbers (700001 …)
TIMELINE_ENTRY = b'class="jci-timeline__title"'
console = make_console()


# --- The person -----------------------------------------------------------------------------


def ensure_person() -> Any:
    """The benchmark person, made once; made again if its timeline is not 200 events."""
    from jcihub.people.models import Person

    person = Person.objects.filter(given_name=GIVEN, family_name=FAMILY).first()
    if person is not None and _event_count(person) != EVENTS:
        console.print("[yellow]The benchmark person's timeline changed: making it again.")
        person.delete()
        person = None
    if person is None:
        person = _make_person()
    count = _event_count(person)
    if count != EVENTS:
        raise SystemExit(
            f"The benchmark person has {count} timeline events, not {EVENTS}: the timeline "
            "providers changed; update benchmarks/person_page.py to make 200 again."
        )
    return person


def _event_count(person: Any) -> int:
    from jcihub.access import policy
    from jcihub.core import timeline

    viewer = _staff("bench-casemanager-00")
    return len(timeline.events_for(person.pk, policy.visible_sensitivities(viewer, person)))


def _make_person() -> Any:
    from jcihub.people import services
    from jcihub.people.models import ContactPoint, IdentifierSystem, PersonName

    actor = _staff("bench-intake")
    person = services.create_person(  # 1 event
        actor,
        services.PersonDetails(GIVEN, FAMILY, birth_date=dt.date(1984, 6, 14), sex="F"),
        [(IdentifierSystem.KCPD, KCPD_NUMBER)],
    )
    services.add_name(actor, person, "Tina", FAMILY, kind=PersonName.Kind.NICKNAME)
    services.add_identifier(actor, person, IdentifierSystem.JAIL_BOOKING, f"BK{person.pk}")
    services.add_contact_point(actor, person, ContactPoint.Kind.PHONE, "816-555-0142")
    services.assign_case(actor, person, user=actor, purpose="Reentry")
    _addresses(actor, person)  # 40 events
    _flags(actor, person)  # 44
    _consents(actor, person)  # 25
    _relationships(actor, person)  # 10
    _incidents(person)  # 80
    return person


def _addresses(actor: Any, person: Any) -> None:
    from jcihub.people import services

    start = dt.date(2006, 1, 1)
    for n in range(40):
        moved_in = start + dt.timedelta(days=120 * n)
        services.add_address(
            actor,
            person,
            line1=f"{1200 + 10 * n} Troost Ave",
            zip_code="64109",
            valid_from=moved_in,
            valid_to=moved_in + dt.timedelta(days=119) if n < 37 else None,
        )


def _flags(actor: Any, person: Any) -> None:
    from jcihub.people import services
    from jcihub.people.models import SafetyFlag

    kinds = [SafetyFlag.Kind.OFFICER_SAFETY, SafetyFlag.Kind.MEDICAL_ALERT]
    for n in range(24):
        flag = services.raise_flag(actor, person, kinds[n % 2], note=f"Benchmark note {n}")
        if n < 20:
            services.clear_flag(actor, flag, reason="No longer applies")


def _consents(actor: Any, person: Any) -> None:
    from jcihub.accounts.models import Team
    from jcihub.core.sensitivity import Sensitivity
    from jcihub.people import services

    team, _ = Team.objects.get_or_create(
        name="Benchmark partner organisation", defaults={"kind": Team.Kind.PARTNER_ORGANIZATION}
    )
    today = dt.date.today()
    for n in range(15):
        consent = services.record_consent(
            actor,
            person,
            team,
            [Sensitivity.GENERAL],
            f"Services, period {n}",
            today - dt.timedelta(days=30 * n),
            today + dt.timedelta(days=365 - 30 * n),
        )
        if n < 10:
            services.revoke_consent(actor, consent, note="Withdrawn")


def _relationships(actor: Any, person: Any) -> None:
    from jcihub.people import services
    from jcihub.people.models import Person, RelationshipKind

    kinds = [RelationshipKind.HOUSEHOLD, RelationshipKind.PARENT_OF, RelationshipKind.CO_DEFENDANT]
    others = Person.objects.exclude(pk=person.pk).order_by("id")[:10]
    for n, other in enumerate(others):
        services.add_relationship(actor, person, other, kinds[n % 3])


def _incidents(person: Any) -> None:
    """80 reports naming the person, loaded as the internal KCPD feed is loaded."""
    from jcihub.incidents.importer import import_file
    from jcihub.people.models import Person

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    path = BENCH_DIR / f"timeline-incidents-{person.pk}.csv"
    rows = [_incident_row(person.pk, n) for n in range(80)]
    with path.open("w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    run = import_file(path)
    linked = Person.objects.get(pk=person.pk).incident_parties.count()
    if linked != 80:
        raise SystemExit(f"The incident import linked {linked} reports, not 80 ({run.status}).")


def _incident_row(person_id: int, n: int) -> dict[str, str]:
    """One row of KCPD's internal feed: a report with the person as suspect."""
    day = dt.date(2025, 6, 30) - dt.timedelta(days=45 * n)
    return {
        "Report_No": f"BENCH{person_id}-{n:03d}",
        "Reported_Date": f"{day:%m/%d/%Y}",
        "Reported Time": "14:30",
        "Offense": "1301",
        "IBRS": "13B",
        "Description": "Simple Assault",
        "Address": "1200  TROOST AVE",
        "City": "KANSAS CITY",
        "Zip Code": "64109",
        "DVFlag": "N",
        "Involvement": "SUS",
        "Race": "W",
        "Sex": "F",
        "Age": str(40 - n // 20),
        "KCPD_Person_Number": KCPD_NUMBER,
        "Last_Name": FAMILY.upper(),
        "First_Name": GIVEN.upper(),
        "DOB": "06/14/1984",
    }


def _staff(username: str) -> Any:
    from jcihub.accounts.models import Role, User

    return User.objects.get_or_create(
        username=username, defaults={"role": Role.objects.get(code="case_manager")}
    )[0]


def signed_in_cookies(count: int) -> list[str]:
    """A session cookie for each of `count` case managers, made as sign-in makes them."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    cookies = []
    for n in range(count):
        user = _staff(f"bench-casemanager-{n:02d}")
        session = SessionStore()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        cookies.append(f"{settings.SESSION_COOKIE_NAME}={session.session_key}")
    return cookies


# --- The server -----------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def start_server(url: str, port: int, workers: int) -> subprocess.Popen[bytes]:
    """gunicorn as `make demo` runs it, against the benchmark database."""
    env = {**os.environ, "DATABASE_URL": url, "JCIHUB_HTTPS": "0", "JCIHUB_REQUIRE_MFA": "0"}
    env.pop("JCIHUB_STATIC_ROOT", None)  # serve as the demo does (make bench sets a test one)
    command = [str(Path(sys.executable).with_name("gunicorn")), "jcihub.wsgi"]
    command += ["--bind", f"127.0.0.1:{port}", "--workers", str(workers)]
    command += ["--log-level", "warning"]
    server = subprocess.Popen(command, cwd=PROJECT, env=env)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit(f"The server exited with status {server.returncode}.")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            time.sleep(0.2)
    server.kill()
    raise SystemExit("The server did not start within 60 s.")


# --- The load generator ---------------------------------------------------------------------

Check = Callable[[bytes], str | None]  # a problem with a response body, or None


@dataclass
class Load:
    view: str
    clients: int
    client_ms: list[float] = field(default_factory=list)
    server_ms: list[float] = field(default_factory=list)
    seconds: float = 0.0

    @property
    def rate(self) -> float:
        return len(self.client_ms) / self.seconds


def get(port: int, path: str, cookie: str) -> tuple[int, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("GET", path, headers={"Cookie": cookie})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def load(port: int, view: str, path: str, cookies: list[str], requests: int, check: Check) -> Load:
    """`requests` GETs of `path` from len(cookies) clients at once, each its own session
    and connection, each sending its next request as soon as the last one is answered."""
    result = Load(view, len(cookies))
    problems: list[str] = []
    lock = threading.Lock()
    per_client = max(1, requests // len(cookies))
    start = threading.Barrier(len(cookies) + 1)

    def client(cookie: str) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        mine: list[tuple[float, float]] = []
        start.wait()
        for _ in range(per_client):
            began = time.perf_counter()
            connection.request("GET", path, headers={"Cookie": cookie})
            response = connection.getresponse()
            body = response.read()
            elapsed = (time.perf_counter() - began) * 1000
            timing = re.search(r"dur=([\d.]+)", response.getheader("Server-Timing") or "")
            problem = f"status {response.status}" if response.status != 200 else check(body)
            if problem or not timing:
                with lock:
                    problems.append(problem or "no Server-Timing header")
            mine.append((elapsed, float(timing.group(1)) if timing else 0.0))
        connection.close()
        with lock:
            result.client_ms += [c for c, _ in mine]
            result.server_ms += [s for _, s in mine]

    threads = [threading.Thread(target=client, args=(c,)) for c in cookies]
    for thread in threads:
        thread.start()
    start.wait()
    began = time.perf_counter()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    if problems:
        raise SystemExit(f"{len(problems)} bad responses from {path}; the first: {problems[0]}")
    return result


def timeline_check(expected: int) -> Check:
    def check(body: bytes) -> str | None:
        found = body.count(TIMELINE_ENTRY)
        return None if found == expected else f"{found} timeline entries, not {expected}"

    return check


def healthz_check(body: bytes) -> str | None:
    return None if b'"status": "ok"' in body else f"unexpected body {body[:80]!r}"


def verify_page(port: int, path: str, cookie: str) -> int:
    """Walk every page of the timeline once: 200 events in all, the person's name shown.
    Returns how many entries the first page holds."""
    counts: list[int] = []
    while len(counts) < 100:
        status, body = get(port, f"{path}?page={len(counts) + 1}", cookie)
        if status != 200 or f"{GIVEN} {FAMILY}".encode() not in body:
            raise SystemExit(f"The person page answered {status} without the person's name.")
        counts.append(body.count(TIMELINE_ENTRY))
        if b"usa-pagination__next-page" not in body:
            break
    if sum(counts) != EVENTS:
        raise SystemExit(f"The person page shows {sum(counts)} timeline events, not {EVENTS}.")
    return counts[0]


# --- Run and report -------------------------------------------------------------------------


def measure(port: int, person_id: int, cookies: list[str], requests: int) -> list[Load]:
    page = f"/people/{person_id}/"
    per_page = verify_page(port, page, cookies[0])
    page_check = timeline_check(per_page)
    for path, check in ((page, page_check), ("/healthz", healthz_check)):  # warm every worker
        load(port, "warm-up", path, cookies, len(cookies) * 5, check)
    single = max(50, requests // 20)
    return [
        load(port, "person page", page, cookies[:1], single, page_check),
        load(port, "/healthz (bare)", "/healthz", cookies[:1], single, healthz_check),
        load(port, "person page", page, cookies, requests, page_check),
        load(port, "/healthz (bare)", "/healthz", cookies, requests, healthz_check),
    ]


def report(backend: str, people: int, workers: int, loads: list[Load]) -> bool:
    title = (
        f"Person page with {EVENTS} timeline events, {people:,} people on {backend}, "
        f"gunicorn {workers} sync workers"
    )
    table = Table(title=title, title_justify="left")
    for column in ("view", "clients", "requests", "req/s"):
        table.add_column(column, justify="right", no_wrap=True)
    table.add_column("server ms p50 / p95 / p99", justify="right")
    table.add_column("client ms p50 / p95 / p99", justify="right")
    for run in loads:
        table.add_row(
            run.view,
            str(run.clients),
            f"{len(run.client_ms):,}",
            f"{run.rate:.0f}",
            _percentiles(run.server_ms),
            _percentiles(run.client_ms),
        )
    console.print(table)
    console.print(
        "Server: the application's own time (Server-Timing header). Client: send to last "
        "byte on loopback, with the wait for a free worker."
    )
    page, bare = loads[2], loads[3]
    page_p95 = summary(page.server_ms)["p95"]
    server_ratio = page_p95 / summary(bare.server_ms)["p95"]
    client_ratio = summary(page.client_ms)["p95"] / summary(bare.client_ms)["p95"]
    console.print(
        f"Person page / bare view at p95, {page.clients} clients: {server_ratio:.1f}x server "
        f"time, {client_ratio:.1f}x client time."
    )
    passed = page_p95 < TARGET_P95_MS
    console.print(
        f"Target person page server p95 < {TARGET_P95_MS:.0f} ms at {page.clients} clients "
        f"({backend}): {'PASS' if passed else 'FAIL'} ({page_p95:.1f} ms)"
    )
    return passed


def _percentiles(values_ms: list[float]) -> str:
    figures = summary(values_ms)
    return " / ".join(f"{figures[p]:.1f}" for p in ("p50", "p95", "p99"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.person_page", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--backend", choices=BACKENDS, default="postgres")
    parser.add_argument("--people", type=int, default=1_000_000, help="people in the database")
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=2000, help="per view, all clients")
    # 3 sync workers on 2 cores: see docs/benchmarks.md for 2 to 5 measured.
    parser.add_argument("--workers", type=int, default=(os.cpu_count() or 1) + 1)
    args = parser.parse_args(argv)
    name = f"people_{args.people}"
    setup_django(args.backend, name)
    ensure_population(args.people)
    person = ensure_person()
    cookies = signed_in_cookies(args.clients)
    port = free_port()
    server = start_server(database_url(args.backend, name), port, args.workers)
    console.print(f"Measuring on {machine()}.")
    try:
        loads = measure(port, person.pk, cookies, args.requests)
    finally:
        server.terminate()
        server.wait(30)
    return 0 if report(args.backend, args.people, args.workers, loads) else 3


if __name__ == "__main__":
    raise SystemExit(main())
