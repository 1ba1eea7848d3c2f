"""Theory stamps: an unchanged corpus is judged current without coding or merging, and any change means a full check."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cmo.corpus.cache import Cache, context_key
from cmo.corpus.coding import code_corpus
from cmo.theory import staleness, stamp
from cmo.theory.merge import merge_corpus
from cmo.theory.staleness import Staleness, stale_theories
from tests.conftest import DEMO_CORPUS, TRANSCRIPT, Result, corpus_files, write_tree

SECOND = TRANSCRIPT.replace("a-int-01", "a-int-02").replace("It took months", "It took a year")


@pytest.fixture
def study(tmp_path: Path, cli: Callable[..., Result]) -> tuple[Path, Path]:
    """A merged one-programme corpus (alpha, two transcripts) and its theories folder."""
    corpus = write_tree(
        tmp_path / "corpus", {**corpus_files(), "alpha/a-int-01.md": TRANSCRIPT, "alpha/a-int-02.md": SECOND}
    )
    theories = tmp_path / "theories"
    assert cli("merge", "--theories", theories, corpus).exit_code == 0
    _stamps(corpus).unlink()  # merge stamped what it wrote: these tests start from a corpus never checked
    return corpus, theories


@pytest.fixture
def codings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times the staleness check coded the corpus (a full check), appended to as it happens."""
    calls: list[int] = []

    def counting(*args: Any, **kwargs: Any) -> Any:
        calls.append(1)
        return code_corpus(*args, **kwargs)

    monkeypatch.setattr(staleness, "code_corpus", counting)
    return calls


def _check(study: tuple[Path, Path], programmes: tuple[str, ...] = ("alpha",)) -> Staleness:
    return stale_theories(study[0], study[1], programmes)


def _stamps(corpus: Path) -> Path:
    return Cache(corpus, context_key([])).folder / stamp.STAMP_NAME


