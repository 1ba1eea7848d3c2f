"""Safe YAML loading, pinned exactly: marks of every node, refusal messages, the number limit, round trips."""

from __future__ import annotations

import datetime as dt

import pytest

from cmo.yamlio.reader import (
    Mark,
    MarkedMap,
    MarkedSeq,
    YamlError,
    dump_round_trip,
    load,
    load_bytes,
    load_round_trip,
    locate,
)

TOO_LARGE = "a number of more than 4,000 digits is too large for cmo (if it is meant as text, put it in quotes)"


def _refused(text: str, *, line_offset: int = 0) -> YamlError:
    with pytest.raises(YamlError) as refused:
        load(text, line_offset=line_offset)
    assert str(refused.value) == refused.value.message
    return refused.value


def test_every_map_key_value_and_item_has_its_own_one_based_mark() -> None:
    data = load("top: 1\nlist:\n  - first\n  -   {k: v}\n", line_offset=2)
    assert isinstance(data, MarkedMap)
    assert data.mark == Mark(3, 1)
    assert data.key_marks == {"top": Mark(3, 1), "list": Mark(4, 1)}
    assert data.value_marks == {"top": Mark(3, 6), "list": Mark(5, 3)}
    items = data["list"]
    assert isinstance(items, MarkedSeq)
    assert items.mark == Mark(5, 3)
    assert items.item_marks == [Mark(5, 5), Mark(6, 7)]
    assert items[1].mark == Mark(6, 7)


def test_without_an_offset_the_first_line_is_line_one() -> None:
    data = load("  a: b\n")
    assert data.key_marks["a"] == Mark(1, 3)
    assert data.value_marks["a"] == Mark(1, 6)


def test_a_top_level_sequence_and_a_scalar_document() -> None:
    seq = load("- 1\n- two\n")
    assert seq == [1, "two"]
    assert (seq.mark, seq.item_marks) == (Mark(1, 1), [Mark(1, 3), Mark(2, 3)])
    assert load("just text") == "just text"


def test_scalars_of_every_plain_kind_and_an_explicit_str() -> None:
    assert load("s: !!str 12\nn: !!null ''\nt: !!timestamp 2024-01-02\nb: !!bool yes\ni: !!int 0x10\nf: !!float 2") == {
        "s": "12",
        "n": None,
        "t": dt.date(2024, 1, 2),
        "b": True,
        "i": 16,
        "f": 2.0,
    }


def test_a_value_that_looks_typed_but_is_not_stays_text() -> None:
    assert load("d: 2024-13-45\ni: !!int abc\nf: !!float x\n") == {"d": "2024-13-45", "i": "abc", "f": "x"}


def test_aliases_repeat_a_node_any_number_of_times_side_by_side() -> None:
    assert load("a: &x {k: [1]}\nb: [*x, *x]\nc: *x\n") == {
        "a": {"k": [1]},
        "b": [{"k": [1]}, {"k": [1]}],
        "c": {"k": [1]},
    }


@pytest.mark.parametrize(
    ("text", "mark"),
    [("&a [*a]", Mark(1, 1)), ("x:\n  &m {y: *m}", Mark(2, 3))],
)
def test_an_alias_inside_its_own_anchor_is_refused_with_a_message(text: str, mark: Mark) -> None:
    refused = _refused(text)
    assert (refused.rule, refused.message, refused.mark) == (
        "yaml-expansion",
        "an alias refers to its own parent; refused",
        mark,
    )


def test_an_alias_bomb_is_refused_at_a_line_of_the_file() -> None:
    lines = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for name, previous in zip("bcdef", "abcde", strict=True):
        lines.append(f"{name}: &{name} [{', '.join(['*' + previous] * 10)}]")
    refused = _refused("\n".join(lines), line_offset=7)
    assert refused.rule == "yaml-expansion"
    assert refused.message == "aliases expand this YAML far beyond its size (an alias bomb?); refused"
    assert 8 <= refused.mark.line <= 13


@pytest.mark.parametrize(
    ("text", "tag", "mark"),
    [
        ("a: !!set {x, y}", "!!set", Mark(11, 4)),
        ("a: !!omap [b: 1]", "!!omap", Mark(11, 4)),
        ("a:\n  - !local [1]", "!local", Mark(12, 5)),
        ("!local {a: 1}", "!local", Mark(11, 1)),
        ("a: !!binary aGk=", "!!binary", Mark(11, 4)),
        ("a: !!python/object:os.system x", "!!python/object:os.system", Mark(11, 4)),
    ],
)
def test_tags_other_than_plain_data_are_refused_by_name(text: str, tag: str, mark: Mark) -> None:
    refused = _refused(text, line_offset=10)
    assert (refused.rule, refused.message, refused.mark) == (
        "yaml-tag",
        f"YAML tag {tag!r} is not allowed: cmo files hold plain data, never objects",
        mark,
    )


