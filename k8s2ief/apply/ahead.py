"""Converting apply's manifests in worker processes while the main process imports the SDK.

An apply of many documents spends its first second on two independent things: importing the
SDK (about 0.25 s) and converting the input (about 0.45 ms a document). ``converting`` forks the
workers and hands them the whole input at once, so the conversion runs on the other CPUs while
the caller imports; the caller then takes the results, in input order, exactly as one in-order
Converter makes them (k8s2ief.workers: names are checked for KI109 in the parent, in order).
Nothing is submitted before every result is in: the checks that need the whole input (name
collisions, the ConfigMaps and Secrets to apply first) run on all of it, as before.

Small inputs, a single CPU (or K8S2IEF_JOBS=1) and inputs whose ConfigMaps or Secrets must be
learnt in order (``siblings.redefined``) are converted in process, after the caller's work. So
are inputs on a machine with no CPU idle at the start (other processes runnable on every CPU;
K8S2IEF_JOBS, when set, decides instead): workers there only take CPU from the import they
were meant to run beside. Measured with 9 to 10 processes runnable on 2 CPUs: the first create
went out 0.3 to 0.6 s later with workers than without.
"""

from __future__ import annotations

import itertools
import os
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from k8s2ief.load import Document, Limits, Source, read_chunk, read_source
from k8s2ief.parallel import JOBS_ENV, cut_tasks, default_jobs
from k8s2ief.pipeline import Converter, DocumentResult
from k8s2ief.settings import Settings

if TYPE_CHECKING:
    from concurrent.futures import Future

    from k8s2ief.parallel import Task
    from k8s2ief.workers import Entry

# Below this much input the pool's start (about 30 ms: its imports and the forks) costs more
# than converting beside the SDK import saves.
AHEAD_FROM_BYTES = 64 << 10
# Small tasks, so that a worker's results come back while the others still convert.
TASK_BYTES = 16 << 10

Facts = Any  # what the caller's ``facts(document)`` answers; computed where the document is
Converted = tuple[DocumentResult, Facts]


class Converting:
    """The results of a conversion already under way; iterate once, then ``close``."""

    def __init__(
        self, results: Iterator[Converted], close: Callable[[], None], workers: int = 0
    ) -> None:
        self._results = results
        self._close = close
        self.workers = workers  # worker processes converting (0: in this process)

    def __iter__(self) -> Iterator[Converted]:
        return self._results

    def close(self) -> None:
        self._close()

    def __enter__(self) -> Converting:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


def converting(
    sources: Sequence[Source],
    settings: Settings,
    limits: Limits,
    facts: Callable[[Document], Facts],
    jobs: int | None = None,
) -> Converting:
    """Start converting every document of ``sources``; ``facts(document)`` is kept beside each
    result (the document itself stays where it was parsed)."""
    jobs = jobs or (default_jobs() if os.environ.get(JOBS_ENV) or _idle_cpus() >= 1 else 1)
    if jobs > 1 and not getattr(settings.siblings, "redefined", False):
        tasks = cut_tasks(sources, limits, TASK_BYTES)
        head: list[Task | Document] = []
        size = 0
        for task in tasks:
            head.append(task)
            size += sum(len(chunk.text) for _, chunk in task) if isinstance(task, list) else 0
            if size >= AHEAD_FROM_BYTES:
                return _in_workers(itertools.chain(head, tasks), settings, limits, facts, jobs)
        # Too little to gain: convert in process, from the chunks already cut.
        return Converting(_in_process_tasks(head, settings, limits, facts), lambda: None)
    converter = Converter(settings)
    documents = (doc for source in sources for doc in read_source(source, limits))
    return Converting(((converter.convert(d), facts(d)) for d in documents), lambda: None)


def _idle_cpus() -> int:
    """CPUs nobody else wants right now: the CPUs less the other runnable tasks (Linux's
    /proc/loadavg, sampled now, not the averages, which lag a minute behind)."""
    cpus = os.cpu_count() or 1
    try:
        with open("/proc/loadavg", encoding="ascii") as handle:
            runnable = int(handle.read().split()[3].split("/")[0])
    except (OSError, ValueError, IndexError):
        return cpus  # no such file: assume the CPUs are free
    return cpus - max(0, runnable - 1)  # this process is one of the runnable


def _in_process_tasks(
    tasks: Iterable[Task | Document],
    settings: Settings,
    limits: Limits,
    facts: Callable[[Document], Facts],
) -> Iterator[Converted]:
    converter = Converter(settings)
    for task in tasks:
        documents = (
            [task]
            if isinstance(task, Document)
            else (doc for name, chunk in task for doc in read_chunk(name, chunk, limits))
        )
        for doc in documents:
            yield converter.convert(doc), facts(doc)


def _in_workers(
    tasks: Iterable[Task | Document],
    settings: Settings,
    limits: Limits,
    facts: Callable[[Document], Facts],
    jobs: int,
) -> Converting:
    from k8s2ief.workers import ClaimingConverter, check_names, start_pool

    pool = start_pool((settings, limits, facts), jobs)
    local = ClaimingConverter(settings)  # unreadable sources, converted here in their place
    pending: list[Future[list[tuple[Entry, Facts]]] | list[tuple[Entry, Facts]]] = []
    try:
        for task in tasks:  # the first submit forks every worker, here in the main thread
            if isinstance(task, Document):
                pending.append([(local.entry(task), facts(task))])
            else:
                pending.append(pool.submit(_convert_task, task))
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    kept: deque[Facts] = deque()

    def groups() -> Iterator[list[Entry]]:
        for item in pending:
            group = item if isinstance(item, list) else item.result()
            kept.extend(fact for _entry, fact in group)
            yield [entry for entry, _fact in group]

    def results() -> Iterator[Converted]:
        for result in check_names(groups()):
            yield result, kept.popleft()

    return Converting(results(), lambda: pool.shutdown(wait=False, cancel_futures=True), jobs)


def _convert_task(task: Task) -> list[tuple[Entry, Facts]]:
    from k8s2ief.workers import ClaimingConverter, worker_state

    settings, limits, facts = worker_state()  # type: ignore[misc]
    converter = ClaimingConverter(settings)
    return [
        (converter.entry(doc), facts(doc))
        for name, chunk in task
        for doc in read_chunk(name, chunk, limits)
    ]
