"""SARIF 2.1.0 for code-scanning tools: one rule per reported code, one result per finding.

Empty objects and arrays are stripped from the log (some consumers reject them), and a finding
without a known line is placed on line 1, since SARIF regions start at 1.
"""

from __future__ import annotations

import json
import os
from urllib.parse import quote

from k8s2ief.findings import Finding, Severity
from k8s2ief.report.model import CodeStat, ReportDocument, Summary
from k8s2ief.report.whole import WholeReport

SARIF_VERSION = "2.1.0"
SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVELS = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}

Json = dict[str, object] | list[object] | str | int | float | bool | None


class Sarif(WholeReport):
    """Results need the rule index of the summary: documents are kept until ``finish``."""

    def render(self, summary: Summary) -> str:
        return to_sarif(self.documents, summary)


def to_sarif(documents: list[ReportDocument], summary: Summary) -> str:
    codes = summary.codes
    index = {stat.code: position for position, stat in enumerate(codes)}
    run = {
        "tool": {"driver": _driver(codes)},
        "results": [
            _result(finding, document.file, index[finding.code])
            for document in documents
            for finding in document.findings
        ],
    }
    log = {"$schema": SARIF_SCHEMA, "version": SARIF_VERSION, "runs": [run]}
    return json.dumps(strip_empty(log), ensure_ascii=False, indent=2) + "\n"


def _driver(codes: tuple[CodeStat, ...]) -> dict[str, object]:
    return {
        "name": "k8s2ief",
        "version": tool_version(),
        "rules": [_rule(stat) for stat in codes],
    }


def _rule(stat: CodeStat) -> dict[str, object]:
    return {
        "id": stat.code,
        "name": stat.name,
        "shortDescription": {"text": stat.summary},
        "fullDescription": {"text": stat.doc},
        "help": {"text": stat.doc},
        "defaultConfiguration": {"level": LEVELS[stat.severity]},
    }


def _result(finding: Finding, file: str, rule_index: int) -> dict[str, object]:
    message = f"{finding.message} [{finding.path}]" if finding.path else finding.message
    return {
        "ruleId": finding.code,
        "ruleIndex": rule_index,
        "level": LEVELS[finding.severity],
        "message": {"text": message},
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": artifact_uri(finding.file or file)},
                    "region": {"startLine": max(finding.line or 1, 1)},
                },
            }
        ],
    }


CLUSTER_SCHEME = "cluster:"


def artifact_uri(path: str) -> str:
    """A relative URI reference: absolute paths are made relative to the working directory.

    Documents read with --from-cluster have a ``cluster:<context>/<namespace>/<name>`` source,
    kept as an absolute URI of scheme ``cluster`` (quoting would hide the scheme's colon).
    """
    if path.startswith(CLUSTER_SCHEME):
        return CLUSTER_SCHEME + quote(path[len(CLUSTER_SCHEME) :], safe="/")
    if os.path.isabs(path):
        path = os.path.relpath(path)
    return quote(path.replace(os.sep, "/"))


def strip_empty(value: Json) -> Json:
    """The value without empty objects and arrays, at any depth (emptied ones go too)."""
    if isinstance(value, dict):
        pairs = ((k, strip_empty(v)) for k, v in value.items())  # type: ignore[arg-type]
        return {k: v for k, v in pairs if not _empty(v)}
    if isinstance(value, list):
        items = (strip_empty(v) for v in value)  # type: ignore[arg-type]
        return [v for v in items if not _empty(v)]
    return value


def _empty(value: Json) -> bool:
    return isinstance(value, (dict, list)) and not value


def tool_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("k8s2ief")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "0"
