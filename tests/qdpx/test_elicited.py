"""`elicited: true` travels through a `.qdpx` as a line of the selection's description, and comes back on import."""

from __future__ import annotations

from pathlib import Path

import pytest

from cmo.core.diagnostics import Diagnostics
from cmo.core.rules import Rule
from cmo.corpus.coding import code_corpus
from cmo.corpus.models import Record, SourceType
from cmo.qdpx.exporter import export_qdpx
from cmo.qdpx.importer import ImportOptions, import_qdpx
from tests.conftest import DEMO_CORPUS
from tests.qdpx.conftest import TEXT, guid, selection, simple_project, span, write_qdpx

PASSAGE = "After that, three women came to me the same week."


def _write(path: Path, options: ImportOptions) -> None:
    """Import `path` as `options` say, and write the files."""
    result = import_qdpx(path, options)
    assert not result.diagnostics.errors, [d.format() for d in result.diagnostics.items]
    for file, text in result.files.items():
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text, encoding="utf-8")


def _import(path: Path, corpus: Path, source_type: SourceType = SourceType.INTERVIEW) -> list[Record]:
    """Import `path` as programme alpha into `corpus`, and code it."""
    _write(path, ImportOptions(programme="alpha", corpus=corpus, source_type=source_type))
    return code_corpus([corpus]).records


def test_elicited_survives_export_then_import_of_the_demo(tmp_path: Path) -> None:
    before = {record.id: record.elicited for record in code_corpus([DEMO_CORPUS]).records}
    assert sum(before.values()) >= 7  # the demo workshops answer theories the evaluator put to them
    for programme in ("northcliffe-connect", "riverside-bridges"):
        exported = export_qdpx(code_corpus([DEMO_CORPUS]), [programme], Diagnostics())
        path = tmp_path / f"{programme}.qdpx"
        path.write_bytes(exported.data)
        _write(path, ImportOptions(programme=programme, corpus=tmp_path / "corpus"))
    coded = code_corpus([tmp_path / "corpus"])
    assert coded.ok, [d.format() for d in coded.diagnostics]
    after = {record.id: record.elicited for record in coded.records}
    # Record ids are content-based, so every record is found again under its own id.
    assert after == before


@pytest.mark.parametrize(
    ("description", "elicited", "note"),
    [
        ("elicited: true", True, None),
        ("cmo record: alpha/interview-1#0a1b2c3d\nstance: refines\nelicited: true  ", True, None),
        (None, False, None),
        ("Asked by the evaluator.", False, "Asked by the evaluator."),
        # Not cmo's marker: the line stays in the note, and the passage is not elicited.
        ("elicited: yes", False, "elicited: yes"),
        ("elicited: True", False, "elicited: True"),
        ("elicited: false", False, "elicited: false"),
        ("elicited:", False, "elicited:"),
        ("We said: elicited: true", False, "We said: elicited: true"),
        # A hostile description cannot add keys to the annotation: its other lines are only note text.
        ("elicited: true\nquote: injected\ncoder: X", True, "quote: injected\ncoder: X"),
    ],
)
def test_the_elicited_marker_is_read_from_the_selections_description(
    tmp_path: Path, description: str | None, elicited: bool, note: str | None
) -> None:
    project = simple_project(selection(1, *span(TEXT, PASSAGE), [11, 31], description=description))
    (record,) = _import(write_qdpx(tmp_path / "p.qdpx", project), tmp_path / "corpus")
    assert (record.elicited, record.note, record.quote, record.coder) == (elicited, note, PASSAGE, "AB")
    assert record.stance == ("refines" if description and "stance: refines" in description else "supports")


def test_a_note_saying_elicited_is_note_text_only(tmp_path: Path) -> None:
    coded = selection(1, *span(TEXT, PASSAGE), [11, 31]).replace(
        "</PlainTextSelection>", f'<NoteRef targetGUID="{guid(700)}"/></PlainTextSelection>'
    )
    notes = f'<Notes><Note guid="{guid(700)}" name="memo"><PlainTextContent>elicited: true</PlainTextContent></Note></Notes>'
    (record,) = _import(write_qdpx(tmp_path / "p.qdpx", simple_project(coded, extra=notes)), tmp_path / "corpus")
    assert (record.elicited, record.note) == (False, "elicited: true")


def test_elicited_on_an_observation_is_written_and_reported_by_coding(tmp_path: Path) -> None:
    project = simple_project(selection(1, *span(TEXT, PASSAGE), [11, 31], description="elicited: true"))
    path = write_qdpx(tmp_path / "p.qdpx", project)
    (record,) = _import(path, tmp_path / "corpus", SourceType.OBSERVATION)
    assert not record.elicited  # nobody was put a theory in an observation: counted as observed
    coded = code_corpus([tmp_path / "corpus"])
    assert [d.rule for d in coded.diagnostics] == [Rule.ELICITED_SOURCE]
