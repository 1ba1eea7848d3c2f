"""A deterministic synthetic corpus for benchmarks: realistic transcripts, annotations and codebooks, seeded."""

from __future__ import annotations

import random
import shutil
from pathlib import Path

SOURCES = ("interview", "observation", "document", "workshop")
KINDS = ("context", "mechanism", "outcome", "intervention", "actor")
PROGRAMMES = 4
WORDS_PER_TRANSCRIPT = 3_000
ANNOTATIONS_PER_TRANSCRIPT = 10
# The short corpus: what many studies hold, ~330 words and ~2 annotation blocks per transcript.
SHORT_WORDS = 300
SHORT_ANNOTATIONS = 2

_VOCABULARY = [
    "community",
    "trust",
    "group",
    "worker",
    "people",
    "health",
    "mental",
    "support",
    "family",
    "church",
    "mosque",
    "meeting",
    "time",
    "funding",
    "project",
    "service",
    "referral",
    "confidence",
    "talk",
    "listen",
    "stigma",
    "language",
    "barrier",
    "elder",
    "youth",
    "women",
    "men",
    "session",
    "outreach",
    "peer",
    "school",
    "neighbour",
    "street",
    "centre",
    "coffee",
    "sewing",
    "barber",
    "practical",
    "help",
    "feeling",
    "worry",
    "stress",
    "money",
    "housing",
    "job",
    "friend",
    "relative",
    "volunteer",
    "manager",
    "nurse",
    "doctor",
    "appointment",
    "letter",
    "phone",
    "week",
    "month",
    "year",
    "again",
    "always",
    "never",
    "really",
    "quite",
    "maybe",
    "first",
    "after",
    "before",
    "because",
    "then",
    "when",
    "where",
    "how",
    "why",
    "what",
    "who",
    "which",
    "the",
    "a",
    "an",
    "and",
    "but",
    "or",
    "so",
]


def _codebook(prefix: str, count: int, rng: random.Random) -> str:
    lines = ["codes:"]
    for number in range(count):
        kind = KINDS[number % len(KINDS)]
        words = " ".join(rng.choice(_VOCABULARY) for _ in range(4)).capitalize()
        lines.append(f"  {prefix}{kind[:3]}-{number:03d}: {{kind: {kind}, label: {words}}}")
    return "\n".join(lines) + "\n"


def _codes_by_kind(prefixes: list[str], count: int) -> dict[str, list[str]]:
    codes: dict[str, list[str]] = {kind: [] for kind in KINDS}
    for prefix in prefixes:
        for number in range(count):
            kind = KINDS[number % len(KINDS)]
            codes[kind].append(f"{prefix}{kind[:3]}-{number:03d}")
    return codes


def _choices(rng: random.Random, words: int) -> list[str]:
    """`[rng.choice(_VOCABULARY) for _ in range(words)]`, the same draws from the same generator, about twice as fast.

    `choice(seq)` is `seq[rng._randbelow(len(seq))]`, and `_randbelow(n)` draws `n.bit_length()` bits until the
    number is below n; written out here, the ten thousand long transcripts take seconds less to generate.
    """
    size = len(_VOCABULARY)
    bits = size.bit_length()
    getrandbits = rng.getrandbits
    out = []
    for _ in range(words):
        draw = getrandbits(bits)
        while draw >= size:
            draw = getrandbits(bits)
        out.append(_VOCABULARY[draw])
    return out


def _paragraph(rng: random.Random, words: int) -> str:
    text = " ".join(_choices(rng, words))
    # wrapped like a person's editor would, so quotes cross line breaks
    lines, line = [], []
    for word in text.split():
        line.append(word)
        if len(line) >= 12:
            lines.append(" ".join(line))
            line = []
    if line:
        lines.append(" ".join(line))
    return "\n".join(lines)


