"""The default tier ladder: the four levels of the High Point offender-focused model.

The data migration writes it; tests that flush the database write it again."""

from typing import Any

LADDER = (
    {
        "level": 1,
        "code": "D",
        "name": "Warning letter",
        "response": "A letter, often handed over at arrest or the first court date: further "
        "violence brings swift, certain consequences, and help is on offer.",
        "min_prior_incidents": 0,
    },
    {
        "level": 2,
        "code": "C",
        "name": "Face-to-face notification",
        "response": "A custom notification in person by a police officer with a community "
        "member, with services offered.",
        "min_prior_incidents": 1,
    },
    {
        "level": 3,
        "code": "B",
        "name": "Call-in and priority enforcement",
        "response": "An invitation to a call-in meeting with police, prosecutor, services and "
        "community speakers; the case is prioritised for enforcement.",
        "on_serious_violence": True,
        "on_reoffence_after_tier": True,
    },
    {
        "level": 4,
        "code": "A",
        "name": "Prosecution with every lever",
        "response": "The most dangerous: prosecution with every available lever (bail, "
        "protection-order violations, federal charges where they apply).",
    },
)


def write_ladder(tier_model: Any) -> None:
    """Create or reset the default tiers (by level); other tiers are left alone."""
    for tier in LADDER:
        tier_model.objects.update_or_create(level=tier["level"], defaults=tier)
