"""``k8s2ief validate`` (check IEF bodies from anywhere) and ``k8s2ief schema``."""

from __future__ import annotations

import json

import click

from k8s2ief.load import Limits, iter_sources, read_source


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(allow_dash=True))
@click.option(
    "--edition",
    type=click.Choice(["professional", "platinum"]),
    default="professional",
    show_default=True,
)
def validate(paths: tuple[str, ...], edition: str) -> int:
    """Check IEF request bodies (JSON or YAML; one, an array, or a stream) against the API.

    Prints each violation with its JSON path and rule. Exit 0 valid, 1 invalid, 2 unreadable.
    """
    from k8s2ief.ief.validate import validate_body

    invalid = unreadable = False
    count = 0
    for source in iter_sources(paths):
        for doc in read_source(source, Limits()):
            if doc.error is not None:
                click.echo(f"{doc.source}:{doc.error.line}: {doc.error.message}", err=True)
                unreadable = True
                continue
            bodies = doc.data if isinstance(doc.data, list) else [doc.data]
            for index, body in enumerate(bodies):
                count += 1
                where = f"{doc.source}:{doc.line}" + (f" [{index}]" if len(bodies) > 1 else "")
                for violation in validate_body(body, edition=edition):
                    invalid = True
                    click.echo(f"{where}: {violation.path}: {violation.message} [{violation.rule}]")
    click.echo(f"k8s2ief: {count} body(ies) checked", err=True)
    if unreadable:
        return 2
    return 1 if invalid else 0


@click.command()
def schema() -> int:
    """Print the JSON Schema (draft 2020-12) of the create-deployment request body."""
    from k8s2ief.ief.validate import load_schema

    click.echo(json.dumps(load_schema(), indent=2, ensure_ascii=False))
    return 0
