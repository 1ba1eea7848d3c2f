"""`cmo merge` on hand-edited theories: what it refuses to edit and why, where comments go, a CMOC that lost its evidence."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Result, corpus_files
from tests.theory.test_merge import TRUST, transcript

HEAD = "programme:\n  id: alpha\n  name: Alpha Connectors\n"
NOT_MERGED = "theories/alpha.yaml: not merged: fix the errors above first\n"
EVIDENCE_END = "        coder: AB\n        participants: [P01]\n"


@pytest.fixture
def project(tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    """A corpus whose one transcript has a block for each of CMOCs c1, c2 and c3; theories/ still empty."""
    files = corpus_files()
    files["alpha/int-01.md"] = transcript(*(TRUST + f"cmoc: c{n}\n" for n in (1, 2, 3)))
    root = tree(files)
    (root.parent / "theories").mkdir()
    monkeypatch.chdir(root.parent)
    return root.parent


def merge(cli: Callable[..., Result], project: Path, theory: str) -> tuple[Result, str]:
    """Merge into theories/alpha.yaml holding `theory`; the result and the file's text after."""
    path = project / "theories" / "alpha.yaml"
    path.write_text(theory, encoding="utf-8")
    result = cli("merge", "corpus")
    return result, path.read_text(encoding="utf-8")


def refused(line: int, why: str) -> str:
    return (
        f"theories/alpha.yaml:{line}:1: error[merge-unsafe]: merge cannot edit this file safely: {why}; left untouched\n"
        + NOT_MERGED
    )


@pytest.mark.parametrize(
    ("theory", "line", "why"),
    [
        (
            "{programme: {id: alpha, name: Alpha Connectors}, cmocs: [{id: c1, status: supported}]}\n",
            1,
            "its top-level keys share a line (flow style); write one key per line",
        ),
        (
            HEAD + "cmocs:\n  - id: c0\n    status: supported\n  - {id: c1, status: supported}\n",
            7,
            "CMOC 'c1' is not in block style (one key per line); write it so",
        ),
        (HEAD + "cmocs: [{id: c1}]\n", 4, "CMOC 'c1' is not in block style (one key per line); write it so"),
        (
            HEAD + "cmocs:\n  - id: c0\n    status: supported\n  -\n    id: c1\n    status: supported\n",
            8,
            "CMOC 'c1' does not start its own line with '- '",
        ),
    ],
    ids=["flow-top-level", "flow-cmoc", "cmoc-on-the-cmocs-line", "dash-on-its-own-line"],
)
def test_a_theory_merge_cannot_edit_line_by_line_is_refused_and_left_untouched(
    project: Path, cli: Callable[..., Result], theory: str, line: int, why: str
) -> None:
    result, after = merge(cli, project, theory)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", refused(line, why))
    assert after == theory


def test_one_key_cmocs_in_a_file_the_scan_cannot_follow_are_edited(project: Path, cli: Callable[..., Result]) -> None:
    # The quoted statement going on over two lines makes merge parse the whole file; the last line has no newline.
    statement = '    statement: "If key persons vouch,\n      people seek help"\n'
    theory = HEAD + "cmocs:\n  - id: solo\n  - id: c1\n" + statement + "  - id: last"
    result, after = merge(cli, project, theory)
    assert (result.exit_code, result.stderr) == (0, "")
    assert after.startswith(HEAD)
    assert "  - id: c1\n" + statement + "    completeness: [context, mechanism, outcome]\n    codes:\n" in after
    assert "solo" not in after and "last" not in after  # nobody curated them and they have no evidence


def test_generated_keys_go_above_the_comments_a_cmoc_ends_with(project: Path, cli: Callable[..., Result]) -> None:
    theory = (
        HEAD + "cmocs:\n"
        "  - id: c1\n    statement: One\n    # c1 trailing\n"
        "  - id: c2\n    notes: |\n      one\n      two\n    # c2 trailing\n"
        "  - id: c3\n    status: supported\n    # c3 trailing\n\n"
    )
    result, after = merge(cli, project, theory)
    assert (result.exit_code, result.stderr) == (0, "")
    assert "  - id: c1\n    statement: One\n    completeness: [context, mechanism, outcome]\n    codes:\n" in after
    assert (
        EVIDENCE_END
        + "    # c1 trailing\n  - id: c2\n    notes: |\n      one\n      two\n    completeness: [context, mechanism, outcome]\n    codes:\n"
        in after
    )
    assert (
        EVIDENCE_END
        + "    # c2 trailing\n  - id: c3\n    status: supported\n    completeness: [context, mechanism, outcome]\n    codes:\n"
        in after
    )
    assert after.endswith(EVIDENCE_END + "    # c3 trailing\n\n")


