"""What other apps show on a property's page, through one registry.

An app registers a provider in its AppConfig.ready(), with the capability a viewer needs
to see what it contributes (incidents are criminal-justice information):

    sections.register("incidents", Cap.INCIDENTS_VIEW, incidents_at_property)

A provider takes the property and returns a `PropertySection` (or None when it has
nothing to say). Providers a viewer may not use are never called, so nothing they would
reveal leaves this module; the page renders every section the same way.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from jcihub.access import policy

if TYPE_CHECKING:
    from .models import Property


@dataclass(frozen=True)
class SectionItem:
    text: str
    url: str = ""
    detail: str = ""


@dataclass(frozen=True)
class PropertySection:
    title: str
    items: tuple[SectionItem, ...]
    total: int  # may exceed len(items): the page says how many more there are
    more_url: str = ""
    empty_text: str = "None recorded."
    # A section that is more than a list (tables, say) names its own template, which is
    # included with `section` in its context; `context` holds what it shows.
    template: str = ""
    context: dict[str, Any] = field(default_factory=dict)

    @property
    def hidden_count(self) -> int:
        return max(self.total - len(self.items), 0)


SectionProvider = Callable[["Property"], PropertySection | None]
# A provider whose contents depend on who looks (people, cases scoped by agency) takes the
# viewer too, and applies the access policy itself.
ViewerSectionProvider = Callable[["Property", Any], PropertySection | None]

_providers: dict[str, tuple[str, SectionProvider]] = {}
_viewer_providers: dict[str, tuple[str, ViewerSectionProvider]] = {}


def register(source: str, capability: str, provider: SectionProvider) -> None:
    _providers[source] = (capability, provider)


def register_for_viewer(source: str, capability: str, provider: ViewerSectionProvider) -> None:
    _viewer_providers[source] = (capability, provider)


def registered_sources() -> list[str]:
    return sorted({*_providers, *_viewer_providers})


def sections_for(user: Any, place: "Property") -> list[PropertySection]:
    """Every section this user may see about the property, in source order."""
    found = []
    for source in registered_sources():
        section = None
        if source in _providers and policy.has_capability(user, _providers[source][0]):
            section = _providers[source][1](place)
        elif source in _viewer_providers and policy.has_capability(
            user, _viewer_providers[source][0]
        ):
            section = _viewer_providers[source][1](place, user)
        if section is not None:
            found.append(section)
    return found
