"""``--prune``: delete what the set's tag says it owns and the input no longer holds.

Only what carries this set's ownership mark is ever a candidate: deployments by their tag,
ConfigMaps and Secrets (which IEF gives no tags) by their description. Deletes run after every
create and update, deployments before the ConfigMaps and Secrets they may reference.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from k8s2ief.apply.context import Context
from k8s2ief.apply.deploy import guard
from k8s2ief.apply.kv import KvCalls, owner_description
from k8s2ief.apply.model import DELETED, JsonObject, Outcome
from k8s2ief.apply.plan import applyset_of
from k8s2ief.apply.retry import Tally
from k8s2ief.ief.errors import NOT_FOUND, IefError


def doomed_deployments(
    listed: dict[str, JsonObject], keep: Collection[str], applyset: str
) -> list[JsonObject]:
    return [
        record
        for name, record in sorted(listed.items())
        if name not in keep and applyset_of(record.get("tags")) == applyset
    ]


def doomed_kv(ctx: Context, kind: str, keep: Collection[str]) -> list[JsonObject]:
    calls = KvCalls(ctx.session(), kind)
    mark = owner_description(ctx.options.applyset)
    listed = ctx.retrier.call(Tally(), calls.list_all)
    return sorted(
        (
            item
            for item in listed
            if item.get("description") == mark and item.get("name") not in keep
        ),
        key=lambda item: str(item.get("name")),
    )


def deleter(ctx: Context, kind: str, record: JsonObject) -> Callable[[], Outcome]:
    """The task deleting one item; a delete that finds it gone already counts as done."""
    name, ident = str(record.get("name")), str(record.get("id"))
    node_ids = record.get("node_ids") or [None]

    def delete(tally: Tally) -> Outcome:
        if not ctx.options.dry_run:
            session = ctx.session()
            call = (
                (lambda: session.delete_deployment(ident))
                if kind == "Deployment"
                else (lambda: KvCalls(session, kind).delete(ident))
            )
            try:
                ctx.retrier.call(tally, call)
            except IefError as error:
                if error.error_code != NOT_FOUND:
                    ctx.retrier.settle(tally, error, lambda: _gone(ctx, tally, kind, name))
        return Outcome(
            name,
            node_ids[0],
            DELETED,
            attempts=tally.requests,
            kind=kind,
            dry_run=ctx.options.dry_run,
        )

    return lambda: guard(ctx, delete, name, node_ids[0], kind)


def _gone(ctx: Context, tally: Tally, kind: str, name: str) -> bool:
    session = ctx.session()
    if kind == "Deployment":
        lister = session.list_deployments_by_name
    else:
        lister = KvCalls(session, kind).list_by_name
    return not ctx.retrier.call(tally, lambda: lister(name))
