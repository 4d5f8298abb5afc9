"""``k8s2ief audit``: convert a tree of manifests without writing bodies, report what blocks IEF.

With ``--jobs N`` whole files are converted in worker processes. Two checks span files:
envFrom siblings (before converting, the key names of every ConfigMap and Secret of the input are
gathered, as ``convert`` does, by workers of their own scanning the files, and handed to every
converting worker in the Settings); and duplicate IEF names and node ports, KI109 and KI320,
which k8s2ief.workers checks in the parent in input order, exactly where a single Converter
would have put them. ``--jobs 1`` runs the same code in process, so both give byte-identical
reports, equal to what ``convert`` reports per document.

With ``--from-cluster`` the Deployments come from the cluster of the kubeconfig instead (in process:
there are no files to hand to workers). Their source is ``cluster:<context>/<namespace>/<name>``
and they have no line: every format reports the line as unknown (null, empty or omitted), and
SARIF places such findings on line 1 of an artifact whose URI is the ``cluster:`` source.
"""

from __future__ import annotations

import functools
import io
import os
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, TypeVar

import click

from k8s2ief.commands.options import (
    cluster_options,
    config_option,
    conversion_options,
    input_options,
    limit_options,
    policy_options,
    report_options,
)
from k8s2ief.commands.outputs import NO_DOCUMENTS, refuse_output_over_input
from k8s2ief.findings import Policy, Severity, parse_fail_on
from k8s2ief.load import Document, Limits, Source, iter_sources, read_source
from k8s2ief.load.render import KUSTOMIZE_PREFIX, skipped_any
from k8s2ief.outfiles import write_file
from k8s2ief.pipeline import (
    DocumentResult,
    SiblingKeys,
    SiblingScan,
    collect_siblings,
    input_mentions,
    merge_siblings,
    source_siblings,
)
from k8s2ief.report import AUDIT_FORMATS, ReportWriter, formatter
from k8s2ief.report.model import AUDIT, UNREADABLE, ReportContext, Summary, audit_document
from k8s2ief.report.style import Style, wants_color
from k8s2ief.settings import Settings
from k8s2ief.workers import ClaimingConverter, Entry, check_names, in_workers, worker_state

if TYPE_CHECKING:
    from k8s2ief.load.cluster import ClusterTarget

BATCH_FILES = 32  # files per task: amortises a round trip to a worker (4 cost a fifth more
# CPU on trees of small files), yet leaves a tree with one huge bundle balanced
SCAN_BATCH_FILES = 256  # files per task of the envFrom pre-scan, which skips most files unparsed
TAIL_CUT = 8  # the last batch of each worker goes out in eighths: the workers finish together
TASKS_PER_WORKER = 16  # tasks in flight per worker: bounds memory on huge trees
_CONVERTED: dict[str, object] = {}  # stands in for a body: the audit needs only "there was one"
# Audit asks what can move; where to is chosen when submitting. Without a target flag the
# no-target error would block every Deployment, so it is left out, and the report says so.
NO_TARGET = "KI107"
NO_TARGET_NOTE = (
    "no --node-id or --group-id given: KI107 no-target is not reported (the "
    "target is chosen when submitting: apply --node-id or --group-id)"
)


