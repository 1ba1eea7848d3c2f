"""Merge never rewrites a theory wrongly: YAML's own line breaks, the read-back guard, leftovers, write errors."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.diagnostics import Diagnostics
from cmo.theory.model import load_theory
from cmo.yamlio.reader import load_bytes
from tests.conftest import Result, corpus_files

HEAD = "---\nid: {id}\nsource: interview\nparticipants: [{participants}]\ncoder: AB\n---\n\n"
TRUST = "context: stigma\nmechanism: key-persons\noutcome: help-seeking\n"


def transcript(*blocks: str, id: str = "int-01", participants: str = "P01") -> str:
    body = HEAD.format(id=id, participants=participants)
    for index, block in enumerate(blocks):
        body += f"Paragraph {index}: P01 said it took months before anyone would talk.\n\n```cmo\n{block}```\n\n"
    return body


@pytest.fixture
def project(tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tree(corpus_files())
    monkeypatch.chdir(root.parent)
    return root.parent


def write(project: Path, text: str, name: str = "int-01") -> None:
    (project / "corpus" / "alpha" / f"{name}.md").write_text(text, encoding="utf-8")


def theory_file(project: Path) -> Path:
    return project / "theories" / "alpha.yaml"


def merge(cli: Callable[..., Result], *args: str) -> Result:
    return cli("merge", "corpus", *args)


def curated_theory(project: Path, cli: Callable[..., Result]) -> str:
    """A merged theory of two CMOCs, the first one curated by a person, as text with LF line breaks."""
    write(project, transcript(TRUST + "cmoc: trust-first\n", "mechanism: building-trust\ncmoc: zz-other\n"))
    assert merge(cli).exit_code == 0
    text = theory_file(project).read_text(encoding="utf-8")
    return "# kept by the team\n" + text.replace(
        "  - id: trust-first\n    status: new\n",
        "  - id: trust-first\n    # agreed in March\n    statement: If key persons vouch, then people seek help\n"
        "    status: supported  # since May\n    notes: NOTES\n",
        1,
    )


def cmocs(path: Path) -> list[dict[str, object]]:
    """The CMOCs' curated keys, in the file's order ('trust-first', then 'zz-other')."""
    data = load_bytes(path.read_bytes())
    return [
        {key: value for key, value in item.items() if key not in ("codes", "counts", "evidence")}
        for item in data["cmocs"]
    ]


def more_evidence(project: Path) -> None:
    """The corpus changes so that merge has to edit both CMOCs."""
    write(
        project,
        transcript(
            TRUST + "cmoc: trust-first\n", TRUST + "cmoc: trust-first\n", "mechanism: building-trust\ncmoc: zz-other\n"
        ),
    )


def validates(cli: Callable[..., Result]) -> None:
    result = cli("validate", "theories")
    assert result.exit_code == 0, result.stdout + result.stderr


# --- YAML's own line breaks ------------------------------------------------------------------------


@pytest.mark.parametrize("brk", ["\u2028", "\u2029"])
def test_a_line_or_paragraph_separator_in_a_quoted_note_is_kept(
    project: Path, cli: Callable[..., Result], brk: str
) -> None:
    """Before: merge split lines on \\n only, edited the wrong lines and wrote `codes:` twice (exit 0)."""
    text = curated_theory(project, cli).replace("notes: NOTES", f'notes: "first{brk}second"')
    theory_file(project).write_text(text, encoding="utf-8")
    validates(cli)
    more_evidence(project)
    assert merge(cli).exit_code == 0
    validates(cli)
    after = theory_file(project).read_text(encoding="utf-8")
    assert f'    notes: "first{brk}second"\n' in after
    [first, _] = cmocs(theory_file(project))
    assert first["notes"] == f"first{brk}second"
    assert "excerpts: 2" in after


def test_a_line_separator_in_a_comment_ends_the_comment_as_yaml_says(project: Path, cli: Callable[..., Result]) -> None:
    text = curated_theory(project, cli).replace("    # agreed in March\n", "    # agreed\u2028    # in March\n")
    theory_file(project).write_text(text, encoding="utf-8")
    validates(cli)
    more_evidence(project)
    assert merge(cli).exit_code == 0
    validates(cli)
    assert "    # agreed\u2028    # in March\n    statement: If key" in theory_file(project).read_text(encoding="utf-8")


def test_a_lone_cr_at_the_end_of_line_one_is_read_as_a_line_break(project: Path, cli: Callable[..., Result]) -> None:
    """Before: merge dropped `cmocs:` and every `- id:` line (exit 0)."""
    text = curated_theory(project, cli)
    theory_file(project).write_bytes(text.replace("\n", "\r", 1).encode())
    validates(cli)
    before = cmocs(theory_file(project))
    more_evidence(project)
    assert merge(cli).exit_code == 0
    validates(cli)
    after = theory_file(project).read_bytes()
    assert b"\r" not in after  # the first line break was a CR: the file is written with LF
    assert cmocs(theory_file(project)) == before
    assert after.startswith(b"# kept by the team\n# Programme theory of")


def test_a_cr_only_file_is_merged(project: Path, cli: Callable[..., Result]) -> None:
    """Before: exit 3, IndexError in _merge_cmocs."""
    text = curated_theory(project, cli)
    theory_file(project).write_bytes(text.replace("\n", "\r").encode())
    before = cmocs(theory_file(project))
    more_evidence(project)
    result = merge(cli)
    assert (result.exit_code, result.stdout) == (0, "theories/alpha.yaml: updated\n")
    assert cmocs(theory_file(project)) == before
    assert b"\r" not in theory_file(project).read_bytes()


def test_a_crlf_file_stays_crlf(project: Path, cli: Callable[..., Result]) -> None:
    text = curated_theory(project, cli).replace("\n", "\r\n")
    theory_file(project).write_bytes(text.encode())
    assert merge(cli).stdout == "theories/alpha.yaml: up to date\n"
    assert theory_file(project).read_bytes() == text.encode()
    more_evidence(project)
    assert merge(cli).exit_code == 0
    after = theory_file(project).read_bytes()
    assert after.count(b"\n") == after.count(b"\r\n") == after.count(b"\r") > len(text.splitlines())
    assert b"    statement: If key persons vouch, then people seek help\r\n" in after
    assert merge(cli).stdout == "theories/alpha.yaml: up to date\n"


def test_nel_in_a_quoted_note_reads_as_a_space_before_and_after(project: Path, cli: Callable[..., Result]) -> None:
    text = curated_theory(project, cli).replace("notes: NOTES", 'notes: "first\x85second"')
    theory_file(project).write_text(text, encoding="utf-8")
    [before, _] = cmocs(theory_file(project))
    more_evidence(project)
    assert merge(cli).exit_code == 0
    [after, _] = cmocs(theory_file(project))
    assert after["notes"] == before["notes"] == "first second"


def test_a_quoted_statement_whose_next_line_looks_like_a_key_is_merged(
    project: Path, cli: Callable[..., Result]
) -> None:
    """Before: merge's scan took `evidence:` inside the statement for a key and said 'unexpected end of stream'."""
    text = curated_theory(project, cli).replace(
        "    statement: If key persons vouch, then people seek help\n",
        '    statement: "If key persons vouch,\n    evidence: people seek help"\n',
    )
    theory_file(project).write_text(text, encoding="utf-8")
    validates(cli)
    more_evidence(project)
    result = merge(cli)
    assert result.exit_code == 0, result.stderr
    validates(cli)
    [first, _] = cmocs(theory_file(project))
    assert first["statement"] == "If key persons vouch, evidence: people seek help"
    assert (
        '    statement: "If key persons vouch,\n    evidence: people seek help"\n' in theory_file(project).read_text()
    )


