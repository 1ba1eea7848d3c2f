"""Importing `.qdpx` files that real QDA software wrote: qualitative-coding (`qc`) exports made here, and the NVivo
for Mac and qc 1.3.2 exports that the qualitative-coding package ships."""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.paths import display_path
from cmo.corpus.coding import code_corpus
from tests.conftest import Result

QC_CODEBOOK = """\
- Context:
  - stigma around mental health
- Mechanism:
  - Resource:
    - key persons
  - Reasoning:
    - trust
- Outcome:
  - help seeking
- themes:
  - family
"""
QC_TEXT = [
    "Interview with a community connector.",
    "It took months before anyone at the mosque would talk to me about how they felt.",
    "Then the imam said I was one of theirs, and three women came the same week.",
    "My mother-in-law thinks it is all nonsense.",
    "Now they ring me at nine at night, and I always answer.",
]


def _qc_package() -> Path:
    spec = importlib.util.find_spec("qualitative_coding")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("qualitative-coding (a test extra) is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


def qc_export(folder: Path, line_break: str) -> Path:
    """Code an interview with qualitative-coding, two coders, and export it as REFI-QDA, as its users do."""
    _qc_package()
    from qualitative_coding.corpus import QCCorpus  # type: ignore[import-untyped]
    from qualitative_coding.refi_qda.writer import REFIQDAWriter  # type: ignore[import-untyped]

    folder.mkdir()
    settings = folder / "settings.yaml"
    QCCorpus.initialize(settings)
    (folder / "codebook.yaml").write_text(QC_CODEBOOK, encoding="utf-8")
    interview = folder / "connector.txt"
    interview.write_bytes(line_break.join(QC_TEXT).encode("utf-8") + line_break.encode())
    corpus = QCCorpus(settings)
    with corpus.session():
        corpus.import_media(interview, importer="verbatim")
        lines = [{"line": 1, "code_id": "stigma around mental health"}, {"line": 2, "code_id": "key persons"}]
        lines += [{"line": 2, "code_id": "trust"}, {"line": 3, "code_id": "family"}, {"line": 4, "code_id": "trust"}]
        corpus.update_coded_lines("connector.txt", "chris", lines)
        corpus.update_coded_lines("connector.txt", "dana", [{"line": 2, "code_id": "help seeking"}])
    out = folder / "project.qdpx"
    REFIQDAWriter(settings).write(out)
    return out


@pytest.mark.parametrize("line_break", ["\n", "\r\n"])
def test_a_project_exported_by_qualitative_coding_imports(
    cli: Callable[..., Result], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, line_break: str
) -> None:
    monkeypatch.chdir(tmp_path)
    qdpx = qc_export(tmp_path / "qc", line_break)
    # qc counts line breaks as its text-mode reading sees them (CRLF as one), yet ships the file as it was.
    result = cli(
        "qdpx", "import", qdpx, "-p", "qc-study", "--corpus", tmp_path / "corpus", "--source-type", "interview"
    )
    assert result.exit_code == 0, result.stderr
    assert (
        f"{display_path(qdpx)}:1:1: warning[qdpx-unplaced-code]: code 'themes/family' has no kind: 1 coding not imported"
        in result.stderr
    )
    coded = code_corpus([tmp_path / "corpus"])
    assert coded.ok, [d.format() for d in coded.diagnostics]
    found = [(r.quote, r.context, r.resource, r.reasoning, r.outcome, r.coder) for r in coded.records]
    assert found == [
        (QC_TEXT[1], ["stigma-around-mental-health"], [], [], [], "chris"),
        (QC_TEXT[2], [], ["key-persons"], ["trust"], ["help-seeking"], "chris, dana"),
        (QC_TEXT[4], [], [], ["trust"], [], "chris"),
    ]
    assert {r.transcript for r in coded.records} == {"connector"}


def test_an_nvivo_export_imports_its_sources_and_reports_codes_without_kind(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    nvivo = _qc_package() / "refi_qda" / "nvivo_project.qdpx"  # written by "NVivo for Mac 15.0.0"
    (tmp_path / "MAP.yaml").write_text("codes:\n  citizenship: context\n  hci: outcome\n", encoding="utf-8")
    corpus = tmp_path / "corpus"
    result = cli(
        "qdpx",
        "import",
        nvivo,
        "-p",
        "nvivo",
        "--corpus",
        corpus,
        "--source-type",
        "document",
        "--map",
        tmp_path / "MAP.yaml",
    )
    assert result.exit_code == 0, result.stderr
    lines = result.stderr.splitlines()
    assert lines[0].startswith(
        f"{display_path(nvivo)}:1:1: warning[qdpx-unplaced-code]: 258 codes without a kind and without codings left out of the codebook: "
    )
    assert sorted(path.name for path in (corpus / "nvivo/documents").iterdir()) == [
        "33663939-3636-3632-3038-613431643463.md",
        "66653866-6334-3535-3435-366637306566.md",
    ]
    # The same name in three places of the tree is one code: the map names it, the kinds agree.
    assert (corpus / "nvivo/codebook.yaml").read_text(encoding="utf-8") == (
        "codes:\n  hci:\n    kind: outcome\n    label: hci\n  citizenship:\n    kind: context\n    label: citizenship\n"
    )
    assert code_corpus([corpus]).ok


def test_a_qc_1_3_export_with_bare_source_paths_imports_with_a_map(cli: Callable[..., Result], tmp_path: Path) -> None:
    demo = _qc_package() / "demo.qdpx"  # written by "qc 1.3.2": plainTextPath="board_2017.txt", no source names
    (tmp_path / "MAP.yaml").write_text(
        "codes:\n  rq1_definition/rationales/equity: context\n  graduation_requirement: {kind: outcome, id: graduation}\n",
        encoding="utf-8",
    )
    corpus = tmp_path / "corpus"
    result = cli(
        "qdpx",
        "import",
        demo,
        "-p",
        "board",
        "--corpus",
        corpus,
        "--source-type",
        "document",
        "--map",
        tmp_path / "MAP.yaml",
    )
    assert result.exit_code == 0, result.stderr
    assert (
        f"{display_path(demo)}:1:1: warning[qdpx-unplaced-code]: 179 codings of 74 codes not imported: "
        in result.stderr
    )
    coded = code_corpus([corpus])
    assert coded.ok
    assert (
        sum(1 for r in coded.records if r.context == ["equity"])
        + sum(1 for r in coded.records if r.outcome == ["graduation"])
        >= len(coded.records)
        > 15
    )
    assert {r.transcript for r in coded.records} == {"board_2017"}
