"""The framework matrix as HTML: a self-contained heatmap page and a report section, every text escaped."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.analysis.matrix import Matrix, Quote
from cmo.render.matrix_html import (
    CSP,
    CSS,
    LEVELS,
    heat_level,
    legend_ranges,
    matrix_page,
    matrix_section,
)
from tests.conftest import REPO, Result
from tests.render.test_html import HOSTILE, Page


def sample_matrix(quotes: bool = False, label: str | None = None, text: str = "It took months.") -> Matrix:
    """Two mechanisms by three outcomes: counts 0..7, the largest (7) top left and a zero bottom right."""
    counts = [[7, 3, 1], [2, 4, 0]]
    transcripts = [[3, 2, 1], [1, 2, 0]]
    cell_quotes = [
        [
            [
                Quote("corpus/a/int-01.md", 10 + n, f"{text} ({r}, {c}, {n})", f"a/int-01#{r}{c}{n}")
                for n in range(count)
            ]
            if quotes
            else []
            for c, count in enumerate(row)
        ]
        for r, row in enumerate(counts)
    ]
    return Matrix(
        rows=["trust", "key-person"],
        columns=["engagement", "confidence", "referral"],
        counts=counts,
        transcripts=transcripts,
        quotes=cell_quotes,
        row_labels={"trust": label or "Building trust", "key-person": "A key person"},
        column_labels={"engagement": label or "Engagement", "confidence": "Confidence", "referral": "referral"},
        row_dimension="mechanism",
        column_dimension="outcome",
        total_passages=12,
    )


def _cells(page: str) -> list[tuple[int, int]]:
    """(heat level, number printed) of every body cell, in order."""
    return [
        (int(level), int(number))
        for level, number in re.findall(r'<td class="heat-(\d)">(?:<details><summary>)?(\d+)', page)
    ]


def test_every_cell_prints_its_number_on_a_shade_that_grows_with_it() -> None:
    page = matrix_page(sample_matrix(), "Mechanisms by outcome")
    cells = _cells(page)
    assert [number for _, number in cells] == [7, 3, 1, 2, 4, 0]
    assert dict(cells)[LEVELS] == 7 and (0, 0) in cells  # the largest cell the darkest, a zero cell unshaded
    ordered = sorted(cells, key=lambda cell: cell[1])
    assert [level for level, _ in ordered] == sorted(level for level, _ in ordered)
    assert all(level >= 1 for level, number in cells if number)


def test_transcripts_are_shown_when_asked_for() -> None:
    page = matrix_page(sample_matrix(), "t", cells="transcripts")
    assert [number for _, number in _cells(page)] == [3, 2, 1, 1, 2, 0]
    assert "distinct transcripts in each cell" in page
    with pytest.raises(ValueError, match="unknown cells 'codes'"):
        matrix_page(sample_matrix(), "t", cells="codes")


@pytest.mark.parametrize("maximum", [1, 2, 3, 4, 5, 6, 7, 11, 100, 1001])
def test_the_legend_covers_every_count_once_with_its_shade(maximum: int) -> None:
    ranges = legend_ranges(maximum)
    covered = [count for _, low, high in ranges for count in range(low, high + 1)]
    assert covered == list(range(maximum + 1))
    for level, low, high in ranges:
        assert heat_level(low, maximum) == heat_level(high, maximum) == level
    assert heat_level(maximum, maximum) == LEVELS and heat_level(0, maximum) == 0
    levels = [heat_level(count, maximum) for count in range(maximum + 1)]
    assert levels == sorted(levels)


def test_the_legend_is_on_the_page_with_each_shade_and_its_counts() -> None:
    page = Page(matrix_page(sample_matrix(), "t"))
    swatches = [a.get("class") for tag, a in page.tags if tag == "li" and "swatch" in (a.get("class") or "")]
    assert swatches == [f"swatch heat-{level}" for level in range(LEVELS + 1)]
    assert "the largest cell has 7" in page.all_text()
    out = matrix_page(sample_matrix(), "t")
    shown = re.findall(r'<li class="swatch heat-\d">([^<]*)</li>', out)
    assert shown == ["0", "1", "2", "3–4", "5", "6–7"]  # each shade says the counts it stands for


def test_headers_are_scoped_labelled_and_captioned() -> None:
    page = Page(matrix_page(sample_matrix(), "t"))
    scopes = [a.get("scope") for tag, a in page.tags if tag == "th"]
    assert scopes.count("row") == 2 and scopes.count("col") == 4  # the corner and three outcomes
    assert sum(1 for tag, _ in page.tags if tag == "caption") == 1
    text = page.all_text()
    assert "mechanism (rows) by outcome (columns): distinct passages in each cell, of 12 passages in all" in text
    assert "Building trust" in text and "trust" in text and "A key person" in text


def test_hostile_labels_quotes_and_titles_are_text_never_markup() -> None:
    matrix = sample_matrix(quotes=True, label=HOSTILE, text=HOSTILE)
    matrix.rows[0] = HOSTILE
    matrix.row_labels[HOSTILE] = HOSTILE
    matrix.row_dimension = HOSTILE
    out = matrix_page(matrix, HOSTILE, cells="quotes")
    assert "<script>" not in out and "<img" not in out
    page = Page(out)
    assert [tag for tag, _ in page.tags if tag in ("script", "img")] == []
    assert HOSTILE in page.all_text()
    assert all("onerror" not in name for _, attrs in page.tags for name in attrs)


def test_the_page_is_self_contained() -> None:
    out = matrix_page(sample_matrix(quotes=True), "t", cells="quotes")
    assert f'<meta http-equiv="Content-Security-Policy" content="{CSP}">' in out
    assert CSS in out and ".heat-5" in CSS
    for outside in ("http:", "https:", "//", "src=", "href=", "url(", "@import", "<script", "<link"):
        assert outside not in out.replace("</", "<"), outside


def test_quotes_are_in_a_details_list_per_cell() -> None:
    out = matrix_page(sample_matrix(quotes=True), "t", cells="quotes")
    page = Page(out)
    assert sum(1 for tag, _ in page.tags if tag == "details") == 5  # every cell but the empty one
    assert sum(1 for tag, _ in page.tags if tag == "q") == 17
    assert "It took months. (0, 0, 6)" in page.all_text() and "corpus/a/int-01.md:16" in page.all_text()
    assert _cells(out)[0] == (LEVELS, 7)  # the number is the summary: still printed


def test_a_section_is_a_fragment_with_its_heading_and_anchor() -> None:
    out = matrix_section(sample_matrix(), "Mechanism × outcome <b>", anchor="matrix-a-1")
    assert out.startswith('<section class="heatmap-section" id="matrix-a-1"><h4>Mechanism × outcome &lt;b&gt;</h4>')
    assert "<html" not in out and "<style" not in out
    assert "A passage counts once in a cell however many coders coded it" in out


def test_an_empty_matrix_says_so_without_a_table() -> None:
    empty = Matrix([], [], [], [], [], {}, {}, "mechanism", "outcome", 0)
    out = matrix_section(empty, "Mechanism × source")
    assert "<table" not in out and "legend" not in out
    assert '<p class="absent">No coded passage has both mechanism and outcome.</p>' in out


def _luminance(colour: str) -> float:
    channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def test_every_shade_keeps_its_number_readable() -> None:
    """WCAG AA (4.5:1) between each shade and its text, from the style sheet's own rules."""
    variables = dict(re.findall(r"--([a-z]+): (#[0-9a-f]{6});", CSS))
    rules = re.findall(r"\.heat-(\d) \{ background: (#[0-9a-f]{6}); color: (#[0-9a-f]{6}|var\(--[a-z]+\)); \}", CSS)
    assert [int(level) for level, _, _ in rules] == list(range(LEVELS + 1))
    backgrounds = []
    for _, background, text in rules:
        text = variables[text[6:-1]] if text.startswith("var(") else text
        light, dark = sorted((_luminance(background), _luminance(text)), reverse=True)
        assert (light + 0.05) / (dark + 0.05) >= 4.5, (background, text)
        backgrounds.append(_luminance(background))
    assert backgrounds == sorted(backgrounds, reverse=True)  # darker for more


