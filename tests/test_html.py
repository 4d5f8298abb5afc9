"""``audit --format html``, read as a file and rendered by headless Chromium.

The page's numbers are compared with the JSON report of the same input; in the browser the
script must have run (filters applied, ``data-ready``), the charts must be in the rendered DOM,
links such as ``#status=blocked`` must filter the table, and a screenshot must be a picture of
the expected size that is not blank and shows the status colours. Chromium is Debian's
``chromium`` (.ci/run installs it); without it the browser tests skip with the reason.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest

from k8s2ief.codes import REGISTRY
from k8s2ief.report.html_assets import STATUS_COLORS

ROOT = Path(__file__).resolve().parent.parent
AUDIT = "testdata/audit"
CORPUS = Path("/work/shared/corpus")
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="chromium is not installed (apt-get install -y chromium; .ci/run does)"
)
WINDOW = (1280, 1000)


def audit(*args: str, cwd: Path = ROOT) -> str:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-m", "k8s2ief", "audit", *args, "--jobs", "1", "--fail-on", "never"],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        timeout=300,
        check=False,
    )
    assert done.returncode in (0, 2), done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    """The HTML page (as a file) and the JSON report of the same input."""
    page = tmp_path_factory.mktemp("html") / "audit.html"
    page.write_text(audit(AUDIT, "--format", "html"), encoding="utf-8")
    return page, json.loads(audit(AUDIT, "--format", "json"))


class Page(HTMLParser):
    """What the tests read from a page: marks per chart, counts, rows, findings, codes."""

    def __init__(self, text: str) -> None:
        super().__init__()
        self.charts: dict[str, dict[str, int]] = {}
        self.summary: dict[str, str] = {}
        self.status_counts: dict[str, int] = {}
        self.rows: list[dict[str, str]] = []  # tbody.doc attributes; "hidden" when filtered out
        self.findings = 0
        self.codes: dict[str, int] = {}
        self.body: dict[str, str] = {}
        self.hrefs: list[str] = []
        self.texts: dict[str, str] = {}
        self._chart: str | None = None
        self._capture: str | None = None
        self.feed(text)

    def handle_starttag(self, tag: str, attributes: list[tuple[str, str | None]]) -> None:
        attrs = {k: v or "" for k, v in attributes}
        if tag == "body":
            self.body = attrs
        if tag == "svg" and "data-chart" in attrs:
            self._chart = attrs["data-chart"]
            self.charts[self._chart] = {}
        if "mark" in attrs.get("class", "").split() and self._chart:
            self.charts[self._chart][attrs["data-key"]] = int(attrs["data-count"])
        if tag == "tbody" and attrs.get("class") == "doc":
            self.rows.append(attrs)
        if tag == "li" and "data-severity" in attrs:
            self.findings += 1
        if tag == "dt" and "data-code" in attrs:
            self.codes[attrs["data-code"]] = int(attrs["data-count"])
        if "href" in attrs:
            self.hrefs.append(attrs["href"])
        for key in ("data-summary", "data-status-count", "id"):
            if key in attrs:
                self._capture = f"{key}={attrs[key]}"

    def handle_endtag(self, tag: str) -> None:
        if tag == "svg":
            self._chart = None

    def handle_data(self, data: str) -> None:
        if self._capture:
            self.texts[self._capture] = self.texts.get(self._capture, "") + data
            self._capture = None

    def shown(self) -> int:
        return sum("hidden" not in row for row in self.rows)


def check_counts(page: Page, report: dict[str, Any]) -> None:
    """Every number the page shows is the JSON report's."""
    summary = report["summary"]
    assert page.charts["statuses"] == summary["statuses"]
    errors = [c for c in summary["codes"] if c["severity"] == "error"]
    assert page.charts["codes"] == {c["code"]: c["count"] for c in errors[:12]}
    assert page.charts["files"] == {f["file"]: f["errors"] for f in summary["blocker_files"]}
    statuses = {s: int(page.texts[f"data-status-count={s}"]) for s in summary["statuses"]}
    assert statuses == summary["statuses"]
    assert int(page.texts["data-summary=documents"]) == summary["documents"]
    assert int(page.texts["data-summary=findings"]) == summary["findings"]
    assert int(page.texts["data-summary=rows"]) == len(page.rows) == summary["documents"]
    assert [r["data-status"] for r in page.rows] == [d["status"] for d in report["documents"]]
    assert page.findings == summary["findings"]
    assert page.codes == {c["code"]: c["count"] for c in summary["codes"]}


