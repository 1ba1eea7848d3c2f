"""Hostile and unlucky input (issue 10): huge numbers, stacked blocks, full disks, control characters, symlinks."""

from __future__ import annotations

import errno
import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmo.corpus.evidence import Evidence, paragraph_above
from cmo.render.diff_text import format_markdown, format_text
from cmo.render.escape import md_escape, printable
from cmo.render.markdown import mermaid
from cmo.render.view import Diagram, Node
from cmo.theory.diff import diff_theories
from cmo.theory.model import Theory
from cmo.yamlio.reader import YamlError, load
from tests.conftest import CODEBOOK, PROGRAMME, SHARED_CODEBOOK, TRANSCRIPT, Result, corpus_files, write_tree

HUGE_HEX = "0x" + "f" * 5_000
HUGE_DECIMAL = "9" * 5_000
TOO_LARGE = "error[yaml-number-too-large]: a number of more than 4,000 digits is too large for cmo"
HEAD = "---\nid: a-int-01\nsource: interview\n---\n\nSome words from P01 about trust.\n\n"
BLOCK = "```cmo\noutcome: help-seeking\n```\n"

THEORY: dict[str, Any] = {
    "programme": {"id": "alpha", "name": "Alpha Connectors"},
    "cmocs": [
        {
            "id": "trust",
            "statement": "If connectors work through key persons, then people seek help",
            "status": "supported",
            "codes": {"mechanism": [{"id": "key-persons", "label": "Working through key persons"}]},
            "counts": {"excerpts": 1, "transcripts": 1, "participants": 1, "by_source": {"interview": 1}},
            "evidence": [
                {
                    "record": "alpha/a-int-01#1",
                    "transcript": "a-int-01",
                    "source": "interview",
                    "lines": "6",
                    "quote": "It took months",
                    "stance": "supports",
                }
            ],
        }
    ],
}


def _theory(**changes: Any) -> dict[str, Any]:
    cmoc = {**THEORY["cmocs"][0], **changes}
    return {**THEORY, "cmocs": [cmoc]}


def _dump(data: dict[str, Any]) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1_000_000)


def _no_traceback(result: Result) -> None:
    assert "Traceback" not in result.stdout + result.stderr
    assert "internal error" not in result.stderr
    assert result.exit_code not in (0, 3)


# --- 3: integers too large to print ------------------------------------------------------------


@pytest.mark.parametrize("number", [HUGE_HEX, HUGE_DECIMAL, "0b" + "1" * 14_000, ":".join(["59"] * 5_000)])
def test_a_number_too_large_to_print_is_refused_where_it_is(number: str) -> None:
    with pytest.raises(YamlError) as refused:
        load(f"a: 1\nb: [x, {number}]\n")
    assert refused.value.rule == "yaml-number-too-large"
    assert (refused.value.mark.line, refused.value.mark.column) == (2, 8)


def test_large_numbers_under_the_limit_still_load() -> None:
    assert load("a: " + "9" * 3_999)["a"] == int("9" * 3_999)
    assert load(f"a: '{HUGE_HEX}'")["a"] == HUGE_HEX  # quoted, it is text


@pytest.mark.parametrize("number", [HUGE_HEX, HUGE_DECIMAL])
@pytest.mark.parametrize("command", ["validate", "code", "merge"])
def test_a_huge_number_in_a_transcript_is_a_diagnostic_for_every_command(
    tree: Callable[..., Path],
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    command: str,
    number: str,
) -> None:
    monkeypatch.chdir(tree(corpus_files(t=HEAD + f"```cmo\noutcome: {number}\n```\n")))
    result = cli(command, ".")
    _no_traceback(result)
    assert f"alpha/t.md:9:10: {TOO_LARGE}" in result.stdout + result.stderr


