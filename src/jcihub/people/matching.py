"""Finding the person a user means: blocking keys, candidate look-up and a scored match.

Used by intake ("is this person already known?") and by the header search. Candidates
come from a few indexed look-ups (phonetic family name with the first initial, phonetic
given name, date of birth, identifiers), never a scan; each candidate is then scored
field by field, and the score keeps its reasons so the page can explain it.
"""

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field

import jellyfish
from rapidfuzz.distance import JaroWinkler

# Common English given-name variants, folded to one form before comparison.
NICKNAMES: dict[str, str] = {
    "BOB": "ROBERT",
    "BOBBY": "ROBERT",
    "ROB": "ROBERT",
    "ROBBIE": "ROBERT",
    "BILL": "WILLIAM",
    "BILLY": "WILLIAM",
    "WILL": "WILLIAM",
    "WILLIE": "WILLIAM",
    "LIAM": "WILLIAM",
    "JIM": "JAMES",
    "JIMMY": "JAMES",
    "JAMIE": "JAMES",
    "MIKE": "MICHAEL",
    "MIKEY": "MICHAEL",
    "MICKEY": "MICHAEL",
    "DICK": "RICHARD",
    "RICK": "RICHARD",
    "RICKY": "RICHARD",
    "RICH": "RICHARD",
    "TOM": "THOMAS",
    "TOMMY": "THOMAS",
    "JOE": "JOSEPH",
    "JOEY": "JOSEPH",
    "DAVE": "DAVID",
    "DAVEY": "DAVID",
    "CHRIS": "CHRISTOPHER",
    "TONY": "ANTHONY",
    "DANNY": "DANIEL",
    "DAN": "DANIEL",
    "MATT": "MATTHEW",
    "STEVE": "STEVEN",
    "STEPHEN": "STEVEN",
    "ED": "EDWARD",
    "EDDIE": "EDWARD",
    "TED": "EDWARD",
    "CHARLIE": "CHARLES",
    "CHUCK": "CHARLES",
    "JOHNNY": "JOHN",
    "JACK": "JOHN",
    "JON": "JOHN",
    "KEN": "KENNETH",
    "KENNY": "KENNETH",
    "LARRY": "LAWRENCE",
    "JERRY": "GERALD",
    "GREG": "GREGORY",
    "NICK": "NICHOLAS",
    "ANDY": "ANDREW",
    "DREW": "ANDREW",
    "BEN": "BENJAMIN",
    "SAM": "SAMUEL",
    "ALEX": "ALEXANDER",
    "TIM": "TIMOTHY",
    "TERRY": "TERRENCE",
    "RAY": "RAYMOND",
    "LIZ": "ELIZABETH",
    "BETH": "ELIZABETH",
    "BETTY": "ELIZABETH",
    "LIZZIE": "ELIZABETH",
    "KATE": "KATHERINE",
    "KATIE": "KATHERINE",
    "KATHY": "KATHERINE",
    "CATHY": "KATHERINE",
    "CATHERINE": "KATHERINE",
    "KATHRYN": "KATHERINE",
    "SUE": "SUSAN",
    "SUSIE": "SUSAN",
    "PEGGY": "MARGARET",
    "MAGGIE": "MARGARET",
    "MEG": "MARGARET",
    "JENNY": "JENNIFER",
    "JEN": "JENNIFER",
    "PATTY": "PATRICIA",
    "PAT": "PATRICIA",
    "TRISH": "PATRICIA",
    "DEBBIE": "DEBORAH",
    "DEB": "DEBORAH",
    "BARB": "BARBARA",
    "MANDY": "AMANDA",
    "BECKY": "REBECCA",
    "VICKY": "VICTORIA",
    "TINA": "CHRISTINA",
    "CHRISSY": "CHRISTINA",
    "SANDY": "SANDRA",
    "ANGIE": "ANGELA",
    "NIKKI": "NICOLE",
    "TASHA": "NATASHA",
    "ABBY": "ABIGAIL",
    "ALLIE": "ALLISON",
    "GABBY": "GABRIELLE",
    "JESS": "JESSICA",
    "JESSIE": "JESSICA",
    "MANNY": "MANUEL",
    "PACO": "FRANCISCO",
    "PANCHO": "FRANCISCO",
    "LUPE": "GUADALUPE",
    "CHUY": "JESUS",
    "PEPE": "JOSE",
    "MEMO": "GUILLERMO",
}

_NOT_LETTER = re.compile(r"[^A-Z ]+")


def normalise_name(name: str) -> str:
    """Upper-case letters and single spaces; accents folded, punctuation dropped."""
    folded = unicodedata.normalize("NFKD", name or "")
    ascii_only = folded.encode("ascii", "ignore").decode().upper()
    return " ".join(_NOT_LETTER.sub(" ", ascii_only.replace("'", "")).split())


