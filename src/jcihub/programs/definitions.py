"""Screening instruments as data: the definition format, its checks, and its reading.

A definition (JSON, see `instrument_schema.json` and docs/programs.md) names its items
(yes/no or one choice among options, each with a weight), how the answers are scored
(`sum` of the weights, or `none`), the bands a score falls in (each from a lowest score;
a score belongs to the last band whose lowest score it reaches), and the screen-in
rules, any one of which screens the person in.

A **skeleton** is a definition whose licensed parts (the wording of the questions, the
weights, the cut-offs) are left empty for a jurisdiction to fill from its own licensed
copy; it loads, but nothing can be recorded with it until a complete version is loaded.
"""

import itertools
import json
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema

SCHEMA_FILE = Path(__file__).with_name("instrument_schema.json")
YES, NO, UNANSWERED = "yes", "no", "unanswered"


class DefinitionError(ValueError):
    """The definition is not valid; `problems` says every way in which, with where."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("; ".join(problems))
        self.problems = problems


@cache
def _validator() -> jsonschema.Draft202012Validator:
    schema = json.loads(SCHEMA_FILE.read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def _where(path: Any) -> str:
    parts = [f"[{p}]" if isinstance(p, int) else f".{p}" for p in path]
    return "definition" + "".join(parts)


def schema_problems(data: Any) -> list[str]:
    errors = sorted(_validator().iter_errors(data), key=lambda e: list(map(str, e.absolute_path)))
    return [f"{_where(error.absolute_path)}: {error.message}" for error in errors]


@dataclass(frozen=True)
class Option:
    value: str
    label: str
    weight: Decimal | None


@dataclass(frozen=True)
class Item:
    id: str
    type: str
    label: str
    text: str
    weight: Decimal | None
    allow_unanswered: bool
    options: tuple[Option, ...]

    def choices(self) -> list[tuple[str, str]]:
        if self.type == "choice":
            return [(o.value, o.label) for o in self.options]
        answers = [(YES, "Yes"), (NO, "No")]
        return [*answers, (UNANSWERED, "Not answered")] if self.allow_unanswered else answers


@dataclass(frozen=True)
class Band:
    label: str
    min: Decimal | None


@dataclass(frozen=True)
class Rule:
    kind: str
    reason: str
    items: tuple[str, ...] = ()
    at_least: int = 1
    value: Decimal | None = None
    bands: tuple[str, ...] = ()


@dataclass(frozen=True)
class Definition:
    code: str
    version: int
    name: str
    status: str
    subject: str
    licence: str
    description: str
    items: tuple[Item, ...]
    method: str
    bands: tuple[Band, ...]
    rules: tuple[Rule, ...]
    action: str

    @property
    def is_complete(self) -> bool:
        return self.status == "complete"


def _decimal(value: Any) -> Decimal | None:
    return None if value is None else Decimal(str(value))


def read(data: dict[str, Any]) -> Definition:
    """The definition as typed values. Call `check` first: this assumes a valid one."""
    screen_in = data.get("screen_in") or {}
    return Definition(
        code=data["code"],
        version=data["version"],
        name=data["name"],
        status=data["status"],
        subject=data["subject"],
        licence=data["licence"],
        description=data.get("description", ""),
        items=tuple(
            Item(
                id=item["id"],
                type=item["type"],
                label=item["label"],
                text=item.get("text") or "",
                weight=_decimal(item.get("weight")),
                allow_unanswered=item.get("allow_unanswered", False),
                options=tuple(
                    Option(o["value"], o["label"], _decimal(o.get("weight")))
                    for o in item.get("options", [])
                ),
            )
            for item in data["items"]
        ),
        method=data["scoring"]["method"],
        bands=tuple(Band(b["label"], _decimal(b["min"])) for b in data.get("bands", [])),
        rules=tuple(
            Rule(
                kind=r["kind"],
                reason=r["reason"],
                items=tuple(r.get("items", [])),
                at_least=r.get("at_least", 1),
                value=_decimal(r.get("value")),
                bands=tuple(r.get("bands", [])),
            )
            for r in screen_in.get("rules", [])
        ),
        action=screen_in.get("action", ""),
    )


def check(data: Any) -> Definition:
    """The definition, read, if it is valid; `DefinitionError` listing every problem if not."""
    problems = schema_problems(data)
    if problems:
        raise DefinitionError(problems)
    definition = read(data)
    problems = _item_problems(definition) + _band_problems(definition)
    problems += _rule_problems(definition)
    if definition.is_complete:
        problems += _completeness_problems(definition)
    if problems:
        raise DefinitionError(problems)
    return definition


def _item_problems(d: Definition) -> list[str]:
    problems, seen = [], set()
    for n, item in enumerate(d.items):
        where = f"definition.items[{n}] ({item.id})"
        if item.id in seen:
            problems.append(f"{where}: the item id {item.id!r} is used twice")
        seen.add(item.id)
        if item.type == "choice":
            values = [o.value for o in item.options]
            if len(values) < 2:
                problems.append(f"{where}: a choice item needs at least two options")
            if len(set(values)) != len(values):
                problems.append(f"{where}: two options share a value")
        elif item.options:
            problems.append(f"{where}: only a choice item has options")
    return problems


def _band_problems(d: Definition) -> list[str]:
    problems = []
    labels = [band.label for band in d.bands]
    if len(set(labels)) != len(labels):
        problems.append("definition.bands: two bands share a label")
    if d.method == "none" and d.bands:
        problems.append("definition.bands: an instrument scored 'none' has no bands")
    lows = [band.min for band in d.bands if band.min is not None]
    if any(later <= earlier for earlier, later in itertools.pairwise(lows)):
        problems.append("definition.bands: each band must start above the one before it")
    return problems


def _rule_problems(d: Definition) -> list[str]:
    problems = []
    kinds = {item.id: item.type for item in d.items}
    labels = {band.label for band in d.bands}
    for n, rule in enumerate(d.rules):
        where = f"definition.screen_in.rules[{n}] ({rule.kind})"
        if rule.kind in ("any_yes", "count_yes"):
            if not rule.items:
                problems.append(f"{where}: name the items it counts")
            for item_id in rule.items:
                if kinds.get(item_id) != "yes_no":
                    problems.append(f"{where}: {item_id!r} is not a yes/no item of this instrument")
            if rule.kind == "count_yes" and rule.at_least > len(rule.items):
                problems.append(f"{where}: at_least is more than the items it counts")
        elif d.method == "none":
            problems.append(f"{where}: the instrument has no score to compare")
        if rule.kind == "band_in":
            if not rule.bands:
                problems.append(f"{where}: name the bands that screen in")
            problems += [
                f"{where}: no band is labelled {b!r}" for b in rule.bands if b not in labels
            ]
    return problems


def _completeness_problems(d: Definition) -> list[str]:
    """A complete definition can be recorded with: nothing the scoring needs is missing."""
    problems = [
        f"definition.items[{n}] ({item.id}): a complete instrument needs the question's text"
        for n, item in enumerate(d.items)
        if not item.text.strip()
    ]
    if d.method == "sum":
        for n, item in enumerate(d.items):
            weights = [o.weight for o in item.options] if item.type == "choice" else [item.weight]
            if any(w is None for w in weights):
                problems.append(f"definition.items[{n}] ({item.id}): give every weight")
        if not d.bands:
            problems.append("definition.bands: a scored instrument needs at least one band")
        problems += [
            f"definition.bands ({band.label}): give its lowest score"
            for band in d.bands
            if band.min is None
        ]
    problems += [
        f"definition.screen_in.rules ({rule.kind}): give the score it compares with"
        for rule in d.rules
        if rule.kind == "score_at_least" and rule.value is None
    ]
    return problems