@pytest.mark.parametrize("number", [HUGE_HEX, HUGE_DECIMAL])
def test_a_huge_number_in_a_theory_is_a_diagnostic_for_diff_report_and_compare(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, number: str
) -> None:
    good = _dump(THEORY)
    bad = good.replace("status: supported", f"status: {number}")
    write_tree(
        tmp_path, {"theories/alpha.yaml": bad, "theories/beta.yaml": good.replace("alpha", "beta"), "old.yaml": good}
    )
    monkeypatch.chdir(tmp_path)
    where = "theories/alpha.yaml:7:11"
    for args in (
        ["diff", "old.yaml", "theories/alpha.yaml"],
        ["diff", "-f", "md", "theories/alpha.yaml", "old.yaml"],
        ["report"],
        ["report", "alpha", "-f", "md"],
        ["compare", "alpha", "beta"],
        ["validate", "theories"],
    ):
        result = cli(*args)
        _no_traceback(result)
        assert f"{where}: {TOO_LARGE}" in result.stdout + result.stderr, args
    # git's textconv gets the file as it is, with the diagnostic on stderr, so `git log -p` goes on.
    textconv = cli("diff", "--textconv", "theories/alpha.yaml")
    assert textconv.exit_code == 0
    assert textconv.stdout == bad
    assert f"{where}: {TOO_LARGE}" in textconv.stderr


# --- 4: evidence lookup is linear ----------------------------------------------------------------


def test_ten_thousand_stacked_blocks_all_take_the_paragraph_above(
    tree: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree(corpus_files(t=HEAD + BLOCK * 10_000)))
    out = Path("records.jsonl").resolve()
    result = cli("code", "-q", "--no-cache", "--out", out, ".")
    assert (result.exit_code, result.stderr) == (0, "")
    lines = out.read_text(encoding="utf-8").splitlines()
    assert len(lines) == 10_000
    assert '"Some words from P01 about trust."' in lines[-1]


def test_a_million_blank_lines_above_a_block(
    tree: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tree(corpus_files(t=HEAD + "\n" * 1_000_000 + BLOCK)))
    result = cli("code", "-q", "--no-cache", "--out", "-", ".")
    assert result.exit_code == 0
    record = json.loads(result.stdout)
    assert (record["line_start"], record["quote"]) == (6, "Some words from P01 about trust.")
    assert record["annotation_line"] == 1_000_009


def test_paragraph_above_is_the_same_as_walking_line_by_line() -> None:
    # The reference: walk up from the fence over blank lines, then over the paragraph's lines.
    def walk(text: str, fence: int) -> Evidence | None:
        lines = text[:fence].split("\n")[:-1]
        last = len(lines) - 1
        while last >= 0 and not lines[last].strip():
            last -= 1
        if last < 0:
            return None
        first = last
        while first > 0 and lines[first - 1].strip():
            first -= 1
        return Evidence(first + 1, last + 1, " ".join(" ".join(lines[first : last + 1]).split()))

    import random

    rng = random.Random(10)
    pieces = ["", " ", "\t", "a b", "x", "\x0c", "\u2028", " y ", "```cmo", "   "]
    for _ in range(3_000):
        lines = [rng.choice(pieces) for _ in range(rng.randint(0, 9))]
        at = rng.randint(0, len(lines))
        text = "\n".join([*lines[:at], "```cmo", *lines[at:]]) + "\n"
        fence = sum(len(line) + 1 for line in lines[:at])
        assert paragraph_above(text, fence, at + 1) == walk(text, fence), (text, fence)


# --- 5: I/O errors are one-line errors, exit 1 -----------------------------------------------------


def _demo(tmp_path: Path) -> Path:
    root = write_tree(tmp_path, {f"corpus/{name}": text for name, text in corpus_files(t=HEAD + BLOCK).items()})
    (root / "blocker").write_text("a file, not a folder", encoding="utf-8")
    return root


