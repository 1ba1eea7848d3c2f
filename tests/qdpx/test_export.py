"""`cmo qdpx export`: a valid, deterministic REFI-QDA project whose selections point at each record's evidence."""

from __future__ import annotations

import importlib.util
import zipfile
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.diagnostics import Diagnostics
from cmo.core.paths import display_path
from cmo.corpus.coding import code_corpus
from cmo.corpus.models import Record
from cmo.qdpx.exporter import export_qdpx
from cmo.qdpx.project import QdaCode, parse_project
from tests.conftest import DEMO_CORPUS, Result, corpus_files

DEMO_PROGRAMMES = ["northcliffe-connect", "riverside-bridges"]


def _key(record: Record) -> tuple[object, ...]:
    return (
        record.transcript,
        tuple(sorted(record.codes())),
        tuple(sorted(record.resource)),
        tuple(sorted(record.reasoning)),
        " ".join(record.quote.split()),
        record.coder,
        record.cmoc,
        record.stance,
        record.elicited,
        record.note,
    )


@pytest.mark.parametrize("programme", DEMO_PROGRAMMES)
def test_export_then_import_gives_the_same_records(cli: Callable[..., Result], tmp_path: Path, programme: str) -> None:
    out = tmp_path / "demo.qdpx"
    exported = cli("qdpx", "export", programme, "--corpus", DEMO_CORPUS, "--out", out)
    assert exported.exit_code == 0, exported.stderr
    imported = cli("qdpx", "import", out, "--programme", programme, "--corpus", tmp_path / "corpus")
    assert imported.exit_code == 0, imported.stderr
    assert imported.stderr == "0 errors, 0 warnings in 8 transcripts\n"
    before = [r for r in code_corpus([DEMO_CORPUS]).records if r.programme == programme]
    after = code_corpus([tmp_path / "corpus"])
    assert after.ok, [d.format() for d in after.diagnostics]
    assert len(after.records) == len(before) > 40
    assert Counter(map(_key, after.records)) == Counter(map(_key, before))
    coders = {(r.transcript, r.coder) for r in before}
    assert {(r.transcript, r.coder) for r in after.records} == coders
    assert {(r.transcript, r.source, r.date) for r in after.records} == {
        (r.transcript, r.source, r.date) for r in before
    }


def test_export_is_deterministic_and_holds_both_programmes(cli: Callable[..., Result], tmp_path: Path) -> None:
    first = cli("qdpx", "export", "--corpus", DEMO_CORPUS, "--out", tmp_path / "a.qdpx")
    assert first.exit_code == 0
    records = code_corpus([DEMO_CORPUS]).records  # every coding is exported: double coding too
    assert first.stdout == f"wrote {tmp_path / 'a.qdpx'}: 16 sources, {len(records)} coded passages\n"
    assert cli("qdpx", "export", "--corpus", DEMO_CORPUS, "--out", tmp_path / "b.qdpx").exit_code == 0
    assert (tmp_path / "a.qdpx").read_bytes() == (tmp_path / "b.qdpx").read_bytes()
    with zipfile.ZipFile(tmp_path / "a.qdpx") as archive:
        assert {info.date_time for info in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
        assert archive.namelist()[0] == "project.qde"


def _demo_project(tmp_path: Path) -> tuple[bytes, zipfile.ZipFile]:
    data = export_qdpx(code_corpus([DEMO_CORPUS]), DEMO_PROGRAMMES, Diagnostics()).data
    (tmp_path / "demo.qdpx").write_bytes(data)
    archive = zipfile.ZipFile(tmp_path / "demo.qdpx")
    return archive.read("project.qde"), archive


def test_every_selection_spans_its_records_evidence_in_code_points(tmp_path: Path) -> None:
    xml, archive = _demo_project(tmp_path)
    project = parse_project(xml)
    records = {record.id: record for record in code_corpus([DEMO_CORPUS]).records}
    checked = 0
    for source in project.sources:
        assert source.plain_text_path == f"internal://{source.guid}.txt"
        text = archive.read(f"sources/{source.guid}.txt").decode("utf-8")
        assert "```cmo" not in text and not text.startswith("---")
        for selection in source.selections:
            assert selection.start is not None and selection.end is not None and selection.description
            record = records[selection.description.splitlines()[0].removeprefix("cmo record: ")]
            assert " ".join(text[selection.start : selection.end].split()) == record.quote
            checked += 1
    assert checked == len(records)


def test_the_code_tree_is_grouped_by_kind_with_users_cases_variables_and_notes(tmp_path: Path) -> None:
    xml, _ = _demo_project(tmp_path)
    project = parse_project(xml)
    assert [(code.name, code.codable) for code in project.codes] == [
        ("Intervention", False),
        ("Context", False),
        ("Actor", False),
        ("Mechanism", False),
        ("Outcome", False),
    ]

    def names(code: QdaCode) -> list[str]:
        return [child.name for child in code.children if not child.codable]

    assert names(project.codes[1]) == ["Enablers", "Barriers"]
    assert names(project.codes[3]) == ["Resource", "Reasoning"]
    trust = next(c for c in project.codes[3].children if c.name == "Building trust with the group")
    assert trust.description is not None and trust.description.endswith("\n\ncmo id: building-trust")
    assert sorted(project.users.values()) == ["AB", "CD", "EF"]
    assert sorted(project.variables.values()) == ["date", "role", "source type"]
    assert len(project.notes) == sum(1 for r in code_corpus([DEMO_CORPUS]).records if r.note)
    p01 = next(case for case in project.cases if case.name == "northcliffe-connect/P01" or case.name == "P01")
    assert p01.sources and {project.variables[v.variable]: v.value for v in p01.values}["role"] == "community connector"


def test_the_export_validates_against_the_refi_qda_schema(tmp_path: Path) -> None:
    xmlschema = pytest.importorskip("xmlschema")
    spec = importlib.util.find_spec("qualitative_coding")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("the REFI-QDA schema ships with qualitative-coding (test extra)")
    schema = xmlschema.XMLSchema(str(Path(next(iter(spec.submodule_search_locations))) / "refi_qda" / "schema.xsd"))
    xml, _ = _demo_project(tmp_path)
    schema.validate(xml.decode("utf-8"))


def test_export_refuses_a_corpus_with_errors(
    cli: Callable[..., Result], tree: Callable[..., Path], tmp_path: Path
) -> None:
    root = tree(corpus_files(bad="---\nsource: podcast\n---\ntext\n"))
    result = cli("qdpx", "export", "--corpus", root, "--out", tmp_path / "x.qdpx")
    assert result.exit_code == 1
    assert result.stderr.endswith("cmo: nothing exported: fix the errors above first\n")
    assert not (tmp_path / "x.qdpx").exists()


def test_export_names_an_unknown_programme(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("qdpx", "export", "northcliff-connect", "--corpus", DEMO_CORPUS, "--out", tmp_path / "x.qdpx")
    assert result.exit_code == 1
    assert result.stderr == (
        f"{display_path(DEMO_CORPUS)}:1:1: error[qdpx-programme]: no programme 'northcliff-connect' in this corpus; "
        "did you mean 'northcliffe-connect'?\n"
    )


def test_export_needs_out(cli: Callable[..., Result]) -> None:
    result = cli("qdpx", "export", "--corpus", DEMO_CORPUS)
    assert (result.exit_code, result.stderr) == (2, "cmo: error: cmo qdpx export needs --out FILE.qdpx\n")
