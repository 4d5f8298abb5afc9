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

# command name -> ("module:attribute", one line for `k8s2ief --help`), in the order of the work:
# the module is imported when the command runs, so --help imports none of them.
COMMANDS = {
    "convert": (
        "k8s2ief.commands.convert:convert",
        "Deployments -> IEF request bodies (stdout), findings (stderr)",
    ),
    "audit": (
        "k8s2ief.commands.audit:audit",
        "How much of a tree or a cluster can move to IEF; what blocks it",
    ),
    "validate": (
        "k8s2ief.commands.validate:validate",
        "Check IEF request bodies against the API's rules",
    ),
    "schema": (
        "k8s2ief.commands.validate:schema",
        "JSON Schema of the request body (--report: of the report)",
    ),
    "explain": (
        "k8s2ief.commands.explain:explain",
        "What a finding code means (--list: every code)",
    ),
    "apply": (
        "k8s2ief.commands.apply:apply",
        "Submit Deployments to IEF: create, update or leave alone",
    ),
    "diff": (
        "k8s2ief.commands.diff:diff",
        "What apply would change on IEF (exit 1 when something would)",
    ),
    "emulator": (
        "k8s2ief.commands.emulator:emulator",
        "Serve a local IEF API emulator for tests and CI",
    ),
    "completion": (
        "k8s2ief.commands.completion:completion",
        "Shell completion script for bash, zsh or fish",
    ),
}


class LazyGroup(click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        module, attribute = entry[0].split(":")
        command: click.Command = getattr(importlib.import_module(module), attribute)
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # From the table, whole: click would import every command and cut its help at 45 chars.
        with formatter.section("Commands"):
            formatter.write_dl([(name, line) for name, (_, line) in COMMANDS.items()], col_max=10)


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="k8s2ief")
def cli() -> None:
    """Move Kubernetes Deployments onto Huawei Cloud IEF.

    Run `k8s2ief COMMAND --help` for a command's options. Exit codes: 0 done; 1 a finding at or
    above --fail-on (apply: a failed submission); 2 usage or unreadable input; 3 internal error.
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