@pytest.mark.parametrize(
    ("args", "shown"),
    [
        (["code", "-q", "--out", "blocker/records.jsonl", "corpus"], "blocker/records.jsonl"),
        (["merge", "--theories", "blocker/theories", "corpus"], "blocker/theories"),
        (["report", "alpha", "--out", "blocker/sub/report.md"], "blocker/sub/report.md"),
        (["synthesise", "alpha", "beta", "--out", "blocker/o.yaml"], "blocker/o.yaml"),
    ],
)
def test_a_file_where_a_folder_should_be_is_a_one_line_error(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, args: list[str], shown: str
) -> None:
    monkeypatch.chdir(_demo(tmp_path))
    assert cli("merge", "corpus").exit_code == 0
    Path("theories/beta.yaml").write_text(_dump(THEORY).replace("alpha", "beta"), encoding="utf-8")
    result = cli(*args)
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == f"cmo: error: cannot write {shown}: blocker is a file, not a folder"


@pytest.mark.parametrize("args", [["code", "-q", "corpus", "--out"], ["report", "alpha", "-f", "md", "--out"]])
def test_a_full_disk_is_a_one_line_error(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch, args: list[str]
) -> None:
    if not os.path.exists("/dev/full"):
        pytest.skip("no /dev/full here")
    monkeypatch.chdir(_demo(tmp_path))
    assert cli("merge", "corpus").exit_code == 0
    result = cli(*args, "/dev/full")
    assert (result.exit_code, result.stderr) == (1, "cmo: error: cannot write /dev/full: No space left on device\n")
    assert Path("/dev/full").is_char_device()  # written to, never replaced by a file


def test_a_read_only_theories_folder_leaves_the_theory_as_it_was(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_demo(tmp_path))
    assert cli("merge", "corpus").exit_code == 0
    theory = Path("theories/alpha.yaml")
    before = theory.read_bytes()
    transcript = Path("corpus/alpha/t.md")
    transcript.write_text(HEAD + BLOCK + "\nMore words.\n\n" + BLOCK, encoding="utf-8")
    real = tempfile.mkstemp

    def refuse(*args: Any, **kwargs: Any) -> tuple[int, str]:
        if Path(str(kwargs.get("dir", ""))).resolve() == theory.parent.resolve():
            raise PermissionError(errno.EACCES, "Permission denied")
        return real(*args, **kwargs)

    monkeypatch.setattr(tempfile, "mkstemp", refuse)
    result = cli("merge", "corpus")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "cmo: error: cannot write theories/alpha.yaml: Permission denied"
    assert theory.read_bytes() == before
    assert sorted(p.name for p in theory.parent.iterdir()) == ["alpha.yaml"]


def test_a_disk_that_fills_during_a_merge_leaves_no_half_written_theory(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_demo(tmp_path))
    real = os.replace

    def full(source: Any, target: Any, **kwargs: Any) -> None:
        if str(target).endswith(".yaml"):
            raise OSError(errno.ENOSPC, "No space left on device")
        real(source, target, **kwargs)

    monkeypatch.setattr(os, "replace", full)
    result = cli("merge", "corpus")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[-1] == "cmo: error: cannot write theories/alpha.yaml: No space left on device"
    assert [p.name for p in Path("theories").iterdir()] == []


# --- 7: control characters never reach the terminal ----------------------------------------------

EVIL = "EVIL\x1b]0;pwned\x07 \x1b[2J \x9b31m \x08 \r \x00 \x7f \u202e end"


def _evil_files(tmp_path: Path) -> tuple[Path, Path]:
    old, new = tmp_path / "old.yaml", tmp_path / "new.yaml"
    old.write_text(_dump(THEORY), encoding="utf-8")
    evil = _theory(statement=EVIL, notes=EVIL)
    evil["cmocs"][0]["evidence"][0]["quote"] = EVIL
    new.write_text(_dump(evil), encoding="utf-8")
    return old, new


def _no_controls(text: str) -> None:
    assert not [c for c in text if (ord(c) < 32 and c not in "\n\t") or 0x7F <= ord(c) <= 0x9F or c == "\u202e"]


def test_printable_shows_each_control_character() -> None:
    assert printable("a\x1b[2Jb\x07\tc\nd\x9be\x7f\u202e") == "a␛[2Jb␇\tc\nd\ufffde\u2421\ufffd"


