"""k8s2ief: Kubernetes Deployments -> Huawei Cloud IEF deployments.

Library use::

    from k8s2ief import convert, convert_stream
    result = convert(manifest_dict, node_id="...")
    result.body        # the POST /v3/{project_id}/edgemgr/deployments body, or None
    result.findings    # [Finding(code, severity, path, message, file, line), ...]

    # A whole stream (YAML or JSON text, or parsed documents), as the CLI reads it: envFrom
    # resolved from the ConfigMaps and Secrets in the same stream, lines in the findings.
    for result in convert_stream(open("app.yaml").read(), node_id="...", ignore=["KI8"]):
        print(result.kind, result.name, result.status, result.body)

Only the public API lives here; it imports the converter on first use.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from k8s2ief.conversion import Conversion
    from k8s2ief.findings import Finding, Policy, Severity
    from k8s2ief.ief.validate import Violation
    from k8s2ief.pipeline import DocumentResult

__all__ = ["Conversion", "Finding", "Policy", "Severity", "convert", "convert_stream", "validate"]
__version__ = "0.1.0"


def __getattr__(name: str) -> object:
    # Finding, Policy, Severity and Conversion on first use: importing the package (every
    # command does, for k8s2ief.cli) then costs nothing of the findings machinery.
    if name in ("Finding", "Policy", "Severity"):
        from k8s2ief import findings

        return getattr(findings, name)
    if name == "Conversion":
        from k8s2ief.conversion import Conversion

        return Conversion
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def convert_stream(
    stream: str | bytes | Iterable[Mapping[str, object]],
    *,
    node_id: str | None = None,
    group_id: str | None = None,
    edition: str = "professional",
    gpu_memory_mb: int | None = None,
    host_port_range: tuple[int, int] | None = None,
    ignore: Iterable[str] = (),
    severity: Mapping[str, str] | None = None,
    source: str = "<stream>",
) -> list[Conversion]:
    """Convert every document of a stream, as ``k8s2ief convert`` does, one Conversion each.

    ``stream`` is YAML or JSON text (several documents, ``kind: List``, as kubectl writes them)
    or already parsed documents. envFrom that names a ConfigMap or Secret of the same stream is
    expanded to its keys, wherever in the stream it stands; IEF names used twice are reported
    (KI109). From text, findings carry ``source`` and their line. ``ignore`` and ``severity``
    are the policy of ``--ignore`` and ``--severity`` (codes, names or prefixes such as KI8);
    the ``k8s2ief.io/ignore`` annotation applies too. Raises ValueError for bad arguments;
    problems in the documents are findings, never exceptions.
    """
    from k8s2ief.findings import Policy
    from k8s2ief.load import Document, Limits, Source, read_source
    from k8s2ief.pipeline import Converter, collect_siblings, siblings_of, with_policy
    from k8s2ief.settings import Settings

    policy = Policy.build(ignore, severity)
    settings = Settings(
        node_id=node_id,
        group_id=group_id,
        edition=edition,
        gpu_memory_mb=gpu_memory_mb,
        host_port_range=host_port_range,
    )
    limits = Limits()
    if isinstance(stream, (str, bytes)):
        data = stream.encode("utf-8") if isinstance(stream, str) else stream
        text = Source(source, lambda: io.BytesIO(data))
        siblings: Mapping[tuple[str, str], tuple[str, ...]] = collect_siblings([text], limits)
        documents: Iterable[Document] = read_source(text, limits)
    else:
        documents = [Document(source, 0, dict(manifest)) for manifest in stream]
        siblings = siblings_of(documents)
    converter = Converter(settings.replace(siblings=dict(siblings)))
    results = (with_policy(converter.convert(doc), policy) for doc in documents)
    located = isinstance(stream, (str, bytes))
    return [_conversion(result, located) for result in results]


def _conversion(result: DocumentResult, located: bool) -> Conversion:
    from k8s2ief.conversion import Conversion

    findings = result.findings if located else [_without_location(f) for f in result.findings]
    line = result.line if located else None
    return Conversion(result.body, findings, result.status, result.kind, result.name, line)


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
    from k8s2ief.conversion import Conversion
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
    return Conversion(result.body, findings, result.status, result.kind, result.name)


def _without_location(finding: Finding) -> Finding:
    return finding.replace(file=None, line=None)


def validate(body: object, *, edition: str = "professional") -> list[Violation]:
    """Check an IEF request body against the API's documented rules."""
    from k8s2ief.ief.validate import validate_body

    return validate_body(body, edition=edition)
