"""The JSON report of convert (``--report-format json``) and audit (``--format json``).

One shape for both, described by k8s2ief/schemas/report.schema.json (``k8s2ief schema
--report``); keys are always present, values may be null or empty::

    {
      "version": 2,
      "command": "audit",                  # or "convert": it decides the status words
      "documents": [                       # every input document, in input order
        {
          "file": "corpus/real/x/app.yaml",  # as given on the command line (or "<stdin>")
          "line": 12,                      # first line of the document; null when unknown
          "kind": "Deployment",            # null for unreadable documents and non-objects
          "name": "web",                   # metadata.name; null when absent
          "status": "lossy",               # audit: clean|lossy|blocked|skipped|unreadable
                                           # convert: converted|lossy|failed|skipped
          "suppressed": 1,                 # findings dropped by --ignore or k8s2ief.io/ignore
          "findings": [                    # by line; equal lines in the rules' order
            {"code": "KI010", "name": "defaults-dropped", "severity": "info", "path": "",
             "file": "corpus/real/x/app.yaml", "line": 12, "message": "3 field(s) ...",
             "paths": ["spec.revisionHistoryLimit", "..."]}   # every field a summary covers
          ]
        }
      ],
      "summary": {
        "documents": 7, "files": 6, "findings": 11,
        "statuses": {"clean": 1, "lossy": 2, "blocked": 1, "skipped": 2, "unreadable": 1},
        "codes": [{"code": "KI003", "name": "kind-skipped", "severity": "info", "count": 2}],
        "suppressed": {"total": 1, "codes": {"KI103": 1}},
        "blocker_files": [{"file": "...", "errors": 3}],   # at most 10, most errors first
        "deployments": {"total": 4, "movable": 3, "share": 0.75}  # share null if total is 0
      },
      "errors": [],                        # problems outside any document (a file not written)
      "notes": []                          # how to read the report (what was left out)
    }

Version 2 (this one) differs from audit's version 1 by ``command``, ``errors``, ``notes``,
findings' ``paths``, findings in line order and ``deployments.movable`` (was
``clean_or_lossy``). Documents are written as they come, so memory stays flat on any input.
"""

from __future__ import annotations

import json
from typing import IO

from k8s2ief.emit import dumps
from k8s2ief.report.model import ReportContext, ReportDocument, Summary
from k8s2ief.report.style import PLAIN, Style

JSON_VERSION = 2


def document_dict(document: ReportDocument) -> dict[str, object]:
    return {
        "file": document.file,
        "line": document.line,
        "kind": document.kind,
        "name": document.name,
        "status": document.status,
        "suppressed": document.suppressed,
        "findings": [f.to_dict() for f in document.findings],
    }


def summary_dict(summary: Summary) -> dict[str, object]:
    return {
        "documents": summary.documents,
        "files": summary.files,
        "findings": summary.findings,
        "statuses": dict(summary.statuses),
        "codes": [
            {"code": c.code, "name": c.name, "severity": str(c.severity), "count": c.count}
            for c in summary.codes
        ],
        "suppressed": {"total": summary.suppressed, "codes": dict(summary.suppressed_codes)},
        "blocker_files": [{"file": f.file, "errors": f.count} for f in summary.blocker_files],
        "deployments": {
            "total": summary.deployments,
            "movable": summary.convertible,
            "share": None if summary.share is None else round(summary.share, 4),
        },
    }


def _dumps(value: object, indent: str) -> str:
    """``json.dumps(value, indent=2)`` as it reads nested ``indent`` deep."""
    return dumps(value).replace("\n", "\n" + indent)  # emit.dumps writes what json.dumps does


class JsonReport:
    """Writes exactly what ``json.dumps(report, indent=2)`` would, one document at a time."""

    def __init__(self, out: IO[str], style: Style = PLAIN) -> None:
        self.out = out
        self.count = 0

    def start(self, context: ReportContext) -> None:
        self.out.write(
            f'{{\n  "version": {JSON_VERSION},\n  "command": '
            f'{json.dumps(context.command)},\n  "documents": ['
        )

    def document(self, document: ReportDocument) -> None:
        self.out.write(
            ("," if self.count else "") + "\n    " + _dumps(document_dict(document), "    ")
        )
        self.count += 1

    def finish(self, summary: Summary) -> None:
        self.out.write("\n  ]," if self.count else "],")
        self.out.write(
            f'\n  "summary": {_dumps(summary_dict(summary), "  ")},'
            f'\n  "errors": {_dumps(list(summary.errors), "  ")},'
            f'\n  "notes": {_dumps(list(summary.notes), "  ")}\n}}\n'
        )
        self.out.flush()


def report_schema() -> dict[str, object]:
    """The JSON Schema of this report (k8s2ief/schemas/report.schema.json), freshly parsed."""
    from k8s2ief.packaged import read_text

    text = read_text("schemas", "report.schema.json")
    schema: dict[str, object] = json.loads(text)
    return schema
