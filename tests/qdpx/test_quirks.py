"""What real exports do: BOMs, CRLF counted one way or the other, `Sources/`, inline text, `internal://` paths, categories."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.corpus.coding import code_corpus
from tests.conftest import Result
from tests.qdpx.conftest import (
    TEXT,
    codebook,
    guid,
    project_xml,
    selection,
    simple_project,
    span,
    text_source,
    users,
    write_qdpx,
)

PASSAGES = ["It took months before anyone at the mosque would talk to me.", "three women came to me", "had tea"]


def imported_quotes(cli: Callable[..., Result], tmp_path: Path, *extra: str) -> list[str]:
    corpus = tmp_path / "corpus"
    result = cli(
        "qdpx", "import", tmp_path / "p.qdpx", "-p", "alpha", "--corpus", corpus, "--source-type", "interview", *extra
    )
    assert result.exit_code == 0, result.stderr
    coded = code_corpus([corpus])
    assert coded.ok, [d.format() for d in coded.diagnostics]
    return [record.quote for record in coded.records]


def selections_for(text: str, width: int) -> str:
    """Selections of PASSAGES, positions counting each CRLF in `text` as `width` code points."""
    found = ""
    for number, passage in enumerate(PASSAGES, 1):
        start, end = span(text.replace("\r\n", "\n"), passage)
        if width == 2:
            before = text.replace("\r\n", "\n")[:start].count("\n")
            start, end = start + before, end + before
        found += selection(number, start, end, [11])
    return found


def test_a_bom_in_a_source_is_no_position(cli: Callable[..., Result], tmp_path: Path) -> None:
    files = simple_project(selections_for(TEXT, 1))
    files["sources/s1.txt"] = b"\xef\xbb\xbf" + TEXT.encode("utf-8")
    write_qdpx(tmp_path / "p.qdpx", files)
    assert imported_quotes(cli, tmp_path) == PASSAGES
    transcript = (tmp_path / "corpus/alpha/interviews/interview-1.md").read_bytes()
    assert b"\xef\xbb\xbf" not in transcript


def test_a_bom_in_the_project_xml_is_accepted(cli: Callable[..., Result], tmp_path: Path) -> None:
    files = simple_project(selections_for(TEXT, 1))
    files["project.qde"] = b"\xef\xbb\xbf" + str(files["project.qde"]).encode("utf-8")
    write_qdpx(tmp_path / "p.qdpx", files)
    assert imported_quotes(cli, tmp_path) == PASSAGES


@pytest.mark.parametrize(
    ("width", "origin"), [(2, "NVivo 14"), (1, "ATLAS.ti 23"), (1, "NVivo 14"), (2, "ATLAS.ti 23")]
)
def test_crlf_counted_as_one_or_two_positions_is_detected(
    cli: Callable[..., Result], tmp_path: Path, width: int, origin: str
) -> None:
    crlf = TEXT.replace("\n", "\r\n")
    files = simple_project(selections_for(crlf, width))
    files["sources/s1.txt"] = crlf
    files["project.qde"] = str(files["project.qde"]).replace('origin="test"', f'origin="{origin}"')
    write_qdpx(tmp_path / "p.qdpx", files)
    assert imported_quotes(cli, tmp_path) == PASSAGES
    assert b"\r" not in (tmp_path / "corpus/alpha/interviews/interview-1.md").read_bytes()


def test_crlf_option_overrides_detection(cli: Callable[..., Result], tmp_path: Path) -> None:
    crlf = TEXT.replace("\n", "\r\n")
    files = simple_project(selections_for(crlf, 2))
    files["sources/s1.txt"] = crlf
    write_qdpx(tmp_path / "p.qdpx", files)
    # Read as one position per CRLF, passages after the first line shift by the line breaks before them.
    quotes = imported_quotes(cli, tmp_path, "--crlf", "1")
    assert quotes[0] == PASSAGES[0]
    assert quotes[1:] == ["ee women came to me th", "ea, not"]
    assert imported_quotes(cli, tmp_path, "--crlf", "2", "--force") == PASSAGES


def test_sources_folder_may_be_capitalised(cli: Callable[..., Result], tmp_path: Path) -> None:
    files = simple_project(selections_for(TEXT, 1))
    files["Sources/s1.txt"] = files.pop("sources/s1.txt")
    write_qdpx(tmp_path / "p.qdpx", files)
    assert imported_quotes(cli, tmp_path) == PASSAGES


def test_plain_text_content_inline_instead_of_a_file(cli: Callable[..., Result], tmp_path: Path) -> None:
    source = text_source(1, "Interview 1", selections_for(TEXT, 1), content=TEXT)
    xml = project_xml(users("AB") + codebook() + f"<Sources>{source}</Sources>")
    write_qdpx(tmp_path / "p.qdpx", {"project.qde": xml})
    assert imported_quotes(cli, tmp_path) == PASSAGES


@pytest.mark.parametrize("path", ["internal://interviews/one.txt", "interviews/one.txt"])
def test_internal_paths_and_bare_names_are_read_from_the_sources_folder(
    cli: Callable[..., Result], tmp_path: Path, path: str
) -> None:
    source = text_source(1, "Interview 1", selections_for(TEXT, 1), path=path)
    xml = project_xml(users("AB") + codebook() + f"<Sources>{source}</Sources>")
    write_qdpx(tmp_path / "p.qdpx", {"project.qde": xml, "sources/interviews/one.txt": TEXT})
    assert imported_quotes(cli, tmp_path) == PASSAGES


def test_a_source_outside_the_project_is_reported_not_read(cli: Callable[..., Result], tmp_path: Path) -> None:
    source = text_source(1, "Interview 1", selections_for(TEXT, 1), path="absolute:///etc/passwd")
    xml = project_xml(users("AB") + codebook() + f"<Sources>{source}</Sources>")
    qdpx = write_qdpx(tmp_path / "p.qdpx", {"project.qde": xml})
    result = cli("qdpx", "import", qdpx, "-p", "alpha", "--corpus", tmp_path / "corpus", "--source-type", "interview")
    assert result.exit_code == 0
    assert (
        f"{qdpx}:1:1: warning[qdpx-source]: source 'Interview 1' is a file outside the project "
        "(absolute:///etc/passwd); not imported"
    ) in result.stderr
    assert not (tmp_path / "corpus/alpha/interviews").exists()


def test_categories_that_are_not_codable_group_codes_without_becoming_codes(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    tree = (
        f'<CodeBook><Codes><Code guid="{guid(1)}" name="Context" isCodable="false">'
        f'<Code guid="{guid(2)}" name="Community" isCodable="false">'
        f'<Code guid="{guid(11)}" name="Stigma" isCodable="true"/></Code></Code></Codes></CodeBook>'
    )
    source = text_source(1, "Interview 1", selections_for(TEXT, 1), path="internal://s1.txt")
    xml = project_xml(users("AB") + tree + f"<Sources>{source}</Sources>")
    write_qdpx(tmp_path / "p.qdpx", {"project.qde": xml, "sources/s1.txt": TEXT})
    assert imported_quotes(cli, tmp_path) == PASSAGES
    assert (tmp_path / "corpus/alpha/codebook.yaml").read_text(encoding="utf-8") == (
        "codes:\n  stigma:\n    kind: context\n    label: Stigma\n"
    )


def test_selection_positions_outside_the_text_are_reported(cli: Callable[..., Result], tmp_path: Path) -> None:
    qdpx = write_qdpx(
        tmp_path / "p.qdpx", simple_project(selection(1, 5, 10_000, [11]) + selection(2, *span(TEXT, "had tea"), [11]))
    )
    result = cli("qdpx", "import", qdpx, "-p", "alpha", "--corpus", tmp_path / "corpus", "--source-type", "interview")
    assert result.exit_code == 0
    assert (
        f"{qdpx}:1:1: warning[qdpx-selection]: selection 'sel 1' in source 'Interview 1': "
        "positions 5-10000 do not fit the text; skipped"
    ) in result.stderr
    assert [record.quote for record in code_corpus([tmp_path / "corpus"]).records] == ["had tea"]
