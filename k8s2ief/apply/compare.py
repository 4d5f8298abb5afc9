"""What differs between the body wanted and the deployment IEF holds.

Both sides are normalised first: fields the server adds and empty defaults are dropped, so a
deployment created from a body compares equal to that body.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping, Sequence
from typing import Any

from k8s2ief.apply.model import JsonObject

# Fields the server adds or fills in: never a difference worth acting on.
SERVER_FIELDS = frozenset(
    {
        "id",
        "created_at",
        "updated_at",
        "ready_replicas",
        "api_version",
        "project_id",
        "state",
        "source_id",
        "source",
        "name",
        "status",
    }
)
UPDATABLE = ("replicas", "template", "description")
NOT_UPDATABLE = ("node_ids", "group_id", "tags", "annotations")


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
    """(top-level field, readable change) for each difference, via deepdiff.

    Equal sides (the usual case on a re-run) are told apart by their canonical JSON first:
    a C-speed comparison as strict about types as deepdiff (1 and 1.0, or 1 and true, differ),
    where deepdiff takes milliseconds a deployment.
    """
    if _canonical(wanted) == _canonical(current):
        return []
    diff = _deep_diff()(current, wanted, ignore_order=False, view="tree")
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


def _canonical(value: JsonObject) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), default=repr)


_IMPORT = threading.Lock()


def _deep_diff() -> Any:
    """deepdiff's DeepDiff, imported on first use (a run that only creates never needs its
    0.2 s import), by one thread at a time: worker threads racing through a package's first
    import can meet its modules half initialised."""
    with _IMPORT:
        from deepdiff import DeepDiff

    return DeepDiff


def _render(path: Sequence[object]) -> str:
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _short(value: object) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."