def test_a_cmoc_in_flow_style_is_refused_and_left_untouched(project: Path, cli: Callable[..., Result]) -> None:
    text = curated_theory(project, cli)
    head = text[: text.index("cmocs:")]
    text = head + "cmocs: [{id: trust-first, statement: Mine, status: supported}]\n"
    theory_file(project).write_text(text, encoding="utf-8")
    validates(cli)
    result = merge(cli)
    assert result.exit_code == 1
    assert result.stderr.startswith("theories/alpha.yaml:")
    assert "error[merge-unsafe]: merge cannot edit this file safely:" in result.stderr
    assert theory_file(project).read_text(encoding="utf-8") == text


# --- the last guard -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("corrupt", "why"),
    [
        (lambda t: t.replace("    # agreed in March\n", ""), "the comment '# agreed in March' would be lost"),
        (lambda t: t.replace("  # since May", ""), "the comment '# since May' would be lost"),
        (lambda t: t.replace("notes: NOTES", "notes: other"), "CMOC 'trust-first' would not keep notes"),
        (lambda t: t.replace("    status: supported", "    status: new"), "CMOC 'trust-first' would not keep status"),
        (
            lambda t: t.replace("    notes: NOTES\n", "    notes: NOTES\n    codes: {}\n"),
            "merge wrote the key 'codes' twice",
        ),
        (lambda t: t.replace("  - id: zz-other\n", "  - id: other: x\n"), "does not read back as YAML"),
        (
            lambda t: t.replace("  - id: zz-other\n", "  - id: zz-other\n    extra: 1\n"),
            "CMOC 'zz-other' would not keep extra",
        ),
    ],
)
def test_what_merge_would_write_is_read_back_and_a_loss_refused(
    project: Path,
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    corrupt: Callable[[str], str],
    why: str,
) -> None:
    import cmo.theory.merge

    text = curated_theory(project, cli)
    theory_file(project).write_text(text, encoding="utf-8")
    more_evidence(project)
    real = cmo.theory.merge.merge_text
    monkeypatch.setattr(cmo.theory.merge, "merge_text", lambda *args, **kwargs: corrupt(real(*args, **kwargs)))
    result = merge(cli)
    assert result.exit_code == 1
    [message, refused] = result.stderr.splitlines()
    assert message.startswith("theories/alpha.yaml:")
    assert "error[merge-unsafe]: merge cannot edit this file safely (" in message and why in message
    assert refused == "theories/alpha.yaml: not merged: fix the errors above first"
    assert theory_file(project).read_text(encoding="utf-8") == text


