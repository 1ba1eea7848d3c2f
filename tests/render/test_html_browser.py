"""The HTML report in a real browser (headless Chromium): the DOM it builds, the pixels it paints, no script run."""

from __future__ import annotations

import html
import json
import os
import shutil
import struct
import subprocess
import zlib
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from cmo.render.html import CSP, render_html
from cmo.render.view import build_report
from tests.render.test_html import Page, demo_report, one_cmoc_theory

FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
INJECTED = "<script>document.title='pwned'</script><img src=x onerror=\"document.title='pwned'\">"


@pytest.fixture(scope="module")
def chromium() -> str:
    found = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail("CI is set but chromium is missing: `make test` installs Debian's chromium package", pytrace=False)
    pytest.skip("chromium is not installed (apt-get install chromium); `make test` installs it as root")


def _run(chromium: str, tmp_path: Path, *args: str) -> str:
    done = subprocess.run(
        [chromium, *FLAGS, f"--user-data-dir={tmp_path / 'profile'}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _dump_dom(chromium: str, tmp_path: Path, page: str) -> str:
    """The DOM the browser built from the page, serialised after loading (and after any script ran)."""
    path = tmp_path / "page.html"
    path.write_text(page, encoding="utf-8")
    return _run(chromium, tmp_path, "--dump-dom", path.as_uri())


def _title(dom: str) -> str:
    return dom[dom.index("<title>") + len("<title>") : dom.index("</title>")]


def test_browser_builds_every_section_and_shows_the_quotes(chromium: str, tmp_path: Path) -> None:
    report = demo_report()
    dom = Page(_dump_dom(chromium, tmp_path, render_html(report)))
    ids = dom.ids()
    for section in ("programmes", "comparison", "matrix", "checklist"):
        assert section in ids
    for programme in report.programmes:
        assert f"theory-{programme.id}" in ids and f"cmocs-{programme.id}" in ids
        assert all(f"cmoc-{programme.id}-{cmoc.id}" in ids for cmoc in programme.cmocs)
    text = dom.all_text()
    quotes = [q.quote for p in report.programmes for c in p.cmocs for q in c.quotes]
    assert all(quote in text for quote in quotes)
    assert sum(1 for tag, _ in dom.tags if tag == "svg") == 3


# Run by the test on its own copy of a report (the report itself runs no script): what the browser lays out.
PROBE = """<script>
const shown = (el) => { const box = el.getBoundingClientRect(); return box.width > 0 && box.height > 0; };
const probe = (el) => ({text: el.innerText, shown: shown(el), display: getComputedStyle(el).display});
const [fragments, confidence] = %s.map((id) => document.getElementById(id));
const out = document.createElement("pre");
out.id = "probe";
out.textContent = JSON.stringify({
  fragments: probe(fragments),
  confidence: probe(confidence.querySelector("p.confidence")),
  missing: [...document.querySelectorAll("li.part.missing")].filter(shown).map((el) => el.innerText),
});
document.body.appendChild(out);
</script>"""


def test_browser_shows_fragments_and_confidence(chromium: str, tmp_path: Path) -> None:
    report = demo_report()
    programme = report.programmes[1]
    judged = next(view for view in programme.cmocs if view.confidence is not None)
    assert programme.fragments
    page = render_html(report)
    meta = f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
    assert meta in page
    ids = [f"fragments-{programme.id}", f"cmoc-{programme.id}-{judged.id}"]
    probed = page.replace(meta, "").replace("</body>", PROBE % json.dumps(ids) + "</body>")
    dom = _dump_dom(chromium, tmp_path, probed)
    start = dom.index('<pre id="probe">') + len('<pre id="probe">')
    seen = json.loads(html.unescape(dom[start : dom.index("</pre>", start)]))
    fragments, confidence = seen["fragments"], seen["confidence"]
    assert fragments["shown"] and fragments["display"] != "none"
    assert "Coded evidence not yet in a configuration" in fragments["text"]
    assert "not counted or compared as CMOCs" in fragments["text"]
    assert all(f.label in fragments["text"] for f in programme.fragments)
    assert confidence["shown"] and f"confidence: {judged.confidence}" in confidence["text"]
    assert judged.confidence_rationale and judged.confidence_rationale in confidence["text"]
    assert "context: not yet coded" in seen["missing"]  # a missing part is painted, not only in the markup


def test_browser_builds_the_overarching_section(chromium: str, tmp_path: Path) -> None:
    from tests.render.test_overarching import with_overarching

    report = with_overarching()
    dom = Page(_dump_dom(chromium, tmp_path, render_html(report)))
    ids = dom.ids()
    assert "overarching" in ids
    assert report.overarching is not None and report.overarching.cmocs
    assert all(f"overarching-{cmoc.id}" in ids for cmoc in report.overarching.cmocs)
    text = dom.all_text()
    assert "Overarching theory" in text and "Distrust between community providers" in text
    assert sum(1 for tag, a in dom.tags if tag == "article" and "overarching" in (a.get("class") or "")) == len(
        report.overarching.cmocs
    )


def _png_pixels(data: bytes) -> np.ndarray:
    """Decode an 8-bit RGB or RGBA, non-interlaced PNG (what Chromium writes) into a height x width x channels array."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        pos += 12 + length
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
    width, height, depth, colour, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert (depth, colour, interlace) in {(8, 2, 0), (8, 6, 0)}
    bpp = 3 if colour == 2 else 4
    stride = width * bpp
    raw = zlib.decompress(idat)
    rows = np.zeros((height, stride), dtype=np.uint8)
    prior = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        kind, line = raw[y * (stride + 1)], np.frombuffer(raw, np.uint8, stride, y * (stride + 1) + 1)
        if kind == 0:
            row = line.copy()
        elif kind == 1:  # Sub: a running sum per channel
            row = np.cumsum(line.reshape(width, bpp), axis=0, dtype=np.uint8).reshape(stride)
        elif kind == 2:  # Up
            row = line + prior
        else:  # Average and Paeth depend on the byte just decoded: one byte at a time
            row = np.frombuffer(_unfilter(kind, line.tobytes(), prior.tobytes(), bpp), np.uint8)
        rows[y] = row
        prior = row
    return rows.reshape(height, width, bpp)


def _unfilter(kind: int, line: bytes, prior: bytes, bpp: int) -> bytes:
    out = bytearray(len(line))
    for i, value in enumerate(line):
        a = out[i - bpp] if i >= bpp else 0
        b = prior[i]
        if kind == 3:
            out[i] = (value + (a + b) // 2) & 0xFF
            continue
        c = prior[i - bpp] if i >= bpp else 0
        p = a + b - c
        pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
        out[i] = (value + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 0xFF
    return bytes(out)


def test_png_decoder_reads_every_filter() -> None:
    pixels = np.arange(2 * 3 * 3, dtype=np.uint8).reshape(2, 3, 3) * 13
    for kind in range(5):
        lines, prior = b"", bytes(9)
        for row in pixels:
            raw = row.tobytes()
            encoded = bytearray(9)
            for i in range(9):
                a = raw[i - 3] if i >= 3 else 0
                c = prior[i - 3] if i >= 3 else 0
                p = a + prior[i] - c
                paeth = min((abs(p - a), 0, a), (abs(p - prior[i]), 1, prior[i]), (abs(p - c), 2, c))[2]
                predictor = [0, a, prior[i], (a + prior[i]) // 2, paeth][kind]
                encoded[i] = (raw[i] - predictor) & 0xFF
            lines += bytes([kind]) + bytes(encoded)
            prior = raw
        header = struct.pack(">IIBBBBB", 3, 2, 8, 2, 0, 0, 0)
        png = b"\x89PNG\r\n\x1a\n" + b"".join(
            struct.pack(">I", len(body)) + name + body + b"\0\0\0\0"
            for name, body in ((b"IHDR", header), (b"IDAT", zlib.compress(lines)), (b"IEND", b""))
        )
        assert (_png_pixels(png) == pixels).all(), f"filter {kind}"


def test_screenshot_of_the_report_is_not_blank(chromium: str, tmp_path: Path) -> None:
    page, shot = tmp_path / "report.html", tmp_path / "report.png"
    page.write_text(render_html(demo_report()), encoding="utf-8")
    _run(chromium, tmp_path, f"--screenshot={shot}", "--window-size=1280,2000", "--hide-scrollbars", page.as_uri())
    pixels = _png_pixels(shot.read_bytes())[:, :, :3]
    assert pixels.shape == (2000, 1280, 3)
    colours = np.unique(pixels.reshape(-1, 3), axis=0)
    ink = (pixels.min(axis=2) < 160).mean()  # text, rules and badges, not paper or page background
    assert len(colours) > 200, "a rendered report has text and pictures in many shades"
    assert 0.005 < ink < 0.5
    assert (pixels[:300].min(axis=2) < 100).any(), "the title is painted at the top"


def test_injected_script_never_runs(chromium: str, tmp_path: Path) -> None:
    # The harness itself can see script run: a page that does run one changes its title.
    control = _dump_dom(chromium, tmp_path, f"<!DOCTYPE html><title>report</title><body>{INJECTED}</body>")
    assert _title(control) == "pwned"

    theory = one_cmoc_theory("a", label=INJECTED, text=INJECTED)
    report = build_report([theory], None)
    dom = _dump_dom(chromium, tmp_path, render_html(report))
    assert _title(dom) == "Programme theory of a " + INJECTED.replace("&", "&amp;").replace("<", "&lt;").replace(
        ">", "&gt;"
    )
    page = Page(dom)
    assert INJECTED in page.all_text()
    body = page.tags[[tag for tag, _ in page.tags].index("body") :]
    assert [tag for tag, _ in body if tag in ("script", "img")] == []


# --- framework matrices: the heatmap page and the report's matrix sections, laid out and shaded -----------

MATRIX_PROBE = """<script>
const size = (el) => { const box = el.getBoundingClientRect(); return [box.width, box.height]; };
const details = document.querySelector("table.heatmap details");
const list = details && details.querySelector("ul");
const seen = (el) => ({open: details.open, visible: el.checkVisibility(), size: size(el)});
const closed = list ? seen(list) : null;
if (details) details.querySelector("summary").click();
const out = document.createElement("pre");
out.id = "probe";
out.textContent = JSON.stringify({
  tables: [...document.querySelectorAll("table.heatmap")].map((table) => ({
    id: table.closest("section").id,
    size: size(table),
    caption: table.querySelector("caption").innerText,
    cells: [...table.querySelectorAll("tbody td")].map((td) => ({
      number: parseInt(td.innerText.replace(/[^0-9]+/g, " ").trim().split(" ")[0], 10),
      size: size(td),
      background: getComputedStyle(td).backgroundColor,
      color: getComputedStyle(td).color,
    })),
  })),
  swatches: [...document.querySelectorAll(".heat-legend .swatch")].map((el) => getComputedStyle(el).backgroundColor),
  quotes: details ? {closed: closed, opened: seen(list)} : null,
});
document.body.appendChild(out);
</script>"""


def _probe_matrices(chromium: str, tmp_path: Path, page: str) -> dict[str, Any]:
    from cmo.render.matrix_html import CSP as MATRIX_CSP

    meta = f'<meta http-equiv="Content-Security-Policy" content="{MATRIX_CSP}">'
    assert meta in page  # the page itself runs nothing: the probe runs on a copy without the policy
    dom = _dump_dom(chromium, tmp_path, page.replace(meta, "").replace("</body>", MATRIX_PROBE + "</body>"))
    start = dom.index('<pre id="probe">') + len('<pre id="probe">')
    seen: dict[str, Any] = json.loads(html.unescape(dom[start : dom.index("</pre>", start)]))
    return seen


def _laid_out_and_shaded(table: dict[str, Any]) -> None:
    """The table and every cell have a size, each cell prints a number, the largest and a zero differ in shade."""
    assert table["size"][0] > 0 and table["size"][1] > 0
    cells = table["cells"]
    assert cells and all(c["size"][0] > 0 and c["size"][1] > 0 for c in cells)
    assert all(c["number"] >= 0 for c in cells)  # the number is painted text, not only a colour
    largest = max(cells, key=lambda c: c["number"])
    assert largest["background"] != "rgb(255, 255, 255)" and largest["color"] != largest["background"]
    for zero in (c for c in cells if c["number"] == 0):
        assert zero["background"] == "rgb(255, 255, 255)" != largest["background"]


def test_browser_lays_out_the_heatmap_page_and_opens_its_quotes(chromium: str, tmp_path: Path) -> None:
    from cmo.render.matrix_html import LEVELS, matrix_page
    from tests.render.test_matrix_html import sample_matrix

    seen = _probe_matrices(chromium, tmp_path, matrix_page(sample_matrix(quotes=True), "Matrix", cells="quotes"))
    (table,) = seen["tables"]
    assert [c["number"] for c in table["cells"]] == [7, 3, 1, 2, 4, 0]
    _laid_out_and_shaded(table)
    assert "mechanism (rows) by outcome (columns)" in table["caption"]
    assert len(set(seen["swatches"])) == LEVELS + 1  # every shade of the legend painted differently
    quotes = seen["quotes"]
    assert not quotes["closed"]["open"] and not quotes["closed"]["visible"]  # hidden until asked for
    opened = quotes["opened"]
    assert opened["open"] and opened["visible"] and opened["size"][0] > 0 and opened["size"][1] > 0


def test_browser_lays_out_the_reports_matrix_sections(chromium: str, tmp_path: Path) -> None:
    from cmo.analysis.matrix import programme_matrices
    from tests.conftest import REPO

    report = demo_report()
    report.matrices = programme_matrices([p.id for p in report.programmes], REPO / "corpus")
    seen = _probe_matrices(chromium, tmp_path, render_html(report))
    ids = [table["id"] for table in seen["tables"]]
    assert ids == [f"matrix-{p.id}-mechanism-{columns}" for p in report.programmes for columns in ("outcome", "source")]
    for table in seen["tables"]:
        _laid_out_and_shaded(table)
    assert seen["quotes"] is None  # the report's matrices count; the CMOC cards carry the quotes
