"""Units of agreement: content lines, passages as overlapping spans, coders and configurations of records."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from cmo.analysis.alignment import (
    ROLES,
    UNNAMED,
    Coding,
    ContentLines,
    Source,
    align,
    codings_of,
    completed,
    configurations_of,
    realigned,
    record_coder,
)
from cmo.corpus.coding import code_corpus
from cmo.corpus.models import Record
from cmo.theory.configuration import generated_id
from tests.conftest import DEMO_CORPUS, TRANSCRIPT, corpus_files

ONE = """\
---
source: interview
coder: AB
---

**P01:** First paragraph,
two lines.

```cmo
mechanism: building-trust
```

**P01:** Second paragraph.
"""
# The same text with another coder's block above the second paragraph, blank lines around it.
TWO = """\
---
source: interview
coder: CD
date: 2024-01-01
---

**P01:** First paragraph,
two lines.


```cmo
mechanism: key-persons
```

```cmo
mechanism: building-trust
```

**P01:** Second paragraph.
"""


def test_content_lines_leave_out_front_matter_blocks_and_blank_lines() -> None:
    one, two = ContentLines(ONE), ContentLines(TWO)
    assert one.lines == [6, 7, 13]
    assert two.lines == [7, 8, 19]
    assert one.span(6, 7) == two.span(7, 8) == (1, 2)
    assert one.span(13, 13) == two.span(19, 19) == (3, 3)
    assert (one.file_line(3), two.file_line(3)) == (13, 19)


def test_content_lines_of_an_unreadable_transcript_are_its_file_lines() -> None:
    lines = ContentLines("no front matter\n")
    assert (lines.span(4, 6), lines.file_line(4)) == ((4, 6), 4)


def _coding(coder: str, start: int, end: int, path: str = "t.md") -> Coding:
    return Coding(path, coder, start, end, {role: frozenset() for role in ROLES}, frozenset())


def test_units_are_the_transitive_closure_of_overlap() -> None:
    codings = [
        _coding("AB", 1, 3),
        _coding("CD", 3, 5),  # overlaps the first
        _coding("EF", 5, 6),  # overlaps the second only: still the same passage
        _coding("AB", 8, 9),
        _coding("CD", 8, 8, path="u.md"),  # another transcript
    ]
    units = align(reversed(codings), {})
    assert [(u.path, u.start, u.end, u.coders, u.double_coded) for u in units] == [
        ("t.md", 1, 6, ["AB", "CD", "EF"], True),
        ("t.md", 8, 9, ["AB"], False),
        ("u.md", 8, 8, ["CD"], False),
    ]


def test_units_are_reported_at_the_file_line_of_the_lines_given() -> None:
    [unit] = align([_coding("AB", 3, 3), _coding("CD", 3, 3)], {"t.md": ContentLines(TWO)})
    assert unit.line == 19


def test_a_record_without_a_coder_is_unnamed() -> None:
    assert record_coder({"coder": "AB"}) == "AB"
    assert record_coder({"coder": None}) == record_coder({"coder": "  "}) == record_coder({}) == UNNAMED


def test_block_coder_and_file_coder_make_one_unit_of_two_coders(tree: Callable[..., Path]) -> None:
    second = "```cmo\ncoder: CD\ncontext: stigma\nmechanism: key-persons\noutcome: help-seeking\n```\n"
    root = tree(corpus_files(**{"a-int-01": TRANSCRIPT + "\n" + second}))
    result = code_corpus([root])
    assert result.ok, [d.format() for d in result.diagnostics]
    file = root / "alpha/a-int-01.md"
    sources = [Source(record, "shown.md", file) for record in result.iter_record_dicts()]
    codings, lines = codings_of(sources)
    [unit] = align(codings, lines)
    assert (unit.coders, unit.line, unit.path) == (["AB", "CD"], 9, "shown.md")
    assert [sorted(c.codes["mechanism"]) for c in unit.codings] == [["building-trust", "key-persons"], ["key-persons"]]
    assert [sorted(c.codes["resource"]) for c in unit.codings] == [["key-persons"], []]
    same = codings_of(sources, coder="main")[0]
    assert {c.coder for c in same} == {"main"}


def test_a_records_configuration_is_its_theorys_else_its_cmoc_else_its_generated_key(
    tree: Callable[..., Path],
) -> None:
    root = tree(corpus_files(**{"a-int-01": TRANSCRIPT}))
    [record] = list(code_corpus([root]).iter_record_dicts())
    assert configurations_of(record) == {generated_id(Record.model_validate(record))}
    assert configurations_of({**record, "cmoc": "trust"}) == {"trust"}
    assert configurations_of({**record, "outcome": []}) == frozenset()  # a fragment is in no configuration
    theory = codings_of([Source(record, "t.md", root / "alpha/a-int-01.md", ("curated", "other"))])[0]
    assert theory[0].cmocs == {"curated", "other"}


def test_file_lines_align_blocks_of_one_file_as_content_lines_do() -> None:
    # Blocks side by side are aligned on file lines, without reading the transcripts again: the same units.
    result = code_corpus([DEMO_CORPUS])
    records = list(result.iter_record_dicts())
    read = [Source(r, str(r["path"]), DEMO_CORPUS / str(r["path"])) for r in records]
    unread = [Source(r, str(r["path"]), None) for r in records]
    units = [align(*codings_of(sources)) for sources in (read, unread)]
    assert [(u.path, u.line, u.coders, len(u.codings)) for u in units[0]] == [
        (u.path, u.line, u.coders, len(u.codings)) for u in units[1]
    ]
    assert sum(u.double_coded for u in units[0]) >= 5


def test_a_revision_that_had_the_transcript_gets_a_not_coded_coding_in_each_of_its_units() -> None:
    units = align([_coding("alice", 1, 2), _coding("alice", 5, 5), _coding("carol", 1, 1, path="u.md")], {})
    filled = completed(units, {"t.md": ["alice", "bob"], "u.md": ["carol"]})
    assert [(u.path, u.coders, u.not_coded, u.double_coded) for u in filled] == [
        ("t.md", ["alice", "bob"], ["bob"], True),
        ("t.md", ["alice", "bob"], ["bob"], True),
        ("u.md", ["carol"], [], False),  # only carol has u.md: nothing to compare it with
    ]
    bob = filled[0].codings[-1]
    assert (bob.coded, bob.start, bob.end, bob.cmocs) == (False, 1, 2, frozenset())
    assert all(not codes for codes in bob.codes.values())


EDITED = ONE.replace("**P01:** First paragraph,", "**P01:** A new first line.\n\n**P01:** First paragraph,").replace(
    "**P01:** Second paragraph.", "**P01:** The second paragraph, reworded."
)


def test_edited_text_maps_content_lines_onto_the_references_by_difflib() -> None:
    one, edited = ContentLines(ONE), ContentLines(EDITED)
    assert edited.differs(one) and not ContentLines(TWO).differs(one)  # blocks and blank lines do not count
    assert not ContentLines("no front matter\n").differs(one)  # unreadable: nothing to compare
    # edited: 1 inserted (onto the line before: none, so 1), 2-3 = one's 1-2, 4 replaced one's 3.
    assert edited.mapping_to(one)[1:] == [1, 1, 2, 3]
    moved = realigned([_coding("bob", 2, 3), _coding("bob", 4, 4)], edited.mapping_to(one))
    assert [(c.start, c.end) for c in moved] == [(1, 2), (3, 3)]
