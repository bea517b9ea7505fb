"""Service directory: search over 5,000 organisations and 20,000 services, and their export.

The directory is built once per database (synthetic, with a fixed seed: organisations
with one or two sites in Kansas City ZIP codes, four services each, need categories,
languages, eligibility text, ages, phones, hours and some service areas) and reused.

- search: `referrals.selectors.search_services` with the filters staff use (need
  category, ZIP code, language, eligibility words, age, free text, and mixes of them),
  then what the page draws: the count and the first page of 25 with its categories,
  languages and ZIP codes. Target (issue 6): p95 under 100 ms.
- export: `jcihub directory export`'s writer over the whole directory. Target: under 10 s.
  A sample of the exported organisations is checked against the HSDS schemas (not timed).

    python -m benchmarks.directory --backend postgres
"""

import argparse
import json
import random
import time
import uuid
from collections.abc import Callable
from typing import Any

from rich.table import Table

from ._setup import BACKENDS, BENCH_DIR, machine, make_console, setup_django, summary

SEED = 2026
ORGANIZATIONS = 5_000
SERVICES_PER_ORGANIZATION = 4
TARGET_SEARCH_P95_MS = 100.0
TARGET_EXPORT_SECONDS = 10.0
console = make_console()

ZIP_CODES = [f"641{n:02d}" for n in range(1, 60)] + ["66101", "66102", "66104", "66106"]
# Synthetic ZIP centres on a grid over the metro area (about 2 miles apart), for the
# distance search; each site lies within a mile or so of its ZIP code's centre.
ZIP_POINTS = {
    zip_code: (38.95 + (n % 8) * 0.03, -94.70 + (n // 8) * 0.04)
    for n, zip_code in enumerate(ZIP_CODES)
}
LANGUAGES = [
    ("English", "en"),
    ("Spanish", "es"),
    ("Somali", "so"),
    ("Arabic", "ar"),
    ("Vietnamese", "vi"),
    ("Burmese", "my"),
    ("Swahili", "sw"),
    ("American Sign Language", "ase"),
]
NEEDS = {
    "Employment": ["Job training", "Job placement", "Resume help", "Apprenticeships"],
    "Housing": ["Emergency shelter", "Transitional housing", "Rent assistance", "Home repair"],
    "Food": ["Pantry", "Hot meals", "SNAP enrolment"],
    "Legal aid": ["Expungement", "Tenant rights", "Child support", "Immigration"],
    "Health": ["Primary care", "Dental", "Mental health", "Substance use treatment"],
    "Identification": ["Birth certificate", "State ID", "Social Security card"],
    "Victim services": ["Safety planning", "Advocacy", "Counselling", "Shelter for survivors"],
    "Transportation": ["Bus passes", "Rides to appointments"],
}
GROUPS = [
    "Adults returning from prison or jail",
    "Veterans",
    "Women and their children",
    "Young adults 18 to 24",
    "Survivors of domestic violence",
    "Families with children",
    "Seniors 60 and over",
    "Anyone living in Jackson County",
]
WORDS = ["community", "center", "alliance", "mission", "project", "services", "network", "house"]


# --- Building the directory -------------------------------------------------------------


def ensure_directory() -> float:
    """Build the synthetic directory unless it is already there; seconds spent building."""
    from jcihub.referrals import models as m

    wanted = ORGANIZATIONS * SERVICES_PER_ORGANIZATION
    m.ZipCentroid.objects.bulk_create(
        [m.ZipCentroid(z, lat, lon, "benchmark") for z, (lat, lon) in ZIP_POINTS.items()],
        ignore_conflicts=True,
    )
    if (
        m.Service.objects.count() == wanted
        and m.Organization.objects.count() == ORGANIZATIONS
        and m.Location.objects.filter(latitude__isnull=False).exists()  # built with sites' points
    ):
        return 0.0
    started = time.perf_counter()
    for model in (m.Organization, m.TaxonomyTerm, m.Taxonomy):
        model.objects.all().delete()
    build_directory(random.Random(SEED))
    return time.perf_counter() - started


def analyze() -> None:
    """Gather the query planner's statistics, as a running server has them (autovacuum on
    PostgreSQL, a routine ANALYZE on SQLite): a bulk load leaves none, and without them
    both databases plan the filters' subqueries poorly."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _id(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def build_directory(rng: random.Random) -> None:
    from django.db import transaction

    from jcihub.referrals import models as m

    with transaction.atomic():
        terms = _terms(rng)
        rows: dict[type, list[Any]] = {model: [] for model in _models_in_write_order(m)}
        for n in range(ORGANIZATIONS):
            _organization(rng, n, terms, rows)
        for model, objects in rows.items():
            model.objects.bulk_create(objects, batch_size=2000)


def _models_in_write_order(m: Any) -> list[type]:
    return [
        m.Organization,
        m.Location,
        m.Address,
        m.Service,
        m.ServiceAtLocation,
        m.Phone,
        m.Schedule,
        m.Language,
        m.ServiceArea,
        m.Attribute,
    ]


def _terms(rng: random.Random) -> list[Any]:
    from jcihub.referrals import models as m

    taxonomy = m.Taxonomy.objects.create(
        id=_id(rng), name="JCI Hub needs", description="Benchmark need categories"
    )
    terms = []
    for category, names in NEEDS.items():
        parent = m.TaxonomyTerm.objects.create(
            id=_id(rng),
            name=category,
            description=category,
            taxonomy=category,
            taxonomy_detail=taxonomy,
        )
        for name in names:
            terms.append(
                m.TaxonomyTerm(
                    id=_id(rng),
                    name=name,
                    description=f"{category}: {name}",
                    parent_id=parent.pk,
                    taxonomy=category,
                    taxonomy_detail=taxonomy,
                )
            )
    return m.TaxonomyTerm.objects.bulk_create(terms)


def _organization(
    rng: random.Random, n: int, terms: list[Any], rows: dict[type, list[Any]]
) -> None:
    from jcihub.referrals import models as m

    name = f"{rng.choice(WORDS).title()} {rng.choice(WORDS).title()} {n:05d}"
    organization = m.Organization(
        id=_id(rng),
        name=name,
        description=f"{name} serves Kansas City.",
        website=f"https://example.org/{n}",
    )
    rows[m.Organization].append(organization)
    sites = []
    for s in range(rng.choice((1, 1, 2))):
        site = m.Location(id=_id(rng), organization_id=organization.pk, name=f"{name} site {s}")
        rows[m.Location].append(site)
        address = m.Address(
            id=_id(rng),
            location_id=site.pk,
            address_1=f"{rng.randrange(100, 9999)} Main St",
            city="Kansas City",
            state_province="MO",
            postal_code=rng.choice(ZIP_CODES),
            country="US",
        )
        rows[m.Address].append(address)
        lat, lon = ZIP_POINTS[address.postal_code]
        spread = random.Random(site.pk.int)  # its own stream: the rest of the build is unchanged
        site.latitude = round(lat + spread.uniform(-0.015, 0.015), 6)
        site.longitude = round(lon + spread.uniform(-0.02, 0.02), 6)
        sites.append(site)
    for s in range(SERVICES_PER_ORGANIZATION):
        _service(rng, organization, s, sites, terms, rows)


def _service(
    rng: random.Random,
    organization: Any,
    s: int,
    sites: list[Any],
    terms: list[Any],
    rows: dict[type, list[Any]],
) -> None:
    from jcihub.referrals import models as m

    chosen = rng.sample(terms, rng.choice((1, 2, 3)))
    youth = rng.random() < 0.1
    service = m.Service(
        id=_id(rng),
        organization_id=organization.pk,
        name=f"{chosen[0].name} at {organization.name}",
        description=f"{', '.join(t.name for t in chosen)} for people in need ({s}).",
        eligibility_description=rng.choice(GROUPS),
        minimum_age=14 if youth else rng.choice((None, 18)),
        maximum_age=24 if youth else None,
        status="active" if rng.random() < 0.95 else "inactive",
    )
    rows[m.Service].append(service)
    site = rng.choice(sites)
    rows[m.ServiceAtLocation].append(
        m.ServiceAtLocation(id=_id(rng), service_id=service.pk, location_id=site.pk)
    )
    rows[m.Phone].append(
        m.Phone(id=_id(rng), service_id=service.pk, number=f"816-555-{rng.randrange(10000):04d}")
    )
    rows[m.Schedule].append(
        m.Schedule(
            id=_id(rng),
            service_id=service.pk,
            freq="WEEKLY",
            byday="MO,TU,WE,TH,FR",
            opens_at="09:00:00",
            closes_at="17:00:00",
        )
    )
    for name, code in rng.sample(LANGUAGES, rng.choice((1, 1, 2, 3))):
        rows[m.Language].append(
            m.Language(id=_id(rng), service_id=service.pk, name=name, code=code)
        )
    if rng.random() < 0.2:
        area = ", ".join(rng.sample(ZIP_CODES, 3))
        rows[m.ServiceArea].append(m.ServiceArea(id=_id(rng), service_id=service.pk, name=area))
    for term in chosen:
        rows[m.Attribute].append(
            m.Attribute(id=_id(rng), service_id=service.pk, taxonomy_term_id=term.pk)
        )


# --- Searching ------------------------------------------------------------------------------


def make_queries(rng: random.Random, count: int) -> list[tuple[str, dict[str, Any]]]:
    """Filters as staff combine them, each kind in turn."""
    from jcihub.referrals.models import TaxonomyTerm

    term_ids = [str(pk) for pk in TaxonomyTerm.objects.values_list("pk", flat=True)]
    makers: dict[str, Callable[[], dict[str, Any]]] = {
        "need category": lambda: {"category": rng.choice(term_ids)},
        "ZIP code": lambda: {"zip_code": rng.choice(ZIP_CODES)},
        "language": lambda: {"language": rng.choice(LANGUAGES)[rng.randrange(2)]},
        "eligibility": lambda: {
            "eligibility": rng.choice(["veteran", "women", "prison", "senior"])
        },
        "free text": lambda: {"q": rng.choice(["shelter", "legal", "pantry", "Mission", "dental"])},
        "need + ZIP + language": lambda: {
            "category": rng.choice(term_ids),
            "zip_code": rng.choice(ZIP_CODES),
            "language": rng.choice(["es", "Spanish", "so"]),
        },
        "need + age + eligibility": lambda: {
            "category": rng.choice(term_ids),
            "age": rng.choice((16, 30, 70)),
            "eligibility": rng.choice(["adults", "survivors"]),
        },
        "near ZIP, 5 miles": lambda: {"near": rng.choice(ZIP_CODES)},
        "need + near ZIP, 10 miles": lambda: {
            "category": rng.choice(term_ids),
            "near": rng.choice(ZIP_CODES),
            "within": "10",
        },
        "no filter, page 40": lambda: {"page": 40},
    }
    kinds = list(makers)
    return [(kinds[n % len(kinds)], makers[kinds[n % len(kinds)]]()) for n in range(count)]


def run_query(filters: dict[str, Any]) -> int:
    """What the search page does: validate, count, draw one page."""
    from django.core.paginator import Paginator

    from jcihub.referrals.forms import DirectorySearchForm
    from jcihub.referrals.selectors import search_services, with_summary

    form = DirectorySearchForm({k: v for k, v in filters.items() if k != "page"})
    assert form.is_valid(), form.errors
    page = Paginator(with_summary(search_services(form.cleaned_data)), 25).get_page(
        filters.get("page", 1)
    )
    for service in page:
        list(service.attributes.all()), list(service.languages.all())
        for sal in service.service_at_locations.all():
            list(sal.location.addresses.all())
    return page.paginator.count


def measure_search(
    queries: list[tuple[str, dict[str, Any]]], warmup: int
) -> dict[str, list[float]]:
    for _, filters in queries[:warmup]:
        run_query(filters)
    timings: dict[str, list[float]] = {"all": []}
    for kind, filters in queries[warmup:]:
        started = time.perf_counter()
        run_query(filters)
        elapsed = (time.perf_counter() - started) * 1000
        timings.setdefault(kind, []).append(elapsed)
        timings["all"].append(elapsed)
    return timings


def measure_export() -> tuple[float, int, int]:
    """Seconds to export everything, organisations written, schema problems in a sample."""
    from jcihub.referrals import hsds
    from jcihub.referrals.exporter import write_export

    BENCH_DIR.mkdir(parents=True, exist_ok=True)
    out = BENCH_DIR / "directory-export.json"
    started = time.perf_counter()
    written = write_export(out)
    seconds = time.perf_counter() - started
    problems = -1
    if hsds.schemas_available():
        documents = json.loads(out.read_text())
        sample = random.Random(SEED).sample(documents, min(200, len(documents)))
        problems = sum(len(list(hsds.schema_errors(d, "organization"))) for d in sample)
    return seconds, written, problems


# --- Report -------------------------------------------------------------------------------


def report(backend: str, timings: dict[str, list[float]], export: tuple[float, int, int]) -> bool:
    table = Table(
        title=f"Directory search, {ORGANIZATIONS:,} organisations and "
        f"{ORGANIZATIONS * SERVICES_PER_ORGANIZATION:,} services on {backend}",
        title_justify="left",
    )
    table.add_column("filters", no_wrap=True)
    for column in ("queries", "p50 ms", "p95 ms", "p99 ms", "max ms"):
        table.add_column(column, justify="right")
    for kind, values in timings.items():
        figures = summary(values)
        table.add_row(
            kind, f"{len(values):,}", *(f"{figures[p]:.1f}" for p in ("p50", "p95", "p99", "max"))
        )
    console.print(table)
    p95 = summary(timings["all"])["p95"]
    search_ok = p95 < TARGET_SEARCH_P95_MS
    seconds, written, problems = export
    export_ok = seconds < TARGET_EXPORT_SECONDS and problems <= 0
    checked = "not checked (no schemas)" if problems < 0 else f"{problems} schema problems in 200"
    console.print(f"Export: {written:,} organisations in {seconds:.1f} s; {checked}.")
    console.print(
        f"Target search p95 < {TARGET_SEARCH_P95_MS:.0f} ms ({backend}): "
        f"{'PASS' if search_ok else 'FAIL'} ({p95:.1f} ms)"
    )
    console.print(
        f"Target HSDS export < {TARGET_EXPORT_SECONDS:.0f} s ({backend}): "
        f"{'PASS' if export_ok else 'FAIL'} ({seconds:.1f} s)"
    )
    return search_ok and export_ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.directory", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--backend", choices=BACKENDS, default="postgres")
    parser.add_argument("--queries", type=int, default=800, help="measured searches")
    parser.add_argument("--warmup", type=int, default=80, help="searches run first, not timed")
    parser.add_argument(
        "--database",
        default="directory",
        help="benchmark database suffix (jcihub_bench_<name>), so parallel work keeps apart",
    )
    args = parser.parse_args(argv)
    setup_django(args.backend, args.database)
    built = ensure_directory()
    analyze()
    console.print(
        f"Directory {'built in ' + format(built, '.0f') + ' s' if built else 'reused'}; "
        f"measuring on {machine()}."
    )
    queries = make_queries(random.Random(SEED + 1), args.queries + args.warmup)
    timings = measure_search(queries, args.warmup)
    passed = report(args.backend, timings, measure_export())
    return 0 if passed else 3


if __name__ == "__main__":
    raise SystemExit(main())
