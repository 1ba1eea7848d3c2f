"""Properties of merge over random sequences of corpus edits: idempotent, deterministic, nothing curated lost."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cmo.core.files import write_atomic
from cmo.corpus.coding import code_corpus
from cmo.theory.merge import merge_corpus
from tests.conftest import corpus_files, write_tree

PARAGRAPHS = [f"Paragraph {n}: what participant P0{n} said about trust and help." for n in range(4)]

annotation = st.fixed_dictionaries(
    {
        "context": st.sampled_from([None, "stigma", "short-funding"]),
        "mechanism": st.sampled_from(["building-trust", "key-persons", "[building-trust, key-persons]"]),
        "outcome": st.sampled_from([None, "help-seeking"]),
        "cmoc": st.sampled_from([None, "cmoc-a", "cmoc-b"]),
        "stance": st.sampled_from(["supports", "refutes"]),
    }
)
corpus_state = st.lists(st.lists(annotation, min_size=0, max_size=4), min_size=1, max_size=2)  # transcripts


def _transcripts(state: list[list[dict[str, str | None]]]) -> dict[str, str]:
    files = {}
    for number, blocks in enumerate(state):
        text = f"---\nid: t{number}\nsource: {'interview' if number % 2 == 0 else 'workshop'}\n---\n\n"
        for index, fields in enumerate(blocks):
            text += PARAGRAPHS[index % len(PARAGRAPHS)] + "\n\n```cmo\n"
            text += "".join(f"{key}: {value}\n" for key, value in fields.items() if value is not None)
            text += "```\n\n"
        files[f"t{number}.md"] = text
    return files


def _merge(root: Path, theories: Path) -> str:
    result = code_corpus([root])
    assert result.ok, [d.format() for d in result.diagnostics]
    [outcome] = merge_corpus(result, theories)
    assert outcome.text is not None
    if outcome.changed:
        write_atomic(outcome.path, outcome.text)
    return outcome.text


def _curate(text: str) -> tuple[str, list[str]]:
    """Add a top comment, and a comment, statement and notes to every CMOC; return the new text and ids."""
    ids = re.findall(r"^  - id: (\S+)$", text, flags=re.MULTILINE)
    text = "# top comment by a person\n" + text
    for cmoc_id in ids:
        text = re.sub(
            rf"^  - id: {re.escape(cmoc_id)}\n    status: new\n",
            f"  # above {cmoc_id}\n  - id: {cmoc_id}\n    # comment on {cmoc_id}\n    statement: curated {cmoc_id}  # why\n"
            f"    status: supported\n    notes: notes on {cmoc_id}\n",
            text,
            count=1,
            flags=re.MULTILINE,
        )
    return text, ids


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(states=st.lists(corpus_state, min_size=2, max_size=4))
# Found by hypothesis: every CMOC going away must leave `cmocs: []`, not an empty block that reads as null.
@example(
    states=[
        [[]],
        [[{"context": None, "mechanism": "building-trust", "outcome": None, "cmoc": None, "stance": "supports"}]],
        [[]],
    ]
)
def test_no_curated_field_or_comment_is_lost_and_merge_is_idempotent(
    states: list[list[list[dict[str, str | None]]]],
) -> None:
    with tempfile.TemporaryDirectory() as temp:
        root = write_tree(Path(temp) / "corpus", corpus_files())
        theories = Path(temp) / "theories"
        alpha = root / "alpha"

        def set_state(state: list[list[dict[str, str | None]]]) -> None:
            for old in alpha.glob("t*.md"):
                old.unlink()
            for name, text in _transcripts(state).items():
                (alpha / name).write_text(text, encoding="utf-8")

        set_state(states[0])
        first = _merge(root, theories)
        curated, ids = _curate(first)
        (theories / "alpha.yaml").write_text(curated, encoding="utf-8")
        for state in states[1:]:
            set_state(state)
            text = _merge(root, theories)
            assert _merge(root, theories) == text  # idempotent: a second merge changes nothing
            assert text.startswith("# top comment by a person\n")
            for cmoc_id in ids:
                assert f"  # above {cmoc_id}\n  - id: {cmoc_id}\n    # comment on {cmoc_id}\n" in text
                assert f"    statement: curated {cmoc_id}  # why\n    status: supported\n" in text
                assert f"    notes: notes on {cmoc_id}\n" in text


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(state=corpus_state)
def test_merge_is_deterministic_from_scratch(state: list[list[dict[str, str | None]]]) -> None:
    outputs = []
    for _ in range(2):
        with tempfile.TemporaryDirectory() as temp:
            files = corpus_files()
            files.update({f"alpha/{name}": text for name, text in _transcripts(state).items()})
            root = write_tree(Path(temp) / "corpus", files)
            outputs.append(_merge(root, Path(temp) / "theories"))
    assert outputs[0] == outputs[1]


# --- curation written with every line break YAML knows, and any subset of the curated fields -------------

BREAKS = ["\n", "\r\n", "\r", "\x85", "\u2028", "\u2029"]
curated_text = st.lists(
    st.sampled_from(["If", "then", "because", "it's", '"so"', "#", "a: b", "é", "  ", *BREAKS]), min_size=1, max_size=6
).map(" ".join)
comment_parts = st.lists(st.sampled_from(["why", "a: b", "'q'", "é", "#x"]), min_size=1, max_size=3)


def _quoted(value: str) -> str:
    """A double-quoted scalar holding raw line breaks, each continued at the CMOC's key indentation."""
    escaped = value.replace("\\", "\\\\").replace('"', '\\"')
    for brk in sorted(BREAKS, key=len, reverse=True):
        escaped = escaped.replace(brk, brk.replace("\r\n", "\0") + "    ")
    return '"' + escaped.replace("\0", "\r\n") + '"'


