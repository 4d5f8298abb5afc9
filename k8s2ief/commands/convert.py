"""``k8s2ief convert``: manifests -> IEF request bodies on stdout, findings on stderr."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterable
from typing import IO, TYPE_CHECKING

import click

from k8s2ief.cli import Command
from k8s2ief.commands.options import (
    PathType,
    cluster_options,
    config_option,
    conversion_options,
    input_options,
    limit_options,
    policy_options,
    report_options,
)
from k8s2ief.commands.outputs import NO_DOCUMENTS, refuse_output_over_input
from k8s2ief.emit import FORMATS, DirectoryWriter, OutputDirError, stream_writer
from k8s2ief.findings import Policy, parse_fail_on, reaches
from k8s2ief.load import Document, Limits, iter_sources, render
from k8s2ief.parallel import convert_sources
from k8s2ief.pipeline import (
    Converter,
    Siblings,
    cluster_deployments,
    collect_siblings,
    input_mentions,
)
from k8s2ief.rendered import OutputPlan, Rendered, render_document
from k8s2ief.report import CONVERT_FORMATS, ReportWriter, formatter
from k8s2ief.report.model import CONVERT, ReportContext
from k8s2ief.report.style import Style, wants_color
from k8s2ief.settings import Settings

if TYPE_CHECKING:
    from k8s2ief.load.cluster import ClusterTarget


@click.command(cls=Command)
@click.argument("paths", nargs=-1, type=PathType(allow_dash=True))
@click.option(
    "-o",
    "--output",
    "output_format",
    type=click.Choice(FORMATS),
    default="json",
    show_default=True,
    help="json: the body (one deployment) or an array (several); jsonl: one body per line; yaml.",
)
@click.option(
    "--output-dir",
    metavar="DIR",
    help="Write one file per deployment (<name>.json, or .yaml with -o yaml) instead of "
    "stdout; the directory is created if missing.",
)
@click.option("--force", is_flag=True, help="With --output-dir: replace existing files.")
@click.option(
    "--report-format",
    type=click.Choice(tuple(CONVERT_FORMATS)),
    default="text",
    show_default=True,
    help="text: one line per finding; json: every document (k8s2ief schema --report).",
)
@click.option(
    "--report-file",
    type=PathType(dir_okay=False, allow_dash=True),
    help="Write the report here instead of stderr.",
)
@report_options
@config_option
@input_options
@policy_options
@conversion_options
@cluster_options
@limit_options
def convert(
    paths: tuple[str, ...],
    output_format: str,
    output_dir: str | None,
    force: bool,
    report_format: str,
    report_file: str | None,
    color: str,
    fail_on: str,
    policy: Policy,
    settings: Settings,
    cluster: ClusterTarget | None,
    limits: Limits,
) -> int:
    """Convert Kubernetes Deployments (files, folders, - for stdin, or --from-cluster) into
    IEF bodies."""
    threshold = parse_fail_on(fail_on)
    errors: list[str] = []
    spool = limits.max_document_bytes  # what a pre-scan may hold of a stream
    sources = [] if cluster is not None else list(iter_sources(paths, spool_bytes=spool))
    refuse_output_over_input(report_file, sources, "--report-file")
    try:
        writer = (
            DirectoryWriter(output_dir, force=force, on_error=errors.append, fmt=output_format)
            if output_dir
            else stream_writer(output_format, sys.stdout)
        )
    except OutputDirError as exc:
        raise click.ClickException(str(exc)) from None

    deployments: list[Document] = []
    if cluster is not None:
        deployments, siblings = read_cluster_deployments(cluster)
        settings = _with_siblings(settings, siblings)
    elif input_mentions(sources, b"envFrom"):
        # envFrom may name a ConfigMap that comes later in the input: learn key names first.
        settings = _with_siblings(settings, collect_siblings(sources, limits))
    with _ReportStream(report_file) as report_out:
        style = Style(wants_color(color, report_out))
        # Each document's body and report lines are rendered where it is converted (by the
        # worker processes of a large input); here they are only counted and written.
        plan = OutputPlan(
            policy, output_format, bool(output_dir), style if report_format == "text" else None
        )
        if cluster is not None:
            converted = Converter(settings).convert_all(deployments)
            results: Iterable[Rendered] = (render_document(r, plan) for r in converted)
        else:
            # Large inputs are converted by worker processes: the same output in the same order.
            results = convert_sources(sources, settings, limits, plan)
        report = ReportWriter(
            formatter(CONVERT_FORMATS, report_format, report_out, style), ReportContext(CONVERT)
        )
        unreadable = failed = False
        documents = 0
        try:
            for result in results:
                documents += 1
                report.add_rendered(result)
                unreadable |= result.unreadable
                if not failed:  # once one document breaches, the exit code is known
                    failed = reaches(max(result.severities, default=None), threshold)
                if result.body is not None:
                    where = f"{result.file}:{result.line or 0}"
                    writer.write_encoded(result.body, result.body_name, where)
            writer.close()
        except BrokenPipeError:
            raise  # the reader stopped early (`| head`): nothing more is wanted
        except OSError:
            # Bodies could not be written (a full disk, a closed stdout): the report is still
            # finished whole, and the failure follows it as its own line (exit 2).
            report.finish(errors)
            raise
        if not documents and cluster is None and not render.skipped_any():
            errors.append(NO_DOCUMENTS)  # in the report, so a JSON report stays one JSON value
        report.finish(errors)
    if unreadable or errors:
        return 2
    return 1 if failed else 0


def read_cluster_deployments(target: ClusterTarget) -> tuple[list[Document], Siblings]:
    """pipeline.cluster_deployments, with an unreadable cluster as a one-line error (exit 2)."""
    from k8s2ief.load.cluster import ClusterError

    try:
        return cluster_deployments(target)
    except ClusterError as exc:
        raise click.ClickException(str(exc)) from None


def _with_siblings(settings: Settings, siblings: Siblings) -> Settings:
    return settings.replace(siblings=siblings)


class _ReportStream:
    """stderr, or a file written by k8s2ief.outfiles' rule (``-`` means stderr too: stdout
    carries data)."""

    def __init__(self, path: str | None) -> None:
        self.path = path
        self._file: contextlib.AbstractContextManager[IO[str]] | None = None

    def __enter__(self) -> IO[str]:
        if self.path and self.path != "-":
            from k8s2ief.outfiles import output_file

            self._file = output_file(self.path)
            try:
                return self._file.__enter__()
            except OSError as exc:
                raise click.ClickException(
                    f"cannot write report file {self.path}: {exc.strerror or exc}"
                ) from None
        return sys.stderr

    def __exit__(self, *exc: object) -> None:
        if self._file is None:
            return
        try:
            self._file.__exit__(*exc)  # type: ignore[arg-type]
        except OSError as error:
            raise click.ClickException(
                f"cannot write report file {self.path}: {error.strerror or error}"
            ) from None
