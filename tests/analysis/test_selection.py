"""Every query filter on the hand-built corpus of tests/analysis/evidence_corpus.py: which records each lets through."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from cmo.analysis.dimensions import values
from cmo.analysis.evidence import Coded, Evidence, gather, speakers_of
from cmo.analysis.matrix import build_matrix
from cmo.analysis.selection import FilterError, Filters, parse_date, parse_where, problems, select
from cmo.corpus.models import Participant
from tests.analysis.evidence_corpus import SHARED, evidence_corpus, theory_listing
from tests.conftest import write_tree

needs_attributes = pytest.mark.skipif(
    "attributes" not in Participant.model_fields, reason="participant attributes not built yet"
)


@pytest.fixture
def evidence(tmp_path: Path) -> Evidence:
    return gather([evidence_corpus(tmp_path)], tmp_path / "theories")


def names(evidence: Evidence, rows: list[Coded]) -> list[str]:
    """R1..R7 as evidence_corpus.py numbers the records."""
    order = [row.record["id"] for row in evidence.rows]
    return [f"R{order.index(row.record['id']) + 1}" for row in rows]


def picked(evidence: Evidence, **given: Any) -> list[str]:
    return names(evidence, select(evidence.rows, Filters(**given)))


def test_the_fixture_is_as_counted(evidence: Evidence) -> None:
    rows = evidence.rows
    assert evidence.diagnostics == []
    assert [(row.record["transcript"], row.record["line_start"], row.record["coder"]) for row in rows] == [
        ("a-int-01", 9, "AB"),
        ("a-int-01", 9, "CD"),
        ("a-int-01", 27, "AB"),
        ("a-obs-01", 9, "CD"),
        ("a-obs-01", 18, "CD"),
        ("b-doc-01", 6, None),
        ("b-ws-01", 9, "AB"),
    ]
    assert rows[0].passage == rows[1].passage  # the double coding is one passage
    assert len({row.passage for row in rows}) == 6
    assert picked(evidence) == ["R1", "R2", "R3", "R4", "R5", "R6", "R7"]


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"codes": ("key-persons",)}, ["R1", "R3"]),
        ({"codes": ("short-funding",)}, ["R4", "R5"]),  # as a barrier and as a context
        ({"codes": ("stigma", "faith-leaders")}, ["R1", "R3"]),  # repeats OR together
        ({"context": ("short-funding",)}, ["R5"]),  # a barrier is not a context
        ({"intervention": ("connectors",)}, ["R1", "R6"]),
        ({"actor": ("faith-leaders",)}, ["R3"]),
        ({"mechanism": ("key-persons",)}, ["R1", "R3"]),  # R1 gives it as the resource
        ({"resource": ("key-persons",)}, ["R1"]),
        ({"reasoning": ("building-trust",)}, ["R1"]),
        ({"reasoning": ("key-persons",)}, []),
        ({"outcome": ("referrals",)}, ["R2", "R3", "R6"]),
        ({"enablers": ("staff-from-group",)}, ["R3"]),
        ({"barriers": ("short-funding",)}, ["R4"]),
        ({"cmocs": ("trust-first",)}, ["R1", "R4"]),
        ({"cmocs": ("trust-first", "beta-trust")}, ["R1", "R4", "R7"]),
        ({"sources": ("observation",)}, ["R4", "R5"]),
        ({"sources": ("document", "workshop")}, ["R6", "R7"]),
        ({"stances": ("refines",)}, ["R2"]),
        ({"stances": ("refutes",)}, ["R5"]),
        ({"stances": ("supports",)}, ["R1", "R3", "R4", "R6", "R7"]),
        ({"elicited": True}, ["R3", "R7"]),
        ({"elicited": False}, ["R1", "R2", "R4", "R5", "R6"]),
        ({"coders": ("CD",)}, ["R2", "R4", "R5"]),
        ({"coders": ("AB", "CD")}, ["R1", "R2", "R3", "R4", "R5", "R7"]),  # R6 has no coder
        # a-obs-01's passages are labelled: R4 is P02's (a volunteer), R5 is P03's (a connector).
        ({"where": (("role", "connector"),)}, ["R1", "R2", "R3", "R5"]),  # P01, and P03 of a-obs-01
        ({"where": (("role", "Volunteer"),)}, ["R4"]),  # case ignored
        ({"where": (("role", "volunteer"), ("role", "manager"))}, ["R4", "R7"]),  # one attribute: any value
        ({"transcripts": ("a-obs-01",)}, ["R4", "R5"]),
        ({"transcripts": ("beta/b-doc-01",)}, ["R6"]),
        ({"programmes": ("beta",)}, ["R6", "R7"]),
        ({"since": dt.date(2024, 1, 1)}, ["R1", "R2", "R3", "R4", "R5"]),  # b-doc-01 has no date
        ({"until": dt.date(2024, 3, 12)}, ["R1", "R2", "R3", "R7"]),  # inclusive
        ({"since": dt.date(2024, 3, 13), "until": dt.date(2024, 5, 1)}, ["R4", "R5"]),
        ({"texts": ("TRUSTED the  cafe",)}, ["R4"]),  # case and runs of white space ignored
        ({"texts": ("trust",)}, ["R4", "R6", "R7"]),
        ({"texts": ("imam", "nobody knows")}, ["R3", "R5"]),
        # Different filters AND.
        ({"mechanism": ("building-trust",), "programmes": ("alpha",), "coders": ("CD",)}, ["R2", "R4"]),
        ({"outcome": ("help-seeking",), "elicited": True}, ["R7"]),
    ],
)
def test_each_filter(evidence: Evidence, given: dict[str, Any], expected: list[str]) -> None:
    assert picked(evidence, **given) == expected


@needs_attributes
@pytest.mark.parametrize(
    ("where", "expected"),
    [
        ((("group", "men"),), ["R4", "R5"]),
        ((("group", "women"),), ["R1", "R2", "R3"]),
        ((("group", "men"), ("role", "connector")), ["R5"]),  # P03 has both, and speaks R5 (P02 speaks R4)
        ((("group", "women"), ("role", "volunteer")), []),  # nobody is both
        ((("group", "men"), ("group", "women")), ["R1", "R2", "R3", "R4", "R5"]),
    ],
)
def test_where_reads_participant_attributes(
    evidence: Evidence, where: tuple[tuple[str, str], ...], expected: list[str]
) -> None:
    assert picked(evidence, where=where) == expected


def test_a_theory_s_cmoc_comes_before_the_block_s_own(tmp_path: Path) -> None:
    corpus = evidence_corpus(tmp_path)
    first = gather([corpus], tmp_path / "theories").rows
    r3, r4 = first[2].record, first[3].record
    (tmp_path / "theories" / "alpha.yaml").write_text(
        theory_listing(r3["id"], "a-int-01", "27", "faith-referrals")
        + "  - id: cafe-trust\n    evidence:\n"
        + f"      - {{record: {r4['id']}, transcript: a-obs-01, source: observation, lines: '9', quote: x}}\n",
        encoding="utf-8",
    )
    evidence = gather([corpus], tmp_path / "theories")
    assert [row.cmocs for row in evidence.rows][:4] == [("trust-first",), (), ("faith-referrals",), ("cafe-trust",)]
    assert picked(evidence, cmocs=("trust-first",)) == ["R1"]
    assert picked(evidence, cmocs=("faith-referrals", "cafe-trust")) == ["R3", "R4"]
    assert evidence.theory_cmocs == {"faith-referrals", "cafe-trust"}


def test_rows_through_the_cache_are_the_rows_coded_afresh(tmp_path: Path) -> None:
    corpus = evidence_corpus(tmp_path)
    gather([corpus], None)  # fills the cache
    cached = gather([corpus], None)
    fresh = gather([corpus], None, cache=False)
    assert [dataclasses.astuple(row) for row in cached.rows] == [dataclasses.astuple(row) for row in fresh.rows]
    assert len(cached.rows) == 7


def test_reading_the_rows_fills_what_they_name(evidence: Evidence) -> None:
    assert not evidence.seen.complete
    list(evidence.iter_rows())
    assert evidence.seen.complete
    assert evidence.seen.coders == {"AB", "CD"}
    assert evidence.seen.attributes["role"] == {"connector", "volunteer", "manager"}
    assert evidence.seen.cmocs == {"trust-first", "beta-trust"}


@pytest.mark.parametrize(
    ("given", "message"),
    [
        (
            {"codes": ("buildng-trust",)},
            "--code 'buildng-trust': no codebook declares this code; did you mean 'building-trust'?",
        ),
        (
            {"outcome": ("building-trust",)},
            "--outcome 'building-trust': 'building-trust' is a mechanism code, so no record has it as an outcome",
        ),
        (
            {"enablers": ("staf-from-group",)},
            "--enabler 'staf-from-group': no codebook declares this code; did you mean 'staff-from-group'?",
        ),
        ({"sources": ("intervew",)}, "did you mean 'interview'?"),
        (
            {"stances": ("refute",)},
            "--stance 'refute': not a stance (supports, refutes, refines); did you mean 'refutes'?",
        ),
        ({"programmes": ("alpah",)}, "--programme 'alpah': no such programme in the corpus; did you mean 'alpha'?"),
        ({"cmocs": ("trust-frist",)}, "did you mean 'trust-first'?"),
        ({"coders": ("EF",)}, "--coder 'EF': no record names this coder"),
        ({"transcripts": ("a-int-1",)}, "did you mean 'a-int-01'?"),
        ({"where": (("rol", "connector"),)}, "no participant has the attribute 'rol'; did you mean 'role'?"),
        ({"where": (("role", "conector"),)}, "no participant has role 'conector'; did you mean 'connector'?"),
        (
            {"since": dt.date(2024, 2, 1), "until": dt.date(2024, 1, 1)},
            "--since 2024-02-01 is after --until 2024-01-01",
        ),
    ],
)
def test_values_the_corpus_does_not_know_are_problems(evidence: Evidence, given: dict[str, Any], message: str) -> None:
    found = problems(Filters(**given), evidence)
    assert len(found) == 1 and message in found[0]


def test_known_values_are_no_problem(evidence: Evidence) -> None:
    given = Filters(
        codes=("stigma",),
        mechanism=("key-persons",),
        enablers=("staff-from-group",),
        sources=("interview",),
        stances=("refines",),
        programmes=("beta",),
        cmocs=("beta-trust",),
        coders=("AB",),
        transcripts=("alpha/a-int-01", "b-ws-01"),
        where=(("role", "Manager"),),
    )
    assert problems(given, evidence) == []


def test_option_values_are_parsed_or_refused() -> None:
    assert parse_date(" 2024-03-12 ", "--since") == dt.date(2024, 3, 12)
    assert parse_where("role = peer worker") == ("role", "peer worker")
    with pytest.raises(FilterError, match="--until '12/03/2024' is not a date"):
        parse_date("12/03/2024", "--until")
    for bad in ("role", "=x", "role="):
        with pytest.raises(FilterError, match="is not ATTRIBUTE=VALUE"):
            parse_where(bad)


WORKSHOP = """\
---
id: g-ws-01
source: workshop
date: 2024-06-01
participants:
  - {id: P31, role: peer worker, attributes: {group: women}}
  - {id: P32, role: manager, attributes: {group: men}}
  - {id: P34, role: volunteer}
