"""One deployment: find what IEF holds, decide what to do, do it, say what happened.

Deciding and doing are apart so that a plan (``--dry-run``, ``diff``) takes exactly the path a
run takes, minus the writes. A write whose outcome is unknown is looked up before it is sent
again, and once more when it fails for good: the outcome says what IEF holds (created, or
unknown when even the lookup fails), never a failure that did not happen.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from k8s2ief.apply.compare import NOT_UPDATABLE, current_view, differences, wanted_view
from k8s2ief.apply.context import Context
from k8s2ief.apply.model import (
    BLOCKED,
    CREATED,
    FAILED,
    RECREATED,
    UNCHANGED,
    UNKNOWN,
    UPDATED,
    JsonObject,
    Outcome,
    Target,
)
from k8s2ief.apply.plan import applyset_of, sdk_model
from k8s2ief.apply.retry import Interrupted, OutcomeUnknown, Tally
from k8s2ief.ief.errors import NOT_FOUND, IefError

NAME_TAKEN = "IEF.100013"


@dataclass
class Decision:
    action: str  # CREATED, UPDATED, RECREATED, UNCHANGED or BLOCKED
    current: JsonObject | None = None
    diff: list[str] = field(default_factory=list)
    code: str | None = None
    message: str = ""


def guard(
    ctx: Context, work: Callable[[Tally], Outcome], name: str, node_id: str | None, kind: str
) -> Outcome:
    """Run ``work``; whatever it raises (but Ctrl-C) becomes this one item's outcome."""
    tally = Tally()

    def failed(action: str, code: str, message: str) -> Outcome:
        return Outcome(
            name,
            node_id,
            action,
            code,
            ctx.clean(message),
            tally.requests,
            kind=kind,
            dry_run=ctx.options.dry_run,
        )

    try:
        return work(tally)
    except Interrupted:
        raise
    except OutcomeUnknown as unknown:
        return failed(
            UNKNOWN,
            unknown.error.error_code,
            f"{unknown.error.error_msg}; it may have taken effect, and looking it up "
            f"failed too ({unknown.lookup.error_code})",
        )
    except IefError as error:
        return failed(FAILED, error.error_code, error.error_msg)
    except Exception as error:  # one item's bug or odd body must not end the run
        return failed(FAILED, "CLIENT_ERROR", f"{type(error).__name__}: {error}")


