"""Command line: a click group whose commands are imported only when run (fast start-up).

No logic lives here: each command is a module in k8s2ief/commands/ that returns an exit code.
Exit codes: 0 done; 1 findings at or above --fail-on (or, for apply, a failed submission);
2 usage or unreadable input; 3 internal error (a bug: please report it).
"""

from __future__ import annotations

import importlib
import sys

import click

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3

# command name -> "module:attribute"; the module is imported when the command runs.
COMMANDS = {
    "convert": "k8s2ief.commands.convert:convert",
    "audit": "k8s2ief.commands.audit:audit",
    "explain": "k8s2ief.commands.explain:explain",
    "validate": "k8s2ief.commands.validate:validate",
    "schema": "k8s2ief.commands.validate:schema",
    "apply": "k8s2ief.commands.apply:apply",
    "emulator": "k8s2ief.commands.emulator:emulator",
}


# command name -> the first sentence of its help, for ``k8s2ief --help`` without importing every
# command (and through them the whole pipeline). tests/test_imports.py checks that each matches
# the command's own help.
SUMMARIES = {
    "apply": "Submit Kubernetes Deployments (files, --from-cluster, or --bodies) to IEF: create, "
    "update or leave alone.",
    "audit": "Report how much of a tree of manifests (or, with --from-cluster, of the Deployments "
    "of a cluster) can run on IEF, and what blocks the rest.",
    "convert": "Convert Kubernetes Deployments (files, folders, - for stdin, or --from-cluster) "
    "into IEF bodies.",
    "emulator": "Serve a local IEF API emulator until interrupted (keys: HUAWEICLOUD_SDK_AK/_SK).",
    "explain": "Explain a finding code (KI301 or env-value-not-string).",
    "schema": "Print the JSON Schema (draft 2020-12) of the create-deployment request body.",
    "validate": "Check IEF request bodies (JSON or YAML; one, an array, or a stream) against "
    "the API.",
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # As click lays the list out, from SUMMARIES instead of each imported command.
        limit = formatter.width - 6 - max(map(len, COMMANDS))
        rows = [
            (name, click.Command(name, help=SUMMARIES[name]).get_short_help_str(limit))
            for name in sorted(COMMANDS)
        ]
        with formatter.section("Commands"):
            formatter.write_dl(rows)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = COMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="k8s2ief")
def cli() -> None:
    """Move Kubernetes Deployments onto Huawei Cloud IEF.

    \b
    convert   Kubernetes YAML -> IEF request bodies (stdout) and a findings report (stderr)
    audit     how much of a tree of manifests can run on IEF, and what blocks the rest
    validate  check IEF request bodies against the API's rules
    explain   what a finding code means
    """


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a command and turn every outcome into an exit code."""
    try:
        result = cli.main(args=argv, prog_name="k8s2ief", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        # One line, like every other error: what is wrong, and where to read more.
        command = exc.ctx.command_path if exc.ctx else "k8s2ief"
        click.echo(f"{command}: {exc.format_message()} (see {command} --help)", err=True)
        return EXIT_USAGE
    except click.ClickException as exc:
        click.echo(f"k8s2ief: {exc.format_message()}", err=True)
        return EXIT_USAGE
    except click.Abort:
        click.echo("k8s2ief: aborted", err=True)
        return EXIT_USAGE
    except BrokenPipeError:
        # The reader went away (`| head`): not an error of ours; silence the final flush.
        sys.stderr.close()
        return EXIT_OK
    except KeyboardInterrupt:
        click.echo("k8s2ief: interrupted", err=True)
        return 130
    except Exception as exc:
        name = type(exc).__name__
        click.echo(
            f"k8s2ief: internal error ({name}: {str(exc)[:200]}); this is a bug, please report "
            "it with the input that caused it",
            err=True,
        )
        return EXIT_INTERNAL
    return result if isinstance(result, int) else EXIT_OK


def run() -> None:
    sys.exit(main())