---

**P31:** Coming with a friend made it easier the first time.

```cmo
mechanism: building-trust
```

P32: We kept the same worker on each shift, so faces were familiar.

```cmo
mechanism: key-persons
```

**p31**: Same for me, the same faces.

```cmo
mechanism: key-persons
```

Everyone agreed that trust came before anything else.

```cmo
mechanism: building-trust
```

**P33:** I only came in for the last ten minutes.

```cmo
mechanism: building-trust
```

**P32:** It was the shifts.
Note: laughter.
**P34:** And the tea.

```cmo
mechanism: key-persons
```
"""


@pytest.fixture
def workshop(tmp_path: Path) -> Evidence:
    """One workshop with three participants: labelled passages (P31, P32, p31, P33, P32 and P34), one unlabelled."""
    root = write_tree(
        tmp_path / "corpus",
        {
            "codebook.yaml": SHARED,
            "gamma/programme.yaml": "id: gamma\nname: Gamma Groups\n",
            "gamma/g-ws-01.md": WORKSHOP,
        },
    )
    return gather([root], None)


def test_a_passage_is_for_the_participant_its_speaker_label_names(workshop: Evidence) -> None:
    rows = workshop.rows
    assert workshop.diagnostics == []
    assert [[p["id"] for p in speakers_of(row.record)] for row in rows] == [
        ["P31"],
        ["P32"],
        ["P31"],  # the label regardless of case, its colon outside the bold
        ["P31", "P32", "P34"],  # no label: every participant of the transcript
        ["P31", "P32", "P34"],  # a label naming nobody of the record
        ["P32", "P34"],  # two turns in one passage: both speakers, and nobody else
    ]
    by_where = [
        names_in(rows, select(rows, Filters(where=(("group", "women"),)))),
        names_in(rows, select(rows, Filters(where=(("role", "manager"),)))),
        names_in(rows, select(rows, Filters(where=(("group", "men"), ("role", "manager"))))),
    ]
    assert by_where == [["W1", "W3", "W4", "W5"], ["W2", "W4", "W5", "W6"], ["W2", "W4", "W5", "W6"]]
    assert [values(row, "participant.group") for row in rows] == [
        ["women"],
        ["men"],
        ["women"],
        ["men", "women"],
        ["men", "women"],
        ["men"],
    ]
    matrix = build_matrix(rows, "participant.role", "mechanism")
    assert (matrix.rows, matrix.columns) == (
        ["manager", "peer worker", "volunteer"],
        ["building-trust", "key-persons"],
    )
    assert matrix.counts == [[2, 2], [3, 1], [2, 1]]


def names_in(rows: list[Coded], chosen: list[Coded]) -> list[str]:
    """W1..W6, the workshop's passages in order."""
    return [f"W{rows.index(row) + 1}" for row in chosen]
