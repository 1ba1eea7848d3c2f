"""One quoting rule for every YAML file cmo writes: each writer's strings read back as themselves, tricky or not."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cmo.corpus.models import Record, SourceType
from cmo.render.records import record_chunks, record_dicts
from cmo.yamlio.emitter import Flow, Reading, dump, dump_annotations, emit, emit_items, reading, scalar, style
from cmo.yamlio.reader import dump_round_trip, load
from cmo.yamlio.roundtrip import commented

TRICKY = [
    *("yes", "no", "Yes", "NO", "on", "off", "On", "y", "n", "null", "Null", "~", "true", "False"),
    *("1", "1.0", "-1", ".5", "1e3", "0x1F", "0o17", "017", "1_000", ".inf", "-.Inf", ".nan", "2024-01-01"),
    *("2024-01-01 10:00:00", "12:30", "=", "<<", ":", "a: b", "a:b", "#", "# x", "a #b", "- ", "- x", "-", "?", "? x"),
    *("&anchor", "*alias", "!tag", "%dir", "@at", "`tick", "|", ">", "[a]", "{a}", "a, b", "'", '"', "it's", '"q"'),
    *(" lead", "trail ", " ", "\t", "tab\there", "a\nb", "a\n\nb\n", "\n", "end\n", "x\nend ", " a\nb", "a\r\nb"),
    *("café", "naïve Ünïcode", "😀 emoji", "a\u2028b", "a\u2029b", "a\x85b", "a\nb\x85c", "\x80", "\x9f", "\x7f"),
    *("\ufeff", "a\ufeffb", "\x00", "\x1b[0m", "\ufffe", "\uffff", "\u00a0nbsp", "---", "...", "", "a" * 200),
]


def _record(quote: str) -> Record:
    return Record(
        id="alpha/int-01#1",
        programme="alpha",
        transcript="int-01",
        source=SourceType.INTERVIEW,
        path="alpha/int-01.md",
        line_start=1,
        line_end=1,
        quote=quote,
        coder=quote,
        context=[quote],
        annotation_line=1,
    )


def _round_trips(text: str) -> None:
    """Every writer, `text` as a value, a list item and (where lists are flow) a flow item, read back safely."""
    out: list[str] = []
    emit("quote", text, 0, out)
    emit("ids", [text, "other"], 0, out)
    emit("items", [{"statement": text}, text], 0, out)
    items: list[str] = []
    emit_items([text], 0, items)
    assert load("\n".join(out) + "\n") == {"quote": text, "ids": [text, "other"], "items": [{"statement": text}, text]}
    assert load("\n".join(items) + "\n") == [text]
    data: dict[str, Any] = {"quote": text, "ids": [text, "other"], "items": [{"statement": text}, text]}
    assert load(dump_round_trip(commented(data))) == data
    assert load(dump(data)) == data
    assert load(dump(data, flow_lists=True)) == data
    mechanism = {"mechanism": Flow(resource=text, reasoning="trust"), "quote": text}
    assert load(dump_annotations([mechanism])) == mechanism
    assert load(dump_annotations([mechanism, {"quote": text}])) == [mechanism, {"quote": text}]
    record = _record(text)
    assert load("".join(record_chunks([record, record], "yaml"))) == record_dicts([record, record])


@pytest.mark.parametrize("text", TRICKY)
def test_every_writer_reads_back_tricky_strings(text: str) -> None:
    _round_trips(text)


@settings(max_examples=300, deadline=None)
@given(st.text())
def test_every_writer_reads_back_any_string(text: str) -> None:
    _round_trips(text)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("ab :#-'\"\n\t\r\x85\u2028\x9f\ufeff yes1.0"))))
def test_every_writer_reads_back_strings_of_yaml_punctuation(text: str) -> None:
    _round_trips(text)


@pytest.mark.parametrize(
    ("text", "line", "document"),
    [
        ("plain words", "plain words", None),
        ("yes", "'yes'", None),
        ("a: b", "'a: b'", None),
        ("it's", "it's", None),
        ("a\nb", '"a\\nb"', "quote: |-\n  a\n  b\n"),
        ("x\nend ", '"x\\nend "', None),
        ("a\tb\n\n", '"a\\tb\\n\\n"', None),
        ("", "''", None),
    ],
)
def test_the_writers_agree_on_the_style(text: str, line: str, document: str | None) -> None:
    """The fixed layout, ruamel and PyYAML's layout write the same: plain, else single, else double quotes
    (only the documents `qdpx import` writes may put multi-line text in a `|` block)."""
    assert scalar(text) == line
    assert dump_round_trip(commented({"quote": text})) == f"quote: {line}\n"
    assert dump({"quote": text}) == (document or f"quote: {line}\n")


def test_double_quotes_escape_odd_breaks_in_every_writer() -> None:
    """The style is one rule; the escapes are each library's own spelling of the same characters."""
    text = "a\x85b\u2028c"
    assert scalar(text) == '"a\\u0085b\\u2028c"'
    assert dump_round_trip(commented({"quote": text})) == 'quote: "a\\Nb\\Lc"\n'
    assert dump({"quote": text}) == 'quote: "a\\Nb\\Lc"\n'


# PyYAML's answers the rule is built on. If an upgrade changes one, this fails: re-check `style` before
# updating the table, as a changed answer can change how existing theory files are written.
PINNED = {
    "plain words": Reading(True, True, True, True, True, False),
    "yes": Reading(False, True, True, True, True, False),
    "null": Reading(False, True, True, True, True, False),
    "~": Reading(False, True, True, True, True, False),
    "1.0": Reading(False, True, True, True, True, False),
    "0x1F": Reading(False, True, True, True, True, False),
    "2024-01-01": Reading(False, True, True, True, True, False),
    "a: b": Reading(True, False, False, True, True, False),
    "# x": Reading(True, False, False, True, True, False),
    "- x": Reading(True, False, False, True, True, False),
    "a, b": Reading(True, True, False, True, True, False),
    " lead": Reading(True, False, False, True, True, False),
    "trail ": Reading(True, False, False, True, False, False),
    "a\nb": Reading(True, False, False, True, True, True),
    "x\nend ": Reading(True, False, False, True, False, True),
    "a\u2028b": Reading(True, False, False, True, True, True),
    "a\x85b": Reading(True, False, False, True, True, True),
    "\x9f": Reading(True, False, False, False, False, False),
    "\ufeff": Reading(True, False, False, False, False, False),
    "é 😀": Reading(True, True, True, True, True, False),
    "": Reading(False, True, False, True, False, False),
}


@pytest.mark.parametrize("text", list(PINNED))
def test_pyyaml_analysis_is_what_the_rule_was_written_against(text: str) -> None:
    assert reading(text) == PINNED[text]


@pytest.mark.parametrize(
    ("text", "expected"),
    [("a b", ""), ("yes", "'"), ("a, b", ""), ("a\nb", '"'), ("\x9f", '"'), ("", "'")],
)
def test_style_in_block_context(text: str, expected: str) -> None:
    assert style(text) == expected


def test_flow_context_quotes_flow_indicators() -> None:
    assert (style("a, b"), style("a, b", flow=True)) == ("", "'")
    assert style("a\nb", literal=True) == "|" and style("a\nb", flow=True, literal=True) == '"'
    assert style("a\u2028\nb", literal=True) == '"'  # LS would split a block's lines