LOST = HEAD + (
    "cmocs:\n"
    "  - id: gone\n"
    "    statement: Kept\n"
    "    evidence:\n"
    "      - record: alpha/int-01#9\n"
    "        transcript: int-01\n"
    "        source: interview\n"
    "        lines: '3'\n"
    "        quote: q\n"
)


def test_a_curated_cmoc_that_lost_its_evidence_is_kept_with_zero_counts_and_a_warning(
    project: Path, cli: Callable[..., Result]
) -> None:
    result, after = merge(cli, project, LOST)
    assert (result.exit_code, result.stdout) == (0, "theories/alpha.yaml: updated\n")
    assert result.stderr == (
        "theories/alpha.yaml:5:5: warning[cmoc-no-evidence]: CMOC 'gone' has lost all its evidence; "
        "kept (evidence: []) because people curated it\n"
    )
    assert (
        "  - id: gone\n"
        "    statement: Kept\n"
        "    counts:\n"
        "      excerpts: 0\n"
        "      codings: 0\n"
        "      supporting: 0\n"
        "      refining: 0\n"
        "      refuting: 0\n"
        "      elicited: 0\n"
        "      spontaneous: 0\n"
        "      observed: 0\n"
        "      transcripts: 0\n"
        "      participants: 0\n"
        "      by_source:\n"
        "        interview: 0\n"
        "        observation: 0\n"
        "        document: 0\n"
        "        workshop: 0\n"
        "    triangulated: false\n"
        "    evidence: []\n"
        "  - id: c1\n"
    ) in after


def test_a_merge_that_would_change_a_curated_field_says_which_and_where(
    project: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cmo.theory.merge

    real = cmo.theory.merge.merge_text
    monkeypatch.setattr(
        cmo.theory.merge, "merge_text", lambda *args, **kwargs: real(*args, **kwargs).replace("Kept", "Changed")
    )
    result, after = merge(cli, project, LOST)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        "theories/alpha.yaml:5:1: error[merge-unsafe]: merge cannot edit this file safely "
        "(CMOC 'gone' would not keep statement); left untouched: please report this",
        NOT_MERGED.rstrip("\n"),
    ]
    assert after == LOST


def test_a_merge_that_would_lose_a_comment_is_refused_at_the_top_of_the_file(
    project: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cmo.theory.merge

    theory = LOST.replace("    statement: Kept\n", "    statement: Kept  # agreed in March\n")
    real = cmo.theory.merge.merge_text
    monkeypatch.setattr(
        cmo.theory.merge, "merge_text", lambda *args, **kwargs: real(*args, **kwargs).replace("  # agreed in March", "")
    )
    result, after = merge(cli, project, theory)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-2:] == [
        "theories/alpha.yaml:1:1: error[merge-unsafe]: merge cannot edit this file safely "
        "(the comment '# agreed in March' would be lost); left untouched: please report this",
        NOT_MERGED.rstrip("\n"),
    ]
    assert after == theory


def test_a_cmoc_curated_only_by_notes_or_links_is_kept_without_evidence(
    project: Path, cli: Callable[..., Result]
) -> None:
    theory = HEAD + "cmocs:\n  - id: noted\n    notes: Mine\n  - id: linked\n    links: [c1]\n  - id: bare\n"
    result, after = merge(cli, project, theory)
    assert result.exit_code == 0, result.stderr
    assert "  - id: noted\n    notes: Mine\n    counts:\n" in after
    assert "  - id: linked\n    links: [c1]\n    counts:\n" in after
    assert "bare" not in after


def test_a_theory_with_no_cmocs_key_gets_the_new_cmocs_appended(project: Path, cli: Callable[..., Result]) -> None:
    result, after = merge(cli, project, "# mine\n" + HEAD)
    assert result.exit_code == 0, result.stderr
    assert after.startswith("# mine\nprogramme:\n  id: alpha\n")
    assert (
        "\ncmocs:\n  - id: c1\n    status: new\n    completeness: [context, mechanism, outcome]\n    codes:\n      context:\n        - id: stigma\n"
        in after
    )


def test_an_empty_cmocs_list_becomes_a_block_keeping_its_comments(project: Path, cli: Callable[..., Result]) -> None:
    result, after = merge(cli, project, HEAD + "cmocs: []  # none yet\n# below the list\n")
    assert result.exit_code == 0, result.stderr
    assert "\ncmocs:  # none yet\n# below the list\n  - id: c1\n    status: new\n" in after
