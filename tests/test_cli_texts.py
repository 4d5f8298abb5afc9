"""The options the CLI builds with click's texts given, instead of looked up in gettext's catalogs
(k8s2ief.cli.HELP_TEXT): each must be what click itself builds, so --help, --version and the
messages about paths read as they would with click's own. tests/test_imports.py pins that a
convert then never looks a text up (no ``locale``)."""

from __future__ import annotations

import itertools
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from k8s2ief.cli import Command, cli
from k8s2ief.commands import options
from k8s2ief.commands.options import PathType

FLAGS = ("exists", "file_okay", "dir_okay", "writable", "readable", "allow_dash")


@pytest.mark.parametrize("values", list(itertools.product((False, True), repeat=len(FLAGS))))
def test_path_type_holds_what_click_path_holds(values: tuple[bool, ...]) -> None:
    settings = dict(zip(FLAGS, values, strict=True))
    assert vars(PathType(**settings)) == vars(click.Path(**settings))


def test_path_type_defers_to_a_click_path_it_does_not_know(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A click whose Path.__init__ uses other names (here one that notes its calls): PathType
    # runs that __init__ instead of its copy, and so holds whatever it sets.
    calls = []
    original = click.Path.__init__

    def spy(self: click.Path, **kwargs: object) -> None:
        calls.append(kwargs)
        original(self, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(click.Path, "__init__", spy)
    assert spy.__code__.co_names != options.CLICK_PATH_INIT_NAMES
    made = PathType(dir_okay=False, allow_dash=True)
    assert calls == [
        {
            "exists": False,
            "file_okay": True,
            "dir_okay": False,
            "writable": False,
            "readable": True,
            "allow_dash": True,
        }
    ]
    assert vars(made) == vars(click.Path(dir_okay=False, allow_dash=True))


def test_path_type_reports_bad_paths_as_click_path_does(tmp_path: Path) -> None:
    for settings in ({"dir_okay": False}, {"file_okay": False}, {"exists": True}):
        ours, theirs = PathType(**settings), click.Path(**settings)
        for value in (str(tmp_path), str(tmp_path / "missing")):
            messages = []
            for kind in (ours, theirs):
                try:
                    messages.append(kind.convert(value, None, None))
                except click.BadParameter as exc:
                    messages.append(exc.message)
            assert messages[0] == messages[1], (settings, value)


def test_help_option_is_clicks() -> None:
    for names in (["--help"], ["-h", "--help"]):
        ours = Command("c", params=[click.Option(["--x"])])
        theirs = click.Command("c", params=[click.Option(["--x"])])
        ctx = click.Context(ours, help_option_names=names)
        given = ours.get_help_option(ctx)
        assert given is not None and given is ours.get_help_option(ctx)  # one object
        expected = theirs.get_help_option(click.Context(theirs, help_option_names=names))
        assert expected is not None
        assert given.to_info_dict() == expected.to_info_dict()
        assert given.get_help_record(ctx) == expected.get_help_record(ctx)
        runner = CliRunner()
        assert runner.invoke(ours, ["--help"]).output == runner.invoke(theirs, ["--help"]).output


def test_version_is_what_click_version_option_prints() -> None:
    @click.group()
    @click.version_option(package_name="k8s2ief")
    def reference() -> None:
        """Move Kubernetes Deployments onto Huawei Cloud IEF."""

    runner = CliRunner()
    ours = runner.invoke(cli, ["--version"], prog_name="k8s2ief")
    theirs = runner.invoke(reference, ["--version"], prog_name="k8s2ief")
    assert (ours.exit_code, ours.output) == (theirs.exit_code, theirs.output)
    assert ours.exit_code == 0 and ours.output.startswith("k8s2ief, version ")

    def version_option(group: click.Group) -> click.Parameter:
        return next(p for p in group.get_params(click.Context(group)) if "--version" in p.opts)

    ctx = click.Context(cli)
    assert version_option(cli).get_help_record(ctx) == version_option(reference).get_help_record(
        ctx
    )
