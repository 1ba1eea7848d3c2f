"""`cmo matrix` on the hand-built corpus (exact output, JSON shape, exit codes, usage errors) and on the demo."""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.analysis.evidence_corpus import evidence_corpus
from tests.conftest import DEMO_CORPUS, REPO, Result

Cli = Callable[..., Result]


@pytest.fixture
def study(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    evidence_corpus(tmp_path)
    monkeypatch.chdir(tmp_path)
    return tmp_path


TABLE = """\
┏━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━┓
┃ mechanism \\ source ┃ label                         ┃ interview ┃ document ┃ observation ┃ workshop ┃
┡━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━┩
│ building-trust     │ Building trust with the group │         1 │        1 │           1 │        1 │
│ key-persons        │ Working through key persons   │         2 │        0 │           0 │        0 │
└────────────────────┴───────────────────────────────┴───────────┴──────────┴─────────────┴──────────┘
mechanism (rows) by source (columns): distinct passages in each cell, of 5 passages in all
"""


def test_the_terminal_table(cli: Cli, study: Path) -> None:
    result = cli("matrix", "mechanism", "source")
    assert (result.exit_code, result.stdout, result.stderr) == (0, TABLE, "")


def test_transcripts_cells(cli: Cli, study: Path) -> None:
    result = cli("matrix", "mechanism", "source", "--cells", "transcripts", "-f", "csv")
    assert result.stdout == (
        "\ufeffmechanism \\ source,label,interview,document,observation,workshop\r\n"
        "building-trust,Building trust with the group,1,1,1,1\r\n"
        "key-persons,Working through key persons,1,0,0,0\r\n"  # passages A and B: one transcript
    )


def test_markdown(cli: Cli, study: Path) -> None:
    assert cli("matrix", "mechanisms", "outcomes", "-f", "md").stdout == (
        "mechanism (rows) by outcome (columns): distinct passages in each cell, of 5 passages in all\n"
        "\n"
        "| mechanism \\\\ outcome | Group members seek help (help-seeking) | Referrals into services (referrals) |\n"
        "|---|---:|---:|\n"
        "| Building trust with the group (building-trust) | 3 | 2 |\n"
        "| Working through key persons (key-persons) | 1 | 1 |\n"
    )


def test_json_shape(cli: Cli, study: Path) -> None:
    data = json.loads(cli("matrix", "mechanism", "outcome", "--format", "json").stdout)
    assert data == {
        "rows": ["building-trust", "key-persons"],
        "columns": ["help-seeking", "referrals"],
        "counts": [[3, 2], [1, 1]],
        "row_dimension": "mechanism",
        "column_dimension": "outcome",
        "row_labels": {"building-trust": "Building trust with the group", "key-persons": "Working through key persons"},
        "column_labels": {"help-seeking": "Group members seek help", "referrals": "Referrals into services"},
        "transcripts": [[3, 2], [1, 1]],
        "total_passages": 5,
    }


def test_json_quotes(cli: Cli, study: Path) -> None:
    data = json.loads(cli("matrix", "mechanism", "source", "-f", "json", "--cells", "quotes").stdout)
    interview = data["quotes"][1][0]  # key-persons x interview: passages A and B
    assert [(q["path"], q["line"]) for q in interview] == [
        ("corpus/alpha/a-int-01.md", 9),
        ("corpus/alpha/a-int-01.md", 27),
    ]
    assert interview[1]["quote"].startswith("**P01:** The imam") and interview[1]["record"].startswith(
        "alpha/a-int-01#"
    )
    assert data["quotes"][1][1] == []


def test_quotes_in_the_terminal(cli: Cli, study: Path) -> None:
    lines = cli("matrix", "mechanism", "source", "--cells", "quotes", "--programme", "beta").stdout.splitlines()
    assert lines[-2:] == [
        "corpus/beta/b-doc-01.md:6: [building-trust x document] The plan relies on connectors building trust over two years.",
        "corpus/beta/b-ws-01.md:9: [building-trust x workshop] **P21:** Yes, that is right, trust comes first and the rest follows.",
    ]


def test_none_only_when_asked(cli: Cli, study: Path) -> None:
    plain = json.loads(cli("matrix", "context", "outcome", "-f", "json").stdout)
    assert (plain["rows"], plain["columns"]) == (["stigma"], ["help-seeking"])
    with_none = json.loads(cli("matrix", "context", "outcome", "-f", "json", "--include-none").stdout)
    assert with_none["rows"] == ["short-funding", "stigma", "(none)"]
    assert with_none["counts"] == [[0, 0, 1], [1, 0, 0], [3, 3, 0]]


def test_filters_as_in_query(cli: Cli, study: Path) -> None:
    data = json.loads(cli("matrix", "participant.role", "mechanism", "-f", "json", "--coder", "AB").stdout)
    assert (data["rows"], data["columns"], data["counts"]) == (
        ["connector", "manager"],
        ["building-trust", "key-persons"],
        [[1, 2], [1, 0]],
    )


def test_an_empty_matrix_says_so(cli: Cli, study: Path) -> None:
    result = cli("matrix", "mechanism", "outcome", "--stance", "refutes")
    assert (result.exit_code, result.stdout) == (0, "no passage has a value in both dimensions\n")


def test_out_file_by_suffix(cli: Cli, study: Path) -> None:
    assert cli("matrix", "mechanism", "outcome", "--out", "m.json").exit_code == 0
    assert json.loads((study / "m.json").read_text(encoding="utf-8"))["counts"] == [[3, 2], [1, 1]]
    assert cli("matrix", "mechanism", "source", "--out", "m.txt").exit_code == 0
    assert (study / "m.txt").read_text(encoding="utf-8") == TABLE


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["mechansim", "outcome"], "unknown dimension 'mechansim'; did you mean 'mechanism'?"),
        (["mechanism", "participant.rol"], "no participant has the attribute 'rol'; did you mean 'role'?"),
        (["mechanism", "outcome", "--mechanism", "key-person"], "did you mean 'key-persons'?"),
        (["mechanism", "outcome", "--since", "yesterday"], "--since 'yesterday' is not a date"),
        (["mechanism", "outcome", "-f", "xlsx"], "--format xlsx needs --out FILE"),
    ],
)
def test_usage_errors(cli: Cli, study: Path, args: list[str], message: str) -> None:
    result = cli("matrix", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("cmo: error: ") and message in result.stderr


def test_a_bad_cells_value_is_exit_2(cli: Cli, study: Path) -> None:
    assert cli("matrix", "mechanism", "outcome", "--cells", "words").exit_code == 2


@pytest.mark.parametrize(("fmt", "module"), [("xlsx", "cmo.render.matrix_xlsx"), ("html", "cmo.render.matrix_html")])
def test_the_other_formats_write_files(cli: Cli, study: Path, fmt: str, module: str) -> None:
    if importlib.util.find_spec(module) is None:
        pytest.skip(f"{module} not written yet")
    result = cli("matrix", "mechanism", "outcome", "--cells", "quotes", "--out", f"m.{fmt}")
    assert result.exit_code == 0, result.stderr
    data = (study / f"m.{fmt}").read_bytes()
    assert data.startswith(b"PK") if fmt == "xlsx" else b"building-trust" in data


def _demo(cli: Cli, *args: str) -> dict[str, Any]:
    result = cli("matrix", *args, DEMO_CORPUS, "--theories", REPO / "theories", "-f", "json")
    assert result.exit_code == 0, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return data


def test_text_from_the_corpus_is_never_read_as_markup(cli: Cli, study: Path) -> None:
    """Attribute values, ids and codebook labels are printed as written: rich markup and emoji codes are text."""
    hostile = {
        "alpha/a-int-01.md": ("group: women", "group: '[/]x[red]y'"),
        "alpha/a-obs-01.md": ("group: men", "group: '[red] :fire:'"),
        "codebook.yaml": ("Working through key persons", "'[bold]Key[/bold] persons'"),
    }
    for name, (old, new) in hostile.items():
        path = study / "corpus" / name
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    result = cli("matrix", "mechanism", "participant.group")
    assert (result.exit_code, result.stderr) == (0, "")
    heading = result.stdout.splitlines()[1]
    assert "[/]x[red]y" in heading and "[red] :fire:" in heading
    assert "[bold]Key[/bold] persons" in result.stdout
    quotes = cli("matrix", "participant.group", "mechanism", "--cells", "quotes")
    assert quotes.exit_code == 0
    assert "alpha/a-int-01.md:9: [[/]x[red]y x key-persons] **P01:** It took months" in quotes.stdout
    assert "[[red] :fire: x building-trust]" in quotes.stdout


def test_the_demo_examples(cli: Cli) -> None:
    mechanism_outcome = _demo(cli, "mechanism", "outcome")
    assert "building-trust" in mechanism_outcome["rows"]
    assert "help-seeking" in mechanism_outcome["columns"]
    by_source = _demo(cli, "mechanism", "source", "--programme", "riverside-bridges")
    assert set(by_source["columns"]) <= {"interview", "observation", "document", "workshop"}
    assert "recognising-strengths" not in by_source["rows"]  # a Northcliffe code
    by_role = _demo(cli, "context", "participant.role")
    assert "outreach worker" in by_role["columns"]
    for data in (mechanism_outcome, by_source, by_role):
        counts = data["counts"]
        assert len(counts) == len(data["rows"])
        assert all(len(line) == len(data["columns"]) for line in counts)


def test_the_demo_table_in_the_terminal(cli: Cli) -> None:
    result = cli("matrix", "mechanism", "outcome", DEMO_CORPUS, "--theories", REPO / "theories")
    assert result.exit_code == 0 and "building-trust" in result.stdout and "distinct passages" in result.stdout
