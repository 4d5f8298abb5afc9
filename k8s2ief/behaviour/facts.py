"""What a workload does, as comparable facts: ``(aspect, *keys) -> value``.

Both sides (k8s2ief.behaviour.kubernetes, k8s2ief.behaviour.ief) produce the same keys for the
same behaviour, so a difference is a key whose values differ or that only one side has.
Symbolic values stand for what only the cluster knows: ``<configmap:NAME/KEY>`` is the value of
that key, ``<field:PATH>`` the downward API value.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from k8s2ief.behaviour.expansion import expand

FactKey = tuple[object, ...]
Facts = dict[FactKey, object]
NEVER = "never"  # an eviction that never happens
IEF_PROBE_DEFAULT_DELAY = 10  # seconds IEF waits when initial_delay_seconds is unset


def ref(kind: str, name: object, key: object) -> str:
    return f"<{kind}:{name}/{key}>"


def resolve_env(
    sources: Iterable[tuple[str, str, bool]], unknown_sources: bool = False
) -> dict[str, str]:
    """Build an environment in order: (name, value, expandable) entries, later ones win; an
    expandable value's ``$(VAR)`` references see only what was defined before it.

    With ``unknown_sources`` (an envFrom whose keys are not known) a reference to an undefined
    name may be satisfied by that source: it resolves to ``<unknown:NAME>``.
    """
    env: dict[str, str] = {}

    def lookup(name: str) -> str | None:
        if name in env:
            return env[name]
        return f"<unknown:{name}>" if unknown_sources else None

    for name, value, expandable in sources:
        env[name] = expand(value, lookup) if expandable else value
    return env


def add_env(facts: Facts, container: str, env: Mapping[str, str]) -> None:
    for name, value in env.items():
        facts[("env", container, name)] = value


def add_argv(
    facts: Facts, container: str, command: object, args: object, env: Mapping[str, str]
) -> None:
    """What the container runs: command and args with ``$(VAR)`` expanded against its env, as
    the kubelet expands them (the image's entrypoint stands in for a missing command)."""
    argv = []
    for part in (command or ["<entrypoint>"], args or []):
        if isinstance(part, list):
            argv.extend(expand(str(p), env.get) for p in part)
    facts[("argv", container)] = tuple(argv)


def share_groups(
    mounts: Iterable[tuple[str, str, object]], shared: Callable[[object], bool]
) -> dict[object, frozenset[tuple[str, str]]]:
    """volume identity -> the (container, path) mounts that see the same directory."""
    groups: dict[object, set[tuple[str, str]]] = {}
    for container, path, volume in mounts:
        if shared(volume):
            groups.setdefault(volume, set()).add((container, path))
    return {volume: frozenset(members) for volume, members in groups.items()}
