"""Submit IEF deployments idempotently: look up by name, then create, update or leave alone.

The plan for each deployment comes from comparing the wanted body with what IEF holds (both
normalised: fields the server adds and empty defaults dropped). Every request is retried with
exponential backoff and jitter when IEF says that makes sense (429, 5xx, connection failures); a
create whose outcome is unknown is looked up by name before it is sent again, so a retry never
makes a twin. Secret values and credentials never appear in what this module returns.

With many targets the project's deployments are listed once up front (a request per 100), and
a target whose name was absent is created without a lookup of its own: one request per new
deployment instead of two.
"""

from __future__ import annotations

import base64
import hashlib
import random
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from k8s2ief.references import get

if TYPE_CHECKING:
    from k8s2ief.ief.client import IefSession

JsonObject = dict[str, Any]
T = TypeVar("T")

MAX_NAME = 32  # IEF deployment names
NAME_TAKEN = "IEF.100013"
# Fields the server adds or fills in: never a difference worth acting on.
SERVER_FIELDS = frozenset(
    {"id", "created_at", "updated_at", "ready_replicas", "api_version", "project_id", "state",
     "source_id", "source", "name", "status"}
)
UPDATABLE = ("replicas", "template", "description")
NOT_UPDATABLE = ("node_ids", "group_id", "tags", "annotations")

CREATED, UPDATED, RECREATED, UNCHANGED = "created", "updated", "recreated", "unchanged"
FAILED, BLOCKED = "failed", "blocked"
LIST_ALL_FROM = 20  # targets from which listing the project once beats a lookup per target
PLAN_WORDS = {CREATED: "create", UPDATED: "update", RECREATED: "recreate", UNCHANGED: "unchanged"}


# --------------------------------------------------------------------------- what to submit


@dataclass
class Target:
    """One deployment to submit, or the reason it is not submitted."""

    name: str
    node_id: str | None
    body: JsonObject | None
    blocked_code: str | None = None
    blocked_msg: str = ""
    needs: tuple[tuple[str, str], ...] = ()  # ("ConfigMap" | "Secret", name) it references


@dataclass
class KvItem:
    """A ConfigMap or Secret of the input; ``data`` holds values (Secrets: base64)."""

    kind: str  # "ConfigMap" | "Secret"
    name: str
    data: dict[str, str]


@dataclass
class Outcome:
    name: str
    node_id: str | None
    action: str
    error_code: str | None = None
    error_msg: str | None = None
    attempts: int = 0
    diff: list[str] = field(default_factory=list)
    kind: str = "Deployment"

    @property
    def ok(self) -> bool:
        return self.action not in (FAILED, BLOCKED)

    def to_dict(self) -> dict[str, object]:
        return {
            "kind": self.kind,
            "name": self.name,
            "node_id": self.node_id,
            "action": self.action,
            "error_code": self.error_code,
            "error_msg": self.error_msg,
            "attempts": self.attempts,
            "diff": self.diff,
        }

    def line(self, dry_run: bool) -> str:
        label = self.name if self.kind == "Deployment" else f"{self.kind} {self.name}"
        if self.action == FAILED:
            return f"{label}: failed: {self.error_code} {self.error_msg}"
        if self.action == BLOCKED:
            return f"{label}: blocked: {self.error_code} {self.error_msg}"
        word = PLAN_WORDS[self.action] if dry_run else self.action
        return "\n".join([f"{label}: {word}", *(f"    {d}" for d in self.diff)])


def fanned_name(name: str, node_id: str) -> str:
    """``<name>-<6 hex of sha256(node id)>``, the name cut so the whole fits in 32 characters."""
    suffix = hashlib.sha256(node_id.encode("utf-8")).hexdigest()[:6]
    stem = name[: MAX_NAME - len(suffix) - 1].rstrip("-")
    return f"{stem}-{suffix}"


def fan_out(target: Target, node_ids: Sequence[str]) -> list[Target]:
    """One target per node (IEF takes one node per deployment); one node keeps the name."""
    if not node_ids:
        return [target]
    fanned: list[Target] = []
    for node_id in node_ids:
        name = target.name if len(node_ids) == 1 else fanned_name(target.name, node_id)
        body = None
        if target.body is not None:
            body = {**target.body, "name": name, "node_ids": [node_id]}
            body.pop("group_id", None)
        fanned.append(
            Target(name, node_id, body, target.blocked_code, target.blocked_msg, target.needs)
        )
    return fanned


