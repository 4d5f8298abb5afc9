"""The library's answer for one manifest (``k8s2ief.convert``, ``k8s2ief.convert_stream``)."""

from __future__ import annotations

from k8s2ief.findings import Finding
from k8s2ief.records import FrozenRecord, set_field


class Conversion(FrozenRecord):
    """The outcome of converting one manifest."""

    __slots__ = ("body", "findings", "status", "kind", "name", "line")  # noqa: RUF023 (the order of __init__)
    body: dict[str, object] | None
    findings: list[Finding]
    status: str  # converted | lossy | failed | skipped
    kind: str | None
    name: str | None  # the manifest's metadata.name
    line: int | None  # where the document starts in a text stream

    def __init__(
        self,
        body: dict[str, object] | None,
        findings: list[Finding] | None = None,
        status: str = "converted",
        kind: str | None = None,
        name: str | None = None,
        line: int | None = None,
    ) -> None:
        set_field(self, "body", body)
        set_field(self, "findings", [] if findings is None else findings)
        set_field(self, "status", status)
        set_field(self, "kind", kind)
        set_field(self, "name", name)
        set_field(self, "line", line)
