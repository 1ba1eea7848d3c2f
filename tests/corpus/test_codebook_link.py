"""Confirming and rejecting matches in codebooks (`same_as` / `not_same_as`), and validating their targets."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

import cmo.corpus.codebook_links as codebook_links
from cmo.core.diagnostics import Diagnostics
from cmo.corpus.codebook_links import CodeRef, link_codes
from cmo.corpus.layout import discover
from cmo.yamlio.listedit import EditError, append_to_list
from tests.conftest import write_tree

SHARED = """\
# Shared codes.
codes:
  trust: {kind: mechanism, label: Building trust}  # the core mechanism
"""
ALPHA = """\
# Alpha's own codes.
codes:
  # --- mechanisms ---
  talk-mh: {kind: mechanism, label: Talking about mental health}   # flow entry
  mentors:
    kind: actor
    label: Peer mentors
    description: >-
      Volunteers who once used the service.

  # --- contexts ---
  careers:
    kind: context
    label: Varied careers
    not_same_as:
      - funding   # rejected in March
  short-funding: {kind: context, label: Short funding}
"""
BETA = """\
codes:
  mh-language: {kind: mechanism, label: How the group talks about mental health}
  role-models: {kind: actor, label: Role models}
  backgrounds: {kind: context, label: Varied career backgrounds}
  funding: {kind: context, label: Funding cuts}
  coaching: {kind: mechanism, label: Coaching}
"""
GAMMA = """\
codes:
  mh-words: {kind: mechanism, label: Words for distress, same_as: [mh-language]}
