"""A local stand-in for the IEF API: deployments, ConfigMaps and Secrets, in memory.

It answers the official SDK over plain HTTP on 127.0.0.1, checks every request's SDK-HMAC-SHA256
signature (and that the signed Host names this endpoint), validates bodies with k8s2ief's own
validator and can misbehave on purpose (latency, 500s, 429s, timeouts after a commit, connection
resets) so that submit logic can be tested against the failures the real service has. Names are
unique per project, as on IEF, so a client that creates twice is caught rather than hidden.
Instances become ready a configurable delay after a change, or never for chosen images.

Error codes it answers (the IEF ones other than IEF.100001 are this emulator's choice):

=========== ====== ==========================================================================
code        status meaning
=========== ====== ==========================================================================
APIGW.0101  404    no such API (unknown path, or a method the path does not have)
APIGW.0201  413    body over 12 MB (411 for a chunked body, which the gateway does not take)
APIGW.0301  401    missing or wrong signature or unknown access key (answered alike), a
                   signed Host that is not this endpoint, X-Sdk-Date off by > 15 min
APIGW.0308  429    injected throttling; the answer carries Retry-After
IEF.100001  400    project id in the path (or X-Project-Id) is not this emulator's project
IEF.100002  400    malformed request: not a JSON object, unknown or read-only field, bad query
IEF.100003  400    edition mismatch: ief-instance-id missing on platinum or given on professional
IEF.100004  404    no deployment, ConfigMap or Secret with that id
IEF.100011  400    the body breaks a rule (k8s2ief.ief.validate, ConfigMap/Secret names, base64)
IEF.100013  400    the name is already taken in this project
IEF.100500  500    injected server error
=========== ====== ==========================================================================

Run ``k8s2ief emulator --help`` to serve it in the foreground.
"""

from __future__ import annotations

import contextlib
import logging
import random
import re
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from k8s2ief.ief.contract import EDITIONS
from k8s2ief.ief.validate import validate_body
from k8s2ief.testing import signing
from k8s2ief.testing.api import (
    ApiError,
    LoggedRequest,
    _Answer,
    _Drop,
    _name_taken,
    _not_found,
    _Request,
)
from k8s2ief.testing.faults import Faults
from k8s2ief.testing.http import _Server
from k8s2ief.testing.store import (
    _UPDATABLE,
    _UPDATABLE_IN_DEPLOYMENT,
    CONFIGMAP,
    SECRET,
    _check_fields,
    _Deployment,
    _fuzzy,
    _KvKind,
    _listing,
    _timestamp,
    json_copy,
)

__all__ = ["ApiError", "Emulator", "Faults", "LoggedRequest", "serve"]

LOG = logging.getLogger(__name__)

INSTANCE_HEADER = "ief-instance-id"
WRITE_METHODS = frozenset({"POST", "PUT", "DELETE"})

JsonObject = dict[str, Any]


# --------------------------------------------------------------------------- the emulator

_Handler = Callable[["Emulator", _Request, dict[str, str]], _Answer]


