"""Command line: a click group whose commands are imported only when run (fast start-up).

No logic lives here: each command is a module in k8s2ief/commands/ that returns an exit code.
Exit codes (README's table): 0 done (also when a reader of stdout went away early, `| head`);
1 findings at or above --fail-on (or, for apply, a failed submission); 2 usage, unreadable or
empty input, or a failure of the environment (a full disk, a closed stream); 3 internal error (a
bug: please report it); 130 interrupted (SIGINT); 143 terminated (SIGTERM).
"""

from __future__ import annotations

import atexit
import gc
import importlib
import os
import sys

import click

from k8s2ief.streams import Terminated, guard_standard_streams, on_sigterm, one_line, say, silence

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED, EXIT_TERMINATED = 130, 143  # 128 + SIGINT, 128 + SIGTERM, as a shell says

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


# click looks its English texts up in gettext's catalogs as it builds the options that carry
# them (the first look-up imports locale, each one stats four catalog paths): about 2 % of a
# one-file convert's start, for texts no catalog of ours translates. The options on the start-up
# paths are built with their texts given, as click writes them.
HELP_TEXT = "Show this message and exit."
VERSION_TEXT = "Show the version and exit."


def _show_help(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    if value and not ctx.resilient_parsing:
        click.echo(ctx.get_help(), color=ctx.color)
        ctx.exit()


def _show_version(ctx: click.Context, param: click.Parameter, value: bool) -> None:
    # What click.version_option prints, which would look up its texts as the group is defined.
    if value and not ctx.resilient_parsing:
        from importlib.metadata import version

        click.echo(f"{ctx.find_root().info_name}, version {version('k8s2ief')}", color=ctx.color)
        ctx.exit()


class Command(click.Command):
    """click's Command, whose --help option carries its text (HELP_TEXT) instead of looking it
    up. Commands on the start-up paths use it: ``@click.command(cls=Command)``."""

    _given_help: click.Option | None = None

    def get_help_option(self, ctx: click.Context) -> click.Option | None:
        names = self.get_help_option_names(ctx)
        if not names or not self.add_help_option:
            return None
        if self._given_help is None:  # one object: click tells parameters apart by identity
            # click (8.5 and later) stores the flag under a name no parameter of a command takes.
            storage = getattr(click.core, "_HELP_OPTION_STORAGE_NAME", None)
            self._given_help = click.Option(
                [*names, storage] if storage else names,
                is_flag=True,
                expose_value=False,
                is_eager=True,
                callback=_show_help,
                help=HELP_TEXT,
            )
        return self._given_help


# Objects allocated between two young collections. A conversion makes no reference cycles
# (tests/test_gc.py), so young collections only walk node trees, records and bodies that
# reference counting frees anyway: at CPython's 700 they ran every few documents and cost about
# 2.5 % of a conversion's instructions. Cycles that do arise (an exception kept with its
# traceback) are still collected, a few thousand allocations later.
YOUNG_COLLECTION_THRESHOLD = 20_000


def _collect_less() -> None:
    """After a command's import: what exists now lives as long as the process, so it is left
    out of every collection (and of forked workers', which inherit it); young collections run
    less often."""
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION_THRESHOLD, middle, old)


class LazyGroup(Command, click.Group):
    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        if entry is None:
            return None
        module, attribute = entry[0].split(":")
        # Importing a command brings in most of the package: thousands of functions, classes
        # and tables that live as long as the process, and next to no garbage. Collections
        # during that import only walk them again and again, so they wait until it is done.
        collecting = gc.isenabled()
        gc.disable()
        try:
            command: click.Command = getattr(importlib.import_module(module), attribute)
        finally:
            if collecting:
                _collect_less()
                gc.enable()
        return command

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        # From the table, whole: click would import every command and cut its help at 45 chars.
        with formatter.section("Commands"):
            formatter.write_dl([(name, line) for name, (_, line) in COMMANDS.items()], col_max=10)

    def invoke(self, ctx: click.Context) -> object:
        try:
            return super().invoke(ctx)
        except (KeyboardInterrupt, OSError) as exc:
            raise _Interrupted(exc) from None


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_show_version,
    help=VERSION_TEXT,
)
def cli() -> None:
    """Move Kubernetes Deployments onto Huawei Cloud IEF.

    Run `k8s2ief COMMAND --help` for a command's options. Exit codes: 0 done; 1 a finding at or
    above --fail-on (apply: a failed submission); 2 usage or unreadable input; 3 internal error.
    """


