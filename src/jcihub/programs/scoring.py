"""Scoring a completed instrument: the answers checked, the score, its band, and whether
the screen-in rules screen the person in (and which of them did)."""

from dataclasses import dataclass
from decimal import Decimal

from .definitions import UNANSWERED, YES, Definition, Item, Rule


class AnswerError(ValueError):
    """The answers do not fit the instrument: `problems` maps item id to what is wrong."""

    def __init__(self, problems: dict[str, str]) -> None:
        super().__init__("; ".join(f"{k}: {v}" for k, v in problems.items()))
        self.problems = problems


@dataclass(frozen=True)
class Result:
    score: Decimal | None
    band: str
    screened_in: bool
    reasons: tuple[str, ...]
    yes_count: int


def check_answers(definition: Definition, answers: dict[str, str]) -> dict[str, str]:
    """Every item answered with one of its choices; no answers to items it does not have.
    An item that may be left unanswered counts as unanswered when missing."""
    problems: dict[str, str] = {}
    known = {item.id for item in definition.items}
    for extra in sorted(set(answers) - known):
        problems[extra] = "this instrument has no such item"
    cleaned: dict[str, str] = {}
    for item in definition.items:
        value = answers.get(item.id)
        if value in (None, "") and item.allow_unanswered:
            value = UNANSWERED
        if value in (None, ""):
            problems[item.id] = "answer this question"
        elif value not in dict(item.choices()):
            problems[item.id] = f"{value!r} is not one of its answers"
        else:
            cleaned[item.id] = str(value)
    if problems:
        raise AnswerError(problems)
    return cleaned


def _points(item: Item, answer: str) -> Decimal:
    if item.type == "choice":
        option = next(o for o in item.options if o.value == answer)
        return option.weight or Decimal(0)
    return (item.weight or Decimal(0)) if answer == YES else Decimal(0)


def band_for(definition: Definition, score: Decimal | None) -> str:
    if score is None:
        return ""
    reached = [b for b in definition.bands if b.min is not None and score >= b.min]
    return reached[-1].label if reached else ""


def score(definition: Definition, answers: dict[str, str]) -> Result:
    """Score checked answers (see `check_answers`)."""
    total = (
        sum((_points(item, answers[item.id]) for item in definition.items), Decimal(0))
        if definition.method == "sum"
        else None
    )
    band = band_for(definition, total)
    reasons = tuple(rule.reason for rule in definition.rules if _holds(rule, answers, total, band))
    yes_count = sum(1 for value in answers.values() if value == YES)
    return Result(total, band, bool(reasons), reasons, yes_count)


def _holds(rule: Rule, answers: dict[str, str], total: Decimal | None, band: str) -> bool:
    yeses = sum(1 for item_id in rule.items if answers.get(item_id) == YES)
    if rule.kind == "any_yes":
        return yeses >= 1
    if rule.kind == "count_yes":
        return yeses >= rule.at_least
    if rule.kind == "score_at_least":
        return total is not None and rule.value is not None and total >= rule.value
    return band in rule.bands
