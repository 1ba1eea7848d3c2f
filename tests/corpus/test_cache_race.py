"""Concurrent runs and the coding cache: `cmo code` raced against `cmo validate FILE` gives what `--no-cache` gives."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import time
from pathlib import Path

import pytest

from benchmarks.generate import generate
from cmo.corpus.cache import Cache
from cmo.corpus.coding import code_corpus
from cmo.render.records import record_chunks, record_dicts
from tests.conftest import REPO, corpus_files, write_tree

TRANSCRIPTS = 200
ROUNDS = 5
EDITED_PER_ROUND = 80  # enough for the full run to code a while, few enough to leave many cache shards untouched
# Both start in about the same time; a one-file run that saves while the full run codes (tens of ms) is the race.
DELAYS = ((0.0, 0.05), (0.025, 0.05))  # before the first one-file run, then between it and the second

BODY = """\
---
id: t-{number:03d}
source: interview
participants: [{{id: P{number:03d}, role: connector}}]
coder: AB
---

{filler}
P{number:03d} said it took months before anyone at the mosque would talk to her ({version}).

```cmo
context: stigma
mechanism: {{resource: key-persons, reasoning: building-trust}}
outcome: help-seeking
```

The imam introduced the connector at Friday prayers and people came ({version}).

```cmo
mechanism: building-trust
outcome: help-seeking
```
"""


# Uncoded talk before the first passage: it makes coding the full run take long enough to be raced.
FILLER = "**Interviewer:** And how did the group start, in the early days of the project?\n\n" * 30


def _transcript(number: int, version: str) -> str:
    return BODY.format(number=number, version=version, filler=FILLER)


def _cmo(*args: str | Path, env: dict[str, str], cwd: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "cmo", *map(str, args)],
        env=env,
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


def _finished(process: subprocess.Popen[bytes]) -> tuple[int, str]:
    out, err = process.communicate(timeout=60)
    return process.returncode, out.decode() + err.decode()


def test_code_raced_against_validate_of_one_file_gives_the_records_of_no_cache(tmp_path: Path) -> None:
    names = {f"interviews/t{number:03d}": _transcript(number, "first") for number in range(TRANSCRIPTS)}
    root = write_tree(tmp_path / "corpus", corpus_files(**names))
    one = root / "alpha/interviews/t007.md"
    # PYTHONPATH: the children run the cmo of this tree, whatever is installed.
    env = {**os.environ, "CMO_CACHE_DIR": str(tmp_path / "cache"), "PYTHONPATH": str(REPO)}
    assert _finished(_cmo("code", "-q", root, env=env, cwd=tmp_path)) == (0, "")
    chosen = random.Random(10)
    for round_number in range(ROUNDS):
        # Edit some transcripts, and the one the editor integration validates, so both runs code and save.
        for number in [*chosen.sample(range(TRANSCRIPTS), EDITED_PER_ROUND), 7]:
            path = root / f"alpha/interviews/t{number:03d}.md"
            path.write_text(_transcript(number, f"round {round_number}"), encoding="utf-8")
        full = _cmo("code", "-q", root, env=env, cwd=tmp_path)
        singles = []
        for delay in DELAYS[round_number % len(DELAYS)]:  # land at different points of the full run
            time.sleep(delay)
            singles.append(_cmo("validate", one, env=env, cwd=tmp_path))
        assert [_finished(single)[0] for single in singles] == [0, 0]
        assert _finished(full) == (0, "")
        cached = _cmo("code", "-q", "--out", tmp_path / "cached.jsonl", root, env=env, cwd=tmp_path)
        # What `cmo code --no-cache --out` writes, made here while the cached run runs.
        expected = "".join(record_chunks(code_corpus([root], jobs=1).iter_records(), "jsonl")).encode()
        assert _finished(cached) == (0, "")
        assert expected.count(b"\n") == 2 * TRANSCRIPTS
        assert (tmp_path / "cached.jsonl").read_bytes() == expected, f"round {round_number}"


def test_a_run_that_saves_while_another_codes_keeps_both_runs_results(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, counting: list[str]
) -> None:
    root = generate(tmp_path / "corpus", 8)
    one, other = sorted(root.rglob("t0000[12].md"))
    code_corpus([root], jobs=1, cache=True)
    for path in (one, other):
        path.write_text(path.read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    real_save = Cache.save

    def save_after_a_one_file_run(self: Cache, seen: set[str]) -> None:
        monkeypatch.setattr(Cache, "save", real_save)
        code_corpus([other], jobs=1, cache=True, keep_records=False)  # loads after us, saves before us
        real_save(self, seen)

    monkeypatch.setattr(Cache, "save", save_after_a_one_file_run)
    code_corpus([one], jobs=1, cache=True, keep_records=False)
    counting.clear()  # what the two runs above coded
    result = code_corpus([root], jobs=1, cache=True)
    assert counting == []  # both runs' new entries were merged into the cache on disk
    assert record_dicts(result.records) == record_dicts(code_corpus([root], jobs=1).records)
