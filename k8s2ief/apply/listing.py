"""Listing every deployment of the project: the first page gives the count, and the other pages
are fetched in parallel (ten pages at 20 ms cost 40 ms instead of 200)."""

from __future__ import annotations

from collections.abc import Callable

from k8s2ief.apply import executor
from k8s2ief.apply.context import Context
from k8s2ief.apply.model import JsonObject
from k8s2ief.apply.retry import Interrupted, Tally
from k8s2ief.ief.errors import IefError

PAGE_SIZE = 100  # the list call's largest limit


def list_deployments(ctx: Context) -> list[JsonObject]:
    """Every deployment (each once, by id); raises the IefError of a page that failed."""
    count, first = _page(ctx, 0)
    offsets = range(len(first), count, PAGE_SIZE) if first else range(0)
    tasks: list[Callable[[], list[JsonObject] | IefError]] = [
        lambda offset=offset: _page_or_error(ctx, offset) for offset in offsets
    ]
    batch = executor.run(tasks, ctx.threads, ctx.stop)
    if batch.interrupted:
        raise Interrupted
    for error in batch.errors:
        if error is not None:
            raise error
    seen: dict[str, JsonObject] = {}
    for page in [first, *batch.results]:
        if isinstance(page, IefError):
            raise page
        for record in page or []:
            seen.setdefault(str(record.get("id")), record)
    return list(seen.values())


def _page(ctx: Context, offset: int) -> tuple[int, list[JsonObject]]:
    session = ctx.session()
    return ctx.retrier.call(Tally(), lambda: session.list_deployments_page(offset))


def _page_or_error(ctx: Context, offset: int) -> list[JsonObject] | IefError:
    try:
        return _page(ctx, offset)[1]
    except IefError as error:  # returned, not raised: the executor's tasks never raise
        return error