class _Interrupted(Exception):
    """Carries what stopped a command (an interruption, a failure of the environment) past
    click's own handlers, which would turn it into "Aborted!" or a bare exit 1."""

    def __init__(self, cause: BaseException) -> None:
        super().__init__(str(cause))
        self.cause = cause


def main(argv: list[str] | None = None) -> int:
    """Entry point: run a command and turn every outcome into an exit code (README's table)."""
    guard_standard_streams()
    restore = on_sigterm()
    try:
        return _run_command(argv)
    finally:
        # Temporary files exist only if a command wrote one; --help and explain never load it.
        outfiles = sys.modules.get("k8s2ief.outfiles")
        if outfiles is not None:
            outfiles.remove_temporaries()
        restore()


def _run_command(argv: list[str] | None) -> int:
    try:
        result = cli.main(args=argv, prog_name="k8s2ief", standalone_mode=False)
    except _Interrupted as exc:
        return _stopped(exc.cause)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.UsageError as exc:
        # One line, like every other error: what is wrong, and where to read more.
        command = exc.ctx.command_path if exc.ctx else "k8s2ief"
        say(f"{command}: {exc.format_message()} (see {command} --help)")
        return EXIT_USAGE
    except click.ClickException as exc:
        say(f"k8s2ief: {exc.format_message()}")
        return EXIT_USAGE
    except click.Abort as exc:  # an interruption while click itself was parsing
        return _stopped(exc.__context__ or KeyboardInterrupt())
    except (KeyboardInterrupt, OSError) as exc:
        return _stopped(exc)
    except Exception as exc:
        name = type(exc).__name__
        say(
            f"k8s2ief: internal error ({name}: {one_line(str(exc))[:200]}); this is a bug, "
            "please report it with the input that caused it"
        )
        return EXIT_INTERNAL
    return result if isinstance(result, int) else EXIT_OK


def _stopped(cause: BaseException) -> int:
    """The exit code of a command stopped from outside: a signal, a closed pipe, a full disk."""
    if isinstance(cause, Terminated):
        say("k8s2ief: terminated")
        return EXIT_TERMINATED
    if isinstance(cause, KeyboardInterrupt):
        say("k8s2ief: interrupted")
        return EXIT_INTERRUPTED
    if isinstance(cause, BrokenPipeError):
        # The reader went away (`| head`): it had what it wanted; not an error of ours, and not
        # 1 (findings). Nothing more can be written to it, not even at exit.
        silence(sys.stdout)
        silence(sys.stderr)  # `2>&1 | head` is the same pipe
        return EXIT_OK
    if not isinstance(cause, OSError):  # click's Abort for an end of input it was reading
        say("k8s2ief: aborted")
        return EXIT_USAGE
    where = f": {cause.filename}" if cause.filename else ""
    say(f"k8s2ief: {cause.strerror or one_line(str(cause))}{where}")
    return EXIT_USAGE


def run() -> None:
    code = main()
    # Data still buffered for stdout is written now, where its failure can still be reported.
    try:
        sys.stdout.flush()
    except BrokenPipeError:
        silence(sys.stdout)
    except (OSError, ValueError) as exc:
        silence(sys.stdout)
        say(f"k8s2ief: cannot write the output: {getattr(exc, 'strerror', None) or exc}")
        code = code if code not in (EXIT_OK, EXIT_FINDINGS) else EXIT_USAGE
    try:
        sys.stderr.flush()
    except BrokenPipeError:
        silence(sys.stderr)
    except (OSError, ValueError):
        silence(sys.stderr)
        code = code if code not in (EXIT_OK, EXIT_FINDINGS) else EXIT_USAGE
    if _nothing_left_for_exit():
        # The interpreter's own exit would now free every object of every module one by one
        # (about a sixth of a one-file convert's wall time, for memory the system takes back);
        # the streams are flushed, the temporaries removed, so the process can end here.
        os._exit(code)
    # The interpreter's exit runs (callbacks or threads are left). What _collect_less froze is
    # thawed first, so that its teardown finalizes every object as it would have.
    gc.unfreeze()
    sys.exit(code)


def _nothing_left_for_exit() -> bool:
    """Whether the interpreter's exit has nothing to do but free memory: no exit callbacks
    (worker pools, logging, weakref finalizers, coverage register one) and no other thread.

    Files the commands write are closed by their own blocks before this point (outfiles)."""
    callbacks = getattr(atexit, "_ncallbacks", None)  # CPython's; elsewhere, exit as usual
    if callbacks is None or callbacks() != 0:
        return False
    threading = sys.modules.get("threading")
    return threading is None or threading.active_count() == 1
