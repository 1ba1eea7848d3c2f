"""The coding fast path makes `cmo code` faster, never different: the same records, summary and diagnostics as the full coder."""

from __future__ import annotations

import multiprocessing
import re
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import cmo.corpus.coding
from benchmarks.generate import generate
from cmo.core.diagnostics import Diagnostics
from cmo.corpus import fast_coding, transcript
from cmo.corpus.coding import code_corpus
from cmo.corpus.evidence import paragraph_above
from cmo.corpus.layout import ProgrammeSource, discover
from cmo.corpus.transcript_coding import TranscriptCoder
from tests.conftest import DEMO_CORPUS, Result, corpus_files, write_tree

BASE = """\
---
id: a-int-01
source: interview
date: 2024-03-12
participants: [P02, {id: P01, role: connector}]
coder: AB
---

**P01:** It took months before anyone at the mosque
would talk to me about how they were feeling.

```cmo
context: stigma
mechanism: {resource: key-persons, reasoning: building-trust}
outcome: help-seeking
```

**P02:** The funding only lasts a year, so the faith leaders
never know if we will be back.

```cmo
- context: [short-funding, stigma, short-funding]
  actor: faith-leaders
  intervention: connectors
  outcome: [help-seeking]
  quote: "faith leaders never know"
  cmoc: trust-first
  stance: refutes
  elicited: true
  note: said twice
  coder: CD
- mechanism: [building-trust]
  enablers: stigma
  barriers: [short-funding]
  outcome: help-seeking
```
"""


def _edit(old: str, new: str) -> Callable[[str], str | bytes]:
    def edit(text: str) -> str:
        assert old in text
        return text.replace(old, new, 1)

    return edit


def _block(yaml: str) -> Callable[[str], str | bytes]:
    return lambda text: text + f"\n**P01:** And then we met again.\n\n```cmo\n{yaml}\n```\n"


