"""What convert and audit share about their inputs and outputs, as the user sees it."""

from __future__ import annotations

import click

from k8s2ief.load import Source
from k8s2ief.load.sources import STDIN_NAME

# Like kubectl's "no objects passed": an input that holds nothing is most often a wrong path or
# an empty render, and a CI step must not pass on it silently (exit 2, README).
NO_DOCUMENTS = "warning: the input holds no documents (nothing was converted)"


def refuse_output_over_input(output: str | None, sources: list[Source], option: str) -> None:
    """An output that is one of the inputs would destroy it: refuse before opening anything."""
    if not output or output == "-":
        return
    from k8s2ief.outfiles import same_as_input  # only a command that writes a file loads it

    stdin = any(source.name == STDIN_NAME for source in sources)
    names = [source.name for source in sources if source.name != STDIN_NAME]
    if same_as_input(output, names, stdin=stdin):
        raise click.UsageError(f"{option} {output} is one of the inputs; it would be overwritten")