# --- the file ------------------------------------------------------------------------------------


def test_page_is_self_contained(reports: tuple[Path, dict[str, Any]]) -> None:
    text = reports[0].read_text(encoding="utf-8")
    page = Page(text)
    assert text.startswith("<!DOCTYPE html>") and "Content-Security-Policy" in text
    assert "default-src 'none'" in text  # the browser itself refuses any fetch
    for needle in ("<link", " src=", "url(", "@import", "http://", "https://"):
        assert needle not in text, needle
    assert page.hrefs and all(h.startswith("#") for h in page.hrefs)


def test_page_counts_match_the_json_report(reports: tuple[Path, dict[str, Any]]) -> None:
    page_file, report = reports
    check_counts(Page(page_file.read_text(encoding="utf-8")), report)


def test_page_explains_every_reported_code(reports: tuple[Path, dict[str, Any]]) -> None:
    text = reports[0].read_text(encoding="utf-8")
    for stat in reports[1]["summary"]["codes"]:
        info = REGISTRY[stat["code"]]
        assert f'id="{info.code}"' in text and f'href="#{info.code}"' in text
        for words in (info.summary, info.doc):
            assert words.replace("'", "&#x27;").replace('"', "&quot;") in text or words in text


def test_page_escapes_what_it_quotes(tmp_path: Path) -> None:
    manifest = tmp_path / "x.yaml"
    manifest.write_text(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: '<script>alert(1)</script>'\n",
        encoding="utf-8",
    )
    text = audit(str(manifest), "--format", "html")
    assert "<script>alert(1)" not in text and "&lt;script&gt;alert(1)" in text
    assert text.count("<script>") == 1  # the page's own


@pytest.mark.skipif(not CORPUS.is_dir(), reason="the shared corpus is not here")
def test_corpus_page_counts_match(tmp_path: Path) -> None:
    text = audit("corpus", "--format", "html", cwd=CORPUS.parent)
    check_counts(Page(text), json.loads(audit("corpus", "--format", "json", cwd=CORPUS.parent)))


# --- in the browser ------------------------------------------------------------------------------


def chromium(tmp_path: Path, *args: str, url: str) -> subprocess.CompletedProcess[str]:
    profile = tmp_path / "profile"
    profile.mkdir(exist_ok=True)
    command = [
        str(CHROMIUM),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
        f"--user-data-dir={profile}",
        *args,
        url,
    ]
    done = subprocess.run(command, capture_output=True, text=True, timeout=180, check=False)
    assert done.returncode == 0, done.stderr[-2000:]
    return done


def rendered(tmp_path: Path, page: Path, fragment: str = "") -> Page:
    done = chromium(tmp_path, "--dump-dom", url=page.as_uri() + fragment)
    return Page(done.stdout)


