"""What the emulator holds: deployments, ConfigMaps and Secrets, and the rules their bodies
follow. Listing, paging and the server's defaults are modelled on the real API's answers."""

from __future__ import annotations

import base64
import binascii
import marshal
import re
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from k8s2ief.testing.api import ApiError, _Answer

JsonObject = dict[str, Any]


def json_copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, str, int, float, bool, None: all the store holds,
    since it all came from JSON bodies), about three times faster than ``copy.deepcopy``, which
    the emulator otherwise spends a fifth of a create's time in."""
    return marshal.loads(marshal.dumps(value))


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
    page = json_copy(items[offset : offset + limit])
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
    stored = json_copy(template)
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
    # When it was last created or updated (time.monotonic()): its instances are ready a
    # configurable delay after that.
    changed_at: float = field(default_factory=time.monotonic)

    def view(self, ready_delay_s: float, never_ready: re.Pattern[str] | None) -> JsonObject:
        """The record as answered now: ``ready_replicas`` reaches ``replicas`` once the delay
        has passed, unless an image matches ``never_ready`` (an image that never starts)."""
        record = json_copy(self.record)
        images = [
            str(c.get("image_url", ""))
            for c in record["template"].get("containers") or []
            if isinstance(c, dict)
        ]
        stuck = never_ready is not None and any(never_ready.search(i) for i in images)
        settled = time.monotonic() - self.changed_at >= ready_delay_s
        replicas = record.get("replicas")
        record["ready_replicas"] = replicas if settled and not stuck else 0
        return record

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
            "tags": json_copy(body.get("tags") or []),
            "api_version": "v3",
            "source": body.get("source", ""),
            "project_id": project_id,
            "created_at": now,
            "updated_at": now,
            "template": _with_server_defaults(spec.get("template") or {}),
            "state": "",
            "source_id": "",
            "annotations": json_copy(spec.get("annotations") or {}),
        }
        return cls(json_copy(body), record)

    def updated_request(self, update: JsonObject) -> JsonObject:
        request = json_copy(self.request)
        if "description" in update:
            request["description"] = update["description"]
        request.setdefault("deployment", {}).update(json_copy(update.get("deployment") or {}))
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
        self.changed_at = time.monotonic()


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
