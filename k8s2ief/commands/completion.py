"""``k8s2ief completion bash|zsh|fish``: the shell script that completes k8s2ief's commands.

It is click's own shell completion: the script calls k8s2ief back with
``_K8S2IEF_COMPLETE=<shell>_complete``, which click answers before any command runs.
"""

from __future__ import annotations

import click

SHELLS = ("bash", "zsh", "fish")
PROGRAM = "k8s2ief"
COMPLETE_VAR = "_K8S2IEF_COMPLETE"


@click.command()
@click.argument("shell", type=click.Choice(SHELLS))
def completion(shell: str) -> int:
    """Print the completion script for a shell.

    \b
    bash:  eval "$(k8s2ief completion bash)"          (in ~/.bashrc)
    zsh:   eval "$(k8s2ief completion zsh)"           (in ~/.zshrc)
    fish:  k8s2ief completion fish > ~/.config/fish/completions/k8s2ief.fish
    """
    from click.shell_completion import get_completion_class

    from k8s2ief.cli import cli

    completer = get_completion_class(shell)
    assert completer is not None  # every name in SHELLS is one click ships
    click.echo(completer(cli, {}, PROGRAM, COMPLETE_VAR).source())
    return 0
