"""What apply works on (targets, ConfigMaps and Secrets) and what it reports (outcomes)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

JsonObject = dict[str, Any]

CREATED, UPDATED, RECREATED, UNCHANGED = "created", "updated", "recreated", "unchanged"
DELETED = "deleted"
FAILED, BLOCKED = "failed", "blocked"
# The request may have taken effect, and looking it up afterwards failed too.
UNKNOWN = "unknown"
# Ctrl-C came first: never started, or stopped between two requests.
INTERRUPTED = "interrupted"
CHANGES = frozenset({CREATED, UPDATED, RECREATED, DELETED})
PLAN_WORDS = {
    CREATED: "would create",
    UPDATED: "would update",
    RECREATED: "would recreate",
    DELETED: "would delete",
    UNCHANGED: "unchanged",
}
NOT_OK = frozenset({FAILED, BLOCKED, UNKNOWN, INTERRUPTED})


@dataclass
class Target:
    """One deployment to submit, or the reason it is not submitted."""

    name: str
    node_id: str | None
    body: JsonObject | None
    blocked_code: str | None = None
    blocked_msg: str = ""
    needs: tuple[tuple[str, str], ...] = ()  # ("ConfigMap" | "Secret", name) it references
    source: str = ""  # where it came from (file:line), for messages about it


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
    dry_run: bool = False
    ready: str | None = None  # with --wait: "ready 1/1" or "not ready 0/1"

    @property
    def ok(self) -> bool:
        return self.action not in NOT_OK

    def to_dict(self) -> dict[str, object]:
        data: dict[str, object] = {
            "kind": self.kind,
            "name": self.name,
            "node_id": self.node_id,
            "action": self.action,
            "dry_run": self.dry_run,
            "error_code": self.error_code,
            "error_msg": self.error_msg,
            "attempts": self.attempts,
            "diff": self.diff,
        }
        if self.ready is not None:
            data["ready"] = self.ready.startswith("ready")
            data["instances"] = self.ready.rpartition(" ")[2]  # "ready/wanted", e.g. "1/1"
        return data

    def line(self) -> str:
        label = self.name if self.kind == "Deployment" else f"{self.kind} {self.name}"
        if self.action in NOT_OK:
            return f"{label}: {self.action}: {self.error_code} {self.error_msg}"
        word = PLAN_WORDS[self.action] if self.dry_run else self.action
        return "\n".join([f"{label}: {word}", *(f"    {d}" for d in self.diff)])
