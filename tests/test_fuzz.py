"""Keep the probes: seeded mutations of a small corpus and its theory never crash cmo, and merge keeps curation.

Each case takes a valid corpus (codebooks, a programme, two transcripts) and its curated theory, damages one
or two files the way editors, tools and hostile pull requests do (byte flips, lines deleted or repeated, YAML
specials: tabs, anchors, tags, huge ints, NUL, U+2028, lone CR, a BOM mid-file, deep nesting) and runs the
real `cmo validate`, `code` and `merge`. Whatever the input: no exit 3, no traceback; and when the theory
file is still valid, every curated field of every CMOC is still in it after `merge`.

A failing case prints its seed and what was done; keep it as a named case in PROBES once understood.
`CMO_FUZZ_SEEDS=1000 pytest tests/test_fuzz.py` runs more seeds (60 by default, a few seconds).
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from cmo.core.diagnostics import Diagnostics, Severity
from cmo.theory.model import load_theory_bytes
from tests.conftest import CODEBOOK, PROGRAMME, SHARED_CODEBOOK, TRANSCRIPT, Result, write_tree

SEEDS = int(os.environ.get("CMO_FUZZ_SEEDS", "60"))
CURATED = ("statement", "status", "notes", "links")

SECOND = """\
---
id: a-ws-01
source: workshop
participants: [{id: P02}, {id: P03, role: volunteer}]
coder: CD
---

**P02:** The connectors were the ones who knew everybody, so people came.

**P03:** Short funding meant they left just when trust was built.

```cmo
- context: short-funding
  intervention: connectors
  mechanism: {resource: key-persons, reasoning: building-trust}
  outcome: help-seeking
  quote: knew everybody
- cmoc: funding-cliff
  context: short-funding
  barriers: [short-funding]
  outcome: help-seeking
  stance: refutes
```

