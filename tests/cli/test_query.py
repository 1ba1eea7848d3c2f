"""`cmo query` on the hand-built corpus: exact output in every format, counts, exit codes and usage errors."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.analysis.evidence_corpus import evidence_corpus
from tests.conftest import DEMO_CORPUS, REPO, Result

Cli = Callable[..., Result]


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The corpus as a study, run from its root: paths show as corpus/..., as in any study."""
    evidence_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


KEY_PERSONS = (
    "corpus/alpha/a-int-01.md:9: [trust-first] **P01:** It took months before anyone at the mosque would talk to me "
    "about how they were feeling.\n"
    "corpus/alpha/a-int-01.md:27: [-] **P01:** The imam told people I was all right, and then they came to the group.\n"
)


def test_one_hit_per_line(cli: Cli, study: Path) -> None:
    result = cli("query", "--mechanism", "key-persons")
    assert (result.exit_code, result.stdout, result.stderr) == (0, KEY_PERSONS, "")


def test_paths_narrow_the_corpus(cli: Cli, study: Path) -> None:
    assert cli("query", "corpus/beta", "--count").stdout == "2 hits, 2 distinct passages, 2 transcripts\n"


def test_counts_count_a_double_coded_passage_once(cli: Cli, study: Path) -> None:
    result = cli("query", "--transcript", "a-int-01", "--count")
    assert (result.exit_code, result.stdout) == (0, "3 hits, 2 distinct passages, 1 transcript\n")
    as_json = cli("query", "--transcript", "a-int-01", "--count", "--format", "jsonl")
    assert json.loads(as_json.stdout) == {"hits": 3, "passages": 2, "transcripts": 1}


def test_a_long_quote_is_cut_at_a_word_on_one_line() -> None:
    from cmo.render.query_text import shorten

    words = (
        "It took months before anyone at the mosque\nwould talk to me about how they were feeling, and longer still."
    )
    assert shorten(words, 60) == "It took months before anyone at the mosque would talk to..."
    assert shorten("short\t words\x1b[2J", 60) == "short words\u241b[2J"  # controls shown, never acted on
    assert shorten("x" * 80, 60) == "x" * 57 + "..."


def test_jsonl_is_the_record_with_its_cmocs_and_passage(cli: Cli, study: Path) -> None:
    lines = cli("query", "--cmoc", "beta-trust", "-f", "jsonl").stdout.splitlines()
    assert len(lines) == 1
    hit = json.loads(lines[0])
    assert hit["id"].startswith("beta/b-ws-01#") and hit["cmocs"] == ["beta-trust"]
    assert hit["passage"] == hit["id"] + "@9"
    assert hit["shown"] == "corpus/beta/b-ws-01.md" and hit["path"] == "beta/b-ws-01.md"
    assert hit["elicited"] is True and hit["participants"] == [{"id": "P21", "role": "manager"}]


def test_csv_and_markdown(cli: Cli, study: Path) -> None:
    text = cli("query", "--barrier", "short-funding", "-f", "csv").stdout
    assert text.startswith("\ufeffpath,line,cmoc,record,")
    rows = list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 1
    assert (rows[0]["path"], rows[0]["line"], rows[0]["cmoc"], rows[0]["barriers"]) == (
        "corpus/alpha/a-obs-01.md",
        "9",
        "trust-first",
        "short-funding",
    )
    assert rows[0]["participants"] == "P02 (volunteer); P03 (connector)"
    md = cli("query", "--stance", "refutes", "-f", "md").stdout
    assert md == (
        "1 hit\n\n| where | CMOC | stance | coder | quote |\n|---|---|---|---|---|\n"
        "| corpus/alpha/a-obs-01.md:18 | \\- | refutes | CD | \\*\\*P03:\\*\\* Funding ends in March and nobody "
        "knows what happens next. |\n"
    )


def test_no_hit_is_no_error(cli: Cli, study: Path) -> None:
    result = cli("query", "--reasoning", "key-persons")
    assert (result.exit_code, result.stdout) == (0, "")


def test_out_writes_a_file(cli: Cli, study: Path) -> None:
    result = cli("query", "--mechanism", "key-persons", "--out", "hits.txt")
    assert (result.exit_code, result.stdout) == (0, "")
    assert (study / "hits.txt").read_text(encoding="utf-8") == KEY_PERSONS


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--mechanism", "buildng-trust"],
            "--mechanism 'buildng-trust': no codebook declares this code; did you mean 'building-trust'?",
        ),
        (["--outcome", "key-persons"], "'key-persons' is a mechanism code, so no record has it as an outcome"),
        (["--source", "workshops"], "did you mean 'workshop'?"),
        (["--stance", "support"], "did you mean 'supports'?"),
        (["--where", "role"], "--where 'role' is not ATTRIBUTE=VALUE"),
        (["--where", "rol=connector"], "did you mean 'role'?"),
        (["--since", "2024-02-30"], "--since '2024-02-30' is not a date"),
        (["--programme", "alphaa"], "did you mean 'alpha'?"),
        (["--transcript", "a-obs-1"], "did you mean 'a-obs-01'?"),
    ],
)
def test_bad_values_are_usage_errors(cli: Cli, study: Path, args: list[str], message: str) -> None:
    result = cli("query", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("cmo: error: ") and message in result.stderr
    assert "Traceback" not in result.stderr


def test_every_bad_value_is_named(cli: Cli, study: Path) -> None:
    result = cli("query", "--code", "nosuch", "--coder", "ZZ")
    assert result.exit_code == 2
    assert result.stderr.count("cmo: error: ") == 2


def test_corpus_errors_are_shown_and_exit_1(cli: Cli, study: Path) -> None:
    broken = study / "corpus" / "beta" / "b-bad.md"
    broken.write_text(
        "---\nid: b-bad\nsource: interview\n---\n\nWords.\n\n```cmo\nmechanism: nosuch\n```\n", encoding="utf-8"
    )
    result = cli("query", "--programme", "alpha", "--count")
    assert result.exit_code == 1
    assert "corpus/beta/b-bad.md:" in result.stderr and "error[" in result.stderr
    assert result.stdout == "5 hits, 4 distinct passages, 2 transcripts\n"  # the records there are


def test_a_missing_path_is_exit_1(cli: Cli, study: Path) -> None:
    result = cli("query", "nowhere")
    assert result.exit_code == 1 and "nowhere" in result.stderr and result.stdout == ""


def test_the_demo_answers(cli: Cli) -> None:
    result = cli("query", DEMO_CORPUS, "--theories", REPO / "theories", "--mechanism", "building-trust", "--count")
    assert result.exit_code == 0, result.stderr
    hits, passages = (int(part.split()[0]) for part in result.stdout.split(", ")[:2])
    assert hits >= passages > 10