T = TypeVar("T")


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--format",
    "report_format",
    type=click.Choice(sorted(AUDIT_FORMATS)),
    default="text",
    show_default=True,
    help="Report format (html: one self-contained page with charts).",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, allow_dash=True),
    help="Write the report to this file (atomically) instead of stdout.",
)
@report_options
@click.option(
    "--jobs",
    "-j",
    type=click.IntRange(min=1),
    default=None,
    help="Files converted in parallel (worker processes). [default: CPU count]",
)
@click.option("--quiet", "-q", is_flag=True, help="No progress indicator.")
@config_option
@input_options
@policy_options
@conversion_options
@cluster_options
@limit_options
def audit(
    paths: tuple[str, ...],
    report_format: str,
    output: str | None,
    color: str,
    fail_on: str,
    policy: Policy,
    jobs: int | None,
    quiet: bool,
    settings: Settings,
    cluster: ClusterTarget | None,
    limits: Limits,
) -> int:
    """Report how much of a tree of manifests (or, with --from-cluster, of the Deployments of a
    cluster) can run on IEF, and what blocks the rest."""
    threshold = parse_fail_on(fail_on)
    to_file = bool(output and output != "-")
    style = Style(wants_color(color, None if to_file else sys.stdout))
    targeted = bool(settings.node_id or settings.group_id)
    view = ReportContext(AUDIT, () if targeted else (NO_TARGET_NOTE,))
    left_out = frozenset() if targeted else frozenset({NO_TARGET})
    if cluster is not None:
        results = audit_cluster(cluster, settings)
        text, summary = render(results, policy, report_format, style, view, left_out)
        _emit(text, output)
        return exit_code(summary, threshold)
    sources = list(iter_sources(paths, spool_bytes=limits.max_document_bytes))
    refuse_output_over_input(output, sources, "--output")
    workers = jobs or os.cpu_count() or 1
    if input_mentions(sources, b"envFrom"):
        # envFrom may name a ConfigMap in another file: every worker needs all key names.
        settings = settings.replace(siblings=scan_siblings(sources, limits, workers))
    progress = Progress(len(sources), enabled=not quiet and sys.stderr.isatty())
    files = convert_files(sources, settings, limits, workers)
    text, summary = render(
        check_names(progress.track(files)), policy, report_format, style, view, left_out
    )
    progress.close()
    _emit(text, output)
    if not summary.documents and not skipped_any():
        click.echo(f"k8s2ief: {NO_DOCUMENTS}", err=True)
        return 2
    return exit_code(summary, threshold)


def render(
    results: Iterable[DocumentResult],
    policy: Policy,
    report_format: str,
    style: Style,
    context: ReportContext,
    left_out: frozenset[str] = frozenset(),
) -> tuple[str, Summary]:
    """The report text (written in one piece, atomically) and its summary.

    Codes in ``left_out`` are not audit findings at all (unlike --ignore, they are not counted
    as suppressed): the context's notes say why.
    """
    text = io.StringIO()
    writer = ReportWriter(formatter(AUDIT_FORMATS, report_format, text, style), context)
    for result in results:
        writer.add(*audit_document(_without(result, left_out), policy))
    summary = writer.finish()
    return text.getvalue(), summary


def _without(result: DocumentResult, codes: frozenset[str]) -> DocumentResult:
    if not codes or all(f.code not in codes for f in result.findings):
        return result
    kept = [f for f in result.findings if f.code not in codes]
    return result.replace(findings=kept)


def exit_code(summary: Summary, threshold: Severity | None) -> int:
    """As convert: 2 when a document is unreadable, 1 when a finding reaches --fail-on."""
    if summary.statuses[UNREADABLE]:
        return 2
    return 1 if threshold is not None and summary.worst and summary.worst >= threshold else 0


def _emit(text: str, output: str | None) -> None:
    if output and output != "-":
        try:
            write_file(output, text)
        except OSError as exc:
            raise click.ClickException(f"cannot write {output}: {exc.strerror or exc}") from None
        return
    click.echo(text, nl=False, color=True)  # colours are decided by --color, not by click


# --- converting files ----------------------------------------------------------------------------


def audit_source(source: Source, settings: Settings, limits: Limits) -> list[Entry]:
    """Every document of one source, converted, without its body (it would only cost memory)."""
    return audit_documents(read_source(source, limits), settings)


def audit_documents(documents: Iterable[Document], settings: Settings) -> list[Entry]:
    """The documents converted by one FileConverter, without their bodies."""
    converter = ClaimingConverter(settings)
    entries: list[Entry] = []
    for doc in documents:
        result, claim = converter.entry(doc)
        body = None if result.body is None else _CONVERTED
        entries.append((result.replace(body=body), claim))
    return entries


# --- reading a cluster ---------------------------------------------------------------------------


