"""Who hears that the records at some properties changed.

Apps that keep something derived from what happened at a property (the taskforce's
daily counts) register a listener in their AppConfig.ready():

    changes.register("taskforce", refresh_counts)

and whatever moves records between properties or changes them calls `notify` with the
property ids concerned, inside its own transaction: an import (incidents), an
administrator's correction of an address mapping (`services.correct_mapping`). A
listener is called with a set of property ids and must make its derived data true for
them again.
"""

from collections.abc import Callable, Iterable

Listener = Callable[[set[int]], None]

_listeners: dict[str, Listener] = {}


def register(name: str, listener: Listener) -> None:
    _listeners[name] = listener


def notify(property_ids: Iterable[int | None]) -> None:
    ids = {pk for pk in property_ids if pk is not None}
    if not ids:
        return
    for listener in list(_listeners.values()):
        listener(ids)
