"""A run as a whole: ConfigMaps and Secrets, then deployments in parallel, then prunes."""

from __future__ import annotations

import sys
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from k8s2ief.apply import executor
from k8s2ief.apply.context import Context, Options
from k8s2ief.apply.deploy import Deployer, guard
from k8s2ief.apply.kv import apply_kv
from k8s2ief.apply.listing import ListingAhead, list_deployments
from k8s2ief.apply.model import INTERRUPTED, KvItem, Outcome, Target
from k8s2ief.apply.prune import deleter, doomed_deployments, doomed_kv
from k8s2ief.apply.retry import Interrupted, RetryPolicy
from k8s2ief.apply.wait import Readiness, wait_ready
from k8s2ief.ief.errors import IefError

if TYPE_CHECKING:
    from k8s2ief.ief.client import IefSession

# Targets from which listing the project once (a request per 100) beats a lookup per target.
LIST_ALL_FROM = 20
# How long a thread may keep the interpreter's lock while another waits for it, during a run
# (Python's default: 5 ms). A run's threads mostly wait on sockets; each answer that arrives
# waits for the lock held by a thread building or signing its next request, and a freed slot of
# the gate waits for its next thread alike. Measured on 1,000 creates at 20 ms (quiet machine,
# two alternated runs, before the gate handed slots over in order): 307-313 requests a second
# with the default, 326-339 with 0.5 ms; with the gate's hand-over, three rounds at load 2.5-2.8:
# 280-338 with the default, 313-344 with 0.5 ms, 316-343 with 0.2 ms. Set for the run only, and
# only in apply's process.
SWITCH_INTERVAL_S = 0.0005


@dataclass
class Run:
    outcomes: list[Outcome]
    interrupted: bool = False


@dataclass
class _Labelled:
    name: str
    node_id: str | None
    kind: str