def kv_item(manifest: Mapping[str, Any]) -> KvItem | None:
    """The ConfigMap or Secret a manifest describes, in IEF's terms (Secret values base64)."""
    kind, name = manifest.get("kind"), get(manifest, "metadata", "name")
    if kind not in ("ConfigMap", "Secret") or not isinstance(name, str):
        return None
    data: dict[str, str] = {}
    for key, value in (get(manifest, "data") or {}).items():
        # Kubernetes already holds Secret data in base64, as IEF wants it.
        data[str(key)] = "" if value is None else str(value)
    for key, value in (get(manifest, "stringData") or {}).items():
        text = "" if value is None else str(value)
        data[str(key)] = base64.b64encode(text.encode()).decode() if kind == "Secret" else text
    return KvItem(kind, name, data)


# --------------------------------------------------------------------------- comparing


def _prune(value: Any) -> Any:
    """Drop empty and default values (None, "", False, [], {}) at every depth."""
    if isinstance(value, dict):
        pruned = {k: _prune(v) for k, v in value.items() if k not in SERVER_FIELDS}
        return {k: v for k, v in pruned.items() if v not in (None, "", False, [], {})}
    if isinstance(value, list):
        return [_prune(item) for item in value]
    return value


def wanted_view(body: Mapping[str, Any]) -> JsonObject:
    """A create body in the shape show answers (top-level replicas and template)."""
    spec = body.get("deployment") or {}
    return _prune(
        {
            "description": body.get("description"),
            "node_ids": body.get("node_ids"),
            "group_id": body.get("group_id"),
            "tags": body.get("tags"),
            "annotations": spec.get("annotations"),
            "replicas": spec.get("replicas"),
            "template": spec.get("template"),
        }
    )


def current_view(record: Mapping[str, Any]) -> JsonObject:
    return _prune({key: record.get(key) for key in (*UPDATABLE, *NOT_UPDATABLE)})


def differences(wanted: JsonObject, current: JsonObject) -> list[tuple[str, str]]:
    """(top-level field, readable change) for each difference, via deepdiff."""
    from deepdiff import DeepDiff  # only the apply path pays for this import

    diff = DeepDiff(current, wanted, ignore_order=False, view="tree")
    changes: list[tuple[str, str]] = []
    for kind, levels in diff.items():
        for level in levels:
            path = level.path(output_format="list")
            where = _render(path)
            top = str(path[0]) if path else ""
            if kind.endswith("_added"):
                text = f"+ {where}: {_short(level.t2)}"
            elif kind.endswith("_removed"):
                text = f"- {where}: {_short(level.t1)}"
            else:
                text = f"~ {where}: {_short(level.t1)} -> {_short(level.t2)}"
            changes.append((top, text))
    return sorted(changes, key=lambda change: change[1][2:])