def _comment(parts: list[str], indent: int, brk: str) -> str:
    """A comment that goes on over several lines, each break YAML allows one at."""
    return f"{brk}{' ' * indent}".join(f"# {part}" for part in parts)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
@given(
    states=st.lists(corpus_state, min_size=2, max_size=3),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    data=st.data(),
)
def test_curation_with_any_line_break_and_any_curated_fields_survives(
    states: list[list[list[dict[str, str | None]]]], newline: str, data: st.DataObject
) -> None:
    from collections import Counter

    from cmo.core.diagnostics import Diagnostics
    from cmo.theory.merge import _has_curated_content
    from cmo.theory.model import GENERATED_KEYS, load_theory_bytes

    with tempfile.TemporaryDirectory() as temp:
        root = write_tree(Path(temp) / "corpus", corpus_files())
        theories = Path(temp) / "theories"
        alpha = root / "alpha"

        def set_state(state: list[list[dict[str, str | None]]]) -> None:
            for old in alpha.glob("t*.md"):
                old.unlink()
            for name, text in _transcripts(state).items():
                (alpha / name).write_text(text, encoding="utf-8")

        set_state(states[0])
        text = _merge(root, theories)
        ids = re.findall(r"^  - id: (\S+)$", text, flags=re.MULTILINE)
        parts: list[str] = []
        top = data.draw(comment_parts)
        parts += top
        text = _comment(top, 0, data.draw(st.sampled_from(BREAKS))) + "\n" + text
        for cmoc_id in ids:
            fields = data.draw(
                st.fixed_dictionaries(
                    {},
                    optional={
                        "statement": curated_text.map(_quoted),
                        "status": st.sampled_from(["new", "supported", "refuted"]),
                        "notes": curated_text.map(_quoted),
                        "links": st.lists(st.sampled_from(ids), min_size=1, max_size=2, unique=True).map(
                            lambda links: "[" + ", ".join(links) + "]"
                        ),
                    },
                )
            )
            above, inline = data.draw(comment_parts), data.draw(comment_parts)
            parts += above + inline
            brk = data.draw(st.sampled_from(BREAKS))
            lines = [f"  {_comment(above, 2, brk)}", f"  - id: {cmoc_id}"]
            lines += [f"    {key}: {value}" for key, value in fields.items()]
            lines[-1] += "  " + _comment(inline, 4, brk)
            text = text.replace(f"  - id: {cmoc_id}\n    status: new\n", "\n".join(lines) + "\n", 1)
        raw = text.replace("\n", newline).encode()
        diagnostics = Diagnostics()
        theory, before = load_theory_bytes(raw, "alpha.yaml", diagnostics)
        assert theory is not None, [d.format() for d in diagnostics.items]
        (theories / "alpha.yaml").write_bytes(raw)
        curated = {
            str(item["id"]): {key: value for key, value in item.items() if key not in GENERATED_KEYS}
            for item in before["cmocs"]
            if _has_curated_content(item)
        }
        for state in states[1:]:
            set_state(state)
            merged = _merge(root, theories)
            assert _merge(root, theories) == merged  # idempotent
            theory, after = load_theory_bytes((theories / "alpha.yaml").read_bytes(), "alpha.yaml", Diagnostics())
            assert theory is not None
            found = {str(item["id"]): item for item in after["cmocs"] or []}
            for cmoc_id, fields in curated.items():
                assert {key: value for key, value in found[cmoc_id].items() if key not in GENERATED_KEYS} == fields
            for part, count in Counter(parts).items():
                assert merged.count(f"# {part}") >= count
            first_break = re.search("\r\n|[\r\n\x85\u2028\u2029]", raw.decode())
            assert ("\r\n" in merged) == (first_break is not None and first_break.group() == "\r\n")
