"""One typed settings object for a conversion (defaults <- flags; annotations refine it per
document)."""

from __future__ import annotations

from collections.abc import Mapping

from k8s2ief.ief.contract import EDITIONS, PORT_MAX, PORT_MIN
from k8s2ief.records import FrozenRecord, set_field

# Deployment API versions Kubernetes has served; the legacy ones have the same pod template.
DEPLOYMENT_API_VERSIONS = ("apps/v1", "apps/v1beta1", "apps/v1beta2", "extensions/v1beta1")


class Settings(FrozenRecord):
    """What the user asked for. The library's ``convert()`` and every command build one.

    Checked on every construction, so also on every ``replace()``."""

    __slots__ = (  # noqa: RUF023 (the order of __init__)
        "node_id",
        "group_id",
        "edition",
        "name",
        "gpu_memory_mb",
        "host_port_range",
        "siblings",
    )
    node_id: str | None
    group_id: str | None
    edition: str
    name: str | None
    gpu_memory_mb: int | None
    host_port_range: tuple[int, int] | None
    # Keys of ConfigMaps and Secrets found in the same input, for envFrom expansion:
    # ("ConfigMap" | "Secret", name) -> key names. Never values.
    siblings: Mapping[tuple[str, str], tuple[str, ...]]

    def __init__(
        self,
        node_id: str | None = None,
        group_id: str | None = None,
        edition: str = "professional",
        name: str | None = None,
        gpu_memory_mb: int | None = None,
        host_port_range: tuple[int, int] | None = None,
        siblings: Mapping[tuple[str, str], tuple[str, ...]] | None = None,
    ) -> None:
        set_field(self, "node_id", node_id)
        set_field(self, "group_id", group_id)
        set_field(self, "edition", edition)
        set_field(self, "name", name)
        set_field(self, "gpu_memory_mb", gpu_memory_mb)
        set_field(self, "host_port_range", host_port_range)
        set_field(self, "siblings", {} if siblings is None else siblings)
        self._check()

    def _check(self) -> None:
        if self.edition not in EDITIONS:
            raise ValueError(f"edition must be one of {', '.join(EDITIONS)}, not {self.edition!r}")
        if self.node_id and self.group_id:
            raise ValueError("give a node id or a group id, not both: IEF takes one target")
        if self.host_port_range and self.edition != "platinum":
            raise ValueError("a host port range needs the platinum edition (--edition platinum)")
        low, high = self.host_port_range or (PORT_MIN, PORT_MIN + 1)
        if not PORT_MIN <= low < high <= PORT_MAX:
            raise ValueError(
                f"a host port range is MIN-MAX with {PORT_MIN} <= MIN < MAX <= {PORT_MAX}"
            )
        if self.gpu_memory_mb is not None and self.gpu_memory_mb <= 0:
            raise ValueError("--gpu-memory-mb must be a positive number of MB")

    @property
    def platinum(self) -> bool:
        return self.edition == "platinum"
