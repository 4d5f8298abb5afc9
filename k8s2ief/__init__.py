"""k8s2ief: Kubernetes Deployments -> Huawei Cloud IEF deployments.

Library use::

    from k8s2ief import convert
    result = convert(manifest_dict, node_id="...")
    result.body        # the POST /v3/{project_id}/edgemgr/deployments body, or None
    result.findings    # [Finding(code, severity, path, message, file, line), ...]

Only the public API lives here; it imports the converter on first use.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from k8s2ief.findings import Finding, Policy, Severity
    from k8s2ief.ief.validate import Violation

__all__ = ["Conversion", "Finding", "Policy", "Severity", "convert", "validate"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # Finding, Policy and Severity on first use: importing the package (every command does, for
    # k8s2ief.cli) then costs nothing of the findings machinery.
    if name in ("Finding", "Policy", "Severity"):
        from k8s2ief import findings

        return getattr(findings, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


@dataclass(frozen=True)
class Conversion:
    """The outcome of converting one manifest."""

    body: dict[str, object] | None
    findings: list[Finding] = field(default_factory=list)
    status: str = "converted"  # converted | lossy | failed | skipped


def convert(
    manifest: dict[str, object],
    *,
    node_id: str | None = None,
    group_id: str | None = None,
    edition: str = "professional",
    name: str | None = None,
    gpu_memory_mb: int | None = None,
    host_port_range: tuple[int, int] | None = None,
) -> Conversion:
    """Convert one Kubernetes Deployment (a dict, as from ``yaml.safe_load``) to an IEF body.

    Never raises on bad manifest content: problems are findings. Raises ValueError for bad
    arguments (both node_id and group_id, an unknown edition). Findings carry no file or line,
    since a dict has none; the CLI reads files and fills them in.
    """
    from k8s2ief.load import Document
    from k8s2ief.pipeline import Converter
    from k8s2ief.settings import Settings

    settings = Settings(
        node_id=node_id,
        group_id=group_id,
        edition=edition,
        name=name,
        gpu_memory_mb=gpu_memory_mb,
        host_port_range=host_port_range,
    )
    result = Converter(settings).convert(Document("<dict>", 0, manifest))
    findings = [_without_location(f) for f in result.findings]
    return Conversion(result.body, findings, result.status)


def _without_location(finding: Finding) -> Finding:
    from dataclasses import replace

    return replace(finding, file=None, line=None)


def validate(body: object, *, edition: str = "professional") -> list[Violation]:
    """Check an IEF request body against the API's documented rules."""
    from k8s2ief.ief.validate import validate_body

    return validate_body(body, edition=edition)
