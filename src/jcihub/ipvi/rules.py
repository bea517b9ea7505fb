"""Which tier the rules propose for a candidate, and why, in words a coordinator reads.

Pure functions over plain values: the ladder (`Tier` rows, lowest first), the person's
earlier domestic-violence incidents, the serious-violence signs of this incident and the
highest tier the person was placed on before it. Every tier whose rules hold is a
candidate level; the highest wins, and its reasons are the ones shown.
"""

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .models import Tier

ADULT_AGE = 18

# Serious-violence signs read from the incident: a NIBRS code, or words KCPD uses in its
# offense descriptions. (Pregnancy or children present are not in police extracts: the
# coordinator weighs them when confirming or overriding.)
SERIOUS_CODES = {
    "09A": "homicide",
    "13A": "aggravated assault",
    "11A": "sexual assault",
    "11B": "sexual assault",
    "11C": "sexual assault",
    "100": "kidnapping",
}
SERIOUS_WORDS = (
    (re.compile(r"STRANG|CHOK|SUFFOCAT"), "strangulation"),
    (
        re.compile(r"PROTECT(ION|IVE)? ORDER|ORDER OF PROTECT|EX PARTE|VIOL\w* .*ORDER"),
        "protection-order violation",
    ),
    (re.compile(r"AGG\w* ASSAULT|ASSAULT.*(1ST|FIRST|2ND|SECOND) DEG"), "aggravated assault"),
    (re.compile(r"KIDNAP|FALSE IMPRISON"), "kidnapping"),
)


def serious_signs(firearm_used: bool | None, offenses: Iterable[tuple[str, str, str]]) -> list[str]:
    """The serious-violence signs of an incident, each named once, in a stable order."""
    signs = {"a firearm"} if firearm_used else set()
    for code, ibrs, description in offenses:
        if ibrs.upper() in SERIOUS_CODES:
            signs.add(SERIOUS_CODES[ibrs.upper()])
        text = f"{code} {description}".upper()
        signs.update(name for pattern, name in SERIOUS_WORDS if pattern.search(text))
    return sorted(signs)


def age_on(
    incident_date: dt.date | None, reported_age: int | None, birth_date: dt.date | None
) -> int | None:
    """The person's age at the incident: from the date of birth when known, else as the
    police report gives it."""
    if birth_date and incident_date:
        before_birthday = (incident_date.month, incident_date.day) < (
            birth_date.month,
            birth_date.day,
        )
        return incident_date.year - birth_date.year - before_birthday
    return reported_age


@dataclass(frozen=True)
class Proposal:
    tier: Tier | None
    reasons: list[str]


def propose(
    ladder: Sequence[Tier],
    prior_incidents: int,
    signs: Sequence[str],
    last_tier: Tier | None,
) -> Proposal:
    """The highest tier any rule points at, with that tier's reasons."""
    matched: list[tuple[Tier, list[str]]] = []
    for tier in ladder:
        why = []
        if tier.min_prior_incidents is not None and prior_incidents >= tier.min_prior_incidents:
            why.append(_priors(prior_incidents, tier.min_prior_incidents))
        if tier.on_serious_violence and signs:
            why.append("serious violence in this incident: " + ", ".join(signs))
        if tier.on_reoffence_after_tier and last_tier is not None:
            why.append(f"re-offended after being placed on tier {last_tier.code}")
        if why:
            matched.append((tier, why))
    if last_tier is not None:
        above = [tier for tier in ladder if tier.level > last_tier.level]
        if above:
            matched.append(
                (
                    above[0],
                    [f"the ladder: a re-offence after tier {last_tier.code} moves up one level"],
                )
            )
        else:
            matched.append((last_tier, [f"already on the highest tier ({last_tier.code})"]))
    if not matched:
        return Proposal(None, ["no rule of the ladder applies"])
    top = max(tier.level for tier, _ in matched)
    chosen = next(tier for tier, _ in matched if tier.level == top)
    return Proposal(
        chosen, [reason for tier, why in matched if tier.level == top for reason in why]
    )


def _priors(count: int, threshold: int) -> str:
    if count == 0:
        return "no earlier domestic-violence incident on record"
    plural = "s" if count != 1 else ""
    return (
        f"{count} earlier domestic-violence incident{plural} on record "
        f"(this level: {threshold} or more)"
    )