def canonical_given(name: str) -> str:
    first = normalise_name(name).split(" ")[0] if name else ""
    return NICKNAMES.get(first, first)


def phonetic(name: str) -> str:
    text = normalise_name(name).replace(" ", "")
    return jellyfish.metaphone(text)[:12] if text else ""


@dataclass(frozen=True)
class NameKeys:
    family_key: str
    given_key: str
    given_initial: str


def name_keys(given_name: str, family_name: str) -> NameKeys:
    given = canonical_given(given_name)
    return NameKeys(phonetic(family_name), phonetic(given), given[:1])


@dataclass(frozen=True)
class MatchQuery:
    given_name: str = ""
    family_name: str = ""
    birth_date: dt.date | None = None
    identifiers: tuple[str, ...] = ()


@dataclass(frozen=True)
class CandidateNames:
    """What the scorer needs to know about one candidate."""

    person_id: int
    names: tuple[tuple[str, str], ...]  # (given, family) for every name, legal first
    birth_date: dt.date | None
    identifiers: frozenset[str]


@dataclass(frozen=True)
class FieldComparison:
    field: str
    outcome: str  # "agree", "partial", "disagree", "missing"
    detail: str


@dataclass
class Match:
    person_id: int
    score: float
    comparisons: list[FieldComparison] = field(default_factory=list)


def _similarity(a: str, b: str) -> float:
    if not a or not b:
        return 0.0
    return float(JaroWinkler.similarity(a, b))


def _outcome(similarity: float) -> str:
    return "agree" if similarity >= 0.97 else "partial" if similarity >= 0.85 else "disagree"


def compare_names(query: MatchQuery, candidate: CandidateNames) -> tuple[float, FieldComparison]:
    """Best agreement over the candidate's names, allowing given/family transposition."""
    q_given, q_family = canonical_given(query.given_name), normalise_name(query.family_name)
    best, best_detail = 0.0, ""
    for given, family in candidate.names:
        c_given, c_family = canonical_given(given), normalise_name(family)
        straight = _name_pair_score(q_given, q_family, c_given, c_family)
        swapped = _name_pair_score(q_given, q_family, c_family, c_given) * 0.95
        score = max(straight, swapped)
        if score > best:
            best, best_detail = score, f"{given} {family}".strip()
    return best, FieldComparison("name", _outcome(best), best_detail)


def _name_pair_score(q_given: str, q_family: str, c_given: str, c_family: str) -> float:
    family = _similarity(q_family, c_family)
    if not q_given:
        return family
    given = _similarity(q_given, c_given)
    if len(q_given) == 1 or len(c_given) == 1:  # an initial only
        given = 0.9 if q_given[:1] == c_given[:1] else 0.0
    return 0.6 * family + 0.4 * given


def compare_birth_dates(a: dt.date | None, b: dt.date | None) -> tuple[float, FieldComparison]:
    if a is None or b is None:
        return 0.5, FieldComparison("birth_date", "missing", "not known on both sides")
    if a == b:
        return 1.0, FieldComparison("birth_date", "agree", b.isoformat())
    if (a.year, a.month, a.day) == (b.year, b.day, b.month):
        return 0.75, FieldComparison("birth_date", "partial", f"{b} (day and month swapped)")
    digits_a, digits_b = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    if sum(x != y for x, y in zip(digits_a, digits_b, strict=True)) == 1:
        return 0.7, FieldComparison("birth_date", "partial", f"{b} (one digit differs)")
    if abs((a - b).days) <= 31 or a.year == b.year:
        return 0.35, FieldComparison("birth_date", "partial", f"{b} (close)")
    return 0.0, FieldComparison("birth_date", "disagree", b.isoformat())


def score_candidate(query: MatchQuery, candidate: CandidateNames) -> Match:
    """A 0-100 score: names weigh most, date of birth next; a shared identifier settles it."""
    name_score, name_cmp = compare_names(query, candidate)
    dob_score, dob_cmp = compare_birth_dates(query.birth_date, candidate.birth_date)
    comparisons = [name_cmp, dob_cmp]
    shared = candidate.identifiers & set(query.identifiers)
    if shared:
        # The value itself is not repeated: it may be criminal-justice or health information.
        comparisons.append(FieldComparison("identifier", "agree", "an identifier matches"))
        return Match(candidate.person_id, 100.0, comparisons)
    if query.birth_date is None:
        score = 100 * name_score
    else:
        score = 100 * (0.65 * name_score + 0.35 * dob_score)
    return Match(candidate.person_id, round(score, 1), comparisons)


def rank(query: MatchQuery, candidates: list[CandidateNames], floor: float) -> list[Match]:
    matches = [score_candidate(query, candidate) for candidate in candidates]
    return sorted((m for m in matches if m.score >= floor), key=lambda m: (-m.score, m.person_id))
