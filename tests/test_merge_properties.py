"""Properties of merge over random sequences of corpus edits: idempotent, deterministic, nothing curated lost."""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from cmo.coding import code_corpus
from cmo.files import write_atomic
from cmo.merge import merge_corpus
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