"""


def _corpus(tmp_path: Path, alpha: str = ALPHA, beta: str = BETA) -> Path:
    files: dict[str, str | bytes] = {"codebook.yaml": SHARED, "alpha/codebook.yaml": alpha, "beta/codebook.yaml": beta}
    files["gamma/codebook.yaml"] = GAMMA
    for name in ("alpha", "beta", "gamma"):
        files[f"{name}/programme.yaml"] = f"id: {name}\nname: {name.title()}\n"
    return write_tree(tmp_path / "corpus", files)


def _refs(*texts: str) -> list[CodeRef]:
    refs = [CodeRef.parse(text) for text in texts]
    assert all(refs)
    return [ref for ref in refs if ref]


def _messages(link: codebook_links.Link) -> list[str]:
    return [d.format() for d in link.diagnostics.sorted()]


def _changed_lines(before: str, after: str) -> tuple[list[str], list[str]]:
    import difflib

    diff = list(difflib.ndiff(before.splitlines(keepends=True), after.splitlines(keepends=True)))
    return [line[2:] for line in diff if line.startswith("- ")], [line[2:] for line in diff if line.startswith("+ ")]


# --- the text edit ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "key", "old", "new"),
    [
        (
            "talk-mh",
            "same_as",
            "  talk-mh: {kind: mechanism, label: Talking about mental health}   # flow entry\n",
            "  talk-mh: {kind: mechanism, label: Talking about mental health, same_as: [x]}   # flow entry\n",
        ),
        ("mentors", "same_as", None, "    same_as: [x]\n"),
        ("careers", "not_same_as", None, "      - x\n"),
        ("careers", "same_as", None, "    same_as: [x]\n"),
        (
            "short-funding",
            "not_same_as",
            "  short-funding: {kind: context, label: Short funding}\n",
            "  short-funding: {kind: context, label: Short funding, not_same_as: [x]}\n",
        ),
    ],
)
def test_an_edit_changes_one_line_and_keeps_every_other_byte(code: str, key: str, old: str | None, new: str) -> None:
    after = append_to_list(ALPHA, ("codes", code), key, ["x"])
    removed, added = _changed_lines(ALPHA, after)
    assert removed == ([old] if old else [])
    assert added == [new]
    assert after.count("#") == ALPHA.count("#")


def test_a_new_line_goes_after_a_folded_description_not_after_the_blank_line() -> None:
    after = append_to_list(ALPHA, ("codes", "mentors"), "same_as", ["role-models"])
    assert "      Volunteers who once used the service.\n    same_as: [role-models]\n\n  # --- contexts ---\n" in after


@pytest.mark.parametrize(
    ("text", "new"),
    [
        ("codes:\n  a: {kind: actor, label: A, same_as: [b]}\n", "  a: {kind: actor, label: A, same_as: [b, c]}\n"),
        ("codes:\n  a: {kind: actor, label: A, same_as: b}\n", "  a: {kind: actor, label: A, same_as: [b, c]}\n"),
        ("codes:\n  a: {kind: actor, label: A, same_as: []}\n", "  a: {kind: actor, label: A, same_as: [c]}\n"),
        ("codes:\n  a: { kind: actor, label: A, }\n", "  a: { kind: actor, label: A, same_as: [c] }\n"),
        ("codes:\n  a:\n    kind: actor\n    same_as: [b]  # kept\n", "    same_as: [b, c]  # kept\n"),
    ],
)
def test_an_existing_list_gains_the_id_in_place(text: str, new: str) -> None:
    after = append_to_list(text, ("codes", "a"), "same_as", ["c"])
    assert _changed_lines(text, after)[1] == [new]


def test_ids_yaml_would_misread_are_quoted_and_crlf_and_bom_are_kept() -> None:
    text = "\ufeffcodes:\r\n  a:\r\n    kind: actor\r\n"
    assert append_to_list(text, ("codes", "a"), "same_as", ["yes", "1"]) == (
        "\ufeffcodes:\r\n  a:\r\n    kind: actor\r\n    same_as: ['yes', '1']\r\n"
    )


@pytest.mark.parametrize(
    "text",
    [
        "codes:\n  a:\n    kind: actor",  # no final line break to put a line after
        "codes:\n  a:\n    kind: actor\n    same_as: - b\n",  # not YAML
        "codes:\n  a:\n    kind: actor\n    same_as: {b: 1}\n",
        "codes:\n  a:\n    kind: actor\n    description: |+\n      text\n\n",  # kept blank lines are the text's
    ],
)
def test_an_edit_that_would_touch_more_than_the_list_is_refused(text: str) -> None:
    with pytest.raises(EditError):
        append_to_list(text, ("codes", "a"), "same_as", ["c"])


# --- linking ---------------------------------------------------------------------------------------------


def test_link_adds_same_as_to_the_first_codes_codebook_and_nothing_else(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    link = link_codes(root, _refs("alpha:talk-mh", "beta:mh-language"))
    assert _messages(link) == [] and link.written and link.held == []
    assert (root / "alpha/codebook.yaml").read_text() == ALPHA.replace(
        "Talking about mental health}", "Talking about mental health, same_as: [mh-language]}"
    )
    assert (root / "beta/codebook.yaml").read_text() == BETA
    assert (root / "codebook.yaml").read_text() == SHARED


def test_link_takes_several_codes_of_other_programmes(tmp_path: Path) -> None:
    root = _corpus(tmp_path, beta=BETA.replace("mh-language: ", "mh-lang: "))
    link = link_codes(root, _refs("alpha:talk-mh", "beta:mh-lang", "gamma:mh-words"))
    assert _messages(link) == []
    assert "same_as: [mh-lang, mh-words]}" in (root / "alpha/codebook.yaml").read_text()


def test_reject_records_not_same_as_in_the_existing_block_list(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    link = link_codes(root, _refs("alpha:careers", "beta:backgrounds"), reject=True)
    assert _messages(link) == []
    assert (root / "alpha/codebook.yaml").read_text() == ALPHA.replace(
        "      - funding   # rejected in March\n", "      - funding   # rejected in March\n      - backgrounds\n"
    )


def test_a_link_made_twice_is_written_once(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    link_codes(root, _refs("alpha:mentors", "beta:role-models"))
    once = (root / "alpha/codebook.yaml").read_bytes()
    again = link_codes(root, _refs("alpha:mentors", "beta:role-models"))
    assert _messages(again) == [] and not again.written
    assert again.held == [
        "alpha:mentors and beta:role-models are linked already (same_as: mentors = role-models); nothing to do"
    ]
    assert (root / "alpha/codebook.yaml").read_bytes() == once
    back = link_codes(root, _refs("beta:role-models", "alpha:mentors"))  # the other way round holds too
    assert back.held and not back.written and (root / "beta/codebook.yaml").read_text() == BETA


def test_a_link_that_holds_through_a_chain_or_the_same_id_is_not_written(tmp_path: Path) -> None:
    root = _corpus(tmp_path, alpha=ALPHA.replace("label: Talking about mental health}", "label: T, same_as: mh-words}"))
    link = link_codes(root, _refs("alpha:talk-mh", "beta:mh-language"))
    assert link.held == [
        "alpha:talk-mh and beta:mh-language are linked already (same_as: talk-mh = mh-words = mh-language); nothing to do"
    ]
    assert not link.written
    shared = link_codes(root, _refs("alpha:trust", "beta:trust"))
    assert shared.held == ["alpha:trust and beta:trust are linked already (the same id); nothing to do"]


def test_rejecting_a_rejected_pair_again_is_not_written(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    link = link_codes(root, _refs("beta:funding", "alpha:careers"), reject=True)
    assert link.held == ["beta:funding and alpha:careers are rejected already (not_same_as); nothing to do"]
    assert (root / "beta/codebook.yaml").read_text() == BETA


A = "corpus/alpha/codebook.yaml"


@pytest.mark.parametrize(
    ("refs", "reject", "messages"),
    [
        (
            ("alpah:talk-mh", "beta:mh-languag"),
            False,
            [
                "corpus:1:1: error[link-programme]: no programme 'alpah' in the corpus; did you mean 'alpha'?",
                "corpus/beta/codebook.yaml:1:1: error[link-code]: programme 'beta' has no code 'mh-languag'; "
                "did you mean 'mh-language'?",
            ],
        ),
        (
            ("alpha:mentors", "beta:role-model"),
            False,
            [
                "corpus/beta/codebook.yaml:1:1: error[link-code]: programme 'beta' has no code 'role-model'; "
                "did you mean 'role-models'?"
            ],
        ),
        (
            ("alpha:mentors", "beta:coaching"),
            False,
            [
                f"{A}:5:3: error[link-kind]: 'alpha:mentors' is an actor and 'beta:coaching' a mechanism: "
                "only codes of one kind can mean the same"
            ],
        ),
        (
            ("alpha:mentors", "alpha:mentors"),
            False,
            [f"{A}:5:3: error[link-self]: cannot link 'alpha:mentors' to itself"],
        ),
        (
            ("alpha:careers", "alpha:short-funding"),
            False,
            [
                f"{A}:12:3: error[link-same-programme]: 'alpha:careers' and 'alpha:short-funding' are codes of one "
                "programme: same_as links codes of different programmes"
            ],
        ),
        (
            ("alpha:talk-mh", "beta:mh-language", "beta:coaching"),
            False,
            [
                f"{A}:4:3: error[link-same-programme]: 'beta:mh-language' and 'beta:coaching' are codes of one "
                "programme: same_as links codes of different programmes"
            ],
        ),
        (
            ("alpha:talk-mh", "beta:trust"),
            False,
            [
                f"{A}:4:3: error[link-same-programme]: programme 'alpha' has both 'talk-mh' and 'trust' (a shared "
                "code in corpus/codebook.yaml): same_as links codes of different programmes (if they mean the same, "
                "code 'talk-mh''s passages as 'trust')"
            ],
        ),
        (
            ("alpha:careers", "beta:funding"),
            False,
            [
                f"{A}:12:3: error[link-conflict]: 'alpha:careers' and 'beta:funding' were rejected as different "
                f"(not_same_as of 'careers' in {A}:12); remove that entry to link them"
            ],
        ),
        (
            ("gamma:mh-words", "beta:mh-language"),
            True,
            [
                "corpus/gamma/codebook.yaml:2:3: error[link-conflict]: cannot reject 'gamma:mh-words' = "
                "'beta:mh-language': they are linked (same_as: mh-words = mh-language); remove that link first"
            ],
        ),
    ],
)
def test_refusals_say_why_and_write_nothing(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    refs: tuple[str, ...],
    reject: bool,
    messages: list[str],
) -> None:
    root = _corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    before = {path: path.read_bytes() for path in root.rglob("*") if path.is_file()}

    def no_write(path: Path, text: str) -> None:
        raise AssertionError(f"{path} written on a refusal")

    monkeypatch.setattr(codebook_links, "write_atomic", no_write)
    link = link_codes(Path("corpus"), _refs(*refs), reject=reject)
    assert _messages(link) == messages
    assert not link.ok and not link.written
    assert {path: path.read_bytes() for path in root.rglob("*") if path.is_file()} == before


def test_a_dry_run_writes_nothing_and_says_what_it_would(tmp_path: Path) -> None:
    root = _corpus(tmp_path)
    link = link_codes(root, _refs("alpha:mentors", "beta:role-models"), dry_run=True)
    assert link.ok and not link.written
    assert _changed_lines(link.before, link.after)[1] == ["    same_as: [role-models]\n"]
    assert (root / "alpha/codebook.yaml").read_text() == ALPHA


def test_a_codebook_that_does_not_load_stops_the_link(tmp_path: Path) -> None:
    root = _corpus(tmp_path, beta="codes:\n  a: [\n")
    link = link_codes(root, _refs("alpha:mentors", "beta:a"))
    assert "yaml-syntax" in [d.rule for d in link.diagnostics.items]
    assert (root / "alpha/codebook.yaml").read_text() == ALPHA


def test_a_link_is_written_under_the_corpus_lock(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import contextlib

    root = _corpus(tmp_path)
    held: list[str] = []

    @contextlib.contextmanager
    def lock(folder: Path, name: str) -> Iterator[None]:
        held.append(name)
        yield
        held.append("released")

    def write(path: Path, text: str) -> None:
        assert held == [codebook_links.CODEBOOK_LOCK]
        path.write_text(text)

    monkeypatch.setattr(codebook_links, "locked", lock)
    monkeypatch.setattr(codebook_links, "write_atomic", write)
    assert link_codes(root, _refs("alpha:mentors", "beta:role-models")).written
    assert held == [codebook_links.CODEBOOK_LOCK, "released"]
    assert not [name for name in os.listdir(root / "alpha") if name.endswith(".tmp")]


# --- validating same_as and not_same_as --------------------------------------------------------------------


def _validate(tmp_path: Path, alpha: str, *paths: str) -> list[str]:
    root = _corpus(tmp_path, alpha=alpha)
    diagnostics = Diagnostics()
    os.chdir(tmp_path)
    discover([Path(path) for path in paths] or [Path("corpus")], diagnostics)
    return [d.format() for d in diagnostics.sorted()] if root else []


def test_the_demo_style_corpus_has_no_link_findings(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert _validate(tmp_path, ALPHA) == []


def test_an_unknown_target_is_an_error_with_did_you_mean(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    alpha = ALPHA.replace("label: Peer mentors\n", "label: Peer mentors\n    same_as: [role-model]\n")
    alpha = alpha.replace("      - funding   #", "      - fundin   #")
    assert _validate(tmp_path, alpha) == [
        f"{A}:8:15: error[same-as-unknown]: code 'mentors' lists 'role-model' in same_as, but no codebook of the "
        "corpus declares it; did you mean 'role-models'?",
        f"{A}:17:9: error[same-as-unknown]: code 'careers' lists 'fundin' in not_same_as, but no codebook of the "
        "corpus declares it; did you mean 'funding'?",
    ]


def test_targets_in_programmes_not_selected_are_known(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    alpha = ALPHA.replace("label: Peer mentors\n", "label: Peer mentors\n    same_as: [role-models]\n")
    assert _validate(tmp_path, alpha, "corpus/alpha") == []
    bad = alpha.replace("same_as: [role-models]", "same_as: [role-modelz]")
    assert [line.split(": error")[1][:18] for line in _validate(tmp_path, bad, "corpus/alpha")] == [
        "[same-as-unknown]:"
    ]


def test_a_same_as_target_of_another_kind_is_an_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    alpha = ALPHA.replace("label: Peer mentors\n", "label: Peer mentors\n    same_as: coaching\n")
    assert _validate(tmp_path, alpha) == [
        f"{A}:8:14: error[same-as-kind]: code 'mentors' (actor) lists 'coaching' (mechanism) in same_as: "
        "only codes of one kind can mean the same"
    ]


def test_same_as_and_not_same_as_of_one_target_conflict(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    direct = ALPHA.replace("    not_same_as:\n", "    same_as: [funding]\n    not_same_as:\n")
    assert _validate(tmp_path, direct) == [
        f"{A}:17:9: error[same-as-conflict]: code 'careers' lists 'funding' in not_same_as but lists it in same_as too"
    ]
    chained = ALPHA.replace(
        "label: Talking about mental health}", "label: T, same_as: [mh-words], not_same_as: mh-language}"
    )
    assert _validate(tmp_path, chained) == [
        f"{A}:4:74: error[same-as-conflict]: code 'talk-mh' lists 'mh-language' in not_same_as but is the same "
        "through same_as: talk-mh = mh-words = mh-language"
    ]
