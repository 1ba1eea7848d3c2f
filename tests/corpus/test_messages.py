"""Messages a social scientist understands (issue 14): each slip named in plain words, with its fix."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.suggest import closest, did_you_mean, slug_of, with_article
from cmo.corpus.coding import code_corpus
from cmo.corpus.evidence import describe_closest
from tests.conftest import PROGRAMME, SHARED_CODEBOOK, Result, write_tree

HEAD = "---\nsource: interview\n---\n\n**P01:** The buses. Honestly, it took months before anyone would talk.\n\n"
TWO_PROGRAMMES: dict[str, str | bytes] = {
    "codebook.yaml": SHARED_CODEBOOK,
    "a/programme.yaml": PROGRAMME.replace("id: alpha", "id: a"),
    "a/codebook.yaml": "codes:\n  connectors: {kind: intervention, label: C}\n  faith: {kind: actor, label: F}\n",
    "b/programme.yaml": PROGRAMME.replace("id: alpha", "id: b"),
    "b/codebook.yaml": "codes:\n  buses: {kind: context, label: Buses}\n  walking: {kind: mechanism, label: W}\n",
}


def _found(root: Path, monkeypatch: pytest.MonkeyPatch, **transcripts: str | bytes) -> list[str]:
    files = dict(TWO_PROGRAMMES)
    files.update({f"a/{name}.md": text for name, text in transcripts.items()})
    write_tree(root / "corpus", files)
    monkeypatch.chdir(root / "corpus")
    return [d.format() for d in code_corpus([Path()], jobs=1).diagnostics]


def _block(body: str) -> str:
    return HEAD + "```cmo\n" + body + "```\n"


# --- 1. a or an -----------------------------------------------------------------------------------


def test_a_kind_takes_the_article_it_is_said_with() -> None:
    assert [with_article(word) for word in ("intervention", "actor", "outcome", "context", "mechanism")] == [
        "an intervention",
        "an actor",
        "an outcome",
        "a context",
        "a mechanism",
    ]
    assert with_article("observation") == "an observation" and with_article("document") == "a document"


def test_codes_of_the_wrong_kind_are_an_intervention_code_and_an_actor_code(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = _found(tmp_path, monkeypatch, t=_block("context: connectors\noutcome: faith\n"))
    assert found == [
        "a/t.md:8:10: error[code-kind]: code 'connectors' is an intervention code, but `context` takes context codes",
        "a/t.md:9:10: error[code-kind]: code 'faith' is an actor code, but `outcome` takes outcome codes",
    ]


def test_a_qdpx_map_id_of_another_kind_says_an_outcome_code(cli: Callable[..., Result], tmp_path: Path) -> None:
    from tests.qdpx.conftest import TEXT, selection, simple_project, span, write_qdpx

    (tmp_path / "MAP.yaml").write_text("codes:\n  Trust: outcome\n  Family: {kind: context, id: trust}\n", "utf-8")
    passage = "It took months before anyone at the mosque would talk to me."
    write_qdpx(tmp_path / "p.qdpx", simple_project(selection(1, *span(TEXT, passage), [51])))
    result = cli(
        "qdpx", "import", tmp_path / "p.qdpx", "--programme", "alpha", "--corpus", tmp_path / "corpus",
        "--source-type", "interview", "--map", tmp_path / "MAP.yaml",
    )  # fmt: skip
    assert (
        f"{tmp_path / 'MAP.yaml'}:3:11: error[qdpx-map]: id 'trust' is already an outcome code; 'Family' is context"
        in result.stderr.splitlines()
    )


# --- 2. did you mean: never the very word that is wrong ----------------------------------------------


def test_did_you_mean_never_offers_the_word_itself() -> None:
    assert closest("help", ["help", "helps"]) == "helps"
    assert did_you_mean("help", ["help"]) == ""
    assert did_you_mean("stigm", ["stigma", "stigm"]) == "; did you mean 'stigma'?"


def test_a_code_of_the_wrong_kind_is_offered_only_codes_of_the_kind_wanted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # 'faith' is an actor code; 'faiths' another actor code, which would be wrong under `outcome` too.
    codebook = str(TWO_PROGRAMMES["a/codebook.yaml"]) + "  faiths: {kind: actor, label: L}\n"
    write_tree(tmp_path, {**TWO_PROGRAMMES, "a/codebook.yaml": codebook})
    write_tree(tmp_path, {"a/t.md": _block("outcome: faith\ncontext: stigmas\n")})
    monkeypatch.chdir(tmp_path)
    assert [d.format() for d in code_corpus([Path()], jobs=1).diagnostics] == [
        "a/t.md:8:10: error[code-kind]: code 'faith' is an actor code, but `outcome` takes outcome codes",
        "a/t.md:9:10: error[unknown-code]: unknown code 'stigmas': not in any codebook of programme 'a'; "
        "did you mean 'stigma'?",
    ]


# --- 3. a cmoc that is no id ---------------------------------------------------------------------------


def test_a_cmoc_written_as_a_name_is_offered_its_slug() -> None:
    assert slug_of("Walking side by side") == "walking-side-by-side"
    assert slug_of("  Café -- Culture!! ") == "cafe-culture"
    assert slug_of("!!") == ""


def test_a_cmoc_that_is_no_id_gets_the_slug_and_whether_another_annotation_names_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    block = "context: stigma\noutcome: help-seeking\ncmoc: Walking side by side\n"
    named = "```cmo\ncontext: stigma\noutcome: help-seeking\ncmoc: walking-side-by-side\n```\n"
    found = _found(tmp_path, monkeypatch, t=_block(block) + "\nand more.\n\n" + named, u=_block("cmoc: Trust first\n"))
    valid = "is not a valid id (lower-case letters, digits and '-', starting with a letter or digit)"
    assert found == [
        f"a/t.md:10:7: error[invalid-value]: cmoc: 'Walking side by side' {valid}; "
        "did you mean 'walking-side-by-side'? (line 16 names that CMOC)",
        f"a/u.md:8:7: error[invalid-value]: cmoc: 'Trust first' {valid}; did you mean 'trust-first'?",
    ]


# --- 4. a code another programme declares -------------------------------------------------------------


def test_a_code_only_another_programme_declares_says_where_and_that_the_shared_codebook_serves_both(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = _found(tmp_path, monkeypatch, t=_block("context: buses\noutcome: help-seeking\n"))
    assert found == [
        "a/t.md:8:10: error[unknown-code]: unknown code 'buses': not in any codebook of programme 'a'; it is "
        "declared in programme 'b' (corpus/b/codebook.yaml): declare it in corpus/codebook.yaml (the shared "
        "codebook) to use it in both",
    ]


def test_a_code_several_other_programmes_declare_names_them_all(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        tmp_path / "corpus",
        {
            "c/programme.yaml": PROGRAMME.replace("id: alpha", "id: c"),
            "c/codebook.yaml": "codes:\n  buses: {kind: context, label: B}\n",
            ".hidden/programme.yaml": PROGRAMME,
            ".hidden/codebook.yaml": "codes:\n  buses: {kind: context, label: B}\n",
        },
    )
    found = _found(tmp_path, monkeypatch, t=_block("context: buses\n"))
    assert found == [
        "a/t.md:8:10: error[unknown-code]: unknown code 'buses': not in any codebook of programme 'a'; it is "
        "declared in programmes 'b' (corpus/b/codebook.yaml) and 'c' (corpus/c/codebook.yaml): declare it in "
        "corpus/codebook.yaml (the shared codebook) to use it in all of them",
    ]


def test_other_programmes_codebooks_are_read_only_for_an_unknown_code_and_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import cmo.corpus.layout

    read: list[str] = []
    real = cmo.corpus.layout._codes_of_other_programmes

    def counting(folder: Path) -> dict[str, list[tuple[str, str]]]:
        read.append(folder.name)
        return real(folder)

    monkeypatch.setattr(cmo.corpus.layout, "_codes_of_other_programmes", counting)
    clean = _block("context: stigma\n")
    assert _found(tmp_path, monkeypatch, t=clean, u=clean) == []
    assert read == []
    found = _found(tmp_path, monkeypatch, t=_block("context: buses\n"), u=_block("context: walking\n"))
    assert len(found) == 2 and "it is declared in programme 'b'" in found[1]
    assert read == ["a"]


# --- YAML slips that parse, but into a code that is none -----------------------------------------------


def test_list_items_not_lined_up_or_a_glued_colon_read_as_one_code_say_so(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    found = _found(
        tmp_path,
        monkeypatch,
        t=_block("context:\n  - stigma\n    - help-seeking\n"),
        u=_block("mechanism:\n  resource:key-persons\n"),
    )
    assert found == [
        "a/t.md:9:5: error[unknown-code]: unknown code 'stigma - help-seeking': not in any codebook of programme "
        "'a'; the '- ' items under `context:` are not lined up, so YAML read them as this one code: indent each "
        "'- ' by the same number of spaces",
        "a/u.md:9:3: error[unknown-code]: unknown code 'resource:key-persons': not in any codebook of programme "
        "'a'; put a space after the colon: `resource: key-persons`",
    ]


def test_an_annotation_glued_to_its_value_is_told_to_put_a_space_after_the_colon(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert _found(tmp_path, monkeypatch, t=_block("context:stigma\n")) == [
        "a/t.md:8:1: error[not-a-mapping]: an annotation must be a YAML mapping, not a str: put a space after the "
        "colon: `context: stigma`",
    ]


# --- 6. not UTF-8: where, once ---------------------------------------------------------------------------


def test_a_latin1_programme_codebook_and_transcript_each_get_one_finding_with_the_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(
        tmp_path,
        {
            "b/programme.yaml": "id: b\nname: B\nframework: Caf\xe9 culture\n".encode("latin-1"),
            "b/codebook.yaml": "codes:\n  buses: {kind: context, label: Bus\xe9s}\n".encode("latin-1"),
            "b/t.md": (HEAD + "caf\xe9\n").encode("latin-1"),
        },
    )
    monkeypatch.chdir(tmp_path)
    assert [d.format() for d in code_corpus([Path("b")], jobs=1).diagnostics] == [
        "b/codebook.yaml:2:36: error[encoding]: not UTF-8 at byte 43 (line 2, column 36): save the file as UTF-8",
        "b/programme.yaml:3:15: error[encoding]: not UTF-8 at byte 29 (line 3, column 15): save the file as UTF-8",
        "b/t.md:7:4: error[encoding]: not UTF-8 at byte 103 (line 7, column 4): save the file as UTF-8",
    ]


def test_an_overarching_theory_that_is_not_utf8_is_reported_not_a_crash(tmp_path: Path) -> None:
    from cmo.core.diagnostics import Diagnostics
    from cmo.theory.store import existing_overarching

    path = tmp_path / "overarching.yaml"
    path.write_bytes(b"programmes: [a, b]\nname: caf\xe9\n")
    diagnostics = Diagnostics()
    assert existing_overarching(path, "overarching.yaml", diagnostics) is None
    assert [d.format() for d in diagnostics.items] == [
        "overarching.yaml:2:10: error[encoding]: not UTF-8 at byte 29 (line 2, column 10): save the file as UTF-8"
    ]


# --- 7. the closest passage: whole words, and the speaker label -------------------------------------------


TEXT = "**P01:** The buses. Honestly, it took months before anyone would talk.\n"


def test_the_closest_passage_is_cut_at_word_boundaries() -> None:
    assert describe_closest(TEXT, "Honestly, it took mnths") == (
        "closest passage is at line 1 (96% similar): 'Honestly, it took months'"
    )


def test_a_quote_that_garbles_the_speaker_label_is_told_how_to_write_it() -> None:
    expected = (
        "closest passage is at line 1 (100% similar): '**P01:** The buses. Honestly,'; the passage starts with the "
        "speaker label '**P01:**': the quote must include it exactly as written, or leave the label out entirely"
    )
    assert describe_closest(TEXT, "01:** The buses. Honestly,") == expected
    assert describe_closest(TEXT, "P01: The buses. Honestly,").endswith(
        "the passage starts with the speaker label '**P01:**': the quote must include it exactly as written, "
        "or leave the label out entirely"
    )
    # A quote that leaves the label out is told nothing about it.
    assert "speaker label" not in describe_closest(TEXT, "The busses. Honestly,")


def test_a_long_closest_passage_is_shortened_after_a_whole_word() -> None:
    text = "alpha " * 30 + "\n"
    assert describe_closest(text, "alpha " * 30 + "beta") == (
        f"closest passage is at line 1 (100% similar): '{('alpha ' * 13).rstrip()}...'"
    )


def test_the_cache_never_keeps_a_hint_another_programmes_codebook_no_longer_bears_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {**TWO_PROGRAMMES, "a/t.md": _block("context: buses\noutcome: help-seeking\n")}
    write_tree(tmp_path / "corpus", files)
    monkeypatch.chdir(tmp_path / "corpus")
    [first] = [d.message for d in code_corpus([Path("a")], cache=True).diagnostics]
    assert "it is declared in programme 'b'" in first
    (tmp_path / "corpus/b/codebook.yaml").write_text("codes:\n  walking: {kind: mechanism, label: W}\n", "utf-8")
    [again] = [d.message for d in code_corpus([Path("a")], cache=True).diagnostics]
    assert again == "unknown code 'buses': not in any codebook of programme 'a'"