@dataclass(frozen=True)
class _Route:
    method: str
    pattern: re.Pattern[str]
    handler: _Handler
    # The route's checks of a request that need no state (a create's body): they run while
    # the latency runs, and the handler finds what they made in ``request.checked_body``.
    check: Callable[[Emulator, _Request], object] | None = None


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
        ready_delay_s: float = 0.0,
        never_ready_image: str | None = None,
        host_names: Sequence[str] = (),
    ) -> None:
        """``ready_delay_s``: how long after a create or update a deployment's instances take to
        be ready; ``never_ready_image``: a regular expression, searched in every container's
        image, for images whose instances never get ready. ``host_names``: names besides
        127.0.0.1 and localhost that clients may reach it by (the signed Host header must be one
        of them, with the port)."""
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
        self._deployment_names: set[str] = set()  # names are unique per project, as on IEF
        self._kv: dict[str, dict[str, JsonObject]] = {CONFIGMAP.wrapper: {}, SECRET.wrapper: {}}
        self._log: list[LoggedRequest] = []
        self._stopping = threading.Event()
        self._server: _Server | None = None
        self._thread: threading.Thread | None = None
        if ready_delay_s < 0:
            raise ValueError("ready_delay_s must not be negative")
        self.ready_delay_s = ready_delay_s
        self._never_ready = re.compile(never_ready_image) if never_ready_image else None
        self._host_names = ("127.0.0.1", "localhost", *host_names)
        self._signed_hosts: frozenset[str] = frozenset()  # with the port, once started

    # ----------------------------------------------------------------- life cycle

    def start(self) -> Emulator:
        if self._server is not None:
            raise RuntimeError("the emulator is already running")
        self._stopping.clear()
        self._server = _Server(("127.0.0.1", self._port), self)
        self._signed_hosts = frozenset(f"{name}:{self.port}" for name in self._host_names)
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
            return [self._view(d) for d in self._deployments.values()]

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
            return json_copy(list(self._kv[kind.wrapper].values()))

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
        # The answer leaves ``latency_ms`` after the request arrived, the emulator's own work
        # included, as a service's latency includes its work: the checks that need no state
        # (signature, route, project, a create's body) run first and the pause takes what is
        # left. Their verdict is given where it always was, after the fault draws, and nothing
        # is committed before the pause ends.
        verdict = self._check(request)
        waited = 0.0 if request.arrived is None else time.monotonic() - request.arrived
        self.pause(faults.latency_ms / 1000 - waited)
        if self._stopping.is_set() or self._draw(faults.reset_rate):
            return _Drop()  # a stopped emulator must not commit what was in flight
        try:
            self._inject_errors(faults)
            route, params = verdict()
            answer = route.handler(self, request, params)
        except ApiError as error:
            return error.answer
        except Exception:  # a bug here must still answer, or the client waits for nothing
            LOG.exception("the emulator failed on %s %s", request.method, request.path)
            return ApiError(500, "IEF.100500", "the emulator failed; see its log").answer
        if request.method in WRITE_METHODS and self._draw(faults.commit_timeout_rate):
            return _Drop(faults.commit_hold_s)
        return answer

    def _check(self, request: _Request) -> Callable[[], tuple[_Route, dict[str, str]]]:
        """Check what needs no state; answers a call that gives the route or raises the
        problem found (every check is still made on every request, in the same order)."""
        try:
            self._authenticate(request)
            route, params = self._route(request)
            self._check_scope(request, params.pop("project"))
            if route.check is not None:
                request.checked_body = route.check(self, request)
        except Exception as error:  # raised where the checks always were, after the draws
            problem = error

            def fail() -> tuple[_Route, dict[str, str]]:
                raise problem

            return fail
        return lambda: (route, params)

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
        host = signing.header_value(request.headers, "Host") or ""
        if host not in self._signed_hosts:
            # The signature covers the Host header: one signed for another endpoint is a
            # request captured there and replayed here.
            raise ApiError(
                401,
                "APIGW.0301",
                "Incorrect IAM authentication information: "
                "the signed Host header does not name this endpoint",
            )
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

    def _view(self, deployment: _Deployment) -> JsonObject:
        return deployment.view(self.ready_delay_s, self._never_ready)

    def _deployment(self, ident: str) -> _Deployment:
        found = self._deployments.get(ident)
        if found is None:
            raise _not_found("deployment", ident)
        return found

    def _checked_create(self, request: _Request) -> JsonObject:
        body = request.json_object()
        self._validate(body)  # which makes sure of a name, among the rest
        return body

    def _create_deployment(self, request: _Request, _params: dict[str, str]) -> _Answer:
        body = request.checked_body
        if not isinstance(body, dict):  # a request not checked ahead (see _answer)
            body = self._checked_create(request)
        with self._lock:
            if body["name"] in self._deployment_names:
                raise _name_taken("deployment", body["name"])
            deployment = _Deployment.create(body, self.project_id)
            self._deployments[deployment.record["id"]] = deployment
            self._deployment_names.add(body["name"])
            return _Answer(201, json_copy(deployment.record))  # as the seed: none ready yet

    def _list_deployments(self, request: _Request, _params: dict[str, str]) -> _Answer:
        query = request.query()
        with self._lock:
            found = [
                self._view(d)
                for d in self._deployments.values()
                if _fuzzy(query.get("name"), d.record["name"])
                and query.get("node_id", "") in ("", *d.record["node_ids"])
                and query.get("group_id", "") in ("", d.record["group_id"])
            ]
            return _listing("deployments", found, query)

    def _show_deployment(self, _request: _Request, params: dict[str, str]) -> _Answer:
        with self._lock:
            return _Answer(200, self._view(self._deployment(params["id"])))

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
            return _Answer(200, self._view(deployment))

    def _delete_deployment(self, request: _Request, params: dict[str, str]) -> _Answer:
        if request.query().get("force_delete", "false") not in ("true", "false"):
            raise ApiError(400, "IEF.100002", "force_delete must be true or false")
        with self._lock:
            gone = self._deployment(params["id"])
            del self._deployments[params["id"]]
            self._deployment_names.discard(gone.record["name"])
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
            return _Answer(201, {kind.wrapper: json_copy(record)})

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
            return _Answer(200, {kind.wrapper: json_copy(self._kv_item(kind, ident))})

    def _update_kv(self, kind: _KvKind, request: _Request, ident: str) -> _Answer:
        inner = kind.unwrap(request.json_object(), {"description", kind.data_field})
        kind.check_content(inner)
        with self._lock:
            record = self._kv_item(kind, ident)
            record.update(json_copy(inner), updated_at=_timestamp())
            return _Answer(200, {kind.wrapper: json_copy(record)})

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
    _Route("POST", re.compile(_DEPLOYMENTS), Emulator._create_deployment, Emulator._checked_create),
    _Route("GET", re.compile(_DEPLOYMENTS), Emulator._list_deployments),
    _Route("GET", re.compile(_DEPLOYMENT), Emulator._show_deployment),
    _Route("PUT", re.compile(_DEPLOYMENT), Emulator._update_deployment),
    _Route("DELETE", re.compile(_DEPLOYMENT), Emulator._delete_deployment),
    *_kv_routes(CONFIGMAP),
    *_kv_routes(SECRET),
]


# --------------------------------------------------------------------------- command line


def serve(emulator: Emulator) -> None:
    """Serve in the foreground until interrupted; prints the endpoint once it listens."""
    with emulator:
        print(
            f"IEF emulator ({emulator.edition}, project {emulator.project_id}) listening on "
            f"{emulator.endpoint}",
            flush=True,
        )
        with contextlib.suppress(KeyboardInterrupt):  # Ctrl-C is how a user stops it
            threading.Event().wait()
