"""The fast reading of theory files: the same models as the full marked reader, and the same diagnostics."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from cmo.core.diagnostics import Diagnostics
from cmo.corpus.layout import demo_corpus
from cmo.theory import store
from cmo.theory.model import Theory, load_overarching_bytes, load_theory_bytes
from cmo.theory.store import TheoryError, load_named, overarching_beside, programme_theory_names
from cmo.yamlio.reader import UNSURE, first_key, load_bytes, load_plain

THEORIES = demo_corpus().parent / "theories"
DEMO = sorted(p for p in THEORIES.glob("*.yaml") if p.name != "overarching.yaml")
LEGACY = Path(__file__).parent / "legacy" / "northcliffe-connect.yaml"
GOOD = "programme:\n  id: alpha\n  name: Alpha\ncmocs:\n  - id: c1\n    statement: Trust grows\n"


def _large_theory() -> str:
    """A theory of many CMOCs and evidence entries, with every kind of scalar a merge writes."""
    lines = ["programme:", "  id: big", "  name: Big programme", "cmocs:"]
    for n in range(300):
        lines += [
            f"  - id: c{n}",
            f"    statement: 'Trust {n}: grows'",
            "    status: supported",
            "    completeness: [context, mechanism, outcome]",
            "    codes:",
            "      context:",
            f"        - {{id: k{n}, label: Kind {n}, excerpts: {n}}}",
            "    counts:",
            f"      excerpts: {n}",
            "      by_source: {interview: 1, observation: 0}",
            f"    triangulated: {'true' if n % 2 else 'false'}",
            "    evidence:",
        ]
        for e in range(5):
            lines += [
                f"      - record: t{e:05d}#L{n}-{n + 3}#mechanism:k{n}",
                f"        transcript: t{e:05d}",
                "        source: interview",
                f"        lines: {n}-{n + 3}",
                f'        quote: "It was {e} years, yes: no"',
                "        elicited: yes" if e % 2 else "        stance: refutes",
                "        participants: [p1, p2]",
            ]
    return "\n".join(lines) + "\n"


def _full(raw: bytes) -> tuple[Any, list[str]]:
    diagnostics = Diagnostics()
    theory, _ = load_theory_bytes(raw, "t.yaml", diagnostics)
    return theory, [d.format() for d in diagnostics.sorted()]


def _named(folder: Path, names: list[str], *, full: bool, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list[str]]:
    """What `load_named` gives (the models, or the diagnostics), the fast way or, with `full`, the full way only."""
    with monkeypatch.context() as patch:
        if full:
            patch.setattr(store, "load_plain", lambda raw: UNSURE)
        diagnostics = Diagnostics()
        try:
            loaded = load_named(names, folder, diagnostics, overarching_ok=True)
        except TheoryError:
            return None, [d.format() for d in diagnostics.sorted()]
        return (loaded.theories, loaded.overarching), [d.format() for d in diagnostics.sorted()]


@pytest.mark.parametrize("path", [*DEMO, LEGACY], ids=lambda p: p.name)
def test_the_fast_reading_gives_the_full_readings_data_and_model(path: Path) -> None:
    raw = path.read_bytes()
    assert load_plain(raw) == load_bytes(raw)
    assert Theory.model_validate(load_plain(raw)) == _full(raw)[0]


def test_a_large_theory_reads_the_same_both_ways() -> None:
    raw = _large_theory().encode()
    assert load_plain(raw) == load_bytes(raw)
    assert Theory.model_validate(load_plain(raw)) == _full(raw)[0]


def test_the_overarching_theory_reads_the_same_both_ways(monkeypatch: pytest.MonkeyPatch) -> None:
    raw = (THEORIES / "overarching.yaml").read_bytes()
    assert load_plain(raw) == load_bytes(raw)
    fast = overarching_beside(THEORIES, Diagnostics())
    assert fast is not None and fast == load_overarching_bytes(raw, "o.yaml", Diagnostics())


def test_the_fast_way_is_taken_for_a_normal_theory(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any) -> Any:
        raise AssertionError("the full reader was used")

    monkeypatch.setattr(store, "parse_document", refuse)
    names = [p.stem for p in DEMO]
    loaded = load_named(names, THEORIES, Diagnostics())
    assert [t.programme.id for t in loaded.theories] == names
    assert overarching_beside(THEORIES, Diagnostics()) is not None
    assert programme_theory_names(THEORIES) == names


def test_every_caller_of_load_named_gets_what_the_full_way_gives(monkeypatch: pytest.MonkeyPatch) -> None:
    names = [*(p.stem for p in DEMO), "overarching"]
    fast = _named(THEORIES, names, full=False, monkeypatch=monkeypatch)
    assert fast == _named(THEORIES, names, full=True, monkeypatch=monkeypatch)
    assert fast[0] is not None and fast[0][1] is not None


HOSTILE = {
    "duplicate-key": GOOD + "cmocs: []\n",
    "nested-duplicate": GOOD + "    statement: again\n",
    "duplicate-bool-int": "programme:\n  id: a\n  name: A\n  attributes: {1: x, true: y}\n",
    "alias-bomb": "a: &a [x, x, x, x, x, x, x, x, x]\n"
    + "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n" for i in range(12))
    + GOOD,
    "alias": "programme: &p\n  id: alpha\n  name: Alpha\nother: *p\n",
    "anchor-only": "programme: &p\n  id: alpha\n  name: Alpha\ncmocs: []\n",
    "huge-number": GOOD + "    counts:\n      excerpts: " + "9" * 5000 + "\n",
    "long-number": GOOD + "    counts:\n      excerpts: " + "1" * 4001 + "\n",
    "huge-sexagesimal": GOOD + "    counts:\n      excerpts: " + "1:" * 5000 + "1\n",
    "tag": GOOD + "    notes: !!python/object:os.system ls\n",
    "local-tag": GOOD + "    notes: !mine text\n",
    "str-tag": GOOD + "    notes: !!str 12\n",
    "merge-key": "programme:\n  <<: {id: alpha}\n  name: Alpha\n",
    "value-key": "programme:\n  id: alpha\n  name: =\n",
    "bad-date": GOOD + "    notes: 2024-13-45\n",
    "invalid-value": GOOD + "    status: maybe\n",
    "wrong-type": GOOD + "    links: 12\n",
    "wrong-types": "programme: 3\ncmocs: {a: 1}\n",
    "unknown-key": GOOD + "    statment: typo\n",
    "not-a-mapping": "- programme\n- cmocs\n",
    "a-string": "programme:alpha\n",
    "empty": "",
    "comment-only": "# nothing\n",
    "null-document": "~\n",
    "bom": "\ufeff" + GOOD,
    "crlf": GOOD.replace("\n", "\r\n"),
    "bom-crlf-error": "\ufeff" + GOOD.replace("\n", "\r\n") + "    status: maybe\r\n",
    "lone-cr": GOOD.replace("\n", "\r"),
    "syntax": GOOD + "  - id: [unclosed\n",
    "two-documents": GOOD + "---\nprogramme: {id: b, name: B}\n",
    "complex-key": "? [a, b]\n: 1\n" + GOOD,
    "deep": "programme:\n  id: a\n  name: A\n  attributes:\n    x: " + "[" * 200 + "]" * 200 + "\n",
    "very-deep": "programme: " + "[" * 5000 + "]" * 5000 + "\n",
    "neither-kind": "cmocs: []\n",
    "null-keys": "programme:\n  id: a\n  name: A\ncmocs: [" + "?, " * 30_000 + "]\n",
    "not-utf8": GOOD + "    notes: caf\xe9\n",
    "overarching-invalid": "programmes: [a, b]\ncmocs: 3\n",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_odd_input_gives_exactly_todays_diagnostics(name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = HOSTILE[name]
    raw = text.encode("latin-1") if name == "not-utf8" else text.encode()
    (tmp_path / "alpha.yaml").write_bytes(raw)
    fast = _named(tmp_path, ["alpha"], full=False, monkeypatch=monkeypatch)
    assert fast == _named(tmp_path, ["alpha"], full=True, monkeypatch=monkeypatch)
    plain = load_plain(raw)
    if plain is not UNSURE:
        assert plain == load_bytes(raw)


@pytest.mark.parametrize("name", ["duplicate-key", "alias-bomb", "huge-number", "tag", "merge-key", "bad-date"])
def test_the_fast_reading_is_unsure_of_what_the_full_reader_polices(name: str) -> None:
    assert load_plain(HOSTILE[name].encode()) is UNSURE


def test_the_first_key_is_read_from_the_first_events_alone() -> None:
    assert first_key(GOOD.encode() + b"cmocs: [unclosed\n") == "programme"
    assert first_key(b"\xef\xbb\xbfprogramme:\r\n  id: a\r\n") == "programme"
    assert first_key(b"programmes: [a]\nprogramme: x\n") == "programmes"
    for raw in (b"", b"- programme\n", b"? [a]\n: 1\n", b"&a programme: x\n", b"!!str programme: x\n", b"caf\xe9"):
        assert first_key(raw) is UNSURE


def test_a_folder_of_odd_files_is_classified_as_before(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for name, text in HOSTILE.items():
        raw = text.encode("latin-1") if name == "not-utf8" else text.encode()
        (tmp_path / f"{name}.yaml").write_bytes(raw)
    (tmp_path / "overarching.yaml").write_text("programmes: [a, b]\ncmocs: []\n", encoding="utf-8")
    (tmp_path / "late.yaml").write_text("cmocs: []\nprogrammes: [a]\nprogramme: {id: a, name: A}\n", encoding="utf-8")
    fast = programme_theory_names(tmp_path)
    monkeypatch.setattr(store, "first_key", lambda raw: UNSURE)
    assert fast == programme_theory_names(tmp_path)
    assert "overarching" not in fast and "late" in fast


def test_a_copied_demo_folder_reports_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "theories"
    shutil.copytree(THEORIES, folder)
    names = programme_theory_names(folder)
    fast = _named(folder, names, full=False, monkeypatch=monkeypatch)
    assert fast == _named(folder, names, full=True, monkeypatch=monkeypatch)