def test_diff_text_textconv_and_git_external_hold_no_control_characters(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    old, new = _evil_files(tmp_path)
    sha = "0" * 40
    for args in (
        ["diff", old, new],
        ["diff", "-f", "md", old, new],
        ["diff", "-f", "json", old, new],
        ["diff", "--textconv", new],
        ["diff", "--git-external", "t\x1b[2J.yaml", old, sha, "100644", new, sha, "100644"],
        ["diff", "--git-external", "-f", "md", "t.yaml", old, sha, "100644", new, sha, "100644"],
    ):
        result = cli(*args)
        assert result.exit_code == 0, args
        assert "EVIL" in result.stdout
        _no_controls(result.stdout)
    text = cli("diff", old, new).stdout
    assert "EVIL␛]0;pwned␇ ␛[2J \ufffd31m ␈ ␍ ␀ \u2421 \ufffd end" in text


def test_a_broken_theory_passes_through_textconv_without_control_characters(
    tmp_path: Path, cli: Callable[..., Result]
) -> None:
    broken = tmp_path / "t.yaml"
    broken.write_bytes(b"programme: [\x1b[2J\n")
    result = cli("diff", "--textconv", broken)
    assert result.stdout == "programme: [␛[2J\n"


def test_the_terminal_report_shows_control_characters_as_symbols(tmp_path: Path, cli: Callable[..., Result]) -> None:
    theories = tmp_path / "theories"
    theories.mkdir()
    evil = _theory(statement=EVIL)
    (theories / f"{evil['programme']['id']}.yaml").write_text(_dump(evil), encoding="utf-8")
    result = cli("report", "--theories", theories, "--format", "text")
    assert result.exit_code == 0, result.stderr
    assert "EVIL" in result.stdout
    _no_controls(result.stdout.replace("\x1b[", ""))  # rich's own styling is the only escape left
    assert "\x1b]0;" not in result.stdout
    assert "␛]0;pwned␇" in result.stdout


# --- 8: symlinks and other files that are not regular -------------------------------------------------


def test_a_transcript_linked_to_a_device_or_a_pipe_is_not_read(
    tree: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(corpus_files(t=HEAD + BLOCK))
    (root / "alpha/z.md").symlink_to("/dev/zero")
    os.mkfifo(root / "alpha/f.md")
    monkeypatch.chdir(root)
    message = "error[unreadable]: not a regular file (a device, pipe or socket); not read"
    result = cli("validate", ".")
    assert result.exit_code == 1
    assert result.stdout == f"alpha/f.md:1:1: {message}\nalpha/z.md:1:1: {message}\n"
    named = cli("validate", "alpha/z.md")
    assert (named.exit_code, named.stdout) == (1, f"alpha/z.md:1:1: {message}\n")


def test_report_skips_a_folder_and_a_dangling_link_named_yaml_and_validate_reports_the_link(
    tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    write_tree(tmp_path, {"theories/alpha.yaml": _dump(THEORY)})
    (tmp_path / "theories/folder.yaml").mkdir()
    (tmp_path / "theories/dangling.yaml").symlink_to(tmp_path / "nowhere.yaml")
    monkeypatch.chdir(tmp_path)
    result = cli("report", "-f", "md")
    assert result.exit_code == 0
    assert "Alpha Connectors" in result.stdout
    checked = cli("validate", "theories")
    assert checked.exit_code == 1
    assert (
        "theories/dangling.yaml:1:1: error[unreadable]: cannot read file: No such file or directory" in checked.stdout
    )
    assert "folder.yaml" not in checked.stdout


# --- 9: labels, mentions and the transcript id message ------------------------------------------------


def test_a_label_with_line_breaks_stays_one_mermaid_line() -> None:
    node = Node("mechanism", "trust", 'Trust\r"them"\u2028\x85now\x1b[2J')
    diagram = Diagram(columns={"mechanism": [node]}, edges={}, chains={})
    lines = mermaid(diagram).split("\n")
    assert lines[2] == '    mec_trust["Trust #quot;them#quot; now␛[2J"]'
    assert len(lines) == 4


def test_mentions_and_issue_references_do_not_link_in_a_review_comment() -> None:
    import re

    text = "ask @alice and @org/team about #123, see owner/repo#45; mail a@b.org"
    escaped = md_escape(text)
    assert escaped.replace("\u2060", "") == text
    # GitHub links @name and #digits after a non-word character; a word joiner breaks both.
    assert not re.search(r"(?<![\w`])@[A-Za-z0-9]", escaped)
    assert not re.search(r"#\d", escaped)
    old = Theory.model_validate(THEORY)
    new = Theory.model_validate(_theory(statement="#1 thanks @bob", notes="@carol #2"))
    md = format_markdown(diff_theories(old, new))
    assert "@bob" not in md and "#1" not in md and "@carol" not in md and "#2" not in md
    assert "@bob" in format_text(diff_theories(old, new))  # a terminal links nothing: left as written


def test_the_transcript_id_message_says_what_the_pattern_accepts(
    tree: Callable[..., Path], cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    files = {
        "codebook.yaml": SHARED_CODEBOOK,
        "alpha/programme.yaml": PROGRAMME,
        "alpha/codebook.yaml": CODEBOOK,
        "alpha/t.md": "---\nid: -Bad id\nsource: interview\n---\n",
        "alpha/u.md": "---\nid: Good_ID.2\nsource: interview\n---\n",
    }
    monkeypatch.chdir(tree(files))
    result = cli("validate", ".")
    assert result.stdout == (
        "alpha/t.md:2:5: error[invalid-value]: id: '-Bad id' is not a valid transcript id "
        "(letters, digits, '.', '_' and '-', starting with a letter or digit)\n"
    )


def test_the_benchmark_measures_evidence_scaling_by_size_ratios(tmp_path: Path) -> None:
    from benchmarks.run import Bench

    bench = Bench(tmp_path, runs=1, sizes=[8])
    bench.evidence_scaling(base=20, blank_base=200)
    assert [row[0] for row in bench.rows] == [
        "evidence, 200 stacked blocks under one paragraph (one transcript)",
        "evidence, 2,000 blank lines above one block (one transcript)",
    ]
    assert all(row[2].startswith(("20:", "200:")) for row in bench.rows)


@pytest.mark.parametrize("value", ["!!bool maybe", "!!timestamp soon", "!!int twelve", "!!float lots"])
def test_a_core_tag_on_text_it_does_not_fit_is_a_diagnostic_not_a_crash(
    value: str, tmp_path: Path, cli: Callable[..., Result]
) -> None:
    assert load(f"a: {value}\n") == {"a": value.split()[1]}
    transcript = TRANSCRIPT.replace("date: 2024-03-12", f"date: {value}")
    write_tree(tmp_path, corpus_files(**{"a-int-01": transcript}))
    result = cli("validate", tmp_path)
    _no_traceback(result)
    assert result.exit_code == 1
    assert "alpha/a-int-01.md:4:7: error[" in result.stdout


def test_a_codebook_or_theory_linked_to_a_device_or_a_pipe_is_refused_unread(tmp_path: Path) -> None:
    import subprocess
    import sys

    write_tree(tmp_path / "corpus", corpus_files(**{"a-int-01": TRANSCRIPT}))
    codebook = tmp_path / "corpus" / "alpha" / "codebook.yaml"
    codebook.unlink()
    codebook.symlink_to("/dev/zero")
    (tmp_path / "theories").mkdir()
    os.mkfifo(tmp_path / "theories" / "alpha.yaml")
    env = {**os.environ, "CMO_CACHE_DIR": str(tmp_path / "cache")}
    run = [sys.executable, "-m", "cmo"]
    # A timeout, not a timing assertion: without the fix these never return.
    for args in (["validate", "--no-cache", "corpus"], ["validate", "theories"]):
        result = subprocess.run([*run, *args], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60)
        assert result.returncode == 1, result
        assert "Traceback" not in result.stderr
        assert "error[unreadable]: not a regular file (a device, pipe or socket); not read" in result.stdout
