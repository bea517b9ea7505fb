"""Person search (fuzzy name + date of birth) over N synthetic people.

The people are built once per database (see `population`). Queries are made from a
deterministic sample of them, each with one error intake staff make: none, a typo or two
letters transposed in the family name, a letter dropped from the given name, a nickname
for the given name (William → Bill, from `people.matching.NICKNAMES`), given and family
names swapped, or day and month of birth swapped. All carry the date of birth.

Each query runs through the code the application runs:

- intake: `people.selectors.find_matches` with the fields of the intake form;
- the header search box: `people.selectors.search_people` with the typed text
  ("Bill Smith 1970-03-04"), which parses it and calls `find_matches`;

as a director (whose role sees the whole registry) and, for the search box, as a case
manager (a registry role: the access policy adds its conditions to the query). Reported:
latency percentiles after a warm-up, and recall, how often the person the query was
made from is first (recall@1) or in the top ten (recall@10).

    python -m benchmarks.search --backend postgres --people 1000000
"""

import argparse
import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from rich.table import Table

from ._setup import BACKENDS, machine, make_console, setup_django, summary
from .population import LOADERS, SEED, ensure_population

TARGET_P95_MS = 100.0
console = make_console()


@dataclass(frozen=True)
class Case:
    """One query: the person it was made from, and what intake staff typed."""

    person_id: int
    given_name: str
    family_name: str
    birth_date: dt.date
    error: str = "exact"

    @property
    def text(self) -> str:
        return f"{self.given_name} {self.family_name} {self.birth_date:%Y-%m-%d}"

    def match_query(self) -> Any:
        from jcihub.people.matching import MatchQuery

        return MatchQuery(self.given_name, self.family_name, self.birth_date)


# --- The errors intake staff make -------------------------------------------------------
# Each takes a true record and returns it as typed, or None where the error cannot apply
# (a name too short to mistype, a given name with no nickname, a day above 12).

Corruption = Callable[[random.Random, Case], Case | None]


def _exact(rng: random.Random, case: Case) -> Case | None:
    return case


def _typo(rng: random.Random, case: Case) -> Case | None:
    word = case.family_name
    if len(word) < 4:
        return None
    i = rng.randrange(1, len(word))
    letter = rng.choice([c for c in "aeiourstnlmdc" if c != word[i].lower()])
    return replace(case, family_name=word[:i] + letter + word[i + 1 :])


def _transposition(rng: random.Random, case: Case) -> Case | None:
    word = case.family_name
    spots = [i for i in range(1, len(word) - 1) if word[i] != word[i + 1]]
    if len(word) < 4 or not spots:
        return None
    i = rng.choice(spots)
    return replace(case, family_name=word[:i] + word[i + 1] + word[i] + word[i + 2 :])


def _dropped_letter(rng: random.Random, case: Case) -> Case | None:
    word = case.given_name
    if len(word) < 4:
        return None
    i = rng.randrange(1, len(word))
    return replace(case, given_name=word[:i] + word[i + 1 :])


def _nickname(rng: random.Random, case: Case) -> Case | None:
    from jcihub.people.matching import NICKNAMES

    formal = case.given_name.upper()
    nicknames = sorted(nick for nick, name in NICKNAMES.items() if name == formal)
    if not nicknames:
        return None
    return replace(case, given_name=rng.choice(nicknames).title())


def _names_swapped(rng: random.Random, case: Case) -> Case | None:
    return replace(case, given_name=case.family_name, family_name=case.given_name)


def _day_month_swapped(rng: random.Random, case: Case) -> Case | None:
    born = case.birth_date
    if born.day > 12 or born.day == born.month:
        return None
    return replace(case, birth_date=born.replace(month=born.day, day=born.month))


ERRORS: dict[str, Corruption] = {
    "exact": _exact,
    "typo": _typo,
    "transposition": _transposition,
    "dropped letter": _dropped_letter,
    "nickname": _nickname,
    "names swapped": _names_swapped,
    "day/month swapped": _day_month_swapped,
}


def make_cases(count: int, people: int) -> list[Case]:
    """`count` queries, the errors in turn, from people sampled with a fixed seed."""
    from jcihub.people.models import Person

    rng = random.Random(SEED + 1)
    first_id = Person.objects.order_by("id").values_list("id", flat=True).first() or 1
    sample = rng.sample(range(first_id, first_id + people), min(people, count * 8))
    # The population's people: their legal name is the person's own name.
    rows = Person.objects.filter(pk__in=sample).values_list(
        "pk", "given_name", "family_name", "birth_date"
    )
    found = {pk: Case(pk, given, family, born) for pk, given, family, born in rows if born}
    pool = [found[pk] for pk in sample if pk in found]
    used: set[int] = set()
    cursor = dict.fromkeys(ERRORS, 0)
    cases = []
    for n in range(count):
        error = list(ERRORS)[n % len(ERRORS)]
        while cursor[error] < len(pool):
            true = pool[cursor[error]]
            cursor[error] += 1
            typed = None if true.person_id in used else ERRORS[error](rng, true)
            if typed is not None:
                used.add(true.person_id)
                cases.append(replace(typed, error=error))
                break
    return cases


# --- Measuring ----------------------------------------------------------------------------


@dataclass
class PathResult:
    name: str
    timings_ms: list[float]
    first: int = 0
    top10: int = 0
    found_by_error: dict[str, list[int]] | None = None  # error → [queries, first, top ten]


