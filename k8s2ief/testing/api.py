"""Requests and answers as the emulator sees them, and the API's error shape."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from k8s2ief.testing import signing

JsonObject = dict[str, Any]


class LoggedRequest(NamedTuple):
    """One request as the emulator saw it; ``status`` is None when it sent no answer."""

    method: str
    path: str
    status: int | None


@dataclass
class _Request:
    method: str
    target: str  # path and query, as on the request line
    headers: signing.Headers
    body: bytes
    # When its request line was read (time.monotonic()): the latency counts from there.
    arrived: float | None = None
    # The route's own checks of a body, made while the latency runs (see Emulator._check).
    checked_body: Any = None

    @property
    def path(self) -> str:
        return self.target.partition("?")[0]

    def query(self) -> dict[str, str]:
        """Query parameters, the first value of each name."""
        params: dict[str, str] = {}
        for name, value in signing.query_pairs(self.target.partition("?")[2]):
            params.setdefault(name, value)
        return params

    def json_object(self) -> JsonObject:
        try:
            data = json.loads(self.body or b"null")
        except ValueError:
            raise ApiError(400, "IEF.100002", "the request body is not valid JSON") from None
        if not isinstance(data, dict):
            raise ApiError(400, "IEF.100002", "the request body must be a JSON object")
        return data


@dataclass
class _Answer:
    status: int
    payload: object = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class _Drop:
    """Send nothing: hold the connection ``after_s`` seconds, then reset it."""

    after_s: float = 0.0


class ApiError(Exception):
    """An error answer, in the shape IEF and its gateway use."""

    def __init__(self, status: int, code: str, message: str, **headers: str) -> None:
        super().__init__(f"{code}: {message}")
        self.answer = _Answer(status, {"error_code": code, "error_msg": message}, headers)


def _not_found(kind: str, ident: str) -> ApiError:
    return ApiError(404, "IEF.100004", f"{kind} {ident} not found")


def _name_taken(kind: str, name: str) -> ApiError:
    return ApiError(400, "IEF.100013", f"{kind} name {name} already exists")
