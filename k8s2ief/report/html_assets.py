"""The stylesheet and script inlined into every HTML report (no file, font or URL is fetched)."""

from __future__ import annotations

# Colours by severity and status; the SVG charts use the same ones.
SEVERITY_COLORS = {"error": "#cf222e", "warning": "#bf8700", "info": "#6e7781"}
STATUS_COLORS = {
    "clean": "#1a7f37",
    "converted": "#1a7f37",
    "lossy": "#d4a72c",
    "blocked": "#cf222e",
    "failed": "#cf222e",
    "skipped": "#8c959f",
    "unreadable": "#8250df",
}

# The page may load nothing: inline style and script only, images only as data.
CSP = "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:"

CSS = """
:root { --fg:#1f2328; --muted:#59636e; --line:#d1d9e0; --soft:#f6f8fa; --accent:#0969da; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff;
  font: 14px/1.45 system-ui, -apple-system, "Segoe UI", "DejaVu Sans", sans-serif; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { margin: 0 0 4px; font-size: 24px; }
header p { margin: 0; color: var(--muted); }
h2 { font-size: 17px; margin: 28px 0 10px; }
.note { margin: 14px 0 0; padding: 8px 12px; border-left: 4px solid var(--accent);
  background: #ddf4ff; border-radius: 4px; }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(170px, 1fr)); gap: 12px;
  margin-top: 18px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
.card b { display: block; font-size: 26px; line-height: 1.2; }
.card span { color: var(--muted); font-size: 13px; }
.card.share b { color: #1a7f37; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(360px, 1fr));
  gap: 14px; margin-top: 14px; align-items: start; }
figure { margin: 0; border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; }
figcaption { font-weight: 600; margin-bottom: 6px; }
svg.chart { width: 100%; height: auto; display: block; font-size: 11px; }
svg text { fill: var(--fg); }
svg .big { font-size: 26px; font-weight: 700; }
svg .small { fill: var(--muted); font-size: 11px; }
svg .num { fill: var(--muted); font-variant-numeric: tabular-nums; }
svg a:hover .mark, svg a:hover rect { opacity: .75; }
.filters { display: flex; flex-wrap: wrap; gap: 8px 14px; align-items: center;
  padding: 10px 12px; background: var(--soft); border: 1px solid var(--line);
  border-radius: 8px; }
.filters label { display: inline-flex; align-items: center; gap: 4px; cursor: pointer; }
.filters input[type=search] { min-width: 240px; padding: 4px 8px; border: 1px solid var(--line);
  border-radius: 6px; font: inherit; }
.filters select { font: inherit; padding: 3px 6px; }
.filters .count { margin-left: auto; color: var(--muted); }
table { width: 100%; border-collapse: collapse; margin-top: 10px; }
th { text-align: left; font-size: 12px; text-transform: uppercase; letter-spacing: .04em;
  color: var(--muted); border-bottom: 2px solid var(--line); padding: 6px 8px; }
td { border-bottom: 1px solid var(--line); padding: 6px 8px; vertical-align: top; }
td.n { text-align: right; font-variant-numeric: tabular-nums; width: 64px; }
td.where { font-family: ui-monospace, "DejaVu Sans Mono", monospace; font-size: 12px;
  word-break: break-all; }
tbody.doc[hidden] { display: none; }
tbody.doc tr:first-child td { border-bottom: none; padding-bottom: 2px; }
tbody.doc tr.more td { padding-top: 0; }
tbody.doc:hover td { background: #f6f8fa; }
.badge { display: inline-block; min-width: 76px; text-align: center; padding: 1px 8px;
  border-radius: 10px; color: #fff; font-size: 12px; font-weight: 600; }
.sev { display: inline-block; width: 74px; font-size: 11px; font-weight: 700;
  text-transform: uppercase; }
.zero { color: #afb8c1; }
td.error { color: #cf222e; font-weight: 700; }
td.warning { color: #9a6700; font-weight: 600; }
details summary { cursor: pointer; color: var(--accent); }
ul.findings { list-style: none; margin: 6px 0 2px; padding: 0; }
ul.findings li { padding: 5px 8px 5px 10px; border-left: 3px solid var(--line); margin: 4px 0; }
ul.findings li[data-severity=error] { background: #fff5f5; }
ul.findings li[data-severity=warning] { background: #fffbeb; }
ul.findings .why, ul.findings .path { color: var(--muted); font-size: 12px; }
ul.findings .path { font-family: ui-monospace, "DejaVu Sans Mono", monospace; }
ul.findings .paths { margin: 2px 0 0 18px; font-size: 12px; color: var(--muted); }
a.code { font-weight: 600; color: var(--accent); text-decoration: none; }
dl.codes dt { font-weight: 600; margin-top: 12px; }
dl.codes dd { margin: 2px 0 0 0; color: var(--fg); max-width: 90ch; }
dl.codes dd.summary { color: var(--muted); }
footer { margin-top: 30px; color: var(--muted); font-size: 12px; }
"""

# Filters the document table by status, worst severity and text; a link such as
# #status=blocked or #q=KI602 (the charts use them) sets the filters.
JS = """
(function () {
  var rank = {none: 0, info: 1, warning: 2, error: 3};
  var docs = Array.prototype.slice.call(document.querySelectorAll("tbody.doc"));
  var boxes = Array.prototype.slice.call(document.querySelectorAll("input[name=status]"));
  var severity = document.getElementById("f-severity");
  var text = document.getElementById("f-text");
  var shown = document.getElementById("shown");
  function apply() {
    var on = {};
    boxes.forEach(function (b) { on[b.value] = b.checked; });
    var least = rank[severity.value] || 0;
    var words = text.value.trim().toLowerCase();
    var count = 0;
    docs.forEach(function (d) {
      var keep = on[d.dataset.status] && rank[d.dataset.worst] >= least &&
        (!words || d.dataset.text.indexOf(words) >= 0);
      d.hidden = !keep;
      if (keep) { count += 1; }
    });
    shown.textContent = String(count);
  }
  function fromHash() {
    var params = new URLSearchParams(location.hash.slice(1));
    if (params.has("status")) {
      var wanted = params.get("status").split(",");
      boxes.forEach(function (b) { b.checked = wanted.indexOf(b.value) >= 0; });
    }
    if (params.has("severity")) { severity.value = params.get("severity"); }
    if (params.has("q")) { text.value = params.get("q"); }
    apply();
  }
  boxes.forEach(function (b) { b.addEventListener("change", apply); });
  severity.addEventListener("change", apply);
  text.addEventListener("input", apply);
  window.addEventListener("hashchange", function () {
    fromHash();
    document.getElementById("documents").scrollIntoView();
  });
  fromHash();
  document.body.dataset.ready = "1";
})();
"""
