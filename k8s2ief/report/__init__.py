"""Report formatters, registered by name. They know findings and results, never rules."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable
from typing import IO

from k8s2ief.findings import Finding
from k8s2ief.pipeline import DocumentResult

CONVERT_REPORT_FORMATS = ("text", "json")


def finding_line(finding: Finding) -> str:
    """``file:line: severity CODE name: message [path]`` — one line, editors can jump to it."""
    where = finding.location()
    path = f" [{finding.path}]" if finding.path else ""
    return f"{where}: {finding.severity} {finding.code} {finding.name}: {finding.message}{path}"


class TextReport:
    """Findings printed as they come, then one summary line."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.statuses: Counter[str] = Counter()

    def add(self, result: DocumentResult, findings: list[Finding]) -> None:
        self.statuses[result.status] += 1
        for finding in findings:
            self.out.write(finding_line(finding) + "\n")

    def close(self, extra: Iterable[str] = ()) -> None:
        for line in extra:
            self.out.write(line + "\n")
        parts = [f"{n} {status}" for status, n in sorted(self.statuses.items())]
        self.out.write(
            f"k8s2ief: {sum(self.statuses.values())} document(s): {', '.join(parts) or 'none'}\n"
        )
        self.out.flush()


class JsonReport:
    """Every document (file, line, kind, name, status) with its findings, as one JSON object."""

    def __init__(self, out: IO[str]) -> None:
        self.out = out
        self.documents: list[dict[str, object]] = []
        self.statuses: Counter[str] = Counter()

    def add(self, result: DocumentResult, findings: list[Finding]) -> None:
        self.statuses[result.status] += 1
        entry = result.to_dict()
        entry["findings"] = [f.to_dict() for f in findings]
        self.documents.append(entry)

    def close(self, extra: Iterable[str] = ()) -> None:
        report = {
            "documents": self.documents,
            "summary": dict(sorted(self.statuses.items())),
            "errors": list(extra),
        }
        self.out.write(json.dumps(report, ensure_ascii=False, indent=2) + "\n")
        self.out.flush()


def convert_report(fmt: str, out: IO[str]) -> TextReport | JsonReport:
    return {"text": TextReport, "json": JsonReport}[fmt](out)
