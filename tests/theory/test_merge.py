"""Merge: programme theories from records, keeping every curated field and comment; atomic, locked, checkable."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from cmo.core.diagnostics import Diagnostics
from cmo.core.files import LockTimeout, locked
from cmo.corpus.identity import passage_digest
from cmo.corpus.models import SourceType
from cmo.theory.model import load_theory
from tests.conftest import Result, corpus_files

HEAD = "---\nid: {id}\nsource: {source}\nparticipants: [{participant}]\ncoder: AB\n---\n\n"
PARAGRAPHS = [
    "P01 said it took months before anyone at the mosque would talk to her.",
    "The imam introduced the connector at Friday prayers and people came.",
    "Without the short funding ending, the group might have kept going.",
]


def transcript(*blocks: str, id: str = "int-01", source: str = "interview", participant: str = "P01") -> str:
    body = HEAD.format(id=id, source=source, participant=participant)
    for index, block in enumerate(blocks):
        body += PARAGRAPHS[index % len(PARAGRAPHS)] + "\n\n```cmo\n" + block + "```\n\n"
    return body


TRUST = "context: stigma\nmechanism: key-persons\noutcome: help-seeking\n"


@pytest.fixture
def project(tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> Path:
    root = tree(corpus_files())
    monkeypatch.chdir(root.parent)
    return root.parent


def rid(transcript_id: str, passage: str, programme: str = "alpha") -> str:
    """The record id of a passage: content-based, so the test states the passage, not its position."""
    return f"{programme}/{transcript_id}#{passage_digest(passage)}"


def write(project: Path, name: str, text: str) -> None:
    path = project / "corpus" / "alpha" / f"{name}.md"
    path.write_text(text, encoding="utf-8")


def theory_text(project: Path) -> str:
    return (project / "theories" / "alpha.yaml").read_text(encoding="utf-8")


def merge(cli: Callable[..., Result], *args: str) -> Result:
    return cli("merge", "corpus", *args)


def test_merge_writes_a_theory_with_grouped_cmocs_counts_and_evidence(
    project: Path, cli: Callable[..., Result]
) -> None:
    write(project, "int-01", transcript(TRUST, TRUST + "cmoc: trust-first\n", TRUST))
    write(
        project,
        "obs-01",
        transcript(
            TRUST + "cmoc: trust-first\nstance: refutes\n", id="obs-01", source="observation", participant="P02"
        ),
    )
    result = merge(cli)
    assert result.exit_code == 0, result.stderr
    assert result.stdout == "theories/alpha.yaml: updated\n"
    theory, _ = load_theory(project / "theories/alpha.yaml", "alpha.yaml", Diagnostics())
    assert theory is not None
    assert theory.programme.name == "Alpha Connectors"
    by_id = {cmoc.id: cmoc for cmoc in theory.cmocs}
    assert len(by_id) == 2
    named = by_id["trust-first"]
    assert [e.record for e in named.evidence] == [rid("int-01", PARAGRAPHS[1]), rid("obs-01", PARAGRAPHS[0])]
    counts = named.counts
    assert (counts.excerpts, counts.supporting, counts.refuting, counts.transcripts, counts.participants) == (
        2,
        1,
        1,
        2,
        2,
    )
    assert named.counts.by_source == {"interview": 1, "observation": 1, "document": 0, "workshop": 0}
    assert named.triangulated is False  # the observation refutes: refuting evidence triangulates nothing
    assert named.status == "new"
    [grouped] = [cmoc for cmoc in theory.cmocs if cmoc.id != "trust-first"]
    assert grouped.id.startswith("key-persons-help-seeking-")  # keyed by its mechanism and outcome
    assert [e.record for e in grouped.evidence] == [rid("int-01", PARAGRAPHS[0]), rid("int-01", PARAGRAPHS[2])]
    assert grouped.triangulated is False
    assert [ref.label for ref in grouped.codes["mechanism"]] == ["Working through existing key persons"]
    assert grouped.evidence[0].lines == "8"
    assert grouped.evidence[0].quote == PARAGRAPHS[0]


def test_generated_ids_are_stable_and_differ_by_mechanism_or_outcome_only(project: Path) -> None:
    from cmo.corpus.models import Record, SourceType
    from cmo.theory.configuration import generated_id

    base = {
        "programme": "a",
        "transcript": "t",
        "source": SourceType.INTERVIEW,
        "path": "a/t.md",
        "line_start": 1,
        "line_end": 1,
        "quote": "q",
        "annotation_line": 2,
        "context": ["stigma"],
        "mechanism": ["key-persons"],
        "outcome": ["help-seeking"],
    }
    one = Record(id="a/t#1", **base)
    same = Record(id="a/t#9", **{**base, "quote": "other", "line_start": 5, "line_end": 5})
    other_context = Record(id="a/t#2", **{**base, "context": ["language"], "intervention": ["connectors"]})
    other_outcome = Record(id="a/t#3", **{**base, "outcome": ["isolation"]})
    split = Record(id="a/t#4", **{**base, "resource": ["key-persons"]})
    assert generated_id(one) == generated_id(same) == generated_id(other_context)
    assert generated_id(one) != generated_id(other_outcome)
    assert generated_id(one) != generated_id(split)  # the same code given as the resource is another mechanism
    assert generated_id(one).startswith("key-persons-help-seeking-")


def test_merging_twice_is_byte_identical_and_writes_nothing(project: Path, cli: Callable[..., Result]) -> None:
    write(project, "int-01", transcript(TRUST, TRUST + "cmoc: trust-first\n"))
    merge(cli)
    first = theory_text(project)
    stamp = (project / "theories/alpha.yaml").stat().st_mtime_ns
    result = merge(cli)
    assert result.stdout == "theories/alpha.yaml: up to date\n"
    assert theory_text(project) == first
    assert (project / "theories/alpha.yaml").stat().st_mtime_ns == stamp


CURATION = [
    (
        "  - id: trust-first\n    status: new\n",
        "  - id: trust-first\n    # agreed at the March workshop\n"
        "    statement: If key persons vouch, then people seek help, because they trust them  # CMOC 1\n"
        "    status: supported\n    notes: |\n      Strong with women.\n      Weak with men.\n    links: [trust-first]\n",
    ),
]


def curate(project: Path) -> str:
    text = theory_text(project)
    text = "# Reviewed by the team on 2024-05-01\n" + text
    for old, new in CURATION:
        text = text.replace(old, new, 1)
    assert "status: supported" in text
    (project / "theories/alpha.yaml").write_text(text, encoding="utf-8")
    return text


def test_curated_fields_and_comments_survive_corpus_edits(project: Path, cli: Callable[..., Result]) -> None:
    write(project, "int-01", transcript(TRUST + "cmoc: trust-first\n", TRUST))
    merge(cli)
    curate(project)
    # the evidence changes: a quote is added to the CMOC, another record joins it, one leaves
    write(
        project,
        "int-01",
        transcript(
            TRUST + "cmoc: trust-first\nquote: The imam introduced   the\n connector\n",
            TRUST + "cmoc: trust-first\n",
            "outcome: help-seeking\n",
        ),
    )
    assert merge(cli).exit_code == 0
    text = theory_text(project)
    for kept in (
        "# Reviewed by the team on 2024-05-01\n",
        "    # agreed at the March workshop\n",
        "    statement: If key persons vouch, then people seek help, because they trust them  # CMOC 1\n",
        "    status: supported\n",
        "    notes: |\n      Strong with women.\n      Weak with men.\n",
        "    links: [trust-first]\n",
    ):
        assert kept in text
    assert "        quote: The imam introduced the connector\n" in text  # whitespace made one space
    assert "excerpts: 2" in text
    # and the curated file is stable under re-merge
    merge(cli)
    assert theory_text(project) == text


def test_one_changed_quote_changes_only_its_record_id_and_quote_lines(
    project: Path, cli: Callable[..., Result]
) -> None:
    write(project, "int-01", transcript(TRUST + "quote: before anyone at the mosque\n", TRUST + "cmoc: trust-first\n"))
    merge(cli)
    before = theory_text(project).splitlines()
    write(
        project, "int-01", transcript(TRUST + "quote: anyone at the mosque would talk\n", TRUST + "cmoc: trust-first\n")
    )
    merge(cli)
    after = theory_text(project).splitlines()
    changed = [(a, b) for a, b in zip(before, after, strict=True) if a != b]
    # The evidence text is the record's identity: another quote is another piece of evidence.
    assert changed == [
        (
            f"      - record: {rid('int-01', 'before anyone at the mosque')}",
            f"      - record: {rid('int-01', 'anyone at the mosque would talk')}",
        ),
        ("        quote: before anyone at the mosque", "        quote: anyone at the mosque would talk"),
    ]


def test_hand_written_cmoc_is_kept_and_gets_evidence_when_named(project: Path, cli: Callable[..., Result]) -> None:
    write(project, "int-01", transcript(TRUST))
    merge(cli)
    text = theory_text(project).replace(
        "cmocs:\n",
        "cmocs:\n  - id: time-builds-trust\n    # initial programme theory\n"
        "    statement: If workers stay long enough, then trust grows, because relationships take time\n"
        "    status: initial\n",
        1,
    )
    (project / "theories/alpha.yaml").write_text(text, encoding="utf-8")
    assert merge(cli).exit_code == 0
    kept = theory_text(project)
    assert "  - id: time-builds-trust\n    # initial programme theory\n" in kept
    assert "evidence: []" in kept
    write(project, "int-01", transcript(TRUST, TRUST + "cmoc: time-builds-trust\n"))
    merge(cli)
    assert "status: initial\n" in theory_text(project)
    theory, _ = load_theory(project / "theories/alpha.yaml", "alpha.yaml", Diagnostics())
    assert theory is not None
    [hand_written] = [cmoc for cmoc in theory.cmocs if cmoc.id == "time-builds-trust"]
    assert [e.record for e in hand_written.evidence] == [rid("int-01", PARAGRAPHS[1])]
    assert hand_written.statement == "If workers stay long enough, then trust grows, because relationships take time"


def test_curated_cmoc_that_lost_its_evidence_is_kept_and_marked(project: Path, cli: Callable[..., Result]) -> None:
    write(project, "int-01", transcript(TRUST + "cmoc: trust-first\n", TRUST + "cmoc: gone\n"))
    merge(cli)
    curate(project)
    write(project, "int-01", transcript(TRUST))
    result = merge(cli)
    assert result.exit_code == 0
    assert "warning[cmoc-no-evidence]: CMOC 'trust-first' has lost all its evidence" in result.stderr
    text = theory_text(project)
    assert "statement: If key persons vouch" in text
    assert "- id: gone" not in text  # generated only, nobody curated it: dropped


def test_check_reports_stale_theories_and_writes_nothing(project: Path, cli: Callable[..., Result]) -> None:
    write(project, "int-01", transcript(TRUST))
    result = merge(cli, "--check")
    assert result.exit_code == 1
    assert result.stdout == "theories/alpha.yaml: stale: run `cmo merge` to update it\n"
    assert not (project / "theories/alpha.yaml").exists()
    merge(cli)
    assert merge(cli, "--check").exit_code == 0
    write(project, "int-01", transcript(TRUST, TRUST))
    before = theory_text(project)
    assert merge(cli, "--check").exit_code == 1
    assert theory_text(project) == before


def test_merge_refuses_a_corpus_with_errors(project: Path, cli: Callable[..., Result]) -> None:
    write(project, "int-01", transcript(TRUST))
    merge(cli)
    before = theory_text(project)
    write(project, "int-01", transcript(TRUST.replace("stigma", "stigmaa")))
    result = merge(cli)
    assert result.exit_code == 1
    assert "nothing merged" in result.stderr
    assert theory_text(project) == before


def test_a_broken_theory_file_is_reported_and_left_alone(project: Path, cli: Callable[..., Result]) -> None:
    write(project, "int-01", transcript(TRUST))
    merge(cli)
    broken = theory_text(project).replace("cmocs:\n", "cmocs:\n  - id: x\n    statment: typo\n", 1)
    (project / "theories/alpha.yaml").write_text(broken, encoding="utf-8")
    result = merge(cli)
    assert result.exit_code == 1
    assert (
        "theories/alpha.yaml:" in result.stderr and "unknown key 'statment'; did you mean 'statement'?" in result.stderr
    )
    assert theory_text(project) == broken


def test_a_failure_before_the_rename_leaves_the_old_file(
    project: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    write(project, "int-01", transcript(TRUST))
    merge(cli)
    before = theory_text(project)
    write(project, "int-01", transcript(TRUST, TRUST + "cmoc: new-one\n"))

    def crash(src: object, dst: object) -> None:
        raise OSError("disk vanished")

    monkeypatch.setattr(os, "replace", crash)
    result = merge(cli)
    # An I/O error is the file system's, not a bug in cmo: one line and exit 1 (issue 10), not exit 3.
    assert result.exit_code == 1
    assert result.stderr.endswith("cmo: error: cannot write theories/alpha.yaml: disk vanished\n")
    assert theory_text(project) == before
    assert sorted(p.name for p in (project / "theories").iterdir()) == ["alpha.yaml"]  # the lock is outside


def test_a_merge_killed_midway_leaves_the_old_file(project: Path) -> None:
    import signal
    import subprocess
    import sys

    write(project, "int-01", transcript(TRUST))
    subprocess.run([sys.executable, "-m", "cmo", "merge", "corpus"], check=True, cwd=project, capture_output=True)
    before = theory_text(project)
    write(project, "int-01", transcript(TRUST, TRUST + "cmoc: new-one\n"))
    # The child stops itself inside write_atomic, after the temp file is written and before the rename.
    script = (
        "import os, signal, cmo.core.files as f\n"
        "real = os.replace\n"
        "def stop(src, dst):\n    os.kill(os.getpid(), signal.SIGKILL)\n"
        "os.replace = stop\n"
        "from cmo.cli.main import run\nimport sys\nsys.argv = ['cmo', 'merge', 'corpus']\nrun()\n"
    )
    child = subprocess.run([sys.executable, "-c", script], cwd=project, capture_output=True)
    assert child.returncode == -signal.SIGKILL
    assert theory_text(project) == before


def test_two_merges_cannot_interleave(tmp_path: Path) -> None:
    with locked(tmp_path), pytest.raises(LockTimeout), locked(tmp_path, timeout=0.1):
        pass
    with locked(tmp_path, timeout=0.1):  # released after the holder is done
        pass


def test_validate_theories(project: Path, cli: Callable[..., Result]) -> None:
    write(project, "int-01", transcript(TRUST + "cmoc: trust-first\n"))
    merge(cli)
    assert cli("validate", "theories").exit_code == 0
    text = theory_text(project)
    text = text.replace("    status: new\n", "    status: new\n    links: [trust-frist]\n", 1)
    text = text.replace("        - id: stigma\n", "        - id: stigmaa\n", 1)
    text += "  - id: trust-first\n    status: refuted\n"
    (project / "theories/alpha.yaml").write_text(text, encoding="utf-8")
    result = cli("validate", "theories")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert [line.split(": ", 1)[1].split("]")[0] for line in lines] == [
        "error[dangling-link",
        "error[unknown-code",
        "warning[cmoc-incomplete",  # the second trust-first is curated (refuted) and has no code at all
        "error[duplicate-cmoc",
        "warning[status-evidence",  # and says refuted with no evidence at all
    ]
    assert "links to 'trust-frist', which is not a CMOC of this theory; did you mean 'trust-first'?" in lines[0]
    link_line = text.splitlines().index("    links: [trust-frist]") + 1
    assert lines[0].startswith(f"theories/alpha.yaml:{link_line}:13: ")
    assert "unknown code 'stigmaa'" in lines[1] and "did you mean 'stigma'?" in lines[1]
    first_line = text.splitlines().index("  - id: trust-first") + 1
    assert f"CMOC id 'trust-first' appears twice (first at line {first_line})" in lines[3]


def test_the_layout_scan_agrees_with_the_parser_and_blanks_only_generated_keys(
    project: Path, cli: Callable[..., Result]
) -> None:
    from cmo.theory.skeleton import scan_layout
    from cmo.yamlio.reader import load

    write(project, "int-01", transcript(TRUST + "cmoc: trust-first\n", TRUST, "outcome: help-seeking\n"))
    merge(cli)
    text = curate(project)
    layout = scan_layout(text)
    assert layout is not None
    items = load(text)["cmocs"]
    assert layout.items == [item.mark.line - 1 for item in items]
    assert layout.had_evidence == [True] * len(items)
    skeleton = load(layout.skeleton)
    for item in skeleton["cmocs"]:
        assert not set(item) & {"codes", "counts", "triangulated", "evidence"}
    assert [item["id"] for item in skeleton["cmocs"]] == [item["id"] for item in items]
    assert "statement: If key persons vouch" in layout.skeleton


def test_a_layout_the_scan_does_not_know_falls_back_to_parsing(project: Path, cli: Callable[..., Result]) -> None:
    from cmo.theory.skeleton import scan_layout

    write(project, "int-01", transcript(TRUST + "cmoc: trust-first\n"))
    merge(cli)
    # A person re-indented the list: items at column 0, keys at 2 (valid YAML, not merge's layout).
    head, body = theory_text(project).split("cmocs:\n")
    body = "\n".join(line[2:] for line in body.split("\n"))
    body = body.replace("- id: trust-first\n", "- id: trust-first\n  # mine\n  statement: Kept as written\n")
    text = head + "cmocs:\n" + body
    (project / "theories/alpha.yaml").write_text(text, encoding="utf-8")
    layout = scan_layout(text)
    assert layout is None or layout.items == []  # not merge's layout: the parser reads it
    write(project, "int-01", transcript(TRUST + "cmoc: trust-first\n", TRUST + "cmoc: trust-first\n"))
    assert merge(cli).exit_code == 0
    after = theory_text(project)
    assert "  # mine\n  statement: Kept as written\n" in after
    assert "excerpts: 2" in after
    assert cli("validate", "theories").exit_code == 0


def test_a_broken_generated_block_is_simply_written_anew(project: Path, cli: Callable[..., Result]) -> None:
    write(project, "int-01", transcript(TRUST + "cmoc: trust-first\n"))
    merge(cli)
    good = theory_text(project)
    broken = good.replace("        quote: ", "        quote: [unclosed ", 1)
    (project / "theories/alpha.yaml").write_text(broken, encoding="utf-8")
    assert merge(cli).exit_code == 0
    assert theory_text(project) == good


def test_one_configuration_gets_one_id_whatever_order_its_codes_were_written_in(
    project: Path, cli: Callable[..., Result]
) -> None:
    write(
        project,
        "int-01",
        transcript(
            "mechanism: [key-persons, building-trust]\noutcome: help-seeking\n",
            "mechanism: [building-trust, key-persons]\noutcome: help-seeking\ncontext: stigma\n",
        ),
    )
    assert merge(cli).exit_code == 0
    theory, _ = load_theory(project / "theories/alpha.yaml", "alpha.yaml", Diagnostics())
    assert theory is not None
    [cmoc] = theory.cmocs
    assert cmoc.id.startswith("building-trust-key-persons-help-seeking-")
    assert cmoc.counts.excerpts == 2
    assert [(ref.id, ref.excerpts) for ref in cmoc.codes["context"]] == [("stigma", 1)]


def test_a_passage_two_coders_coded_counts_once_and_refuting_is_never_support(
    project: Path, cli: Callable[..., Result]
) -> None:
    first = TRUST + "cmoc: trust-first\ncoder: AB\n"
    second = TRUST + "cmoc: trust-first\ncoder: CD\nstance: refines\n"
    # Both blocks sit under the first paragraph: one passage, two codings.
    body = transcript(first) + "```cmo\n" + second + "```\n\n" + PARAGRAPHS[1] + "\n\n```cmo\n"
    body += TRUST + "cmoc: trust-first\nstance: refutes\n```\n"
    write(project, "int-01", body)
    assert merge(cli).exit_code == 0, "merge failed"
    theory, _ = load_theory(project / "theories/alpha.yaml", "alpha.yaml", Diagnostics())
    assert theory is not None
    [cmoc] = theory.cmocs
    assert [e.record for e in cmoc.evidence] == [
        rid("int-01", PARAGRAPHS[0]),
        rid("int-01", PARAGRAPHS[0]) + ".2",
        rid("int-01", PARAGRAPHS[1]),
    ]
    counts = cmoc.counts
    assert (counts.excerpts, counts.codings) == (2, 3)
    assert (counts.supporting, counts.refining, counts.refuting) == (1, 1, 1)
    assert counts.by_source[SourceType.INTERVIEW] == 2
    assert [(ref.id, ref.excerpts) for ref in cmoc.codes["context"]] == [("stigma", 2)]


def test_the_same_words_said_again_elsewhere_are_another_passage(project: Path, cli: Callable[..., Result]) -> None:
    said = "P01: Yes, that's right."
    block = "```cmo\ncontext: stigma\nmechanism: key-persons\noutcome: help-seeking\ncmoc: agreed\n{more}```\n\n"
    body = HEAD.format(id="ws-01", source="workshop", participant="P01")
    body += said + "\n\n" + block.format(more="elicited: true\n")
    body += "P02: And the imam's word counts for more.\n\n" + block.format(more="elicited: true\n")
    body += said + "\n\n" + block.format(more="")  # the same words, later, unprompted
    write(project, "ws-01", body)
    assert merge(cli).exit_code == 0
    theory, _ = load_theory(project / "theories/alpha.yaml", "alpha.yaml", Diagnostics())
    assert theory is not None
    [cmoc] = theory.cmocs
    assert [e.record for e in cmoc.evidence][::2] == [rid("ws-01", said), rid("ws-01", said) + ".2"]
    assert (cmoc.counts.excerpts, cmoc.counts.codings) == (3, 3)
    assert (cmoc.counts.elicited, cmoc.counts.spontaneous) == (2, 1)