# --- the HTML report's matrices, as `cmo report` fills them ------------------------------------------


def _passages(programme: str, mechanism: str, outcome: str) -> int:
    """Hand-counted from the coded records: distinct passages of the programme with both codes."""
    from cmo.corpus.coding import code_corpus
    from cmo.corpus.identity import passage_key

    records = code_corpus([REPO / "corpus"]).records
    return len(
        {
            passage_key(r.id, f"{r.line_start}-{r.line_end}" if r.line_end != r.line_start else str(r.line_start))
            for r in records
            if r.programme == programme and mechanism in r.mechanism and outcome in r.outcome
        }
    )


def test_the_html_report_shows_each_programmes_matrices_after_its_cmocs(
    monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result], tmp_path: Path
) -> None:
    monkeypatch.chdir(REPO)
    out = tmp_path / "report.html"
    assert cli("report", "northcliffe-connect", "riverside-bridges", "--out", out).exit_code == 0
    page = out.read_text(encoding="utf-8")
    for programme in ("northcliffe-connect", "riverside-bridges"):
        section = page.index(f'<section class="matrices" id="matrices-{programme}">')
        assert page.index(f'id="fragments-{programme}"') < section  # after the CMOCs and their fragments
        assert f'<a href="#matrices-{programme}">Matrices of the coded evidence</a>' in page  # in the contents
        for dimension in ("outcome", "source"):
            assert section < page.index(f'id="matrix-{programme}-mechanism-{dimension}"')
    riverside = page[page.index('id="matrix-riverside-bridges-mechanism-outcome"') :]
    riverside = riverside[: riverside.index("</table>")]
    columns = re.findall(r'<th scope="col">[^<]*<code>([^<]+)</code></th>', riverside)
    row = riverside[riverside.index("<code>building-trust</code></th>") :]
    numbers = [int(n) for n in re.findall(r'<td class="heat-\d">(\d+)</td>', row[: row.index("</tr>")])]
    assert len(numbers) == len(columns) and "help-seeking" in columns
    assert (
        numbers[columns.index("help-seeking")] == _passages("riverside-bridges", "building-trust", "help-seeking") > 0
    )


def test_other_formats_and_a_corpus_without_the_programme_have_no_matrices(
    monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result], tmp_path: Path
) -> None:
    monkeypatch.chdir(REPO)
    markdown = cli("report", "riverside-bridges", "--format", "md")
    assert markdown.exit_code == 0 and "Matrices of the coded evidence" not in markdown.stdout
    out = tmp_path / "report.html"
    other = REPO / "corpus" / "northcliffe-connect"  # a corpus that holds the other programme only
    result = cli("report", "riverside-bridges", "--corpus", other, "--out", out)
    assert (result.exit_code, result.stderr) == (0, "")
    page = out.read_text(encoding="utf-8")
    assert "matrices-" not in page and "heatmap" not in page.split("</style>")[1]