def test_the_guard_passes_what_merge_really_writes(project: Path, cli: Callable[..., Result]) -> None:
    theory_file(project).write_text(curated_theory(project, cli), encoding="utf-8")
    more_evidence(project)
    result = merge(cli)
    assert (result.exit_code, result.stdout, result.stderr) == (0, "theories/alpha.yaml: updated\n", "")


# --- merge's curation rule and counts (mutations that once survived) -------------------------------


@pytest.mark.parametrize(
    "curation",
    [
        "    notes: only notes\n",
        "    status: refined\n",
        "    statement: only a statement\n",
        "    links: [zz-other]\n",
    ],
)
def test_a_cmoc_curated_by_one_field_only_is_kept_when_its_evidence_goes(
    project: Path, cli: Callable[..., Result], curation: str
) -> None:
    write(project, transcript(TRUST + "cmoc: trust-first\n", "mechanism: building-trust\ncmoc: zz-other\n"))
    merge(cli)
    text = theory_file(project).read_text(encoding="utf-8")
    if curation.startswith("    status"):
        text = text.replace("  - id: trust-first\n    status: new\n", "  - id: trust-first\n" + curation, 1)
    else:
        text = text.replace(
            "  - id: trust-first\n    status: new\n", "  - id: trust-first\n" + curation + "    status: new\n", 1
        )
    theory_file(project).write_text(text, encoding="utf-8")
    write(project, transcript("mechanism: building-trust\ncmoc: zz-other\n"))
    result = merge(cli)
    assert result.exit_code == 0
    assert "warning[cmoc-no-evidence]: CMOC 'trust-first' has lost all its evidence" in result.stderr
    assert "  - id: trust-first\n" + curation in theory_file(project).read_text(encoding="utf-8")


def test_an_uncurated_cmoc_whose_evidence_goes_is_removed(project: Path, cli: Callable[..., Result]) -> None:
    write(project, transcript(TRUST + "cmoc: trust-first\n", "mechanism: building-trust\ncmoc: zz-other\n"))
    merge(cli)
    write(project, transcript("mechanism: building-trust\ncmoc: zz-other\n"))
    assert merge(cli).exit_code == 0
    assert "trust-first" not in theory_file(project).read_text(encoding="utf-8")


def test_participants_counts_people_not_mentions(project: Path, cli: Callable[..., Result]) -> None:
    write(project, transcript(TRUST + "cmoc: a\n", TRUST + "cmoc: a\n", participants="P01, P02"))
    write(project, transcript(TRUST + "cmoc: a\n", id="int-02", participants="P01"), name="int-02")
    assert merge(cli).exit_code == 0
    theory, _ = load_theory(theory_file(project), "alpha.yaml", Diagnostics())
    assert theory is not None
    [cmoc] = theory.cmocs
    assert (cmoc.counts.excerpts, cmoc.counts.transcripts, cmoc.counts.participants) == (3, 2, 2)


# --- leftovers and write errors ---------------------------------------------------------------------


