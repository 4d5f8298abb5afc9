"""One ConfigMap or Secret: create, update or leave alone, by name. Values never leave here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from k8s2ief.apply.context import Context
from k8s2ief.apply.model import CREATED, UNCHANGED, UPDATED, JsonObject, KvItem, Outcome
from k8s2ief.apply.plan import KV_OWNER_PREFIX
from k8s2ief.apply.retry import Tally
from k8s2ief.ief.errors import IefError


class KvCalls:
    """The session calls for one kind, by name."""

    def __init__(self, session: Any, kind: str) -> None:
        secret = kind == "Secret"
        self.secret = secret
        self.data_field = "secrets" if secret else "configs"
        self.wrapper = "secret" if secret else "configmap"
        self.list_by_name: Callable[[str], list[JsonObject]] = (
            session.list_secrets_by_name if secret else session.list_configmaps_by_name
        )
        self.list_all: Callable[[], list[JsonObject]] = (
            session.list_secrets if secret else session.list_configmaps
        )
        self.create = session.create_secret if secret else session.create_configmap
        self.update = session.update_secret if secret else session.update_configmap
        self.delete = session.delete_secret if secret else session.delete_configmap


def owner_description(applyset: str | None) -> str:
    return f"{KV_OWNER_PREFIX}{applyset}" if applyset else ""


def apply_kv(ctx: Context, tally: Tally, item: KvItem) -> Outcome:
    calls = KvCalls(ctx.session(), item.kind)
    retrier = ctx.retrier
    dry = ctx.options.dry_run

    def look() -> JsonObject | None:
        found = retrier.call(tally, lambda: calls.list_by_name(item.name))
        return found[0] if found else None

    def outcome(action: str, diff: list[str] | None = None) -> Outcome:
        return Outcome(
            item.name,
            None,
            action,
            attempts=tally.requests,
            diff=diff or [],
            kind=item.kind,
            dry_run=dry,
        )

    description = owner_description(ctx.options.applyset)
    inner: JsonObject = {"description": description, calls.data_field: item.data}
    current = look()
    if current is None:
        if not dry:
            body = {calls.wrapper: {"name": item.name, **inner}}
            if calls.secret:
                body[calls.wrapper]["type"] = "Opaque"
            try:
                retrier.call(tally, lambda: calls.create(body), before_retry=look)
            except IefError as error:
                retrier.settle(tally, error, lambda: look() is not None)
        return outcome(CREATED)
    diff = _changes(current, calls.data_field, item.data, description, ctx.options.applyset)
    if not diff:
        return outcome(UNCHANGED)
    if not dry:
        ident = str(current["id"])
        retrier.call(tally, lambda: calls.update(ident, {calls.wrapper: inner}))
    return outcome(UPDATED, diff)


def _changes(
    current: JsonObject,
    data_field: str,
    wanted: dict[str, str],
    description: str,
    applyset: str | None,
) -> list[str]:
    """The keys whose values differ, never the values (Secret ones above all)."""
    data = current.get(data_field) or {}
    diff = [
        f"~ {data_field}.{key}"
        for key in sorted(k for k in {*data, *wanted} if data.get(k) != wanted.get(k))
    ]
    if applyset and (current.get("description") or "") != description:
        diff.append(f"~ description: {current.get('description') or ''!r} -> {description!r}")
    return diff