def test_a_key_that_is_a_collection_is_refused_where_it_is() -> None:
    refused = _refused("a: 1\n? [b]\n: 2\n", line_offset=1)
    assert (refused.rule, refused.message, refused.mark) == (
        "yaml-syntax",
        "a mapping key must be a plain value",
        Mark(3, 3),
    )


def test_a_duplicate_key_names_the_line_of_the_first() -> None:
    refused = _refused("x: 1\n'a': 1\nb: 2\na: 3\n", line_offset=3)
    assert (refused.rule, refused.message, refused.mark) == (
        "yaml-duplicate-key",
        "key 'a' appears twice in one mapping (first at line 5)",
        Mark(7, 1),
    )


def test_the_same_key_in_two_mappings_is_fine() -> None:
    assert load("a: {k: 1}\nb: {k: 2}\n") == {"a": {"k": 1}, "b": {"k": 2}}


@pytest.mark.parametrize(
    "number",
    ["9" * 4000, "-" + "9" * 4000, "+" + "9" * 4000],
)
def test_an_int_of_four_thousand_digits_is_read(number: str) -> None:
    assert load(f"n: {number}")["n"] == int(number)


@pytest.mark.parametrize(
    "number",
    [
        "1" + "0" * 4000,  # 4,001 digits, within what Python will build
        "-1" + "0" * 4000,
        "7" * 4500,  # more digits than Python builds from text
        "0x" + "f" * 4000,  # short enough to build, too large once built
        "1" * 16_001,  # refused before building
        "0x" + "f" * 15_999,
    ],
)
def test_an_int_beyond_four_thousand_digits_is_refused_with_its_mark(number: str) -> None:
    refused = _refused(f"a: 1\nn: {number}", line_offset=4)
    assert (refused.rule, refused.message, refused.mark) == ("yaml-number-too-large", TOO_LARGE, Mark(6, 4))


def test_an_explicit_int_that_is_not_a_number_is_text_up_to_four_thousand_characters() -> None:
    assert load("n: !!int " + "z" * 4000)["n"] == "z" * 4000
    refused = _refused("n: !!int " + "z" * 4001)
    assert (refused.rule, refused.message, refused.mark) == ("yaml-number-too-large", TOO_LARGE, Mark(1, 4))


def test_long_text_and_long_floats_are_not_numbers_too_large() -> None:
    assert load("t: " + "x" * 20_000)["t"] == "x" * 20_000
    assert load("f: 1." + "5" * 5000)["f"] == pytest.approx(1.5555555555)


@pytest.mark.parametrize(
    ("text", "message", "mark"),
    [
        (
            "a: [1, 2\nb: 3\n",
            "the list opened with '[' here is not closed: end it with ']'"
            " (parser: did not find expected ',' or ']' while parsing a flow sequence)",
            Mark(20, 4),
        ),
        (
            "a: 1\n---\nb: 2\n",
            "a '---' line starts a second YAML document, which cmo does not read: remove it"
            " (parser: expected a single document in the stream, but found another document)",
            Mark(21, 1),
        ),
        ("%YAML 1.1\n%YAML 1.1\n---\na", "invalid YAML (parser: found duplicate %YAML directive)", Mark(21, 1)),
    ],
)
def test_syntax_errors_say_what_and_where(text: str, message: str, mark: Mark) -> None:
    refused = _refused(text, line_offset=19)
    assert (refused.rule, refused.message, refused.mark) == ("yaml-syntax", message, mark)


def test_an_unreadable_character_is_a_syntax_error_at_the_first_line() -> None:
    refused = _refused("a: b\nc: \x00", line_offset=5)
    assert refused.rule == "yaml-syntax"
    assert refused.message.startswith("invalid YAML: unacceptable character #x0000")
    assert refused.mark == Mark(6, 1)


def test_deep_nesting_is_a_syntax_error_at_the_first_line() -> None:
    refused = _refused("[" * 600 + "]" * 600, line_offset=2)
    assert (refused.rule, refused.message, refused.mark) == ("yaml-syntax", "YAML nested too deeply", Mark(3, 1))


