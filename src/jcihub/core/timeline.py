"""The person timeline: every app contributes events about a person through this registry.

An app registers a provider in its AppConfig.ready():

    timeline.register("people", people_timeline_events)

A provider takes a person id and returns TimelineEvents, each labelled with the
sensitivity of what it reveals; the caller passes the set of sensitivities the viewer
may see (decided by `jcihub.access`), and events outside it never leave this module.
"""

from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass
from datetime import datetime

from .sensitivity import Sensitivity


@dataclass(frozen=True)
class TimelineEvent:
    occurred_at: datetime
    source: str
    kind: str
    title: str
    detail: str = ""
    sensitivity: Sensitivity = Sensitivity.GENERAL


TimelineProvider = Callable[[int], Iterable[TimelineEvent]]

_providers: dict[str, TimelineProvider] = {}


def register(source: str, provider: TimelineProvider) -> None:
    _providers[source] = provider


def registered_sources() -> list[str]:
    return sorted(_providers)


def events_for(
    person_id: int, visible: Collection[Sensitivity], limit: int | None = None
) -> list[TimelineEvent]:
    """Every visible event about the person, newest first."""
    events = [
        event
        for provider in _providers.values()
        for event in provider(person_id)
        if event.sensitivity in visible
    ]
    events.sort(key=lambda event: event.occurred_at, reverse=True)
    return events[:limit] if limit else events