def _paths() -> dict[str, Callable[[Case], list[Any]]]:
    from jcihub.accounts.models import Role, User
    from jcihub.people.selectors import find_matches, search_people

    def user(username: str, role: str) -> Any:
        return User.objects.get_or_create(
            username=username, defaults={"role": Role.objects.get(code=role)}
        )[0]

    director = user("bench-director", "director")
    case_manager = user("bench-search-casemanager", "case_manager")
    return {
        "intake (director)": lambda c: find_matches(director, c.match_query()),
        "search box (director)": lambda c: search_people(director, c.text),
        "search box (case manager)": lambda c: search_people(case_manager, c.text),
    }


def run(cases: list[Case], warmup: int) -> list[PathResult]:
    """Every case through every path; the paths take turns going first on each case."""
    paths = _paths()
    for case in cases[:warmup]:
        for search in paths.values():
            search(case)
    results = {
        name: PathResult(name, [], found_by_error={e: [0, 0, 0] for e in ERRORS}) for name in paths
    }
    names = list(paths)
    for n, case in enumerate(cases[warmup:]):
        for name in names[n % len(names) :] + names[: n % len(names)]:
            started = time.perf_counter()
            ranked = paths[name](case)
            elapsed = (time.perf_counter() - started) * 1000
            _tally(results[name], case, [r.person.pk for r in ranked[:10]], elapsed)
    return list(results.values())


def _tally(result: PathResult, case: Case, top10: list[int], elapsed_ms: float) -> None:
    result.timings_ms.append(elapsed_ms)
    is_first = bool(top10) and top10[0] == case.person_id
    in_top10 = case.person_id in top10
    result.first += is_first
    result.top10 += in_top10
    assert result.found_by_error is not None
    counts = result.found_by_error[case.error]
    counts[0] += 1
    counts[1] += is_first
    counts[2] += in_top10


def candidate_counts(cases: list[Case]) -> dict[str, float]:
    """How many people the blocking keys hand to the scorer per query (not timed)."""
    from jcihub.people.selectors import candidate_ids

    counts = [float(len(candidate_ids(case.match_query()))) for case in cases]
    return summary(counts)


# --- Report -------------------------------------------------------------------------------


def report(
    backend: str, people: int, population: Any, results: list[PathResult], candidates: Any
) -> bool:
    """Print the figures; True if every path met the target."""
    table = Table(title=f"Person search, {people:,} people on {backend}", title_justify="left")
    table.add_column("path", no_wrap=True)
    for column in ("queries", "p50 ms", "p95 ms", "p99 ms", "max ms", "recall@1", "recall@10"):
        table.add_column(column, justify="right")
    table.add_column(f"p95 < {TARGET_P95_MS:.0f} ms", justify="center")
    passed = True
    for result in results:
        figures = summary(result.timings_ms)
        ok = figures["p95"] < TARGET_P95_MS
        passed &= ok
        n = len(result.timings_ms)
        table.add_row(
            result.name,
            f"{n:,}",
            *(f"{figures[p]:.1f}" for p in ("p50", "p95", "p99", "max")),
            f"{result.first / n:.3f}",
            f"{result.top10 / n:.3f}",
            "PASS" if ok else "FAIL",
        )
    console.print(table)
    console.print(
        "intake: people.selectors.find_matches with the intake form's fields; search box: "
        "people.selectors.search_people with the typed text."
    )
    _report_errors(results[0])
    console.print(
        f"Candidates scored per query: median {candidates['p50']:.0f}, "
        f"p95 {candidates['p95']:.0f}, max {candidates['max']:.0f}."
    )
    how = "built by this run" if population.built_now else "built earlier and reused"
    console.print(
        f"Population: {people:,} people, seed {population.seed}, {how} "
        f"({population.loader} loader, {population.build_seconds:,.0f} s to build)."
    )
    verdict = "PASS" if passed else "FAIL"
    console.print(f"Target search p95 < {TARGET_P95_MS:.0f} ms ({backend}): {verdict}")
    return passed


def _report_errors(result: PathResult) -> None:
    table = Table(title=f"Recall by kind of error ({result.name})", title_justify="left")
    for column in ("error", "queries", "first", "in top ten"):
        table.add_column(column, justify="right")
    assert result.found_by_error is not None
    for error, (total, first, top10) in result.found_by_error.items():
        table.add_row(error, str(total), f"{first}", f"{top10}")
    console.print(table)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.search", description=__doc__.splitlines()[0]
    )
    parser.add_argument("--backend", choices=BACKENDS, default="postgres")
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--queries", type=int, default=700, help="measured queries per path")
    parser.add_argument("--warmup", type=int, default=70, help="queries run first, not timed")
    parser.add_argument("--loader", choices=LOADERS, default="bulk")
    parser.add_argument("--rebuild", action="store_true", help="build the people again")
    args = parser.parse_args(argv)
    setup_django(args.backend, f"people_{args.people}")
    population = ensure_population(args.people, loader=args.loader, rebuild=args.rebuild)
    cases = make_cases(args.queries + args.warmup, args.people)
    console.print(f"Measuring on {machine()}.")
    results = run(cases, args.warmup)
    candidates = candidate_counts(cases[args.warmup :])
    passed = report(args.backend, args.people, population, results, candidates)
    return 0 if passed else 3


if __name__ == "__main__":
    raise SystemExit(main())
