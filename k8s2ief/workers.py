"""Converting in worker processes, with exactly the output of one in-order Converter.

Shared by convert's fast path (k8s2ief.parallel) and ``audit --jobs``. The only state a
Converter carries from one document to the next that workers cannot share is the set of IEF
names already used (KI109). So workers convert with a ``ClaimingConverter``, which records each
Deployment's name (and node ports, for KI320) instead of checking it, and the parent runs
``check_names`` over the results in input order, inserting KI109 exactly where one Converter
would have put it. ``NameCheck`` is that check alone: convert's workers send rendered output
(k8s2ief.rendered), into which the parent merges what it finds.

Process-pool modules are imported only when workers start (the CLI's start-up stays fast).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Generic, TypeVar

from k8s2ief.codes import severity_of
from k8s2ief.findings import Finding
from k8s2ief.load import Document
from k8s2ief.names import FirstUse
from k8s2ief.paths import Path, render
from k8s2ief.pipeline import (
    Converter,
    DocumentResult,
    duplicate_name_message,
    node_port_claims,
    status_of,
)
from k8s2ief.rules.host_ports import clash_message
from k8s2ief.rules.ledger import Ledger, RawFinding

if TYPE_CHECKING:
    from concurrent.futures import Future, ProcessPoolExecutor
    from multiprocessing.context import BaseContext

NAME_PATH: Path = ("metadata", "name")
Item = TypeVar("Item")
Result = TypeVar("Result")


@dataclass(frozen=True)
class NameClaim:
    """A Deployment's IEF name and where KI109 would go if the name was used before."""

    name: str
    index: int  # position of KI109 among the document's findings
    line: int | None  # line of metadata.name
    # Node ports the body binds on its node: (node, port, path, line); KI320 follows KI109.
    ports: tuple[tuple[str, int, Path, int | None], ...] = ()


Entry = tuple[DocumentResult, NameClaim | None]


class ClaimingConverter(Converter):
    """A Converter that records IEF names instead of checking them (see the module docstring)."""

    def __init__(self, settings: object) -> None:
        super().__init__(settings)  # type: ignore[arg-type]
        self.claim: NameClaim | None = None

    def entry(self, doc: Document) -> Entry:
        self.claim = None
        result = self.convert(doc)
        return result, self.claim

    def _check_unique_name(
        self, doc: Document, body: dict[str, object], raw: list[RawFinding]
    ) -> None:
        name = body.get("name")
        if isinstance(name, str):
            self.claim = NameClaim(name, len(raw), doc.locate(NAME_PATH))

    def _check_node_ports(
        self, doc: Document, body: dict[str, object], ledger: Ledger, raw: list[RawFinding]
    ) -> None:
        ports = tuple(
            (node, bound.port, bound.path, doc.locate(bound.path))
            for node, bound in node_port_claims(body, ledger)
        )
        if ports:
            claim = self.claim or NameClaim("", len(raw), None)
            self.claim = replace(claim, ports=ports)


class NameCheck:
    """KI109 and KI320 in input order: what each claim adds to its document's findings."""

    def __init__(self) -> None:
        self.names, self.node_ports = FirstUse(), FirstUse()

    def added(self, claim: NameClaim, file: str, line: int | None) -> list[Finding]:
        """The findings the claim of the document at ``file:line`` adds, in check_names' order
        (to go in at ``claim.index`` of its findings)."""
        added = []
        first = self.names.claim(claim.name, file, line) if claim.name else None
        if first is not None:
            message = duplicate_name_message(claim.name, first)
            added.append(
                Finding("KI109", severity_of("KI109"), render(NAME_PATH), message, file, claim.line)
            )
        for node, port, path, port_line in claim.ports:
            first = self.node_ports.claim(f"{node}/{port}", file, port_line)
            if first is not None:
                added.append(
                    Finding(
                        "KI320",
                        severity_of("KI320"),
                        render(path),
                        clash_message(port, first),
                        file,
                        port_line,
                    )
                )
        return added


def check_names(groups: Iterable[list[Entry]]) -> Iterator[DocumentResult]:
    """The results in order, with KI109 where an IEF name was already used earlier."""
    check = NameCheck()
    for entries in groups:
        for result, claim in entries:
            if claim is not None:
                added = check.added(claim, result.file, result.line)
                result.findings[claim.index : claim.index] = added
                if added and result.body is not None:  # judged before these were known
                    result.status = status_of(result.findings)
            yield result


@dataclass(frozen=True)
class Ready(Generic[Result]):
    """An item the parent already computed: it keeps its place among the workers' results."""

    value: Result


def in_workers(
    task: Callable[[Item], Result],
    items: Iterable[Item | Ready[Result]],
    state: object,
    jobs: int,
    window: int,
) -> Iterator[Result]:
    """``task(item)`` in ``jobs`` worker processes, answers in input order.

    ``state`` is handed once to every worker (``worker_state()`` reads it there). At most
    ``jobs * window`` answers wait in memory, so streams of any length run in bounded memory;
    a wide window keeps the other workers busy behind one slow item.
    """
    # What exists now lives as long as the run: frozen, it is left out of every collection, in
    # the workers (which inherit it at fork) and here. Measured on an audit of 5,000 files with
    # two workers: a worker's collections took 0.15 s of CPU instead of 0.27, the parent's 0.05
    # instead of 0.11 (the Python documentation recommends freezing before a fork).
    import gc

    gc.freeze()
    try:
        with start_pool(state, jobs) as pool:
            pending: deque[Future[Result] | Ready[Result]] = deque()
            for item in items:
                pending.append(item if isinstance(item, Ready) else pool.submit(task, item))
                if len(pending) >= jobs * window:
                    yield _answer(pending.popleft())
            while pending:
                yield _answer(pending.popleft())
    finally:
        gc.unfreeze()


def start_pool(state: object, jobs: int) -> ProcessPoolExecutor:
    """A pool of ``jobs`` workers, each handed ``state`` (``worker_state()`` reads it there).

    With fork (where there is fork), every worker is forked at the pool's first ``submit``:
    submit from the main thread before starting other threads or imports that may run beside
    it (a fork copies whatever locks other threads hold at that moment)."""
    from concurrent.futures import ProcessPoolExecutor

    return ProcessPoolExecutor(
        max_workers=jobs, mp_context=_fork(), initializer=_set_state, initargs=(state,)
    )


def _answer(item: Future[Result] | Ready[Result]) -> Result:
    return item.value if isinstance(item, Ready) else item.result()


def _fork() -> BaseContext | None:
    import multiprocessing

    # fork starts workers at once, sharing the modules already imported; elsewhere the default.
    if "fork" in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("fork")
    return None


_worker_state: object = None


def _set_state(state: object) -> None:
    import signal

    global _worker_state
    _worker_state = state
    # Ctrl-C reaches the whole process group. The parent stops the run and says so once; a
    # worker interrupted mid-task would break the pool, and the parent would wait on it forever.
    signal.signal(signal.SIGINT, signal.SIG_IGN)


def worker_state() -> object:
    """The ``state`` given to ``in_workers``, inside a worker."""
    assert _worker_state is not None, "worker used before its state was set"
    return _worker_state