def audit_cluster(target: ClusterTarget, settings: Settings) -> Iterator[DocumentResult]:
    """The results for the Deployments the target selects, as for files (KI109 included).

    When a Deployment uses envFrom, the ConfigMaps and Secrets it names are read too, for their
    key names only (as convert does); they are not audited themselves. A document read from a
    cluster has no line: results and findings say so with None instead of the loader's 0.
    """
    from k8s2ief.commands.convert import read_cluster_deployments

    deployments, siblings = read_cluster_deployments(target)
    settings = settings.replace(siblings=siblings)
    return (
        _without_line(result) for result in check_names([audit_documents(deployments, settings)])
    )


def _without_line(result: DocumentResult) -> DocumentResult:
    """Line 0 (no file) as None, the "unknown line" every audit format already handles."""
    findings = [f if f.line else f.replace(line=None) for f in result.findings]
    return result.replace(line=result.line or None, findings=findings)


def convert_files(
    sources: list[Source], settings: Settings, limits: Limits, jobs: int
) -> Iterator[list[Entry]]:
    """Each source's entries, in input order, converted in process or by ``jobs`` workers."""
    if not _parallel(sources, jobs):
        return (audit_source(source, settings, limits) for source in sources)
    paths = [s.name for s in sources]
    return _in_batches(_audit_paths, paths, BATCH_FILES, (settings, limits), jobs)


def scan_siblings(sources: list[Source], limits: Limits, jobs: int) -> SiblingKeys:
    """collect_siblings, the files scanned by ``jobs`` workers when the conversion uses them.

    On two cores a serial pre-scan ahead of the workers costs its whole time; in workers, half.
    The scan is the same per file, merged in input order, so the key names are the same.
    """
    if not _parallel(sources, jobs):
        return collect_siblings(sources, limits)
    paths = [s.name for s in sources]
    return merge_siblings(_in_batches(_scan_paths, paths, SCAN_BATCH_FILES, limits, jobs))


def _parallel(sources: list[Source], jobs: int) -> bool:
    # A stream (stdin, a pipe, a FIFO) is read once, here; a single file gains nothing.
    # Rendered input (-k) lives in this process only.
    return (
        jobs > 1
        and len(sources) > 1
        and all(s.rereadable and not s.name.startswith(KUSTOMIZE_PREFIX) for s in sources)
    )


def _in_batches(
    task: Callable[[list[str]], list[T]], paths: list[str], size: int, state: object, jobs: int
) -> Iterator[T]:
    """``task`` over batches of files in ``jobs`` worker processes; answers in input order."""
    for answers in in_workers(task, batches(paths, size, jobs), state, jobs, TASKS_PER_WORKER):
        yield from answers


def batches(paths: list[str], size: int, jobs: int) -> list[list[str]]:
    """``paths`` in batches of ``size``, except the last ``jobs`` batches' worth, which are cut
    smaller: a worker still busy with a whole batch while the others have none left would keep
    cores idle at the end (the report waits for the last answer)."""
    cut = max(len(paths) - jobs * size, 0)
    small = max(size // TAIL_CUT, 1)
    return [paths[i : min(i + size, cut)] for i in range(0, cut, size)] + [
        paths[i : i + small] for i in range(cut, len(paths), small)
    ]


def _audit_paths(paths: list[str]) -> list[list[Entry]]:
    settings, limits = worker_state()  # type: ignore[misc]
    return [audit_source(_file_source(path), settings, limits) for path in paths]


def _scan_paths(paths: list[str]) -> list[SiblingScan]:
    limits: Limits = worker_state()  # type: ignore[assignment]
    return [source_siblings(_file_source(path), limits) for path in paths]


def _file_source(path: str) -> Source:
    return Source(path, functools.partial(open, path, "rb"))  # type: ignore[arg-type]


# --- progress ------------------------------------------------------------------------------------


class Progress:
    """``files done/total`` on one stderr line, redrawn in place; silent unless enabled."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self.total = total
        self.enabled = enabled
        self.done = 0

    def track(self, files: Iterable[list[Entry]]) -> Iterator[list[Entry]]:
        for entries in files:
            self.done += 1
            if self.enabled:
                sys.stderr.write(f"\rk8s2ief audit: {self.done}/{self.total} files")
                sys.stderr.flush()
            yield entries

    def close(self) -> None:
        if self.enabled:
            sys.stderr.write("\r\033[K")  # erase the line: the report is what stays
            sys.stderr.flush()