class Applier:
    """Plans and submits targets through per-thread IefSessions made by ``session_factory``."""

    def __init__(
        self,
        session_factory: Callable[[], IefSession],
        *,
        options: Options | None = None,
        policy: RetryPolicy | None = None,
        redact: Iterable[str] = (),
    ) -> None:
        self.options = options or Options()
        self.ctx = Context(session_factory, self.options, policy or RetryPolicy(), redact)
        self._ahead: ListingAhead | None = None

    def __enter__(self) -> Applier:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.ctx.close()

    def apply(
        self,
        targets: Sequence[Target],
        kv_items: Sequence[KvItem],
        keep_kv: Collection[tuple[str, str]] = (),
    ) -> Run:
        """``keep_kv``: every ConfigMap and Secret of the input (by kind and name), which a
        prune must leave alone even when no submitted deployment references it.

        Ctrl-C at any point ends the run with the outcomes so far, the rest ``interrupted``."""
        done: list[Outcome] = []
        interval = sys.getswitchinterval()
        sys.setswitchinterval(min(interval, SWITCH_INTERVAL_S))
        try:
            interrupted = self._apply(targets, kv_items, keep_kv, done)
        except (KeyboardInterrupt, Interrupted):
            self.ctx.stop.set()
            interrupted = True
        finally:
            sys.setswitchinterval(interval)
        if interrupted:
            reported = {(o.kind, o.name) for o in done}
            done.extend(o for o in self._skipped(targets) if (o.kind, o.name) not in reported)
        return Run(done, interrupted)

    def _apply(
        self,
        targets: Sequence[Target],
        kv_items: Sequence[KvItem],
        keep_kv: Collection[tuple[str, str]],
        done: list[Outcome],
    ) -> bool:
        """The run's parts in order, each one's outcomes added to ``done``; True if stopped."""
        ctx = self.ctx
        kv_run = self._batch(
            [
                lambda item=item: guard(
                    ctx, lambda t: apply_kv(ctx, t, item), item.name, None, item.kind
                )
                for item in kv_items
            ],
            [_Labelled(item.name, None, item.kind) for item in kv_items],
        )
        done.extend(kv_run.outcomes)
        if kv_run.interrupted:
            return True
        broken = {(o.kind, o.name) for o in kv_run.outcomes if not o.ok}
        listing_failed = self._list(targets)
        deployer = Deployer(ctx)
        deploy_run = self._batch(
            [lambda target=target: deployer.outcome(target, broken) for target in targets],
            [_Labelled(t.name, t.node_id, "Deployment") for t in targets],
        )
        done.extend(deploy_run.outcomes)
        if deploy_run.interrupted or not self.options.prune:
            return deploy_run.interrupted
        if listing_failed is not None:
            done.append(
                Outcome(
                    "prune",
                    None,
                    "failed",
                    listing_failed.error_code,
                    ctx.clean(listing_failed.error_msg),
                    kind="ApplySet",
                )
            )
            return False
        prune_run = self._prune(targets, keep_kv)
        done.extend(prune_run.outcomes)
        return prune_run.interrupted

    def wait(
        self,
        outcomes: Sequence[Outcome],
        timeout_s: float,
        progress: Callable[[int, int], None] | None = None,
    ) -> dict[str, Readiness]:
        names = [
            o.name for o in outcomes if o.kind == "Deployment" and o.ok and o.action != "deleted"
        ]
        return wait_ready(self.ctx, names, timeout_s, progress)

    def targets_planned(self, count: int) -> None:
        """Told, while the input is still being planned, how many targets it has so far: once
        the run is sure to list the project (``_list``), the listing starts, beside the rest of
        the conversion and planning. Only reads are sent before ``apply``."""
        if self._ahead is None and (count >= LIST_ALL_FROM or self.options.prune):
            self._ahead = ListingAhead(self.ctx)

    # ----------------------------------------------------------------- parts of a run

    def _list(self, targets: Sequence[Target]) -> IefError | None:
        """List the project's deployments once, when that saves requests or a prune needs it
        (or take the listing started while planning, ``targets_planned``).

        Each new deployment would otherwise cost a lookup by name before its create. When the
        listing fails, targets are looked up one by one, and the error is returned (a prune
        cannot go on without it)."""
        if len(targets) < LIST_ALL_FROM and not self.options.prune:
            return None
        try:
            listed = self._ahead.result() if self._ahead else list_deployments(self.ctx)
        except IefError as error:
            return error
        self.ctx.listed = {str(item.get("name")): item for item in listed}
        return None

    def _prune(self, targets: Sequence[Target], keep_kv: Collection[tuple[str, str]]) -> Run:
        ctx = self.ctx
        applyset = self.options.applyset or ""
        keep = {t.name for t in targets}
        doomed = [("Deployment", r) for r in doomed_deployments(ctx.listed or {}, keep, applyset)]
        failures: list[Outcome] = []
        for kind in ("ConfigMap", "Secret"):
            keep_names = {name for k, name in keep_kv if k == kind}
            try:
                doomed.extend((kind, r) for r in doomed_kv(ctx, kind, keep_names))
            except IefError as error:
                failures.append(
                    Outcome(
                        "prune",
                        None,
                        "failed",
                        error.error_code,
                        ctx.clean(error.error_msg),
                        kind=kind,
                    )
                )
        # Deployments first: a ConfigMap may be in use by a deployment deleted here.
        first = [(k, r) for k, r in doomed if k == "Deployment"]
        then = [(k, r) for k, r in doomed if k != "Deployment"]
        runs = [
            self._batch(
                [deleter(ctx, k, r) for k, r in part],
                [_Labelled(str(r.get("name")), None, k) for k, r in part],
            )
            for part in (first, then)
            if part
        ]
        interrupted = any(r.interrupted for r in runs)
        return Run([o for r in runs for o in r.outcomes] + failures, interrupted)

    def _batch(self, tasks: Sequence[Callable[[], Outcome]], labels: Sequence[_Labelled]) -> Run:
        batch = executor.run(tasks, self.ctx.threads, self.ctx.stop)
        outcomes = []
        for label, started, result, error in zip(
            labels, batch.started, batch.results, batch.errors, strict=True
        ):
            if result is not None:
                outcomes.append(result)
                continue
            if error is not None:
                outcomes.append(
                    Outcome(
                        label.name,
                        label.node_id,
                        "failed",
                        "CLIENT_ERROR",
                        f"{type(error).__name__}: {error}"[:300],
                        kind=label.kind,
                        dry_run=self.options.dry_run,
                    )
                )
                continue
            why = (
                "stopped before its outcome was known; it may have taken effect"
                if started
                else "not started"
            )
            outcomes.append(
                Outcome(
                    label.name,
                    label.node_id,
                    INTERRUPTED,
                    "INTERRUPTED",
                    why,
                    kind=label.kind,
                    dry_run=self.options.dry_run,
                )
            )
        return Run(outcomes, batch.interrupted)

    def _skipped(self, targets: Sequence[Target]) -> list[Outcome]:
        return [
            Outcome(
                t.name,
                t.node_id,
                INTERRUPTED,
                "INTERRUPTED",
                "not started",
                dry_run=self.options.dry_run,
            )
            for t in targets
        ]