# (name, the base transcript changed, whether the fast path answers); either way, fast and full must agree.
MUTATIONS: list[tuple[str, Callable[[str], str | bytes], bool]] = [
    ("base", lambda text: text, True),
    ("crlf", lambda text: text.replace("\n", "\r\n"), True),
    ("bom", lambda text: b"\xef\xbb\xbf" + text.encode(), True),
    ("id from the file name", _edit("id: a-int-01\n", ""), True),
    ("programme named", _edit("coder: AB\n", "coder: AB\nprogramme: alpha\n"), True),
    ("participants as one name", _edit("[P02, {id: P01, role: connector}]", "P02"), True),
    ("participants as numbers", _edit("[P02, {id: P01, role: connector}]", "[7, {id: 8, role: 9}]"), True),
    ("no participants", _edit("participants: [P02, {id: P01, role: connector}]\n", ""), True),
    ("no date, no coder", lambda text: text.replace("date: 2024-03-12\n", "").replace("coder: AB\n", ""), True),
    (
        "block scalar quote",
        _edit('quote: "faith leaders never know"', "quote: |\n    faith leaders\n    never know"),
        True,
    ),
    (
        "typographic quote",
        lambda text: text.replace("never know if", "don’t know if").replace("leaders never know", "leaders don't know"),
        True,
    ),
    ("empty annotation coder", _edit("coder: CD", 'coder: ""'), True),
    ("elicited as yes", _edit("elicited: true", "elicited: yes"), True),
    ("flow mapping block", _block("{context: stigma, outcome: help-seeking}"), True),
    ("explicit document start", _block("---\ncontext: stigma"), True),
    ("one passage coded twice", _block("- context: stigma\n  coder: EF\n- context: stigma\n  coder: GH"), True),
    ("no blocks", lambda text: text[: text.index("```cmo")], True),
    ("workshop", _edit("source: interview", "source: workshop"), True),
    ("unknown code", _edit("outcome: help-seeking\n```", "outcome: help-seekin\n```"), False),
    ("code of another kind", _edit("context: stigma\n", "context: building-trust\n"), False),
    ("quote not found", _edit("faith leaders never know", "faith leaders always know"), False),
    ("empty quote", _edit('quote: "faith leaders never know"', 'quote: ""'), False),
    ("quote ending in a control space", _edit('"faith leaders never know"', '"faith leaders never know\\x1c"'), False),
    ("yaml syntax", _edit("context: stigma\n", "context: [stigma\n"), False),
    ("tag", _edit("context: stigma\n", "context: !!str stigma\n"), False),
    ("object tag", _edit("context: stigma\n", "context: !!python/name:os.system stigma\n"), False),
    ("anchor and alias", _block("context: &c stigma\nbarriers: *c"), False),
    ("duplicate key", _edit("context: stigma\n", "context: stigma\ncontext: stigma\n"), False),
    ("empty block", _block(""), False),
    ("comment-only block", _block("# to do"), False),
    ("block of a list holding no mapping", _block("- stigma"), False),
    ("two documents in a block", _block("context: stigma\n---\noutcome: help-seeking"), False),
    ("not utf-8", lambda text: text.encode().replace(b"mosque", b"mosqu\xff"), False),
    ("elicited in an observation", _edit("source: interview", "source: observation"), False),
    ("elicited as a number", _edit("elicited: true", "elicited: 1"), False),
    ("the interviewer's question", _edit("**P02:** The funding", "**Interviewer:** The funding"), False),
    ("mechanism split left empty", _block("mechanism: {}"), False),
    ("incomplete", _block("note: nothing coded"), False),
    ("unknown key", _edit("context: stigma\n", "contxt: stigma\n"), False),
    ("unknown front matter key", _edit("coder: AB\n", "coder: AB\nsite: north\n"), False),
    ("date as text", _edit("date: 2024-03-12", "date: '2024-03-12'"), False),
    ("date and time", _edit("date: 2024-03-12", "date: 2024-03-12 10:30:00"), False),
    ("other programme", _edit("coder: AB\n", "coder: AB\nprogramme: beta\n"), False),
    ("bad transcript id", _edit("id: a-int-01", "id: a int 01"), False),
    ("transcript id ending in a newline", _edit("id: a-int-01", 'id: "a-int-01\\n"'), False),
    ("null participants", _edit("[P02, {id: P01, role: connector}]", "null"), False),
    ("bad cmoc", _edit("cmoc: trust-first", "cmoc: Trust First"), False),
    ("bad stance", _edit("stance: refutes", "stance: rebuts"), False),
    ("note as a number", _edit("note: said twice", "note: 12"), False),
    ("number too large", _edit("note: said twice", "note: 1" + "0" * 5000), False),
    ("fence info in capitals", _edit("```cmo\ncontext: stigma", "```CMO\ncontext: stigma"), False),
    ("unclosed fence", lambda text: text + "\n```cmo\ncontext: stigma\n", False),
    ("no front matter", lambda text: text[text.index("**P01:**") :], False),
    ("unclosed front matter", lambda text: text.replace("coder: AB\n---\n", "coder: AB\n", 1), False),
    ("empty front matter", lambda text: "---\n---\n" + text[text.index("**P01:**") :], False),
]


