"""The `cmo` command: exit codes, outputs, and that its JSON equals the library's own result."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest
import yaml

from cmo.corpus.coding import code_corpus
from cmo.render.records import record_dicts
from tests.conftest import DEMO_CORPUS, TRANSCRIPT, Result, corpus_files, record_id


def test_code_json_output_equals_the_library_result(cli: Callable[..., Result]) -> None:
    result = cli("code", DEMO_CORPUS, "--format", "json", "--out", "-")
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout) == record_dicts(code_corpus([DEMO_CORPUS]).records)
    assert "CMO records" in result.stderr  # the summary moves to stderr when records go to stdout


def test_validate_json_output_equals_the_library_diagnostics(
    cli: Callable[..., Result], tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(corpus_files(t=TRANSCRIPT.replace("stigma", "stigmaa"), u="no front matter\n"))
    monkeypatch.chdir(root)
    result = cli("validate", ".", "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.stdout) == [d.to_dict() for d in code_corpus([Path()]).diagnostics]


@pytest.mark.parametrize("fmt", ["jsonl", "json", "yaml"])
def test_code_writes_records_in_each_format(cli: Callable[..., Result], tmp_path: Path, fmt: str) -> None:
    out = tmp_path / f"records.{fmt}"
    result = cli("code", DEMO_CORPUS, "--format", fmt, "--out", out)
    assert result.exit_code == 0, result.stderr
    text = out.read_text(encoding="utf-8")
    if fmt == "jsonl":
        loaded = [json.loads(line) for line in text.splitlines()]
    elif fmt == "json":
        loaded = json.loads(text)
    else:
        loaded = yaml.safe_load(text)
        for item in loaded:
            item["date"] = item["date"] and str(item["date"])
    assert loaded == record_dicts(code_corpus([DEMO_CORPUS]).records)
    assert f"wrote {len(loaded)} records" in result.stderr


def test_code_does_not_overwrite_records_when_the_corpus_has_errors(
    cli: Callable[..., Result], tree: Callable[..., Path], tmp_path: Path
) -> None:
    root = tree(corpus_files(t=TRANSCRIPT.replace("stigma", "stigmaa")))
    out = tmp_path / "records.jsonl"
    out.write_text("previous good output\n")
    result = cli("code", root, "--out", out)
    assert result.exit_code == 1
    assert "records not written" in result.stderr
    assert out.read_text() == "previous good output\n"


def test_code_summary_counts_records_by_source_type(cli: Callable[..., Result], tree: Callable[..., Path]) -> None:
    files = corpus_files(t=TRANSCRIPT, u=TRANSCRIPT.replace("a-int-01", "w").replace("interview", "workshop"))
    result = cli("code", tree(files))
    assert result.exit_code == 0
    row = next(line for line in result.stdout.splitlines() if "alpha" in line)
    assert row.split()[2:] == ["│", "2", "│", "1", "│", "0", "│", "0", "│", "1", "│", "2", "│", "4/7", "│"]
    assert "0 errors, 0 warnings in 2 transcripts" in result.stdout


def test_github_format(cli: Callable[..., Result], tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch) -> None:
    root = tree(corpus_files(t=TRANSCRIPT.replace("stigma", "stigmaa")))
    monkeypatch.chdir(root)
    result = cli("validate", "--format", "github", ".")
    assert result.exit_code == 1
    assert result.stdout == (
        "::error file=alpha/t.md,line=13,col=10,title=unknown-code::unknown code 'stigmaa'%3A "
        "not in any codebook of programme 'alpha'; did you mean 'stigma'?\n"
    ).replace("%3A", ":")


def test_strict_fails_on_warnings(cli: Callable[..., Result], tree: Callable[..., Path]) -> None:
    root = tree(corpus_files(t=TRANSCRIPT + "\n```python\nunclosed\n"))
    assert cli("validate", root).exit_code == 0
    assert cli("validate", "--strict", root).exit_code == 1


def test_codebook_lists_use_and_undeclared_codes(cli: Callable[..., Result], tree: Callable[..., Path]) -> None:
    root = tree(corpus_files(t=TRANSCRIPT, u=TRANSCRIPT.replace("a-int-01", "u").replace("stigma", "stigmaa")))
    result = cli("codebook", root, "--format", "json")
    assert result.exit_code == 1
    report = json.loads(result.stdout)
    uses = {c["code"]: c["uses"] for c in report["codes"]}
    assert uses == {
        "faith-leaders": 0,
        "short-funding": 0,
        "stigma": 1,
        "connectors": 0,
        "building-trust": 1,
        "key-persons": 1,
        "help-seeking": 1,
    }
    [missing] = report["undeclared"]
    assert (missing["code"], missing["closest"], missing["uses"]) == ("stigmaa", "stigma", 1)
    text = cli("codebook", root)
    assert "stigmaa" in text.stdout and "used but not declared" in text.stdout


def test_default_path_is_corpus_in_the_working_directory(
    cli: Callable[..., Result], tree: Callable[..., Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tree(corpus_files(t=TRANSCRIPT))
    monkeypatch.chdir(root.parent)
    result = cli("code", "--out", "-")
    assert result.exit_code == 0
    [record] = [json.loads(line) for line in result.stdout.splitlines()]
    assert record["id"] == record_id("alpha", "a-int-01", record["quote"])


def test_usage_errors_exit_2(cli: Callable[..., Result]) -> None:
    result = cli("code", "--no-such-option")
    assert result.exit_code == 2
    assert "No such option" in result.stderr
    assert cli("validate", "--format", "xml").exit_code == 2


def test_missing_path_is_reported(cli: Callable[..., Result], tmp_path: Path) -> None:
    result = cli("validate", tmp_path / "nowhere")
    assert result.exit_code == 1
    assert "error[path-missing]: no such file or folder" in result.stdout


def test_internal_errors_exit_3_without_a_traceback(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import cmo.corpus.coding

    def broken(paths: object, **options: object) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(cmo.corpus.coding, "code_corpus", broken)
    result = cli("code", DEMO_CORPUS)
    assert result.exit_code == 3
    assert result.stderr == "cmo: internal error: RuntimeError: boom (run with --debug for a traceback)\n"
    with pytest.raises(RuntimeError):
        cli("--debug", "code", DEMO_CORPUS)


def test_interrupt_exits_130(cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> None:
    import cmo.corpus.coding

    def interrupted(paths: object, **options: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(cmo.corpus.coding, "code_corpus", interrupted)
    result = cli("code", DEMO_CORPUS)
    assert (result.exit_code, result.stderr) == (130, "cmo: interrupted\n")


def test_version(cli: Callable[..., Result]) -> None:
    from cmo import __version__

    assert cli("--version").stdout == f"cmo {__version__}\n"
