"""Definitions for tests: the shipped skeletons completed with placeholder wording, weights
and cut-offs (as a licensed jurisdiction would complete them with the real ones)."""

import copy
import json
from pathlib import Path
from typing import Any

from jcihub.programs.models import InstrumentVersion
from jcihub.programs.services import load_instrument

SHIPPED = Path(__file__).resolve().parents[1] / "instruments"


def shipped(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((SHIPPED / f"{name}.skeleton.json").read_text())
    return data


def completed_lap(version: int = 2) -> dict[str, Any]:
    """The LAP skeleton with placeholder wording: its screen-in rules as shipped."""
    data = copy.deepcopy(shipped("lap-lethality-screen"))
    data["version"], data["status"] = version, "complete"
    for n, item in enumerate(data["items"], 1):
        item["text"] = f"Placeholder wording for question {n}"
    return data


def scored_screen(version: int = 1) -> dict[str, Any]:
    """A small weighted instrument with bands and a score rule (invented for tests)."""
    return {
        "code": "test-weighted-screen",
        "version": version,
        "name": "Test weighted screen",
        "status": "complete",
        "subject": "victim",
        "licence": "Written for JCI Hub's tests; not a real instrument.",
        "items": [
            {"id": "a", "type": "yes_no", "label": "A", "text": "Question A?", "weight": 4},
            {"id": "b", "type": "yes_no", "label": "B", "text": "Question B?", "weight": 2},
            {
                "id": "c",
                "type": "choice",
                "label": "C",
                "text": "How often?",
                "options": [
                    {"value": "never", "label": "Never", "weight": 0},
                    {"value": "sometimes", "label": "Sometimes", "weight": 1},
                    {"value": "often", "label": "Often", "weight": 3},
                ],
            },
        ],
        "scoring": {"method": "sum"},
        "bands": [
            {"label": "Low", "min": 0},
            {"label": "Raised", "min": 3},
            {"label": "High", "min": 7},
        ],
        "screen_in": {
            "rules": [{"kind": "band_in", "bands": ["High"], "reason": "In the high band"}],
            "action": "Offer enhanced safety planning.",
        },
    }


def load(data: dict[str, Any]) -> InstrumentVersion:
    return load_instrument(None, data, "tests").version


def participant_screen(version: int = 1) -> dict[str, Any]:
    """The weighted test screen, about programme participants instead of victims."""
    data = scored_screen(version)
    data["code"], data["name"], data["subject"] = (
        "test-participant-screen",
        "Test participant screen",
        "participant",
    )
    return data
