"""Which files of a programme folder are transcripts: `.md` and `.markdown` are read; a `.txt` transcript is named."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.diagnostics import Diagnostic, Diagnostics, Severity
from cmo.core.rules import Rule
from cmo.corpus.coding import code_corpus
from cmo.corpus.layout import Corpus, discover
from tests.conftest import CODEBOOK, PROGRAMME, SHARED_CODEBOOK, TRANSCRIPT, Result

Tree = Callable[[dict[str, str | bytes]], Path]
NOT_READ = "not read: transcripts are Markdown files ending in .md; rename it to {stem}.md"


def _corpus(**files: str | bytes) -> dict[str, str | bytes]:
    return {
        "codebook.yaml": SHARED_CODEBOOK,
        "alpha/programme.yaml": PROGRAMME,
        "alpha/codebook.yaml": CODEBOOK,
        **{f"alpha/{name}": text for name, text in files.items()},
    }


def _transcript(transcript_id: str) -> str:
    return TRANSCRIPT.replace("id: a-int-01\n", f"id: {transcript_id}\n")


def _discover(*paths: Path) -> tuple[Corpus, list[Diagnostic]]:
    diagnostics = Diagnostics()
    corpus = discover(list(paths), diagnostics)
    assert corpus is not None
    return corpus, diagnostics.items


def _names(corpus: Corpus) -> list[str]:
    return [str(path.relative_to(corpus.root)) for path in corpus.programmes["alpha"].transcripts]


def test_a_markdown_suffix_is_read_as_a_transcript(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    unnamed = TRANSCRIPT.replace("id: a-int-01\n", "")
    monkeypatch.chdir(tree(_corpus(**{"interviews/a.md": _transcript("a"), "interviews/c-02.markdown": unnamed})))
    corpus, problems = _discover(Path())
    assert (problems, _names(corpus)) == ([], ["alpha/interviews/a.md", "alpha/interviews/c-02.markdown"])
    result = code_corpus([Path()], jobs=1)
    assert result.ok
    # The id is the file name without .markdown, as without .md.
    assert [(r.transcript, r.path) for r in result.records] == [
        ("a", "alpha/interviews/a.md"),
        ("c-02", "alpha/interviews/c-02.markdown"),
    ]


def test_a_txt_written_as_a_transcript_is_named_and_not_read(tree: Tree, monkeypatch: pytest.MonkeyPatch) -> None:
    files: dict[str, str | bytes] = {
        "interviews/a.md": _transcript("a"),
        "interviews/x.txt": _transcript("x"),
        "interviews/bom.TXT": b"\xef\xbb\xbf---\r\nsource: interview\r\n---\r\n",
    }
    monkeypatch.chdir(tree(_corpus(**files)))
    corpus, problems = _discover(Path())
    assert _names(corpus) == ["alpha/interviews/a.md"]
    assert sorted(problems) == [
        Diagnostic(
            "alpha/interviews/bom.TXT", 1, 1, Rule.TRANSCRIPT_SUFFIX, NOT_READ.format(stem="bom"), Severity.WARNING
        ),
        Diagnostic("alpha/interviews/x.txt", 1, 1, Rule.TRANSCRIPT_SUFFIX, NOT_READ.format(stem="x"), Severity.WARNING),
    ]


def test_validate_prints_the_warning_and_passes(
    tree: Tree, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(
        tree(_corpus(**{"interviews/a.md": _transcript("a"), "interviews/x.txt": _transcript("x")})).parent
    )
    result = cli("validate", "corpus")
    assert (result.exit_code, result.stdout) == (
        0,
        "corpus/alpha/interviews/x.txt:1:1: "
        f"warning[{Rule.TRANSCRIPT_SUFFIX}]: not read: transcripts are Markdown files ending in .md; rename it to x.md\n",
    )
    assert result.stderr == "0 errors, 1 warning in 1 transcript\n"


def test_notes_in_plain_text_are_passed_over_in_silence(tree: Tree) -> None:
    root = tree(
        _corpus(
            **{
                "a.md": _transcript("a"),
                "notes.txt": "Interview schedule, version 2\n---\n",
                "empty.txt": "",
                "minutes.txt": "--- not front matter\n",
            }
        )
    )
    corpus, problems = _discover(root)
    assert (problems, _names(corpus)) == ([], ["alpha/a.md"])


def test_a_readme_in_a_programme_folder_is_still_a_transcript(tree: Tree) -> None:
    root = tree(_corpus(**{"a.md": _transcript("a"), "README.md": "# About alpha\n"}))
    corpus, problems = _discover(root)
    assert (problems, _names(corpus)) == ([], ["alpha/README.md", "alpha/a.md"])
    assert [d.rule for d in code_corpus([root], jobs=1).diagnostics] == [Rule.FRONT_MATTER_MISSING]


def test_a_txt_named_on_the_command_line_is_read(tree: Tree) -> None:
    root = tree(_corpus(**{"x.txt": _transcript("x")}))
    corpus, problems = _discover(root / "alpha" / "x.txt")
    assert (problems, _names(corpus)) == ([], ["alpha/x.txt"])
    [record] = code_corpus([root / "alpha" / "x.txt"], jobs=1).records
    assert record.transcript == "x"


def test_a_folder_of_markdown_files_without_programme_yaml_is_reported(tree: Tree) -> None:
    root = tree({"codebook.yaml": SHARED_CODEBOOK, "beta/int.markdown": TRANSCRIPT, "gamma/x.txt": TRANSCRIPT})
    diagnostics = Diagnostics()
    discover([root], diagnostics)
    assert [(Path(d.path).parent.name, d.rule) for d in diagnostics.items] == [("beta", Rule.PROGRAMME_MISSING)]