@pytest.fixture
def fast_answers(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """For each transcript the fast path was asked about in this process, whether it answered."""
    answers: list[bool] = []
    real = fast_coding.code_fast

    def code_fast(*args: Any) -> Any:
        found = real(*args)
        answers.append(found is not None)
        return found

    monkeypatch.setattr(fast_coding, "code_fast", code_fast)
    return answers


def _snapshot(root: Path, jobs: int = 1) -> tuple[list[dict[str, Any]], list[dict[str, object]], list[object]]:
    result = code_corpus([root], jobs=jobs)
    return (
        [record.model_dump(mode="json") for record in result.records],
        [d.to_dict() for d in result.diagnostics],
        [
            (t.path, t.transcript_id, t.id_mark, t.source, t.record_count, t.code_uses, t.undeclared)
            for t in result.transcripts
        ],
    )


@pytest.mark.parametrize(("name", "mutate", "fast"), MUTATIONS, ids=[m[0] for m in MUTATIONS])
def test_fast_and_full_coding_agree(
    name: str,
    mutate: Callable[[str], str | bytes],
    fast: bool,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    fast_answers: list[bool],
) -> None:
    other = BASE.replace("id: a-int-01", "id: a-int-02")
    root = write_tree(tmp_path / "corpus", corpus_files(**{"a-int-01": mutate(BASE), "a-int-02": other}))
    quick = _snapshot(root)
    assert fast_answers == [fast, True]  # a problem in one transcript never sends the others to the full coder
    monkeypatch.setenv("CMO_NO_FAST_PATH", "1")
    assert _snapshot(root) == quick
    assert len(fast_answers) == 2  # the full coder alone coded them this time


def test_the_base_transcript_codes_every_field(tmp_path: Path) -> None:
    root = write_tree(tmp_path / "corpus", corpus_files(**{"a-int-01": BASE}))
    records = _snapshot(root)[0]
    assert [record["stance"] for record in records] == ["supports", "refutes", "supports"]
    second = records[1]
    assert second["context"] == ["short-funding", "stigma"] and second["coder"] == "CD" and second["elicited"]
    assert second["quote"] == "faith leaders never know" and second["participants"][1] == {
        "id": "P01",
        "role": "connector",
    }
    assert records[2]["enablers"] == ["stigma"] and records[2]["coder"] == "AB"


# --- whole runs: `cmo code --no-cache --out` byte for byte, serial and on two processes ---------------------------


def _with_warnings(root: Path) -> Path:
    """Every fifth transcript given a block the full coder warns about (the records are still written)."""
    for number, path in enumerate(sorted(root.rglob("t*.md"))):
        if number % 5 == 0:
            text = path.read_text(encoding="utf-8")
            outcome = re.search(r"^outcome: (\S+)$", text, re.MULTILINE)
            assert outcome is not None
            if "source: interview" in text or "source: workshop" in text:
                extra = f"**Interviewer:** And what came of it?\n\n```cmo\noutcome: {outcome[1]}\n```\n"
            else:
                extra = f"It was written down.\n\n```cmo\noutcome: {outcome[1]}\nelicited: true\n```\n"
            path.write_text(text + "\n" + extra, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def corpora(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    base = tmp_path_factory.mktemp("fast")
    demo = base / "demo"
    shutil.copytree(DEMO_CORPUS, demo)
    return {
        "demo": demo,
        "short": _with_warnings(generate(base / "short", 60, short=True)),
        "long": _with_warnings(generate(base / "long", 20)),
    }


def _run(cli: Callable[..., Result], out: Path, root: Path, jobs: str, fmt: str) -> tuple[int, bytes, str, str]:
    if out.exists():
        out.unlink()
    result = cli("code", "--no-cache", "--jobs", jobs, "--out", out, "--format", fmt, root)
    return result.exit_code, out.read_bytes() if out.exists() else b"", result.stdout, result.stderr


@pytest.mark.parametrize("corpus", ["demo", "short", "long"])
@pytest.mark.parametrize("jobs", ["1", "2"])
def test_cmo_code_out_is_byte_identical_with_and_without_the_fast_path(
    corpus: str,
    jobs: str,
    corpora: dict[str, Path],
    cli: Callable[..., Result],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    fast_answers: list[bool],
) -> None:
    root, out = corpora[corpus], tmp_path / "records.jsonl"
    quick = _run(cli, out, root, jobs, "jsonl")
    assert quick[0] == 0 and quick[1].count(b"\n") >= 100
    if corpus != "demo":
        assert "warning[" in quick[2] + quick[3]  # some transcripts went to the full coder
    if jobs == "1":
        assert any(fast_answers) and (corpus == "demo" or not all(fast_answers))
    monkeypatch.setenv("CMO_NO_FAST_PATH", "1")
    assert _run(cli, out, root, jobs, "jsonl") == quick
    monkeypatch.delenv("CMO_NO_FAST_PATH")
    as_json = _run(cli, out, root, jobs, "json")
    monkeypatch.setenv("CMO_NO_FAST_PATH", "1")
    assert _run(cli, out, root, jobs, "json") == as_json


def test_forked_workers_are_never_sent_a_programme(corpora: dict[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    """Workers inherit the tasks and are sent spans of their indexes: no ProgrammeSource (codebook and all) is pickled."""
    if "fork" not in multiprocessing.get_all_start_methods():
        pytest.skip("without fork, each worker is sent the tasks once, pickled")
    serial = _snapshot(corpora["short"], jobs=1)

    def refuse(self: ProgrammeSource, protocol: int) -> Any:
        raise AssertionError("a ProgrammeSource was pickled")

    monkeypatch.setattr(ProgrammeSource, "__reduce_ex__", refuse)
    assert _snapshot(corpora["short"], jobs=2) == serial


# --- any value in any annotation key: the fast path answers only with what the full coder gives ---------------------

_CODES = st.sampled_from(["stigma", "short-funding", "[stigma, short-funding, stigma]", "[stigma]", "[]", "~"])
_VALUES = st.one_of(
    _CODES,
    _CODES,
    _CODES,
    st.sampled_from(["", " ", "yes", "no", "null", "1", "1.5", "2024-01-01", "supports", "refutes", "x y", "trust"]),
    st.sampled_from(["[1]", "{}", "{resource: key-persons}", "{reasoning: [building-trust]}", "help-seeking"]),
    st.sampled_from(["'quoted'", '"faith leaders never know"', "|\n    faith leaders\n", "{id: 1}"]),
)
# The block's first keys; its `mechanism` and `outcome` follow, as in BASE.
_KEYS = st.sampled_from(["context", "enablers", "barriers", "intervention", "actor", "quote", "cmoc", "stance"])
_KEYS = st.one_of(_KEYS, st.sampled_from(["elicited", "note", "coder", "x"]))


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, ProgrammeSource]:
    root = write_tree(tmp_path_factory.mktemp("hypothesis") / "corpus", corpus_files(**{"a-int-01": BASE}))
    corpus = discover([root], Diagnostics())
    assert corpus is not None
    return root, corpus.programmes["alpha"]


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(pairs=st.lists(st.tuples(_KEYS, _VALUES), min_size=1, max_size=5, unique_by=lambda pair: pair[0]))
def test_whatever_an_annotation_holds_the_fast_path_gives_what_the_full_coder_does(
    pairs: list[tuple[str, str]], programme: tuple[Path, ProgrammeSource]
) -> None:
    root, source = programme
    block = "\n".join(f"{key}: {value}" for key, value in pairs)
    raw = BASE.replace("context: stigma\nmechanism", f"{block}\nmechanism", 1).encode()
    file = root / "alpha" / "a-int-01.md"
    fast = fast_coding.code_fast(raw, file, "alpha/a-int-01.md", source, cmo.corpus.coding._questions(source))
    result = TranscriptCoder(file, root, source).run(raw)
    if fast is not None:
        assert result.diagnostics == []
        assert fast == (result.to_data(), [record.model_dump(mode="json") for record in result.records])


_LINES = st.lists(st.sampled_from(["", " ", "\t", "words", "  more words ", "```cmo", "```", "~~~"]), max_size=12)


@given(lines=_LINES, fence=st.integers(min_value=0, max_value=12))
def test_the_paragraph_above_a_fence_is_found_walking_up_as_by_the_index(lines: list[str], fence: int) -> None:
    fence = min(fence, len(lines))
    text = "\n".join([*lines[:fence], "```cmo", *lines[fence:]])
    offset = sum(len(line) + 1 for line in lines[:fence])
    try:
        walked: object = fast_coding._paragraph_above(text, offset, fence + 1)
    except fast_coding._Unusual:
        walked = None
    assert walked == paragraph_above(text, offset, fence + 1)


_PIECES = st.lists(
    st.sampled_from(["`", "```", "~~~", " ", "  ", "\n", "\t", "a", "cmo", "````", "\n   "]), max_size=30
)


@given(pieces=_PIECES)
def test_fences_are_found_as_the_regular_expression_finds_them(pieces: list[str]) -> None:
    text = "".join(pieces)
    start = text.find("\n") + 1
    for at in (0, start):
        expected = [(m.start(), m.end(), m.groups()) for m in transcript._FENCE.finditer(text, at)]
        assert [(m.start(), m.end(), m.groups()) for m in transcript.fences(text, at)] == expected
