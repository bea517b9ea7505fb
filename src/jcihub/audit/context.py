"""Where the current request came from, for audit entries written deeper down.

Services take the acting user as an argument; the origin (address, browser, path) is
ambient, so the middleware sets it here once per request and `record` reads it.
"""

from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestOrigin:
    ip_address: str = ""
    user_agent: str = ""
    path: str = ""


_origin: ContextVar[RequestOrigin] = ContextVar("audit_origin", default=RequestOrigin())  # noqa: B039 - frozen


def current_origin() -> RequestOrigin:
    return _origin.get()


def set_origin(origin: RequestOrigin) -> object:
    return _origin.set(origin)


def reset_origin(token: object) -> None:
    _origin.reset(token)  # type: ignore[arg-type]
