"""``--wait``: poll IEF until every applied deployment has as many ready instances as wanted.

Polling backs off from a quarter of a second to ten (half as long again each time). Many
deployments are read by listing the project (a request per 100); a few by name. A poll that
fails counts as "not ready yet", never as an error: the timeout decides.
"""

from __future__ import annotations

import random
import time
from collections.abc import Callable, Collection
from dataclasses import dataclass

from k8s2ief.apply.context import Context
from k8s2ief.apply.listing import list_deployments
from k8s2ief.apply.model import JsonObject
from k8s2ief.apply.retry import Tally
from k8s2ief.ief.errors import IefError

LIST_FROM = 20  # pending deployments from which one listing beats a lookup each
FIRST_DELAY_S, MAX_DELAY_S, GROWTH = 0.25, 10.0, 1.5


@dataclass
class Readiness:
    ready: int | None = None
    replicas: int | None = None

    @property
    def done(self) -> bool:
        return self.replicas is not None and self.ready is not None and self.ready >= self.replicas

    def text(self) -> str:
        state = "ready" if self.done else "not ready"
        return f"{state} {_count(self.ready)}/{_count(self.replicas)}"


def _count(value: int | None) -> str:
    return "?" if value is None else str(value)


def wait_ready(
    ctx: Context,
    names: Collection[str],
    timeout_s: float,
    progress: Callable[[int, int], None] | None = None,
) -> dict[str, Readiness]:
    state = {name: Readiness() for name in names}
    pending = set(names)
    deadline = time.monotonic() + timeout_s
    delay = FIRST_DELAY_S
    while True:
        for name, record in _poll(ctx, pending).items():
            state[name] = Readiness(
                _int(record.get("ready_replicas")), _int(record.get("replicas"))
            )
        pending = {name for name in pending if not state[name].done}
        if progress is not None:
            progress(len(state) - len(pending), len(state))
        left = deadline - time.monotonic()
        if not pending or left <= 0:
            return state
        if ctx.stop.wait(min(left, random.uniform(delay / 2, delay))):
            return state
        delay = min(MAX_DELAY_S, delay * GROWTH)


def _poll(ctx: Context, pending: Collection[str]) -> dict[str, JsonObject]:
    session = ctx.session()
    try:
        if len(pending) >= LIST_FROM:
            listed = list_deployments(ctx)
            return {str(r.get("name")): r for r in listed if r.get("name") in pending}
        found: dict[str, JsonObject] = {}
        lookup = session.list_deployments_by_name
        for name in sorted(pending):
            records = ctx.retrier.call(Tally(), lambda name=name: lookup(name))
            if records:
                found[name] = records[0]
        return found
    except IefError:
        return {}


def _int(value: object) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