def _render(path: Sequence[object]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


# --------------------------------------------------------------------------- retrying


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8
    base_delay: float = 0.5
    max_delay: float = 20.0

    def delay(self, attempt: int, retry_after: float | None) -> float:
        backoff = min(self.max_delay, self.base_delay * 2 ** (attempt - 1))
        jittered = random.uniform(backoff / 2, backoff)
        return max(jittered, min(retry_after or 0.0, self.max_delay))


class _Counter:
    def __init__(self) -> None:
        self.requests = 0


class Applier:
    """Plans and submits targets through per-thread IefSessions made by ``session_factory``."""

    def __init__(
        self,
        session_factory: Callable[[], IefSession],
        *,
        dry_run: bool = False,
        recreate: bool = False,
        parallel: int = 8,
        policy: RetryPolicy | None = None,
        redact: Iterable[str] = (),
    ) -> None:
        self._factory = session_factory
        self._local = threading.local()
        self._sessions: list[IefSession] = []
        self._sessions_lock = threading.Lock()
        self.dry_run = dry_run
        self.recreate = recreate
        self.parallel = max(1, parallel)
        self.policy = policy or RetryPolicy()
        self._redact = sorted({s for s in redact if s}, key=len, reverse=True)
        # Names of the project's deployments, listed once up front when many targets are
        # applied; None: look each target up by name.
        self._existing: frozenset[str] | None = None

    # ----------------------------------------------------------------- public

    def apply(self, targets: Sequence[Target], kv_items: Sequence[KvItem]) -> list[Outcome]:
        """ConfigMaps and Secrets first (in order), then deployments in parallel; input order."""
        try:
            kv_outcomes = [self._guard(lambda item=item: self._apply_kv(item), item.name,
                                       None, item.kind) for item in kv_items]
            broken = {(o.kind, o.name) for o in kv_outcomes if not o.ok}
            self._existing = self._list_existing(targets)
            with ThreadPoolExecutor(max_workers=self.parallel) as pool:
                futures = [pool.submit(self._one, target, broken) for target in targets]
                outcomes = [future.result() for future in futures]
            return [*kv_outcomes, *outcomes]
        finally:
            self.close()

    def close(self) -> None:
        with self._sessions_lock:
            for session in self._sessions:
                session.close()
            self._sessions.clear()

    # ----------------------------------------------------------------- plumbing

    def _session(self) -> IefSession:
        session: IefSession | None = getattr(self._local, "session", None)
        if session is None:
            session = self._factory()
            self._local.session = session
            with self._sessions_lock:
                self._sessions.append(session)
        return session

    def _clean(self, text: str) -> str:
        for secret in self._redact:
            text = text.replace(secret, "***")
        return text[:300]

    def _guard(
        self, work: Callable[[], Outcome], name: str, node_id: str | None, kind: str
    ) -> Outcome:
        """Run ``work``; an IefError it lets escape becomes a failed outcome."""
        from k8s2ief.ief.client import IefError

        try:
            return work()
        except IefError as error:
            return Outcome(name, node_id, FAILED, error.error_code, self._clean(error.error_msg),
                           getattr(error, "attempts", 0), kind=kind)

    def _retrying(self, counter: _Counter, call: Callable[[], T],
                  before_retry: Callable[[], T | None] | None = None) -> T:
        """Call with retries; ``before_retry`` runs before a write whose outcome is unknown is
        sent again and, when it answers something, that answer ends the retries."""
        from k8s2ief.ief.client import IefError

        attempt = 0
        while True:
            attempt += 1
            counter.requests += 1
            try:
                return call()
            except IefError as error:
                if not error.retryable or attempt >= self.policy.attempts:
                    error.attempts = counter.requests  # type: ignore[attr-defined]
                    raise
                time.sleep(self.policy.delay(attempt, error.retry_after))
                if error.outcome_unknown and before_retry is not None:
                    found = before_retry()
                    if found is not None:
                        return found

    # ----------------------------------------------------------------- deployments

    def _one(self, target: Target, broken: set[tuple[str, str]]) -> Outcome:
        if target.body is None or target.blocked_code:
            return Outcome(target.name, target.node_id, BLOCKED, target.blocked_code,
                           target.blocked_msg)
        missing = [f"{kind} {name}" for kind, name in target.needs if (kind, name) in broken]
        if missing:
            return Outcome(target.name, target.node_id, BLOCKED, "DEPENDENCY",
                           f"{', '.join(missing)} was not submitted")
        return self._guard(lambda: self._deploy(target, target.body or {}), target.name,
                           target.node_id, "Deployment")

    def _list_existing(self, targets: Sequence[Target]) -> frozenset[str] | None:
        """The names of every deployment of the project, when that saves requests.

        Each new deployment would otherwise cost a lookup by name before its create; one
        listing (a request per 100 deployments) replaces all of those lookups. With few
        targets, or when the listing fails, targets are looked up one by one as before.
        """
        from k8s2ief.ief.client import IefError

        if len(targets) < LIST_ALL_FROM:
            return None
        session = self._session()
        try:
            listed = self._retrying(_Counter(), session.list_deployments)
        except IefError:
            return None
        return frozenset(str(item.get("name")) for item in listed)

    def _lookup(self, counter: _Counter, name: str) -> JsonObject | None:
        session = self._session()
        found = self._retrying(counter, lambda: session.list_deployments_by_name(name))
        if not found:
            return None
        ident = str(found[0]["id"])
        return self._retrying(counter, lambda: session.show_deployment(ident))

    def _deploy(self, target: Target, body: JsonObject) -> Outcome:
        from k8s2ief.ief.client import IefError

        counter = _Counter()
        session = self._session()

        def outcome(action: str, diff: Sequence[str] = ()) -> Outcome:
            return Outcome(target.name, target.node_id, action, attempts=counter.requests,
                           diff=list(diff))

        if self._existing is not None and target.name not in self._existing:
            # Absent when listed: create without a lookup. A create whose outcome is unknown is
            # still looked up before it is retried (_create); one that finds the name taken on
            # its first try met a deployment made since the listing, and is decided as usual.
            if self.dry_run:
                return outcome(CREATED)
            try:
                self._create(counter, session, target.name, body)
                return outcome(CREATED)
            except IefError as error:
                if error.error_code != NAME_TAKEN:
                    raise
        existing = self._lookup(counter, target.name)
        if existing is None:
            if not self.dry_run:
                self._create(counter, session, target.name, body)
            return outcome(CREATED)
        changes = differences(wanted_view(body), current_view(existing))
        if not changes:
            return outcome(UNCHANGED)
        text = [change for _top, change in changes]
        fixed = sorted({top for top, _change in changes if top in NOT_UPDATABLE})
        if fixed and not self.recreate:
            return Outcome(target.name, target.node_id, BLOCKED, "NEEDS_RECREATE",
                           f"{', '.join(fixed)} cannot be updated in place; use --recreate",
                           counter.requests, text)
        if self.dry_run:
            return outcome(RECREATED if fixed else UPDATED, text)
        ident = str(existing["id"])
        if fixed:
            try:
                self._retrying(counter, lambda: session.delete_deployment(ident))
            except IefError as error:
                if error.error_code != "IEF.100004":  # already gone: a retried delete
                    raise
            self._create(counter, session, target.name, body)
            return outcome(RECREATED, text)
        spec = body.get("deployment") or {}
        update = {
            "deployment": {"replicas": spec.get("replicas"), "template": spec.get("template")},
            "description": body.get("description", ""),
        }
        self._retrying(counter, lambda: session.update_deployment(ident, update))
        return outcome(UPDATED, text)

    def _create(self, counter: _Counter, session: IefSession, name: str, body: JsonObject) -> None:
        from k8s2ief.ief.client import IefError

        def look() -> JsonObject | None:
            found = self._retrying(counter, lambda: session.list_deployments_by_name(name))
            return found[0] if found else None

        tries = 0

        def create() -> JsonObject:
            nonlocal tries
            tries += 1
            return session.create_deployment(body)

        try:
            self._retrying(counter, create, before_retry=look)
        except IefError as error:
            # A retried create whose earlier try did commit: the name is ours already.
            if error.error_code != NAME_TAKEN or tries < 2 or look() is None:
                raise

    # ----------------------------------------------------------------- ConfigMaps, Secrets

    def _apply_kv(self, item: KvItem) -> Outcome:
        counter = _Counter()
        session = self._session()
        secret = item.kind == "Secret"
        lister = session.list_secrets_by_name if secret else session.list_configmaps_by_name
        data_field = "secrets" if secret else "configs"
        wrapper = "secret" if secret else "configmap"
        found = self._retrying(counter, lambda: lister(item.name))

        def outcome(action: str, diff: Sequence[str] = ()) -> Outcome:
            return Outcome(item.name, None, action, attempts=counter.requests, diff=list(diff),
                           kind=item.kind)

        inner: JsonObject = {"description": "", data_field: item.data}
        if not found:
            if not self.dry_run:
                create_body = {wrapper: {"name": item.name, **inner}}
                if secret:
                    create_body[wrapper]["type"] = "Opaque"
                create = session.create_secret if secret else session.create_configmap

                def look() -> JsonObject | None:
                    again = lister(item.name)
                    return again[0] if again else None

                self._retrying(counter, lambda: create(create_body), before_retry=look)
            return outcome(CREATED)
        current = found[0].get(data_field) or {}
        if current == item.data:
            return outcome(UNCHANGED)
        # Keys only: values (Secret ones above all) never leave this function.
        changed = sorted(k for k in {*current, *item.data} if current.get(k) != item.data.get(k))
        diff = [f"~ {data_field}.{key}" for key in changed]
        if not self.dry_run:
            ident = str(found[0]["id"])
            update = session.update_secret if secret else session.update_configmap
            self._retrying(counter, lambda: update(ident, {wrapper: inner}))
        return outcome(UPDATED, diff)