def test_load_bytes_reads_utf8_with_a_bom_and_crlf_endings() -> None:
    data = load_bytes(b"\xef\xbb\xbfa: \xc3\xa9\r\nb:\r\n  - 1\r\n")
    assert data == {"a": "é", "b": [1]}
    assert data.value_marks["b"] == Mark(3, 3)
    assert load_bytes(b"") is None


def test_load_bytes_refuses_other_encodings_with_advice() -> None:
    with pytest.raises(YamlError) as refused:
        load_bytes(b"a: caf\xe9\n")
    assert (refused.value.rule, refused.value.message, refused.value.mark) == (
        "encoding",
        "not UTF-8 at byte 7 (line 1, column 7): save the file as UTF-8",
        Mark(1, 7),
    )


def test_load_bytes_marks_start_at_line_one() -> None:
    with pytest.raises(YamlError) as refused:
        load_bytes(b"a: 1\na: 2\n")
    assert refused.value.mark == Mark(2, 1)


LOCATED = "a:\n  b: [x, y]\n  c: {d: 1}\n"


@pytest.mark.parametrize(
    ("loc", "key", "mark"),
    [
        ((), False, Mark(1, 1)),
        (("a",), False, Mark(2, 3)),
        (("a",), True, Mark(1, 1)),
        (("a", "b"), True, Mark(2, 3)),
        (("a", "b"), False, Mark(2, 6)),
        (("a", "b", 1), False, Mark(2, 10)),
        (("a", "b", 1), True, Mark(2, 10)),
        (("a", "c", "d"), True, Mark(3, 7)),
        (("a", "c", "d"), False, Mark(3, 10)),
        (("a", "b", 2), False, Mark(2, 6)),
        (("a", "b", -1), False, Mark(2, 6)),
        (("a", "b", "x"), False, Mark(2, 6)),
        (("a", "c", 0), False, Mark(3, 6)),
        (("a", "missing", "d"), False, Mark(2, 3)),
        (("a", "b", 0, "deeper"), False, Mark(2, 7)),
    ],
)
def test_locate_finds_the_value_or_the_key_else_the_nearest_parent(
    loc: tuple[int | str, ...], key: bool, mark: Mark
) -> None:
    assert locate(load(LOCATED), loc, key=key) == mark


def test_locate_in_plain_data_has_no_mark() -> None:
    assert locate({"a": 1}, ("a",)) is None
    assert locate(None, ()) is None


ROUND_TRIP = """\
# a comment people wrote
id: alpha
yes_text: 'yes'
quoted: "kept"
nested:
  - name: é and ü
    list:
      - a
      - b
long: {long}
""".format(long="word " * 60 + "end")


def test_a_round_trip_keeps_comments_quotes_unicode_layout_and_long_lines() -> None:
    assert dump_round_trip(load_round_trip(ROUND_TRIP)) == ROUND_TRIP


def test_a_round_trip_writes_new_values_in_the_fixed_layout() -> None:
    document = load_round_trip("a: 1\n")
    document["items"] = [{"k": "ü " * 50 + "x"}]
    assert dump_round_trip(document) == "a: 1\nitems:\n  - k: " + "ü " * 50 + "x\n"


def _aliased_list(padding: int) -> tuple[str, int]:
    """A top-level list (no keys) of one anchored 9-item list and 2,010 aliases of it, a comment of `padding`."""
    text = "- &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\n" + "- *a\n" * 2010 + "#" + "x" * padding + "\n"
    return text, 1 + 10 * 2011  # the outer list, then 2,011 copies of a list and its nine items


def test_a_document_may_expand_to_exactly_its_size_plus_ten_thousand_nodes() -> None:
    text, nodes = _aliased_list(26)
    assert nodes == len(text) + 10_000
    assert len(load(text)) == 2011
    shorter, nodes = _aliased_list(25)
    assert nodes == len(shorter) + 10_001
    assert _refused(shorter).rule == "yaml-expansion"


def test_a_float_longer_than_any_int_may_be_is_still_a_float() -> None:
    assert load("f: 0." + "1" * 17_000)["f"] == pytest.approx(0.11111111)


def test_a_round_trip_indents_a_new_nested_mapping_by_two() -> None:
    document = load_round_trip("a: 1\n")
    document["b"] = {"c": {"d": 1}}
    assert dump_round_trip(document) == "a: 1\nb:\n  c:\n    d: 1\n"
