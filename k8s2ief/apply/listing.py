"""Listing every deployment of the project: the first page gives the count, and the other pages
are fetched in parallel (ten pages at 20 ms cost 40 ms instead of 200)."""

from __future__ import annotations

import threading
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


class ListingAhead:
    """``list_deployments`` started in a thread of its own, so that a run's listing (a read)
    goes out while its input is still being converted and planned; ``result`` waits for it.

    Nothing is written meanwhile: a run's first write still comes after its whole plan."""

    def __init__(self, ctx: Context) -> None:
        self._listed: list[JsonObject] | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._list, args=(ctx,), daemon=True)
        self._thread.start()

    def _list(self, ctx: Context) -> None:
        try:
            self._listed = list_deployments(ctx)
        except BaseException as error:  # handed to the thread that asks for the result
            self._error = error

    def result(self) -> list[JsonObject]:
        """The listing, or the exception it raised (an IefError, Interrupted, ...) raised."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._listed or []