def test_temp_files_an_interrupted_merge_left_are_removed_under_the_lock(
    project: Path, cli: Callable[..., Result]
) -> None:
    write(project, transcript(TRUST))
    merge(cli)
    theories = project / "theories"
    leftovers = [theories / ".alpha.yaml.k2j_9x0a.tmp", theories / ".beta.yaml.abcdefgh.tmp"]
    others = [theories / "notes.tmp", theories / ".alpha.yaml.short.tmp", theories / ".alpha.md.abcdefgh.tmp"]
    for path in leftovers + others:
        path.write_text("half a theory", encoding="utf-8")
    assert merge(cli, "--check").exit_code == 0  # --check takes no lock: it touches nothing
    assert all(path.exists() for path in leftovers)
    assert merge(cli).exit_code == 0
    assert not any(path.exists() for path in leftovers)
    assert all(path.exists() for path in others)


def test_a_failed_write_names_the_theory_and_leaves_nothing_behind(
    project: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cmo.core.files import write_atomic

    target = project / "theories" / "alpha.yaml"
    target.parent.mkdir()
    target.write_text("old\n", encoding="utf-8")

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(OSError) as caught:
        write_atomic(target, "new\n")
    assert (caught.value.errno, caught.value.strerror, caught.value.filename) == (
        28,
        "No space left on device",
        str(target),
    )
    assert sorted(p.name for p in target.parent.iterdir()) == ["alpha.yaml"]
    assert target.read_text(encoding="utf-8") == "old\n"


def test_a_folder_that_cannot_be_written_names_the_theory(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import tempfile

    from cmo.core.files import write_atomic

    def read_only(*args: object, **kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(tmp_path / ".alpha.yaml.abcdefgh.tmp"))

    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    with pytest.raises(PermissionError) as caught:
        write_atomic(tmp_path / "alpha.yaml", "new\n")
    assert caught.value.filename == str(tmp_path / "alpha.yaml")
    assert list(tmp_path.iterdir()) == []


def test_a_comment_inside_evidence_below_a_block_scalar_statement_is_not_read_as_part_of_it(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import shutil

    from tests.conftest import REPO

    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    shutil.copytree(REPO / "theories", tmp_path / "theories")
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "theories" / "riverside-bridges.yaml"
    text = path.read_text(encoding="utf-8")
    cmoc = "  - id: building-trust-help-seeking-referrals-to-6df7af\n    status: new\n"
    evidence_end = "        participants: [P11]\n  - id: building-trust-referrals-to-services-398b28"
    assert cmoc in text and evidence_end in text
    text = text.replace(cmoc, cmoc + "    statement: |\n      Trust first.\n", 1)
    text = text.replace(evidence_end, "        # weak quote\n" + evidence_end, 1)
    path.write_text(text.replace("      excerpts: 2\n", "      excerpts: 3\n", 1), encoding="utf-8")
    assert cli("validate", "theories/riverside-bridges.yaml").exit_code == 0
    result = cli("merge")
    assert (result.exit_code, result.stderr) == (0, ""), result.stdout
    merged = path.read_text(encoding="utf-8")
    assert "    statement: |\n      Trust first.\n" in merged and "        # weak quote\n" in merged


def test_an_alias_into_a_generated_value_is_refused_not_a_crash(tmp_path: Path, cli: Callable[..., Result]) -> None:
    import shutil

    import yaml

    from tests.conftest import REPO

    shutil.copytree(REPO / "corpus", tmp_path / "corpus")
    shutil.copytree(REPO / "theories", tmp_path / "theories")
    os.chdir(tmp_path)
    path = tmp_path / "theories" / "riverside-bridges.yaml"
    theory = yaml.safe_load(path.read_text(encoding="utf-8"))
    [model] = [c for c in theory["cmocs"] if c["id"] == "trust-through-key-persons"]
    # A hand-written hypothesis sharing the model's codes: PyYAML writes them once, as an anchor and an alias.
    theory["cmocs"].append({"id": "imported-trust", "status": "imported", "codes": model["codes"], "evidence": []})
    text = yaml.safe_dump(theory, sort_keys=False, allow_unicode=True)
    assert "*id001" in text
    path.write_text(text, encoding="utf-8")
    result = cli("merge")
    assert result.exit_code == 1
    assert "error[merge-unsafe]" in result.stderr and "without its anchor" in result.stderr
    assert path.read_text(encoding="utf-8") == text
    compared = cli("compare", "northcliffe-connect", "riverside-bridges", "--format", "json")
    assert compared.exit_code == 0, compared.stderr  # whether it is stale cannot be told; the report goes on