~~~~ cmo
actor: faith-leaders
mechanism: key-persons
outcome: help-seeking
note: "stacked: the paragraph above is P03's"
~~~~
"""

SPECIALS = [
    b"\t",
    b"&a *a",
    b"x: &a [*a]",
    b"!!python/object/apply:os.system ['true']",
    b"!!binary AAAA",
    b"9" * 5000,
    b"0x" + b"f" * 4400,
    b"\x00",
    "\u2028".encode(),
    "\u0085".encode(),
    b"\r",
    "\ufeff".encode(),
    b"[" * 300,
    b"{a: " * 200,
    b"- " * 200,
    b"? ",
    b": ",
    b"---",
    b"...",
    b"```",
    b"```cmo",
    b"~~~ cmo",
    b"%YAML 1.1",
    b"<<: *a",
    b"\xff\xfe",
    "\u202e".encode(),
    b"'",
    b'"',
    b"#",
    b"|",
    b"evidence:",
    b"cmocs: []",
    b"- id: x",
]


def _flip(data: bytes, rng: random.Random) -> bytes:
    if not data:
        return data
    at = rng.randrange(len(data))
    return data[:at] + bytes([data[at] ^ (1 << rng.randrange(8))]) + data[at + 1 :]


def _lines(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    at = rng.randrange(len(lines))
    how = rng.choice(("delete", "repeat", "swap"))
    if how == "delete":
        del lines[at]
    elif how == "repeat":
        lines.insert(at, lines[at])
    else:
        other = rng.randrange(len(lines))
        lines[at], lines[other] = lines[other], lines[at]
    return b"\n".join(lines)


def _insert(data: bytes, rng: random.Random) -> bytes:
    special = rng.choice(SPECIALS)
    starts = [0] + [i + 1 for i, byte in enumerate(data) if byte == 0x0A]
    # Half the time at a line start, where YAML structure lives.
    at = rng.choice(starts) if rng.random() < 0.5 else rng.randrange(len(data) + 1)
    return data[:at] + special + data[at:]


def _replace_value(data: bytes, rng: random.Random) -> bytes:
    lines = data.split(b"\n")
    keyed = [i for i, line in enumerate(lines) if b": " in line]
    if not keyed:
        return _insert(data, rng)
    at = rng.choice(keyed)
    key = lines[at].split(b": ", 1)[0]
    lines[at] = key + b": " + rng.choice(SPECIALS)
    return b"\n".join(lines)


MUTATIONS = (_flip, _lines, _insert, _insert, _replace_value)


def _curated(text: bytes) -> dict[str, dict[str, Any]]:
    """CMOC id -> its curated fields, as YAML itself reads the file, for the CMOCs people curated.

    Curated as docs/theories.md says: a statement, notes or links, or a status other than `new`; a CMOC
    nobody curated goes when its evidence does.
    """
    data = yaml.safe_load(text.decode("utf-8-sig"))
    cmocs = [c for c in data.get("cmocs") or [] if isinstance(c, dict)]
    return {
        c["id"]: {k: c[k] for k in CURATED if k in c}
        for c in cmocs
        if any(c.get(k) for k in ("statement", "notes", "links")) or c.get("status") not in (None, "new")
    }


def _valid_theory(raw: bytes) -> bool:
    diagnostics = Diagnostics()
    theory, _ = load_theory_bytes(raw, "theories/alpha.yaml", diagnostics)
    return theory is not None and not any(d.severity is Severity.ERROR for d in diagnostics.items)


def _curate(theory: str) -> str:
    """The merged theory with curation on its CMOCs, each curated by a different subset of the fields."""
    data = yaml.safe_load(theory)
    ids = [c["id"] for c in data["cmocs"]]
    assert len(ids) >= 3, ids
    edits = [
        (
            f"  - id: {ids[0]}\n",
            "    statement: If connectors are trusted, then people seek help, because they feel safe\n"
            "    notes: |-\n      Strongest in the mosque group.\n      Second line.\n"
            f"    links: [{ids[1]}]\n",
        ),
        (f"  - id: {ids[1]}\n", "    notes: only notes on this one  # a comment too\n"),
        (f"  - id: {ids[2]}\n", ""),
    ]
    for marker, extra in edits:
        assert theory.count(marker) == 1, marker
        theory = theory.replace(marker, marker + extra)
    # The third is curated by its status alone.
    head, _, tail = theory.partition(f"  - id: {ids[2]}\n")
    return head + f"  - id: {ids[2]}\n" + tail.replace("status: new", "status: supported", 1)


@pytest.fixture
def base(tmp_path: Path, cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch) -> dict[str, bytes]:
    """The valid corpus and its curated theory, as {path: bytes}."""
    files: dict[str, str | bytes] = {
        "corpus/codebook.yaml": SHARED_CODEBOOK,
        "corpus/alpha/programme.yaml": PROGRAMME,
        "corpus/alpha/codebook.yaml": CODEBOOK,
        "corpus/alpha/interviews/a-int-01.md": TRANSCRIPT,
        "corpus/alpha/workshops/a-ws-01.md": SECOND,
    }
    root = write_tree(tmp_path / "base", files)
    monkeypatch.chdir(root)
    merged = cli("merge", "--jobs", "1", "corpus")
    assert merged.exit_code == 0, merged.stderr
    theory = _curate(Path("theories/alpha.yaml").read_text(encoding="utf-8"))
    tree = {name: Path(name).read_bytes() for name in files}
    tree["theories/alpha.yaml"] = theory.encode()
    assert _valid_theory(tree["theories/alpha.yaml"])
    assert len(_curated(tree["theories/alpha.yaml"])) == 3
    return tree


def _case(base: dict[str, bytes], seed: int) -> tuple[dict[str, bytes], list[str]]:
    """The damaged tree for `seed` and what was done to it."""
    rng = random.Random(seed)
    tree = dict(base)
    done = []
    for _ in range(rng.choice((1, 1, 2))):
        name = rng.choice(sorted(tree))
        mutation = rng.choice(MUTATIONS)
        tree[name] = mutation(tree[name], rng)
        done.append(f"{mutation.__name__[1:]} {name}")
    return tree, done


def _check(tree: dict[str, bytes], root: Path, cli: Callable[..., Result]) -> list[str]:
    """What went wrong with this tree: a crash, a traceback, or curation lost by merge."""
    write_tree(root, dict(tree))
    os.chdir(root)
    problems = []
    theory = tree["theories/alpha.yaml"]
    keep = _curated(theory) if _valid_theory(theory) else None
    for command in (("validate", "--jobs", "1", "corpus"), ("code", "-q", "--jobs", "1", "corpus")):
        result = cli(*command)
        if result.exit_code == 3 or "Traceback" in result.stdout + result.stderr:
            problems.append(f"{command[0]} exit {result.exit_code}: {result.stderr.strip()[-300:]}")
    merged = cli("merge", "--jobs", "1", "corpus")
    if merged.exit_code == 3 or "Traceback" in merged.stdout + merged.stderr:
        problems.append(f"merge exit {merged.exit_code}: {merged.stderr.strip()[-300:]}")
    if keep is not None:
        after = Path("theories/alpha.yaml").read_bytes()
        try:
            now = _curated(after)
        except yaml.YAMLError as exc:
            problems.append(f"merge left a theory YAML cannot read: {exc}")
        else:
            lost = {i: fields for i, fields in keep.items() if {k: now.get(i, {}).get(k) for k in fields} != fields}
            if lost:
                problems.append(f"merge (exit {merged.exit_code}) lost curated fields of {sorted(lost)}")
    return problems


def test_fuzzed_inputs_never_crash_and_merge_keeps_every_curated_field(
    base: dict[str, bytes], tmp_path: Path, cli: Callable[..., Result]
) -> None:
    failures = []
    for seed in range(SEEDS):
        tree, done = _case(base, seed)
        problems = _check(tree, tmp_path / f"case-{seed}", cli)
        if problems:
            failures.append(f"seed {seed} ({'; '.join(done)}): {' | '.join(problems)}")
    assert failures == []


def _theory_edit(old: bytes, new: bytes) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    def edit(tree: dict[str, bytes]) -> dict[str, bytes]:
        theory = tree["theories/alpha.yaml"]
        assert theory.count(old) == 1, old
        return {**tree, "theories/alpha.yaml": theory.replace(old, new)}

    return edit


def _whole_theory(change: Callable[[bytes], bytes]) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    return lambda tree: {**tree, "theories/alpha.yaml": change(tree["theories/alpha.yaml"])}


def _transcript_edit(old: bytes, new: bytes) -> Callable[[dict[str, bytes]], dict[str, bytes]]:
    name = "corpus/alpha/interviews/a-int-01.md"
    return lambda tree: {**tree, name: tree[name].replace(old, new, 1)}


NOTES = b"    notes: only notes on this one  # a comment too\n"
# The probes of issue 10 that once lost data or crashed, kept as named cases beside the random ones.
PROBES: dict[str, Callable[[dict[str, bytes]], dict[str, bytes]]] = {
    "notes with U+2028": _theory_edit(NOTES, '    notes: "first\u2028second"\n'.encode()),
    "notes with U+2029 and U+0085": _theory_edit(NOTES, '    notes: "a\u2029b\u0085c"\n'.encode()),
    "lone CR ending line 1": _whole_theory(lambda t: t.replace(b"\n", b"\r", 1)),
    "CR-only theory": _whole_theory(lambda t: t.replace(b"\n", b"\r")),
    "CRLF theory": _whole_theory(lambda t: t.replace(b"\n", b"\r\n")),
    "BOM theory": _whole_theory(lambda t: "\ufeff".encode() + t),
    "statement continued on a line that looks like a key": _theory_edit(
        b"    notes: only notes on this one  # a comment too\n",
        b'    statement: "If trust,\n    evidence: then help"\n    notes: only notes on this one\n',
    ),
    "huge hexadecimal outcome": _transcript_edit(b"outcome: help-seeking", b"outcome: 0x" + b"f" * 4400),
    "huge decimal in front matter": _transcript_edit(b"coder: AB", b"coder: " + b"9" * 5000),
    "alias bomb in a block": _transcript_edit(
        b"outcome: help-seeking",
        b"outcome: help-seeking\nx: &a [1,1,1,1,1,1,1,1,1]\n"
        + b"".join(b"%c: &%c [%s]\n" % (c, c, b",".join([b"*" + bytes([c - 1])] * 9)) for c in b"bcdefgh"),
    ),
    "python object tag": _transcript_edit(b"outcome: help-seeking", b"outcome: !!python/object/apply:os.system [true]"),
}


@pytest.mark.parametrize("probe", sorted(PROBES))
def test_issue_probes_never_crash_and_merge_keeps_every_curated_field(
    probe: str, base: dict[str, bytes], tmp_path: Path, cli: Callable[..., Result]
) -> None:
    assert _check(PROBES[probe](base), tmp_path / "case", cli) == []