@needs_chromium
def test_rendered_page_has_charts_and_counts(
    reports: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    page_file, report = reports
    page = rendered(tmp_path, page_file)
    assert page.body.get("data-ready") == "1"  # the script ran to its end
    assert set(page.charts) == {"statuses", "codes", "files"}
    check_counts(page, report)
    statuses = report["summary"]["statuses"]
    # Skipped documents (not Deployments) start filtered out; the script counted the rest.
    assert (
        page.shown()
        == int(page.texts["id=shown"])
        == statuses["clean"] + statuses["lossy"] + statuses["blocked"] + statuses["unreadable"]
    )


@needs_chromium
def test_links_filter_the_table(reports: tuple[Path, dict[str, Any]], tmp_path: Path) -> None:
    page_file, report = reports
    documents = report["documents"]
    every = "clean,lossy,blocked,skipped,unreadable"
    cases = {
        "#status=blocked": [d for d in documents if d["status"] == "blocked"],
        f"#status={every}": documents,
        f"#status={every}&q=ki302": [
            d for d in documents if any(f["code"] == "KI302" for f in d["findings"])
        ],
        f"#status={every}&severity=warning": [
            d
            for d in documents
            if any(f["severity"] in ("error", "warning") for f in d["findings"])
        ],
    }
    for fragment, expected in cases.items():
        page = rendered(tmp_path, page_file, fragment)
        visible = [r for r in page.rows if "hidden" not in r]
        assert len(visible) == int(page.texts["id=shown"]) == len(expected) > 0, fragment
        assert [r["data-status"] for r in visible] == [d["status"] for d in expected]


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and the unfiltered rows of an 8-bit RGB(A) PNG, as Chromium writes it."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    chunks: dict[bytes, bytes] = {}
    at = 8
    while at < len(data):
        (length,) = struct.unpack(">I", data[at : at + 4])
        kind = data[at + 4 : at + 8]
        chunks[kind] = chunks.get(kind, b"") + data[at + 8 : at + 8 + length]
        at += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", chunks[b"IHDR"])
    assert depth == 8 and color in (2, 6) and interlace == 0
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(chunks[b"IDAT"])
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)])
        _unfilter(kind, line, previous, channels)
        rows.append(bytes(line))
        previous = line
    return width, height, rows


def _unfilter(kind: int, line: bytearray, up: bytearray, bpp: int) -> None:
    if kind == 0:
        return
    if kind == 2:
        line[:] = bytes((a + b) & 255 for a, b in zip(line, up, strict=True))
        return
    for i in range(len(line)):
        left = line[i - bpp] if i >= bpp else 0
        corner = up[i - bpp] if i >= bpp else 0
        if kind == 1:
            line[i] = (line[i] + left) & 255
        elif kind == 3:
            line[i] = (line[i] + (left + up[i]) // 2) & 255
        else:  # 4: Paeth
            p = left + up[i] - corner
            pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - corner)
            guess = left if pa <= pb and pa <= pc else up[i] if pb <= pc else corner
            line[i] = (line[i] + guess) & 255


@needs_chromium
def test_screenshot_is_a_picture_of_the_report(
    reports: tuple[Path, dict[str, Any]], tmp_path: Path
) -> None:
    shot = tmp_path / "audit.png"
    chromium(
        tmp_path,
        f"--screenshot={shot}",
        "--window-size={},{}".format(*WINDOW),
        "--hide-scrollbars",
        url=reports[0].as_uri(),
    )
    width, height, rows = png_pixels(shot.read_bytes())
    assert (width, height) == WINDOW
    channels = len(rows[0]) // width
    pixels = [row[x : x + 3] for row in rows[::4] for x in range(0, len(row), channels * 4)]
    colours = set(pixels)
    white = bytes((255, 255, 255))
    assert len(colours) > 50  # text, lines and charts, not a blank or single-colour page
    assert sum(p != white for p in pixels) > len(pixels) * 0.03
    for status in ("clean", "blocked"):  # the donut and the badges in their colours
        assert has_colour(rows, bytes.fromhex(STATUS_COLORS[status][1:]), channels), status


def has_colour(rows: list[bytes], colour: bytes, channels: int) -> bool:
    for row in rows:
        at = row.find(colour)
        while at >= 0:
            if at % channels == 0:
                return True
            at = row.find(colour, at + 1)
    return False
