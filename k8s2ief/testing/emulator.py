"""A local stand-in for the IEF API: deployments, ConfigMaps and Secrets, in memory.

It answers the official SDK over plain HTTP on 127.0.0.1, checks every request's SDK-HMAC-SHA256
signature, validates bodies with k8s2ief's own validator and can misbehave on purpose (latency,
500s, 429s, timeouts after a commit, connection resets) so that submit logic can be tested
against the failures the real service has. Names are unique per project, as on IEF, so a client
that creates twice is caught rather than hidden.

Error codes it answers (the IEF ones other than IEF.100001 are this emulator's choice):

=========== ====== ==========================================================================
code        status meaning
=========== ====== ==========================================================================
APIGW.0101  404    no such API (unknown path, or a method the path does not have)
APIGW.0201  413    body over 12 MB (411 for a chunked body, which the gateway does not take)
APIGW.0301  401    missing or wrong signature, unknown access key, X-Sdk-Date off by > 15 min
APIGW.0308  429    injected throttling; the answer carries Retry-After
IEF.100001  400    project id in the path (or X-Project-Id) is not this emulator's project
IEF.100002  400    malformed request: not a JSON object, unknown or read-only field, bad query
IEF.100003  400    edition mismatch: ief-instance-id missing on platinum or given on professional
IEF.100004  404    no deployment, ConfigMap or Secret with that id
IEF.100011  400    the body breaks a rule (k8s2ief.ief.validate, ConfigMap/Secret names, base64)
IEF.100013  400    the name is already taken in this project
IEF.100500  500    injected server error
=========== ====== ==========================================================================

Run ``python -m k8s2ief.testing.emulator --help`` to serve it in the foreground.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import contextlib
import copy
import json
import logging
import os
import random
import re
import socket
import struct
import sys
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, NamedTuple
from urllib.parse import unquote

from k8s2ief.ief.validate import validate_body
from k8s2ief.testing import signing

LOG = logging.getLogger(__name__)

EDITIONS = ("professional", "platinum")
MAX_BODY_BYTES = 12 * 1024 * 1024  # the gateway's limit for AK/SK-signed requests
INSTANCE_HEADER = "ief-instance-id"
WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})

JsonObject = dict[str, Any]


# --------------------------------------------------------------------------- faults


@dataclass(frozen=True)
class Faults:
    """Misbehaviour to inject; rates are probabilities per request, drawn from ``seed``.

    ``reset_rate``, ``error_rate`` and ``throttle_rate`` strike before the request is even
    authenticated, so nothing is committed. ``commit_timeout_rate`` strikes on writes after the
    change is committed: the connection is held ``commit_hold_s`` seconds (longer than the
    client's read timeout gives a read timeout; 0 drops it at once) and then reset unanswered.
    """

    latency_ms: int = 0
    error_rate: float = 0.0
    throttle_rate: float = 0.0
    retry_after_s: int = 1
    commit_timeout_rate: float = 0.0
    commit_hold_s: float = 2.0
    reset_rate: float = 0.0
    seed: int = 0

    def __post_init__(self) -> None:
        for name in ("error_rate", "throttle_rate", "commit_timeout_rate", "reset_rate"):
            if not 0.0 <= getattr(self, name) <= 1.0:
                raise ValueError(f"Faults.{name} must be between 0 and 1")
        if self.latency_ms < 0 or self.commit_hold_s < 0 or self.retry_after_s < 0:
            raise ValueError("Faults durations must not be negative")


# --------------------------------------------------------------------------- requests, answers


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


def _timestamp() -> str:
    """Now, as the real API writes it (Go's format): 2020-09-23 02:38:17.894471458 +0000 UTC."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f000 +0000 UTC")


# --------------------------------------------------------------------------- listing


def _paging(query: Mapping[str, str]) -> tuple[int, int]:
    """``limit`` (1-100, default 10) and ``offset`` (default 0) from a list query."""
    try:
        limit = int(query.get("limit", "10"))
        offset = int(query.get("offset", "0"))
    except ValueError:
        raise ApiError(400, "IEF.100002", "limit and offset must be integers") from None
    if not 1 <= limit <= 100 or offset < 0:
        raise ApiError(400, "IEF.100002", "limit must be 1 to 100 and offset at least 0")
    return limit, offset


def _listing(plural: str, items: list[JsonObject], query: Mapping[str, str]) -> _Answer:
    limit, offset = _paging(query)
    page = copy.deepcopy(items[offset : offset + limit])
    return _Answer(200, {"count": len(items), plural: page})


def _fuzzy(name_filter: str | None, name: str) -> bool:
    """The real list calls match ``name`` as a substring, not exactly."""
    return not name_filter or name_filter in name


def _check_fields(where: str, data: JsonObject, allowed: set[str]) -> None:
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise ApiError(400, "IEF.100002", f"{where}: field {unknown[0]} is unknown or read-only")


# --------------------------------------------------------------------------- deployments

_UPDATABLE = {"deployment", "description"}
_UPDATABLE_IN_DEPLOYMENT = {"replicas", "template"}


def _with_server_defaults(template: JsonObject) -> JsonObject:
    """The template as IEF stores it: it fills these defaults in (see the seed's 201 answer)."""
    stored = copy.deepcopy(template)
    stored.setdefault("init_containers", [])
    if isinstance(stored.get("configs"), dict):
        stored["configs"].setdefault("migration", False)
    for container in [*(stored.get("containers") or []), *stored["init_containers"]]:
        if isinstance(container, dict):
            container.setdefault("npu_type", "")
            container.setdefault("privileged", False)
            container.setdefault("version", "")
    return stored


@dataclass
class _Deployment:
    request: JsonObject  # the create body as accepted, updates applied: what validation sees
    record: JsonObject  # what show and list answer

    @classmethod
    def create(cls, body: JsonObject, project_id: str) -> _Deployment:
        spec = body.get("deployment") or {}
        now = _timestamp()
        record = {
            "id": str(uuid.uuid4()),
            "name": body["name"],
            "replicas": spec.get("replicas"),
            "ready_replicas": 0,
            "description": body.get("description", ""),
            "group_id": body.get("group_id", ""),
            "node_ids": list(body.get("node_ids") or []),
            "tags": copy.deepcopy(body.get("tags") or []),
            "api_version": "v3",
            "source": body.get("source", ""),
            "project_id": project_id,
            "created_at": now,
            "updated_at": now,
            "template": _with_server_defaults(spec.get("template") or {}),
            "state": "",
            "source_id": "",
            "annotations": copy.deepcopy(spec.get("annotations") or {}),
        }
        return cls(copy.deepcopy(body), record)

    def updated_request(self, update: JsonObject) -> JsonObject:
        request = copy.deepcopy(self.request)
        if "description" in update:
            request["description"] = update["description"]
        request.setdefault("deployment", {}).update(copy.deepcopy(update.get("deployment") or {}))
        return request

    def apply(self, request: JsonObject) -> None:
        spec = request["deployment"]
        self.request = request
        self.record.update(
            description=request.get("description", ""),
            replicas=spec.get("replicas"),
            template=_with_server_defaults(spec.get("template") or {}),
            updated_at=_timestamp(),
        )


# --------------------------------------------------------------------------- ConfigMaps, Secrets

# 4 to 64 characters of [a-z0-9-], starting with a letter and not ending with "-".
_KV_NAME = re.compile(r"[a-z][a-z0-9-]{2,62}[a-z0-9]")


def _is_base64(value: str) -> bool:
    try:
        base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return False
    return True


@dataclass(frozen=True)
class _KvKind:
    """What tells ConfigMaps and Secrets apart; everything else about them is the same."""

    label: str  # "ConfigMap"
    wrapper: str  # body key: "configmap"
    plural: str  # list key: "configmaps"
    data_field: str  # "configs"
    fixed: Mapping[str, str] = field(default_factory=dict)  # fields with one allowed value
    value_ok: Callable[[str], bool] = lambda _value: True
    value_rule: str = ""

    def unwrap(self, body: JsonObject, allowed: set[str]) -> JsonObject:
        _check_fields("body", body, {self.wrapper})
        inner = body.get(self.wrapper)
        if not isinstance(inner, dict):
            raise ApiError(400, "IEF.100002", f"{self.wrapper} must be an object")
        _check_fields(self.wrapper, inner, allowed)
        return inner

    def check_content(self, inner: JsonObject) -> None:
        description = inner.get("description", "")
        if not isinstance(description, str):
            raise ApiError(400, "IEF.100011", f"{self.wrapper}.description must be a string")
        data = inner.get(self.data_field, {})
        if not isinstance(data, dict) or not all(
            isinstance(k, str) and isinstance(v, str) for k, v in data.items()
        ):
            raise ApiError(400, "IEF.100011", f"{self.wrapper}.{self.data_field} must map strings")
        for key, value in data.items():
            # The message names the key only: secret values never leave the emulator.
            if not self.value_ok(value):
                raise ApiError(400, "IEF.100011", f"{self.data_field}.{key}: {self.value_rule}")
        for name, only in self.fixed.items():
            if inner.get(name, only) != only:
                raise ApiError(400, "IEF.100011", f"{self.wrapper}.{name} must be {only}")

    def new_record(self, inner: JsonObject, project_id: str) -> JsonObject:
        name = inner.get("name")
        if not isinstance(name, str) or not _KV_NAME.fullmatch(name):
            raise ApiError(
                400,
                "IEF.100011",
                f"{self.wrapper}.name must be 4-64 characters of a-z, 0-9 and -, "
                "start with a letter and not end with -",
            )
        self.check_content(inner)
        now = _timestamp()
        return {
            "id": str(uuid.uuid4()),
            "name": name,
            "description": inner.get("description", ""),
            self.data_field: dict(inner.get(self.data_field, {})),
            **self.fixed,
            "project_id": project_id,
            "created_at": now,
            "updated_at": now,
        }


CONFIGMAP = _KvKind("ConfigMap", "configmap", "configmaps", "configs")
SECRET = _KvKind(
    "Secret",
    "secret",
    "secrets",
    "secrets",
    fixed={"type": "Opaque"},
    value_ok=_is_base64,
    value_rule="values must be base64",
)


# --------------------------------------------------------------------------- the emulator

_Handler = Callable[["Emulator", _Request, dict[str, str]], _Answer]


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: _Handler


class Emulator:
    """The IEF API of one project, served on 127.0.0.1 while started.

    ``ak_sk`` maps each accepted access key to its secret key. Use it as a context manager::

        with Emulator({"AK": "SK"}, "project") as emu:
            session = IefSession("AK", "SK", "project", endpoint=emu.endpoint)
    """

    def __init__(
        self,
        ak_sk: Mapping[str, str],
        project_id: str,
        edition: str = "professional",
        faults: Faults | None = None,
        *,
        port: int = 0,
    ) -> None:
        if not ak_sk or not all(ak_sk.values()):
            raise ValueError("the emulator needs at least one access key with a secret key")
        if edition not in EDITIONS:
            raise ValueError(f"edition must be one of {', '.join(EDITIONS)}")
        self.project_id = project_id
        self.edition = edition
        self._secret_keys = dict(ak_sk)
        self._port = port
        self._lock = threading.Lock()
        self._faults = faults or Faults()
        self._random = random.Random(self._faults.seed)
        self._deployments: dict[str, _Deployment] = {}
        self._kv: dict[str, dict[str, JsonObject]] = {CONFIGMAP.wrapper: {}, SECRET.wrapper: {}}
        self._log: list[LoggedRequest] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None

    # ----------------------------------------------------------------- life cycle

    def start(self) -> Emulator:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", self._port), self)
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is None:
            return
        self._stopping.set()  # wakes handlers sleeping on latency or a held connection
        self._server.shutdown()
        self._server.disconnect_all()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join()
        self._server = self._thread = None

    def __enter__(self) -> Emulator:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def port(self) -> int:
        if self._server is None:
            raise RuntimeError("the emulator is not running")
        return int(self._server.server_address[1])

    @property
    def endpoint(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    # ----------------------------------------------------------------- what tests look at

    @property
    def deployments(self) -> list[JsonObject]:
        with self._lock:
            return [copy.deepcopy(d.record) for d in self._deployments.values()]

    @property
    def configmaps(self) -> list[JsonObject]:
        return self._kv_snapshot(CONFIGMAP)

    @property
    def secrets(self) -> list[JsonObject]:
        return self._kv_snapshot(SECRET)

    @property
    def request_log(self) -> list[LoggedRequest]:
        with self._lock:
            return list(self._log)

    @property
    def faults(self) -> Faults:
        with self._lock:
            return self._faults

    def set_faults(self, faults: Faults) -> None:
        """Replace the faults of a running emulator; draws restart from ``faults.seed``."""
        with self._lock:
            self._faults = faults
            self._random = random.Random(faults.seed)

    def _kv_snapshot(self, kind: _KvKind) -> list[JsonObject]:
        with self._lock:
            return copy.deepcopy(list(self._kv[kind.wrapper].values()))

    # ----------------------------------------------------------------- one request

    def handle(self, request: _Request) -> _Answer | _Drop:
        """Answer one request whose body has been read; records it in the request log."""
        outcome = self._answer(request)
        self.record(request.method, request.path, outcome)
        return outcome

    def record(self, method: str, path: str, outcome: _Answer | _Drop) -> None:
        """Add a request to the request log (and the Python log: method, path, status only)."""
        status = outcome.status if isinstance(outcome, _Answer) else None
        with self._lock:
            self._log.append(LoggedRequest(method, path, status))
        LOG.info("%s %s -> %s", method, path, status or "no answer")

    def _answer(self, request: _Request) -> _Answer | _Drop:
        faults = self.faults
        self.pause(faults.latency_ms / 1000)
        if self._stopping.is_set() or self._draw(faults.reset_rate):
            return _Drop()  # a stopped emulator must not commit what was in flight
        try:
            self._inject_errors(faults)
            self._authenticate(request)
            route, params = self._route(request)
            self._check_scope(request, params.pop("project"))
            answer = route.handler(self, request, params)
        except ApiError as error:
            return error.answer
        except Exception:  # a bug here must still answer, or the client waits for nothing
            LOG.exception("the emulator failed on %s %s", request.method, request.path)
            return ApiError(500, "IEF.100500", "the emulator failed; see its log").answer
        if request.method in WRITE_METHODS and self._draw(faults.commit_timeout_rate):
            return _Drop(faults.commit_hold_s)
        return answer

    def pause(self, seconds: float) -> None:
        """Sleep, but no longer than the emulator runs."""
        if seconds > 0:
            self._stopping.wait(seconds)

    def _draw(self, rate: float) -> bool:
        if rate <= 0:
            return False  # no draw, so adding a fault type does not shift the others' sequence
        with self._lock:
            return self._random.random() < rate

    def _inject_errors(self, faults: Faults) -> None:
        if self._draw(faults.error_rate):
            raise ApiError(500, "IEF.100500", "injected internal server error")
        if self._draw(faults.throttle_rate):
            raise ApiError(
                429,
                "APIGW.0308",
                "The throttling threshold has been reached",
                **{"Retry-After": str(faults.retry_after_s)},
            )

    def _authenticate(self, request: _Request) -> None:
        try:
            signing.verify(
                request.method, request.target, request.headers, request.body, self._secret_keys
            )
        except signing.SignatureError as error:
            raise ApiError(
                401, "APIGW.0301", f"Incorrect IAM authentication information: {error}"
            ) from None

    def _route(self, request: _Request) -> tuple[_Route, dict[str, str]]:
        for route in _ROUTES:
            match = route.pattern.fullmatch(request.path)
            if match and route.method == request.method:
                return route, {k: unquote(v) for k, v in match.groupdict().items()}
        raise ApiError(404, "APIGW.0101", f"no API for {request.method} {request.path}")

    def _check_scope(self, request: _Request, project_id: str) -> None:
        header_project = signing.header_value(request.headers, "X-Project-Id")
        if project_id != self.project_id or header_project != project_id:
            raise ApiError(400, "IEF.100001", "PROJECT_ID not found")
        instance = signing.header_value(request.headers, INSTANCE_HEADER)
        if self.edition == "platinum" and not instance:
            raise ApiError(400, "IEF.100003", f"a platinum instance needs the {INSTANCE_HEADER}")
        if self.edition == "professional" and instance:
            raise ApiError(400, "IEF.100003", f"{INSTANCE_HEADER} given to a professional project")

    # ----------------------------------------------------------------- deployments

    def _validate(self, body: JsonObject) -> None:
        violations = validate_body(body, edition=self.edition)
        if violations:
            first = violations[0]
            raise ApiError(400, "IEF.100011", f"{first.path}: {first.message}")

    def _deployment(self, ident: str) -> _Deployment:
        found = self._deployments.get(ident)
        if found is None:
            raise _not_found("deployment", ident)
        return found

    def _create_deployment(self, request: _Request, _params: dict[str, str]) -> _Answer:
        body = request.json_object()
        self._validate(body)  # which makes sure of a name, among the rest
        with self._lock:
            if any(d.record["name"] == body["name"] for d in self._deployments.values()):
                raise _name_taken("deployment", body["name"])
            deployment = _Deployment.create(body, self.project_id)
            self._deployments[deployment.record["id"]] = deployment
            return _Answer(201, copy.deepcopy(deployment.record))

    def _list_deployments(self, request: _Request, _params: dict[str, str]) -> _Answer:
        query = request.query()
        with self._lock:
            found = [
                d.record
                for d in self._deployments.values()
                if _fuzzy(query.get("name"), d.record["name"])
                and query.get("node_id", "") in ("", *d.record["node_ids"])
                and query.get("group_id", "") in ("", d.record["group_id"])
            ]
            return _listing("deployments", found, query)

    def _show_deployment(self, _request: _Request, params: dict[str, str]) -> _Answer:
        with self._lock:
            return _Answer(200, copy.deepcopy(self._deployment(params["id"]).record))

    def _update_deployment(self, request: _Request, params: dict[str, str]) -> _Answer:
        update = request.json_object()
        _check_fields("body", update, _UPDATABLE)
        spec = update.get("deployment", {})
        if not isinstance(spec, dict):
            raise ApiError(400, "IEF.100002", "deployment must be an object")
        _check_fields("deployment", spec, _UPDATABLE_IN_DEPLOYMENT)
        with self._lock:
            deployment = self._deployment(params["id"])
            merged = deployment.updated_request(update)
            self._validate(merged)
            deployment.apply(merged)
            return _Answer(200, copy.deepcopy(deployment.record))

    def _delete_deployment(self, request: _Request, params: dict[str, str]) -> _Answer:
        if request.query().get("force_delete", "false") not in ("true", "false"):
            raise ApiError(400, "IEF.100002", "force_delete must be true or false")
        with self._lock:
            self._deployment(params["id"])
            del self._deployments[params["id"]]
        return _Answer(204)

    # ----------------------------------------------------------------- ConfigMaps and Secrets

    def _kv_item(self, kind: _KvKind, ident: str) -> JsonObject:
        found = self._kv[kind.wrapper].get(ident)
        if found is None:
            raise _not_found(kind.label, ident)
        return found

    def _create_kv(self, kind: _KvKind, request: _Request) -> _Answer:
        inner = kind.unwrap(
            request.json_object(), {"name", "description", kind.data_field, *kind.fixed}
        )
        record = kind.new_record(inner, self.project_id)
        with self._lock:
            items = self._kv[kind.wrapper]
            if any(item["name"] == record["name"] for item in items.values()):
                raise _name_taken(kind.label, record["name"])
            items[record["id"]] = record
            return _Answer(201, {kind.wrapper: copy.deepcopy(record)})

    def _list_kv(self, kind: _KvKind, request: _Request) -> _Answer:
        query = request.query()
        with self._lock:
            found = [
                item
                for item in self._kv[kind.wrapper].values()
                if _fuzzy(query.get("name"), item["name"])
            ]
            return _listing(kind.plural, found, query)

    def _show_kv(self, kind: _KvKind, ident: str) -> _Answer:
        with self._lock:
            return _Answer(200, {kind.wrapper: copy.deepcopy(self._kv_item(kind, ident))})

    def _update_kv(self, kind: _KvKind, request: _Request, ident: str) -> _Answer:
        inner = kind.unwrap(request.json_object(), {"description", kind.data_field})
        kind.check_content(inner)
        with self._lock:
            record = self._kv_item(kind, ident)
            record.update(copy.deepcopy(inner), updated_at=_timestamp())
            return _Answer(200, {kind.wrapper: copy.deepcopy(record)})

    def _delete_kv(self, kind: _KvKind, ident: str) -> _Answer:
        with self._lock:
            self._kv_item(kind, ident)
            del self._kv[kind.wrapper][ident]
        return _Answer(204)


def _kv_routes(kind: _KvKind) -> list[_Route]:
    collection = rf"/v2/(?P<project>[^/]+)/edgemgr/{kind.plural}"
    item = collection + r"/(?P<id>[^/]+)"

    def route(method: str, pattern: str, handler: _Handler) -> _Route:
        return _Route(method, re.compile(pattern), handler)

    return [
        route("POST", collection, lambda emu, req, _p: emu._create_kv(kind, req)),
        route("GET", collection, lambda emu, req, _p: emu._list_kv(kind, req)),
        route("GET", item, lambda emu, _req, p: emu._show_kv(kind, p["id"])),
        route("PUT", item, lambda emu, req, p: emu._update_kv(kind, req, p["id"])),
        route("DELETE", item, lambda emu, _req, p: emu._delete_kv(kind, p["id"])),
    ]


_DEPLOYMENTS = r"/v3/(?P<project>[^/]+)/edgemgr/deployments"
_DEPLOYMENT = _DEPLOYMENTS + r"/(?P<id>[^/]+)"
_ROUTES: Sequence[_Route] = [
    _Route("POST", re.compile(_DEPLOYMENTS), Emulator._create_deployment),
    _Route("GET", re.compile(_DEPLOYMENTS), Emulator._list_deployments),
    _Route("GET", re.compile(_DEPLOYMENT), Emulator._show_deployment),
    _Route("PUT", re.compile(_DEPLOYMENT), Emulator._update_deployment),
    _Route("DELETE", re.compile(_DEPLOYMENT), Emulator._delete_deployment),
    *_kv_routes(CONFIGMAP),
    *_kv_routes(SECRET),
]


# --------------------------------------------------------------------------- HTTP


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # Handlers may be holding a connection on purpose: do not wait for them when closing.
    block_on_close = False

    def __init__(self, address: tuple[str, int], emulator: Emulator) -> None:
        self.emulator = emulator
        self._open: set[socket.socket] = set()
        self._open_lock = threading.Lock()
        super().__init__(address, _HttpHandler)

    def process_request(self, request: Any, client_address: Any) -> None:
        with self._open_lock:
            self._open.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self._open_lock:
            self._open.discard(request)
        super().shutdown_request(request)

    def disconnect_all(self) -> None:
        """End kept-alive connections, whose handler threads would otherwise outlive the server."""
        with self._open_lock:
            connections = list(self._open)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)


class _HttpHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the SDK's connection pool expects
    server_version = "k8s2ief-ief-emulator"
    # Headers and body go out in two writes: with Nagle on, each answer waits ~40 ms for an ACK.
    disable_nagle_algorithm = True
    server: _Server

    def do_GET(self) -> None:
        self._serve()

    do_POST = do_PUT = do_DELETE = do_PATCH = do_OPTIONS = do_GET

    def log_message(self, format: str, *args: Any) -> None:
        """Silence http.server's stderr lines: the emulator logs each request itself."""

    def _serve(self) -> None:
        try:
            outcome = self._outcome()
            if isinstance(outcome, _Drop):
                self._reset(outcome.after_s)
            else:
                self._send(outcome)
        except ConnectionError:  # the client gave up first (its read timeout): nothing to do
            self.close_connection = True

    def _outcome(self) -> _Answer | _Drop:
        emulator = self.server.emulator
        try:
            body = self._read_body()
        except ApiError as error:
            self.close_connection = True  # the unread body would be taken for the next request
            emulator.record(self.command, self.path.partition("?")[0], error.answer)
            return error.answer
        return emulator.handle(_Request(self.command, self.path, self.headers, body))

    def _read_body(self) -> bytes:
        if self.headers.get("Transfer-Encoding"):
            raise ApiError(411, "APIGW.0201", "a Content-Length is required")
        try:
            length = int(self.headers.get("Content-Length") or 0)
        except ValueError:
            raise ApiError(400, "APIGW.0201", "Content-Length is not a number") from None
        if length > MAX_BODY_BYTES:
            raise ApiError(413, "APIGW.0201", "Request entity too large")
        return self.rfile.read(length) if length > 0 else b""

    def _send(self, answer: _Answer) -> None:
        data = b"" if answer.payload is None else json.dumps(answer.payload).encode("utf-8")
        self.send_response(answer.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("X-Request-Id", uuid.uuid4().hex)
        for name, value in answer.headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(data)

    def _reset(self, after_s: float) -> None:
        """Answer nothing: wait, then close with a TCP reset rather than an orderly FIN."""
        self.server.emulator.pause(after_s)
        self.close_connection = True
        self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        self.rfile.close()  # the socket's file descriptor closes only with its last reader
        self.connection.close()


# --------------------------------------------------------------------------- command line


def serve(
    port: int,
    ak: str,
    sk: str,
    project_id: str,
    edition: str = "professional",
    latency_ms: int = 0,
) -> None:
    """Serve in the foreground until interrupted; prints the endpoint once it listens."""
    emulator = Emulator({ak: sk}, project_id, edition, Faults(latency_ms=latency_ms), port=port)
    with emulator:
        print(
            f"IEF emulator ({edition}, project {project_id}) listening on {emulator.endpoint}",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a user stops it
            threading.Event().wait()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m k8s2ief.testing.emulator",
        description="Serve a local IEF API emulator on 127.0.0.1 until interrupted.",
    )
    parser.add_argument("--port", type=int, default=0, help="port to listen on (0: any free)")
    parser.add_argument("--ak", help="access key to accept (default: $HUAWEICLOUD_SDK_AK)")
    parser.add_argument(
        "--sk", help="its secret key (default: $HUAWEICLOUD_SDK_SK; prefer it to this flag)"
    )
    parser.add_argument("--project-id", required=True, help="the project id the API serves")
    parser.add_argument("--edition", choices=EDITIONS, default="professional")
    parser.add_argument("--latency-ms", type=int, default=0, help="delay every answer")
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    ak = args.ak or os.environ.get("HUAWEICLOUD_SDK_AK", "")
    sk = args.sk or os.environ.get("HUAWEICLOUD_SDK_SK", "")
    if not ak or not sk:
        parser.error("give --ak and --sk, or set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK")
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(message)s")
    serve(args.port, ak, sk, args.project_id, args.edition, args.latency_ms)
    return 0


if __name__ == "__main__":
    sys.exit(main())
