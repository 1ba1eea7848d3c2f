"""The corpus layout, pinned exactly: which paths name which programmes and transcripts, and codebook checks."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.diagnostics import Diagnostic, Diagnostics
from cmo.core.paths import display_path
from cmo.corpus.layout import (
    DeclaredCode,
    demo_corpus,
    discover,
    load_codebook,
    suggest_code,
)
from cmo.corpus.models import Code, CodeKind
from tests.conftest import CODEBOOK, PROGRAMME, SHARED_CODEBOOK, TRANSCRIPT

Tree = Callable[[dict[str, str | bytes]], Path]


def _discover(*paths: Path) -> tuple[object, list[Diagnostic]]:
    diagnostics = Diagnostics()
    return discover(list(paths), diagnostics), diagnostics.items


def _two_programmes() -> dict[str, str | bytes]:
    return {
        "codebook.yaml": SHARED_CODEBOOK,
        "alpha/programme.yaml": PROGRAMME,
        "alpha/codebook.yaml": CODEBOOK,
        "alpha/b.md": TRANSCRIPT,
        "alpha/a.md": TRANSCRIPT,
        "alpha/sub/c.md": TRANSCRIPT,
        "alpha/sub-d.md": TRANSCRIPT,
        "alpha/notes.txt": "not a transcript",
        "alpha/.hidden/h.md": TRANSCRIPT,
        "beta/programme.yaml": "id: beta\nname: Beta\n",
        "beta/x.md": TRANSCRIPT,
        ".git/y.md": TRANSCRIPT,
    }


def test_a_corpus_root_names_every_programme_and_its_transcripts_in_path_order(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(_two_programmes())
    monkeypatch.chdir(root)
    corpus, problems = _discover(Path())
    assert problems == []
    assert corpus.root == root.resolve()  # type: ignore[attr-defined]
    programmes = corpus.programmes  # type: ignore[attr-defined]
    assert list(programmes) == ["alpha", "beta"]
    alpha = programmes["alpha"]
    assert alpha.folder == root.resolve() / "alpha"
    assert alpha.programme.name == "Alpha Connectors"
    # Part by part, as pathlib sorts: "sub/c.md" before "sub-d.md" ('/' sorts before any character).
    assert [p.relative_to(root.resolve()).as_posix() for p in alpha.transcripts] == [
        "alpha/a.md",
        "alpha/b.md",
        "alpha/sub/c.md",
        "alpha/sub-d.md",
    ]
    assert [p.name for p in programmes["beta"].transcripts] == ["x.md"]


def test_codes_come_from_the_shared_and_the_programme_codebook_with_their_lines(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(_two_programmes())
    monkeypatch.chdir(root)
    corpus, _ = _discover(Path("alpha"))
    codes = corpus.programmes["alpha"].codes  # type: ignore[attr-defined]
    assert list(codes) == [
        "building-trust",
        "key-persons",
        "help-seeking",
        "stigma",
        "connectors",
        "faith-leaders",
        "short-funding",
    ]
    assert codes["stigma"] == DeclaredCode(
        "stigma", Code(kind=CodeKind.CONTEXT, label="Stigma around mental health"), "codebook.yaml", 5, 3, True
    )
    faith = codes["faith-leaders"]
    assert (faith.path, faith.line, faith.column, faith.shared) == ("alpha/codebook.yaml", 3, 3, False)


def test_selected_paths_name_only_their_transcripts_each_once(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(_two_programmes())
    monkeypatch.chdir(root)
    corpus, problems = _discover(Path("alpha/b.md"), Path("alpha/sub"), Path("alpha/b.md"))
    assert problems == []
    assert corpus.root == root.resolve()  # type: ignore[attr-defined]
    assert list(corpus.programmes) == ["alpha"]  # type: ignore[attr-defined]
    assert [p.name for p in corpus.programmes["alpha"].transcripts] == ["b.md", "c.md"]  # type: ignore[attr-defined]


def test_a_programme_folder_alone_needs_no_shared_codebook(tree: Tree) -> None:
    root = tree({"p/programme.yaml": "id: p\nname: P\n", "p/t.md": TRANSCRIPT})
    corpus, problems = _discover(root / "p")
    assert problems == []
    assert corpus.root == root.resolve()  # type: ignore[attr-defined]
    assert corpus.programmes["p"].codes == {}  # type: ignore[attr-defined]
    assert [p.name for p in corpus.programmes["p"].transcripts] == ["t.md"]  # type: ignore[attr-defined]


def test_missing_paths_and_files_outside_programmes_are_reported(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree({"loose.md": TRANSCRIPT})
    monkeypatch.chdir(root)
    corpus, problems = _discover(Path("nope"), Path("loose.md"))
    assert corpus is None
    assert problems == [
        Diagnostic("nope", 1, 1, "path-missing", "no such file or folder"),
        Diagnostic("loose.md", 1, 1, "programme-missing", "not inside a programme folder (no programme.yaml above it)"),
    ]


def test_a_folder_with_transcripts_but_no_programme_file_is_reported(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(
        {"alpha/programme.yaml": PROGRAMME, "alpha/t.md": TRANSCRIPT, "gamma/deep/t.md": TRANSCRIPT, "empty/x.txt": ""}
    )
    monkeypatch.chdir(root)
    corpus, problems = _discover(Path())
    assert list(corpus.programmes) == ["alpha"]  # type: ignore[attr-defined]
    assert problems == [
        Diagnostic(
            "gamma/programme.yaml",
            1,
            1,
            "programme-missing",
            "folder 'gamma' holds transcripts but no programme.yaml describing its programme",
        )
    ]


def test_paths_from_two_corpora_are_refused(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree({"one/p/programme.yaml": "id: p\nname: P\n", "two/q/programme.yaml": "id: q\nname: Q\n"})
    monkeypatch.chdir(root)
    corpus, problems = _discover(Path("two/q"), Path("one/p"))
    assert corpus is None
    assert problems == [
        Diagnostic("two/q", 1, 1, "corpus-mixed", "paths belong to more than one corpus: one, two"),
    ]


def test_a_programme_id_must_equal_its_folder(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree({"alpha/programme.yaml": "name: A\nid:   beta\n"})
    monkeypatch.chdir(root)
    corpus, problems = _discover(Path("alpha"))
    assert list(corpus.programmes) == ["alpha"]  # type: ignore[attr-defined]
    assert problems == [
        Diagnostic(
            "alpha/programme.yaml", 2, 7, "programme-id", "programme id 'beta' must equal its folder name 'alpha'"
        )
    ]


def test_an_invalid_programme_file_is_reported_and_its_programme_kept(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"alpha/programme.yaml": "- not a mapping\n", "alpha/t.md": TRANSCRIPT})
    monkeypatch.chdir(root)
    corpus, problems = _discover(Path())
    alpha = corpus.programmes["alpha"]  # type: ignore[attr-defined]
    assert alpha.programme is None
    assert [p.name for p in alpha.transcripts] == ["t.md"]
    assert problems == [
        Diagnostic(
            "alpha/programme.yaml", 1, 1, "not-a-mapping", "programme.yaml must be a YAML mapping, not a MarkedSeq"
        )
    ]


def test_a_programme_code_may_not_redefine_a_shared_one(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(
        {
            "codebook.yaml": SHARED_CODEBOOK,
            "alpha/programme.yaml": PROGRAMME,
            "alpha/codebook.yaml": "codes:\n  mine: {kind: actor, label: Mine}\n  stigma: {kind: outcome, label: Again}\n",
        }
    )
    monkeypatch.chdir(root)
    corpus, problems = _discover(Path("alpha"))
    codes = corpus.programmes["alpha"].codes  # type: ignore[attr-defined]
    assert codes["stigma"].shared and codes["stigma"].code.kind == CodeKind.CONTEXT
    assert "mine" in codes
    assert problems == [
        Diagnostic(
            "alpha/codebook.yaml",
            3,
            3,
            "code-redefined",
            "code 'stigma' is already defined in the shared codebook (codebook.yaml:5); remove it here or rename it",
        )
    ]


def test_a_code_listing_itself_in_same_as(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(
        {
            "alpha/programme.yaml": PROGRAMME,
            "alpha/codebook.yaml": "codes:\n  ok: {kind: actor, label: O, same_as: [x]}\n  me: {kind: actor, label: M, same_as: [x, me]}\n"
            "  x: {kind: actor, label: X}\n",
        }
    )
    monkeypatch.chdir(root)
    _, problems = _discover(Path("alpha"))
    assert problems == [Diagnostic("alpha/codebook.yaml", 3, 3, "same-as-self", "code 'me' lists itself in same_as")]


def test_load_codebook_reports_unreadable_invalid_and_bad_yaml_files(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree({"bad.yaml": "codes:\n  a: {kind: actor, label: A}\n  a: {kind: actor, label: B}\n", "empty.yaml": ""})
    monkeypatch.chdir(root)
    diagnostics = Diagnostics()
    assert load_codebook(Path("missing.yaml"), diagnostics, shared=True) == {}
    assert load_codebook(Path("bad.yaml"), diagnostics, shared=True) == {}
    assert load_codebook(Path("empty.yaml"), diagnostics, shared=False) == {}
    assert diagnostics.items == [
        # what cannot be read or parsed is reported once, with no follow-on 'not a mapping'
        Diagnostic("missing.yaml", 1, 1, "unreadable", "cannot read file: No such file or directory"),
        Diagnostic("bad.yaml", 3, 3, "yaml-duplicate-key", "key 'a' appears twice in one mapping (first at line 2)"),
        Diagnostic("empty.yaml", 1, 1, "not-a-mapping", "a codebook must be a YAML mapping, not empty"),
    ]


def test_load_codebook_of_a_file_without_codes_declares_none(tree: Tree) -> None:
    root = tree({"c.yaml": "codes: {}\n"})
    diagnostics = Diagnostics()
    assert load_codebook(root / "c.yaml", diagnostics, shared=False) == {}
    assert diagnostics.items == []


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs named pipes")
def test_a_pipe_named_like_a_transcript_is_not_read(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree({"alpha/programme.yaml": PROGRAMME, "alpha/t.md": TRANSCRIPT})
    os.mkfifo(root / "alpha" / "pipe.md")
    os.symlink(root / "nowhere.md", root / "alpha" / "dangling.md")
    monkeypatch.chdir(root)
    corpus, problems = _discover(Path())
    assert [p.name for p in corpus.programmes["alpha"].transcripts] == ["dangling.md", "t.md"]  # type: ignore[attr-defined]
    message = "not a regular file (a device, pipe or socket); not read"
    assert problems == [Diagnostic("alpha/pipe.md", 1, 1, "unreadable", message)]
    corpus, problems = _discover(Path("alpha/pipe.md"))
    assert corpus is None
    assert problems == [Diagnostic("alpha/pipe.md", 1, 1, "unreadable", message)]


def test_symlinked_folders_are_not_followed(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree({"alpha/programme.yaml": PROGRAMME, "alpha/t.md": TRANSCRIPT, "elsewhere/u.md": TRANSCRIPT})
    os.symlink(root / "elsewhere", root / "alpha" / "linked")
    monkeypatch.chdir(root)
    corpus, problems = _discover(Path("alpha"))
    assert problems == []
    assert [p.name for p in corpus.programmes["alpha"].transcripts] == ["t.md"]  # type: ignore[attr-defined]


def test_display_path_is_relative_under_the_working_directory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "in").mkdir()
    monkeypatch.chdir(tmp_path / "in")
    assert display_path(tmp_path / "in" / "a" / "b.md") == os.path.join("a", "b.md")
    assert display_path(tmp_path / "in") == "."
    assert display_path(tmp_path / "out.md") == str(tmp_path / "out.md")


def _source(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> object:
    root = tree(
        {
            "alpha/programme.yaml": PROGRAMME,
            "alpha/codebook.yaml": "codes:\n  trust: {kind: mechanism, label: T}\n  trusts: {kind: outcome, label: O}\n",
        }
    )
    monkeypatch.chdir(root)
    corpus, _ = _discover(Path("alpha"))
    return corpus.programmes["alpha"]  # type: ignore[attr-defined]


def test_suggest_code_prefers_the_expected_kind_then_any_kind(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    source = _source(tree, monkeypatch)
    assert suggest_code("trustt", source, "outcome") == "; did you mean 'trusts'?"  # type: ignore[arg-type]
    assert suggest_code("trustss", source, "mechanism") == "; did you mean 'trust'?"  # type: ignore[arg-type]
    assert suggest_code("trustss", source, "context") == "; did you mean 'trusts'?"  # type: ignore[arg-type]
    assert suggest_code("trustss", source) == "; did you mean 'trusts'?"  # type: ignore[arg-type]
    assert suggest_code("zzz", source, "outcome") == ""  # type: ignore[arg-type]


def test_the_demo_corpus_is_found_wherever_cmo_runs(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    demo = demo_corpus()
    assert demo.is_absolute() and demo.name == "corpus" and (demo / "northcliffe-connect").is_dir()


def test_problems_in_the_shared_codebook_and_programme_file_are_reported_and_later_codes_kept(
    tree: Tree, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(
        {
            "codebook.yaml": "codes:\n  stigma: {kind: context, label: S}\n  x: [\n",
            "alpha/programme.yaml": "id: [alpha\n",
            "alpha/codebook.yaml": "codes:\n  stigma: {kind: outcome, label: A}\n  mine: {kind: actor, label: M}\n",
        }
    )
    monkeypatch.chdir(root)
    corpus, problems = _discover(Path("alpha"))
    assert list(corpus.programmes["alpha"].codes) == ["stigma", "mine"]  # type: ignore[attr-defined]
    assert [(d.path, d.rule) for d in problems] == [
        ("codebook.yaml", "yaml-syntax"),
        ("alpha/programme.yaml", "yaml-syntax"),
    ]


def test_codes_after_a_redefined_one_are_still_declared(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(
        {
            "codebook.yaml": SHARED_CODEBOOK,
            "alpha/programme.yaml": PROGRAMME,
            "alpha/codebook.yaml": "codes:\n  stigma: {kind: outcome, label: A}\n  mine: {kind: actor, label: M}\n",
        }
    )
    monkeypatch.chdir(root)
    corpus, problems = _discover(Path("alpha"))
    assert "mine" in corpus.programmes["alpha"].codes  # type: ignore[attr-defined]
    assert [d.rule for d in problems] == ["code-redefined"]
