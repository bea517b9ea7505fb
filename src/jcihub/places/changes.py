"""Who hears that the records at some properties changed.

Apps that keep something derived from what happened at a property (the taskforce's
daily counts) register a listener in their AppConfig.ready():

    changes.register("taskforce", refresh_counts, incidents=incidents_changing)

and whatever moves records between properties or changes them tells them, inside its
own transaction:

- `notify(property_ids)`: everything at these properties may have changed (an
  administrator's correction of an address mapping, `services.correct_mapping`). A
  listener is called with a set of property ids and must make its derived data true for
  them again.
- `incidents_changing(incident_ids)` … `done(incident_ids)`: these stored incidents are
  about to change (an import, before it writes: fields, offenses or address); `done` is
  called once they have, with every incident the import created or changed (the
  stored ones again and the new ones). An incident listener is called before, with the
  ids, and returns what to call after: it may note what the incidents counted for
  before and subtract it after. An import that changed nothing calls neither.
"""

from collections.abc import Callable, Iterable

Listener = Callable[[set[int]], None]
After = Callable[[list[int]], None]
IncidentListener = Callable[[list[int]], After]

_listeners: dict[str, Listener] = {}
_incident_listeners: dict[str, IncidentListener] = {}


def register(name: str, listener: Listener, incidents: IncidentListener | None = None) -> None:
    _listeners[name] = listener
    if incidents is not None:
        _incident_listeners[name] = incidents


def notify(property_ids: Iterable[int | None]) -> None:
    ids = {pk for pk in property_ids if pk is not None}
    if not ids:
        return
    for listener in list(_listeners.values()):
        listener(ids)


def incidents_changing(incident_ids: list[int]) -> After:
    """Tell the incident listeners these stored incidents are about to change; call what
    this returns once they have (and the new ones are written), with all of them."""
    afters = [listener(incident_ids) for listener in list(_incident_listeners.values())]

    def done(changed_ids: list[int]) -> None:
        if not changed_ids:
            return
        for after in afters:
            after(changed_ids)

    return done
