"""Safe YAML loading: marks, refused tags, alias bombs, duplicate keys."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from cmo.yamlio.reader import Mark, YamlError, load, locate


def test_marks_are_one_based_and_shifted_by_the_offset() -> None:
    data = load("a: 1\nb:\n  - x\n  - {c: 2}\n", line_offset=10)
    assert data == {"a": 1, "b": ["x", {"c": 2}]}
    assert data.key_marks["b"] == Mark(12, 1)
    assert locate(data, ("b", 1, "c")) == Mark(14, 9)
    assert locate(data, ("b", 1, "c"), key=True) == Mark(14, 6)


def test_locate_falls_back_to_the_nearest_parent() -> None:
    data = load("a:\n  b: 1\n")
    assert locate(data, ("a", "missing")) == Mark(2, 3)


def test_dates_and_scalars_are_plain_python_values() -> None:
    assert load("d: 2024-03-12\nn: 3\nf: 1.5\nt: true\nz: null\n") == {
        "d": dt.date(2024, 3, 12),
        "n": 3,
        "f": 1.5,
        "t": True,
        "z": None,
    }


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object:os.system echo",
        "a: !!python/object/apply:os.system [echo]",
        "!!python/name:os.system ''",
        "a: !custom x",
        "a: !!set {x, y}",
    ],
)
def test_object_tags_are_refused(text: str) -> None:
    with pytest.raises(YamlError) as refused:
        load(text)
    assert refused.value.rule == "yaml-tag"
    assert "not allowed" in refused.value.message


def test_a_billion_laughs_is_refused_quickly() -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghij"):
        previous = "abcdefghij"[i]
        lines.append(f"{name}: &{name} [{','.join(['*' + previous] * 9)}]")
    started = time.perf_counter()
    with pytest.raises(YamlError) as refused:
        load("\n".join(lines))
    assert refused.value.rule == "yaml-expansion"
    # Not a timing assertion on the product: a guard that the test itself cannot hang.
    assert time.perf_counter() - started < 30


def test_small_aliases_are_fine() -> None:
    assert load("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_recursive_alias_is_refused() -> None:
    with pytest.raises(YamlError) as refused:
        load("&a [*a]")
    assert refused.value.rule == "yaml-expansion"


def test_duplicate_keys_are_an_error_not_a_silent_overwrite() -> None:
    with pytest.raises(YamlError) as refused:
        load("context: a\noutcome: b\ncontext: c\n", line_offset=4)
    assert refused.value.rule == "yaml-duplicate-key"
    assert refused.value.mark == Mark(7, 1)
    assert "first at line 5" in refused.value.message


def test_syntax_error_points_into_the_file() -> None:
    with pytest.raises(YamlError) as refused:
        load("a: [1, 2\nb: 3\n", line_offset=20)
    assert refused.value.rule == "yaml-syntax"
    assert refused.value.mark.line >= 21


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    with pytest.raises(YamlError):
        load("[" * 100_000)


def test_empty_document_is_none() -> None:
    assert load("") is None
    assert load("# only a comment\n") is None


def test_load_bytes_takes_a_bom_and_crlf_and_refuses_other_encodings() -> None:
    from cmo.yamlio.reader import load_bytes

    data = load_bytes("\ufeffa: 1\r\nb: é\r\n".encode())
    assert data == {"a": 1, "b": "é"}
    assert data.key_marks["b"] == Mark(2, 1)
    with pytest.raises(YamlError) as refused:
        load_bytes("b: é\n".encode("latin-1"))
    assert (refused.value.rule, refused.value.mark) == ("encoding", Mark(1, 4))


# --- tests that each kill a mutant the suite once let through (docs/testing.md) ----------------


def _expanded_nodes(text: str) -> int:
    """Nodes of the document with every alias expanded, keys included: counted by PyYAML's composer, not cmo."""
    import yaml

    def count(node: yaml.Node) -> int:
        if isinstance(node, yaml.MappingNode):
            return 1 + sum(count(k) + count(v) for k, v in node.value)
        if isinstance(node, yaml.SequenceNode):
            return 1 + sum(count(item) for item in node.value)
        return 1

    root = yaml.compose(text, Loader=yaml.SafeLoader)
    assert root is not None
    return count(root)


def _aliases(repeats: int) -> str:
    return "a: &a [1, 2, 3, 4, 5, 6, 7, 8, 9]\nb: [" + ", ".join(["*a"] * repeats) + "]\n"


def test_aliases_may_expand_to_ten_thousand_nodes_beyond_the_size_and_no_further() -> None:
    # The allowance is additive: a document of n characters may expand to n + 10,000 nodes.
    low, over = 1, 3000  # the fewest aliases that expand beyond the allowance, by bisection
    while low < over:
        middle = (low + over) // 2
        if _expanded_nodes(_aliases(middle)) > len(_aliases(middle)) + 10_000:
            over = middle
        else:
            low = middle + 1
    under = over - 10  # each alias is ten nodes and four characters: this is 60 nodes within the allowance
    assert _expanded_nodes(_aliases(under)) < len(_aliases(under)) + 10_000 - 50
    assert load(_aliases(under))["b"][0] == [1, 2, 3, 4, 5, 6, 7, 8, 9]
    with pytest.raises(YamlError) as refused:
        load(_aliases(over + 10))
    assert refused.value.rule == "yaml-expansion"
