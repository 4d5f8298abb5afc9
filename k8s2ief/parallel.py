"""The conversion of a stream, in worker processes when the input is large enough to gain.

``convert_sources`` answers exactly what ``Converter(settings).convert_all`` answers over
``read_source`` of every source, in the same order, each result rendered for output
(k8s2ief.rendered: workers encode the bodies and render the report lines of what they
convert): the plain path is the reference, this is a fast path behind the same interface
(tests/test_parallel.py compares both on the whole corpus).

Why it is exact:
- the parent only cuts the input into chunks at ``---`` lines (k8s2ief.load.split, the same cut
  read_source makes); workers parse and convert whole chunks with ``read_chunk``, as
  read_source does;
- the only state a Converter carries across documents is (a) IEF names already used, for KI109,
  which k8s2ief.workers checks in the parent in input order, and (b) ConfigMap/Secret key names
  for envFrom, which the CLI gathers
  up front (collect_siblings); a worker starting from that map sees what an in-order conversion
  sees unless a ConfigMap or Secret is defined twice with different keys, and then this module
  converts in order, in process.

Small inputs are converted in process too: starting workers costs more than they save there.
"""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from k8s2ief.load import Document, Limits, LoadError, Source, read_chunk, read_source
from k8s2ief.load.split import Chunk, reencode_if_utf16, split_documents
from k8s2ief.pipeline import Converter
from k8s2ief.rendered import OutputPlan, Rendered, render_document, with_added
from k8s2ief.settings import Settings

if TYPE_CHECKING:
    from k8s2ief.workers import Entry

JOBS_ENV = "K8S2IEF_JOBS"  # worker processes; 1 forces the in-process path (tests, debugging)
PARALLEL_FROM_BYTES = 1 << 20  # below this much input, workers cost more than they save
TASK_BYTES = 256 << 10  # input per task: large enough to amortise pickling, small to balance
TASKS_PER_WORKER = 4  # tasks in flight per worker: bounds memory on huge streams

Task = list[tuple[str, Chunk]]  # (source name, chunk), possibly spanning several sources


def default_jobs() -> int:
    text = os.environ.get(JOBS_ENV, "")
    if text.strip().isdigit() and int(text) >= 1:
        return int(text)
    return os.cpu_count() or 1


def convert_sources(
    sources: Iterable[Source],
    settings: Settings,
    limits: Limits,
    plan: OutputPlan,
    jobs: int | None = None,
) -> Iterator[Rendered]:
    """Every document of every source, converted and rendered by the plan, in input order."""
    jobs = jobs or default_jobs()
    if jobs <= 1 or getattr(settings.siblings, "redefined", False):
        converter = Converter(settings)
        for source in sources:
            for result in converter.convert_all(read_source(source, limits)):
                yield render_document(result, plan)
        return
    tasks = cut_tasks(sources, limits)
    head: list[Task | Document] = []
    size = 0
    for task in tasks:  # look ahead: is there enough input to be worth the workers?
        head.append(task)
        size += _task_bytes(task)
        if size >= PARALLEL_FROM_BYTES:
            break
    else:
        yield from _in_process(head, settings, limits, plan)
        return
    yield from _in_workers(itertools.chain(head, tasks), settings, limits, plan, jobs)


def cut_tasks(
    sources: Iterable[Source], limits: Limits, task_bytes: int = TASK_BYTES
) -> Iterator[Task | Document]:
    """Chunks grouped into tasks of about ``task_bytes``; a source that cannot be read becomes
    its error Document, as read_source makes it (a Document is converted by the parent, in its
    place in the order). Also used by apply (k8s2ief.apply.ahead), with smaller tasks."""
    task: Task = []
    size = 0
    for source in sources:
        try:
            stream = source.open()
        except OSError as exc:
            if task:
                yield task
                task, size = [], 0
            yield _unreadable(source, exc)
            continue
        with stream:
            try:
                for chunk in split_documents(reencode_if_utf16(stream), limits.max_document_bytes):
                    task.append((source.name, chunk))
                    size += len(chunk.text)
                    if size >= task_bytes:
                        yield task
                        task, size = [], 0
            except OSError as exc:  # a read error mid-file: the chunks before it still count
                if task:
                    yield task
                    task, size = [], 0
                yield _unreadable(source, exc)
    if task:
        yield task


def _unreadable(source: Source, exc: OSError) -> Document:
    return Document(source.name, 0, error=LoadError(f"cannot read: {exc.strerror or exc}"))


def _task_bytes(task: Task | Document) -> int:
    return sum(len(chunk.text) for _, chunk in task) if isinstance(task, list) else 0


def _in_process(
    tasks: list[Task | Document], settings: Settings, limits: Limits, plan: OutputPlan
) -> Iterator[Rendered]:
    converter = Converter(settings)
    for task in tasks:
        if isinstance(task, Document):
            yield render_document(converter.convert(task), plan)
            continue
        for name, chunk in task:
            for result in converter.convert_all(read_chunk(name, chunk, limits)):
                yield render_document(result, plan)


def _in_workers(
    tasks: Iterator[Task | Document],
    settings: Settings,
    limits: Limits,
    plan: OutputPlan,
    jobs: int,
) -> Iterator[Rendered]:
    # The worker machinery only for inputs large enough to use it: small ones start faster.
    from k8s2ief.workers import ClaimingConverter, NameCheck, Ready, in_workers

    local = ClaimingConverter(settings)  # unreadable sources, converted here in their place
    items = (
        Ready([_rendered(local.entry(task), plan)]) if isinstance(task, Document) else task
        for task in tasks
    )
    check = NameCheck()  # in input order, what each claim adds (KI109, KI320)
    state = (settings, limits, plan)
    for documents in in_workers(_convert_task, items, state, jobs, TASKS_PER_WORKER):
        for document in documents:
            if document.claim is not None:
                added = check.added(document.claim, document.file, document.line)
                document = with_added(document, added, plan)
            yield document


def _convert_task(task: Task) -> list[Rendered]:
    from k8s2ief.workers import ClaimingConverter, worker_state

    settings, limits, plan = worker_state()  # type: ignore[misc]
    converter = ClaimingConverter(settings)
    return [
        _rendered(converter.entry(doc), plan)
        for name, chunk in task
        for doc in read_chunk(name, chunk, limits)
    ]


def _rendered(entry: Entry, plan: OutputPlan) -> Rendered:
    result, claim = entry
    return render_document(result, plan, claim)