def _transcript(
    number: int,
    rng: random.Random,
    codes: dict[str, list[str]],
    length: int = WORDS_PER_TRANSCRIPT,
    annotations: int = ANNOTATIONS_PER_TRANSCRIPT,
) -> str:
    source = SOURCES[number % len(SOURCES)]
    out = [
        "---",
        f"id: t{number:05d}",
        f"source: {source}",
        f"date: 2024-{1 + number % 12:02d}-{1 + number % 28:02d}",
        f"participants: [P{number % 500:03d}, {{id: P{(number + 7) % 500:03d}, role: community worker}}]",
        f"coder: {'ABCDEF'[number % 6]}{'ABCDEF'[(number // 6) % 6]}",
        "---",
        "",
    ]
    paragraphs = max(1, length // 100)
    annotate = set(rng.sample(range(paragraphs), min(annotations, paragraphs)))
    for index in range(paragraphs):
        # Questions and answers take turns; a coded passage is always an answer (never the interviewer's question).
        answer = index % 2 == 1 or index in annotate
        speaker = f"**P{number % 500:03d}:**" if answer else "**Interviewer:**"
        paragraph = _paragraph(rng, 100)
        out += [f"{speaker} {paragraph}", ""]
        if index in annotate:
            block = [
                "```cmo",
                f"context: [{rng.choice(codes['context'])}, {rng.choice(codes['context'])}]",
                f"mechanism: {{resource: {rng.choice(codes['mechanism'])}, reasoning: {rng.choice(codes['mechanism'])}}}",
                f"outcome: {rng.choice(codes['outcome'])}",
            ]
            if rng.random() < 0.5:
                words = paragraph.split()
                start = rng.randrange(0, len(words) - 12)
                block.append(f'quote: "{" ".join(words[start : start + 12])}"')
            if rng.random() < 0.3:
                block.append(f"cmoc: config-{rng.randrange(50):02d}")
            if rng.random() < 0.1:
                block.append("stance: refutes")
            out += [*block, "```", ""]
    return "\n".join(out)


def generate(root: Path, transcripts: int, seed: int = 20241129, short: bool = False) -> Path:
    """Write a corpus of `transcripts` transcripts over several programmes under root; the same seed, the same bytes.

    `short` writes transcripts of ~330 words and 2 annotation blocks instead of ~3,000 words and 10 blocks.
    """
    words, annotations = (
        (SHORT_WORDS, SHORT_ANNOTATIONS) if short else (WORDS_PER_TRANSCRIPT, ANNOTATIONS_PER_TRANSCRIPT)
    )
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "codebook.yaml").write_text(_codebook("shared-", 40, rng), encoding="utf-8")
    for programme in range(PROGRAMMES):
        folder = root / f"programme-{programme}"
        folder.mkdir(exist_ok=True)
        (folder / "programme.yaml").write_text(
            f"id: programme-{programme}\nname: Programme {programme}\nframework: none\n"
            f"attributes:\n  funding: Grant {programme}\n  length: {12 + 6 * programme} months\n",
            encoding="utf-8",
        )
        (folder / "codebook.yaml").write_text(_codebook(f"p{programme}-", 60, rng), encoding="utf-8")
    for number in range(transcripts):
        programme = number % PROGRAMMES
        codes = _codes_by_kind(["shared-", f"p{programme}-"], 40)
        folder = root / f"programme-{programme}" / SOURCES[number % len(SOURCES)]
        folder.mkdir(exist_ok=True)
        (folder / f"t{number:05d}.md").write_text(_transcript(number, rng, codes, words, annotations), encoding="utf-8")
    return root


def subset(source: Path, root: Path, transcripts: int) -> Path:
    """Copy the first `transcripts` transcripts of a generated corpus: the same bytes `generate(root, transcripts)` writes.

    Transcripts are drawn one after another from one seeded generator, after the codebooks, so a smaller corpus is
    a prefix of a larger one; copying it costs a fraction of generating it again.
    """
    numbers = (_number(path.name) for path in source.rglob("t*.md"))
    if sum(1 for number in numbers if number is not None and number < transcripts) < transcripts:
        raise ValueError(f"{source} holds fewer than {transcripts} transcripts")

    def ignore(folder: str, entries: list[str]) -> set[str]:
        return {name for name in entries if (number := _number(name)) is not None and number >= transcripts}

    shutil.copytree(source, root, ignore=ignore)
    return root


def _number(name: str) -> int | None:
    """The transcript number of a generated transcript's file name (t00042.md: 42), else None."""
    if len(name) == 9 and name.startswith("t") and name.endswith(".md") and name[1:6].isdigit():
        return int(name[1:6])
    return None


if __name__ == "__main__":  # pragma: no cover - used by hand: python -m benchmarks.generate DIR N [--short]
    import sys

    generate(Path(sys.argv[1]), int(sys.argv[2]), short="--short" in sys.argv[3:])