class Deployer:
    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx

    def outcome(self, target: Target, broken: set[tuple[str, str]]) -> Outcome:
        dry = self.ctx.options.dry_run
        if target.body is None or target.blocked_code:
            return Outcome(
                target.name,
                target.node_id,
                BLOCKED,
                target.blocked_code,
                target.blocked_msg,
                dry_run=dry,
            )
        missing = [f"{kind} {name}" for kind, name in target.needs if (kind, name) in broken]
        if missing:
            return Outcome(
                target.name,
                target.node_id,
                BLOCKED,
                "DEPENDENCY",
                f"{', '.join(missing)} was not submitted",
                dry_run=dry,
            )
        # Built here, on the workers, while other workers wait for answers; built once.
        model, problem = sdk_model(target.body)
        if problem is not None:
            return Outcome(
                target.name,
                target.node_id,
                BLOCKED,
                "SDK_MODEL",
                f"the SDK cannot send this body: {problem}",
                dry_run=dry,
            )
        body = target.body
        return guard(
            self.ctx,
            lambda tally: self._deploy(tally, target, body, model),
            target.name,
            target.node_id,
            "Deployment",
        )

    # ----------------------------------------------------------------- deciding

    def _deploy(self, tally: Tally, target: Target, body: JsonObject, model: object) -> Outcome:
        decision = self.decide(tally, body, self._current(tally, target.name))
        if decision.action == CREATED and not self.ctx.options.dry_run:
            try:
                self._create(tally, target.name, body, model)
            except IefError as error:
                if error.error_code != NAME_TAKEN or tally.uncertain:
                    raise
                # Made by someone else since we looked: decide again against it.
                decision = self.decide(tally, body, self._lookup(tally, target.name))
                if decision.action == CREATED:
                    raise
        if decision.action == BLOCKED:
            return Outcome(
                target.name,
                target.node_id,
                BLOCKED,
                decision.code,
                decision.message,
                tally.requests,
                decision.diff,
                dry_run=self.ctx.options.dry_run,
            )
        if decision.action in (UPDATED, RECREATED) and not self.ctx.options.dry_run:
            self._change(tally, target.name, body, decision)
        return Outcome(
            target.name,
            target.node_id,
            decision.action,
            attempts=tally.requests,
            diff=decision.diff,
            dry_run=self.ctx.options.dry_run,
        )

    def decide(self, tally: Tally, body: JsonObject, current: JsonObject | None) -> Decision:
        if current is None:
            return Decision(CREATED)
        options = self.ctx.options
        owner = applyset_of(current.get("tags"))
        if options.applyset and owner not in (None, options.applyset):
            return Decision(
                BLOCKED,
                current,
                code="APPLYSET_CONFLICT",
                message=f"the deployment belongs to applyset {owner}",
            )
        changes = differences(wanted_view(body), current_view(current))
        if not changes:
            return Decision(UNCHANGED, current)
        text = [change for _top, change in changes]
        fixed = sorted({top for top, _change in changes if top in NOT_UPDATABLE})
        if fixed and not options.recreate:
            return Decision(
                BLOCKED,
                current,
                text,
                "NEEDS_RECREATE",
                f"{', '.join(fixed)} cannot be updated in place; use --recreate",
            )
        return Decision(RECREATED if fixed else UPDATED, current, text)

    def _current(self, tally: Tally, name: str) -> JsonObject | None:
        listed = self.ctx.listed
        if listed is None:
            return self._lookup(tally, name)
        found = listed.get(name)
        return None if found is None else self._show(tally, str(found["id"]))

    def _lookup(self, tally: Tally, name: str) -> JsonObject | None:
        session = self.ctx.session()
        found = self.ctx.retrier.call(tally, lambda: session.list_deployments_by_name(name))
        return self._show(tally, str(found[0]["id"])) if found else None

    def _show(self, tally: Tally, ident: str) -> JsonObject | None:
        session = self.ctx.session()
        try:
            return self.ctx.retrier.call(tally, lambda: session.show_deployment(ident))
        except IefError as error:
            if error.error_code == NOT_FOUND:
                return None  # deleted since it was listed
            raise

    # ----------------------------------------------------------------- doing

    def _create(self, tally: Tally, name: str, body: JsonObject, model: object = None) -> None:
        session = self.ctx.session()
        retrier = self.ctx.retrier

        def look() -> JsonObject | None:
            found = retrier.call(tally, lambda: session.list_deployments_by_name(name))
            return found[0] if found else None

        try:
            retrier.call(tally, lambda: session.create_deployment(body, model), before_retry=look)
        except IefError as error:
            # A create refused as "name taken" after an earlier try of ours may have committed,
            # or one that failed for good without telling: IEF's list says what happened.
            retrier.settle(tally, error, lambda: look() is not None)

    def _change(self, tally: Tally, name: str, body: JsonObject, decision: Decision) -> None:
        session = self.ctx.session()
        retrier = self.ctx.retrier
        ident = str((decision.current or {})["id"])
        if decision.action == RECREATED:
            try:
                retrier.call(tally, lambda: session.delete_deployment(ident))
            except IefError as error:
                if error.error_code != NOT_FOUND:  # already gone: a retried delete
                    retrier.settle(tally, error, lambda: self._show(tally, ident) is None)
            self._create(tally, name, body)
            return
        spec = body.get("deployment") or {}
        update = {
            "deployment": {"replicas": spec.get("replicas"), "template": spec.get("template")},
            "description": body.get("description", ""),
        }
        try:
            retrier.call(tally, lambda: session.update_deployment(ident, update))
        except IefError as error:
            retrier.settle(tally, error, lambda: self._in_place(tally, ident, body))

    def _in_place(self, tally: Tally, ident: str, body: JsonObject) -> bool:
        current = self._show(tally, ident)
        return current is not None and not differences(wanted_view(body), current_view(current))