def _same_size_and_time(path: Path, old: str, new: str) -> None:
    """Change the file's content, keeping its size and modification time."""
    assert len(old) == len(new)
    before = path.stat()
    path.write_text(path.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert path.stat().st_size == before.st_size


def test_a_stamp_gives_the_full_checks_answer_without_coding(study: tuple[Path, Path], codings: list[int]) -> None:
    full = _check(study)
    assert (full, len(codings)) == (Staleness(), 1)
    assert _stamps(study[0]).is_file()
    assert (_check(study), len(codings)) == (full, 1)  # the stamp's answer, with no coding


def test_merge_stamps_what_it_wrote(study: tuple[Path, Path], cli: Callable[..., Result], codings: list[int]) -> None:
    corpus, theories = study
    (corpus / "alpha" / "a-int-02.md").write_text(SECOND.replace("help-seeking", "help-seeking\nstance: refines"))
    assert cli("merge", "--check", "--theories", theories, corpus).exit_code == 1
    assert not _stamps(corpus).exists()  # a check writes nothing, a stamp included
    assert cli("merge", "--no-cache", "--theories", theories, corpus).exit_code == 0
    assert not _stamps(corpus).exists()  # without the cache there is nothing to stamp by
    assert cli("merge", "--theories", theories, corpus).exit_code == 0
    assert (_check(study), len(codings)) == (Staleness(), 0)  # merge's stamp answers: no coding


def test_a_stale_theory_is_never_stamped(study: tuple[Path, Path], codings: list[int]) -> None:
    corpus, theories = study
    (corpus / "alpha" / "a-int-02.md").write_text(SECOND.replace("help-seeking", "help-seeking\nstance: refines"))
    first, second = _check(study), _check(study)
    assert first == second == Staleness(stale=(("alpha", theories / "alpha.yaml"),))
    assert len(codings) == 2 and not _stamps(corpus).exists()


@pytest.mark.parametrize(
    ("edit", "stale"),
    [
        ("transcript", True),
        ("theory file, same size and time", True),
        ("programme codebook, same size and time", False),  # a label no CMOC uses: merge writes the same
        ("shared codebook, same size and time", True),
        ("programme.yaml, same size and time", True),
        ("a new transcript", True),
        ("a transcript removed", True),
    ],
)
def test_any_change_to_what_merge_reads_means_a_full_check(
    study: tuple[Path, Path], codings: list[int], edit: str, stale: bool
) -> None:
    corpus, theories = study
    _check(study)
    assert _check(study) == Staleness() and len(codings) == 1  # stamped
    alpha = corpus / "alpha"
    if edit == "transcript":
        (alpha / "a-int-02.md").write_text(SECOND.replace("help-seeking", "help-seeking\nstance: refines"))
    elif edit.startswith("theory file"):
        _same_size_and_time(theories / "alpha.yaml", "name: Alpha Connectors", "name: Alpha Connectorz")
    elif edit.startswith("programme codebook"):
        _same_size_and_time(alpha / "codebook.yaml", "Faith leaders", "Faith Leaders")
    elif edit.startswith("shared codebook"):
        _same_size_and_time(corpus / "codebook.yaml", "Building trust", "Building Trust")
    elif edit.startswith("programme.yaml"):
        _same_size_and_time(alpha / "programme.yaml", "name: Alpha Connectors", "name: Alpha Connectorz")
    elif edit == "a new transcript":
        (alpha / "a-int-03.md").write_text(SECOND.replace("a-int-02", "a-int-03").replace("a year", "a week"))
    else:
        (alpha / "a-int-02.md").unlink()
    answer = _check(study)
    assert len(codings) == 2  # a full check, whose answer it is
    assert answer == (Staleness(stale=(("alpha", theories / "alpha.yaml"),)) if stale else Staleness())
    _stamps(corpus).unlink(missing_ok=True)
    assert _check(study) == answer and len(codings) == 3


@pytest.mark.parametrize("damage", [b"", b"{not json", b'{"format": 1, "stamps": []}', b'{"format": 99, "stamps": {}}'])
def test_a_corrupt_stamp_file_means_a_full_check_and_is_written_again(
    study: tuple[Path, Path], codings: list[int], damage: bytes
) -> None:
    _check(study)
    _stamps(study[0]).write_bytes(damage)
    assert (_check(study), len(codings)) == (Staleness(), 2)
    assert (_check(study), len(codings)) == (Staleness(), 2)  # stamped again


def test_a_stamp_that_cannot_be_written_is_given_up(study: tuple[Path, Path], codings: list[int]) -> None:
    path = _stamps(study[0])
    path.parent.mkdir(parents=True, exist_ok=True)
    path.mkdir()  # a folder where the file would go: every write fails
    assert (_check(study), _check(study), len(codings)) == (Staleness(), Staleness(), 2)


def test_a_stamp_covers_the_set_of_programmes_checked_together(
    tmp_path: Path, cli: Callable[..., Result], codings: list[int]
) -> None:
    corpus = tmp_path / "corpus"
    shutil.copytree(DEMO_CORPUS, corpus)
    theories = tmp_path / "theories"
    assert cli("merge", "--theories", theories, corpus).exit_code == 0
    both = ("northcliffe-connect", "riverside-bridges")
    # merge stamped the set it merged: both programmes, in any order.
    assert stale_theories(corpus, theories, both) == Staleness() and len(codings) == 0
    assert stale_theories(corpus, theories, tuple(reversed(both))) == Staleness() and len(codings) == 0
    # One programme alone is another set (its errors are judged alone): a full check, then its own stamp.
    assert stale_theories(corpus, theories, both[:1]) == Staleness() and len(codings) == 1
    assert stale_theories(corpus, theories, both[:1]) == Staleness() and len(codings) == 1
    assert stale_theories(corpus, theories, both) == Staleness() and len(codings) == 1  # both stamps kept


def test_record_after_a_merge_stamps_what_it_wrote(study: tuple[Path, Path], codings: list[int]) -> None:
    corpus, theories = study
    stamp.record([corpus / "alpha"], theories, ["alpha"])
    assert (_check(study), len(codings)) == (Staleness(), 0)


def test_record_does_nothing_when_the_cache_does_not_know_a_transcript(
    study: tuple[Path, Path], codings: list[int]
) -> None:
    corpus, theories = study
    (corpus / "alpha" / "a-int-02.md").write_text(SECOND.replace("a year", "a week"))  # not coded since
    stamp.record([corpus / "alpha"], theories, ["alpha"])
    assert not _stamps(corpus).exists()
    _check(study)
    assert len(codings) == 1


def test_a_theory_file_changed_during_the_check_is_not_stamped(
    study: tuple[Path, Path], codings: list[int], monkeypatch: pytest.MonkeyPatch
) -> None:
    corpus, theories = study

    def edited_meanwhile(*args: Any) -> Any:
        outcomes = merge_corpus(*args)
        path = theories / "alpha.yaml"
        path.write_text(path.read_text(encoding="utf-8") + "# a comment\n", encoding="utf-8")
        return outcomes

    monkeypatch.setattr("cmo.theory.staleness.merge_corpus", edited_meanwhile)
    assert _check(study) == Staleness()
    assert not _stamps(corpus).exists()
