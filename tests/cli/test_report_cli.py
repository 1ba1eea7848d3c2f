"""`cmo report`: which programmes, which format, where it goes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import REPO, Result

DEMO = ("northcliffe-connect", "riverside-bridges")


@pytest.fixture
def at_repo(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)


def test_default_is_every_programme_theory_but_not_the_overarching_one(
    at_repo: None, cli: Callable[..., Result]
) -> None:
    assert (REPO / "theories" / "overarching.yaml").exists()
    result = cli("report", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert [p["id"] for p in data["programmes"]] == list(DEMO)
    assert data["comparison"]["programmes"] == list(DEMO)


def test_one_programme_gives_its_theory_report_without_comparison(at_repo: None, cli: Callable[..., Result]) -> None:
    data = json.loads(cli("report", "riverside-bridges", "--format", "json").stdout)
    assert data["title"] == "Programme theory of Riverside Bridges"
    assert data["comparison"] is None
    # No summary across programmes, and no initial programme theory (item 4) without --since.
    assert [item["item"] for item in data["checklist"]] == [9, 11, 13, 14, 15]


def test_format_follows_the_out_suffix_and_the_write_is_reported(
    at_repo: None, cli: Callable[..., Result], tmp_path: Path
) -> None:
    out = tmp_path / "report.md"
    result = cli("report", *DEMO, "--out", out)
    assert (result.exit_code, result.stdout) == (0, f"wrote {out}\n")
    assert out.read_text(encoding="utf-8") == cli("report", *DEMO, "--format", "md").stdout
    text = tmp_path / "report.txt"
    cli("report", *DEMO, "--out", text)
    assert "Convergence and divergence" in text.read_text(encoding="utf-8")


def test_text_report_in_the_terminal(at_repo: None, cli: Callable[..., Result]) -> None:
    result = cli("report", *DEMO)
    assert result.exit_code == 0
    assert "Realist comparison of Northcliffe Community Connectors and Riverside Bridges" in result.stdout
    assert "mechanisms converge: Building trust with the group (same-id)" in result.stdout
    assert "trust-through-key-persons" in result.stdout


def test_usage_errors(at_repo: None, cli: Callable[..., Result], tmp_path: Path) -> None:
    assert cli("report", *DEMO, "--format", "xlsx").exit_code == 2  # a workbook needs --out
    assert cli("report", "--theories", tmp_path).exit_code == 2  # nothing to report on
    missing = cli("report", "nowhere")
    assert missing.exit_code == 1
    assert "error[theory-missing]" in missing.stderr


def test_spreadsheets_are_written_as_bytes(at_repo: None, cli: Callable[..., Result], tmp_path: Path) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    workbook_path = tmp_path / "demo.xlsx"
    assert cli("report", *DEMO, "--out", workbook_path).exit_code == 0
    workbook = load_workbook(workbook_path)
    assert workbook.sheetnames == ["CMOCs", "Evidence", "Codes", "Fragments", "Comparison", "Overarching"]
    csv_path = tmp_path / "demo.csv"
    assert cli("report", *DEMO, "--out", csv_path).exit_code == 0
    raw = csv_path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbfProgramme,CMOC,") and b"\r\n" in raw
    assert raw == (Path(__file__).parent.parent / "golden" / "report.csv").read_bytes()


def test_the_progress_spinner_shows_on_a_terminal_and_never_on_stdout(
    at_repo: None, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    import sys

    import rich.progress

    started: list[str] = []
    real = rich.progress.Progress.add_task

    def spy(self: rich.progress.Progress, description: str, *args: object, **kwargs: object) -> rich.progress.TaskID:
        started.append(description)
        assert self.console.stderr
        return real(self, description, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(rich.progress.Progress, "add_task", spy)
    monkeypatch.setattr(sys.stderr, "isatty", lambda: True)
    result = cli("report", *DEMO, "--format", "json")
    assert started == ["loading 2 programme theories"]
    assert json.loads(result.stdout)["title"].startswith("Realist comparison")
    monkeypatch.setattr(sys.stderr, "isatty", lambda: False)
    started.clear()
    cli("report", *DEMO, "--format", "json")
    assert started == []


def test_report_overarching_renders_the_overarching_theory_alone(at_repo: None, cli: Callable[..., Result]) -> None:
    result = cli("report", "overarching", "--format", "json")
    assert result.exit_code == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["title"] == "Overarching programme theory across northcliffe-connect and riverside-bridges"
    assert (data["programmes"], data["comparison"]) == ([], None)
    assert data["overarching"]["cmocs"] and [i["item"] for i in data["checklist"]] == [16]
    text = cli("report", "overarching")
    assert text.exit_code == 0
    assert "Overarching theory across northcliffe-connect, riverside-bridges" in text.stdout
    assert "shared mechanism, divergent barriers" in text.stdout


def test_the_comparison_report_holds_the_folders_overarching_theory(at_repo: None, cli: Callable[..., Result]) -> None:
    data = json.loads(cli("report", *DEMO, "--format", "json").stdout)
    assert data["overarching"]["programmes"] == list(DEMO)
    assert json.loads(cli("report", DEMO[0], "--format", "json").stdout)["overarching"] is None


def test_a_file_of_neither_kind_is_one_line_error(at_repo: None, cli: Callable[..., Result]) -> None:
    result = cli("report", "corpus/northcliffe-connect/codebook.yaml")
    assert result.exit_code == 1
    assert result.stderr == (
        "corpus/northcliffe-connect/codebook.yaml:1:1: error[theory-kind]: neither a programme theory "
        "(no `programme:`) nor an overarching theory (no `programmes:`)\n"
    )
    compared = cli("compare", "overarching", DEMO[0])
    assert compared.exit_code == 1
    assert compared.stderr == (
        "theories/overarching.yaml:1:1: error[theory-kind]: this is the overarching theory, not a programme theory "
        "(`cmo report overarching` shows it)\n"
    )
