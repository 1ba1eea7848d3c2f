"""The exported plain text and its positions: code points, blocks cut out, evidence found again, configurations kept apart."""

from __future__ import annotations

import zipfile
from collections.abc import Callable
from pathlib import Path

from cmo.corpus.coding import code_corpus
from cmo.qdpx.project import parse_project
from tests.conftest import Result, corpus_files

UNICODE = """\
---
id: a-int-02
source: interview
coder: AB
---

**P02:** Café owners 🙂 said the naïve plan failed.
```cmo
context: stigma
outcome: help-seeking
quote: "the naïve plan failed"
```
**P02:** Then the imam stood up and vouched for us,
and people came.

```cmo
- mechanism: key-persons
  outcome: help-seeking
  note: Two readings of one passage.
- mechanism: building-trust
  outcome: help-seeking
  stance: refutes
  coder: CD
```
"""

EXPORTED_TEXT = """\
**P02:** Café owners 🙂 said the naïve plan failed.
**P02:** Then the imam stood up and vouched for us,
and people came.

"""


def _export(cli: Callable[..., Result], tree: Callable[..., Path], tmp_path: Path) -> tuple[str, list[tuple[int, int]]]:
    root = tree(corpus_files(**{"a-int-02": UNICODE.replace("\n", "\r\n")}))
    out = tmp_path / "a.qdpx"
    assert cli("qdpx", "export", "alpha", "--corpus", root, "--out", out).exit_code == 0
    with zipfile.ZipFile(out) as archive:
        project = parse_project(archive.read("project.qde"))
        (source,) = project.sources
        text = archive.read(f"sources/{source.guid}.txt").decode("utf-8")
    return text, [(s.start or 0, s.end or 0) for s in source.selections]


def test_exported_text_drops_front_matter_and_blocks_and_positions_count_code_points(
    cli: Callable[..., Result], tree: Callable[..., Path], tmp_path: Path
) -> None:
    text, spans = _export(cli, tree, tmp_path)
    assert text == EXPORTED_TEXT
    start = text.index("the naïve plan failed")
    assert start == 28 and len(text[:start].encode("utf-8")) == 32  # code points, not bytes
    paragraph = text.index("**P02:** Then")
    assert spans == [(start, start + 21), (paragraph, len(text.rstrip())), (paragraph, len(text.rstrip()))]


def test_configurations_on_one_passage_stay_apart_through_a_round_trip(
    cli: Callable[..., Result], tree: Callable[..., Path], tmp_path: Path
) -> None:
    root = tree(corpus_files(**{"a-int-02": UNICODE}))
    out = tmp_path / "a.qdpx"
    assert cli("qdpx", "export", "alpha", "--corpus", root, "--out", out).exit_code == 0
    shared = (root / "codebook.yaml").read_text(encoding="utf-8")
    target = tmp_path / "again"
    (target / "alpha").mkdir(parents=True)
    (target / "codebook.yaml").write_text(shared, encoding="utf-8")
    result = cli("qdpx", "import", out, "--programme", "alpha", "--corpus", target)
    assert result.exit_code == 0, result.stderr
    records = code_corpus([target]).records
    assert [(r.mechanism, r.outcome, r.stance, r.coder, r.note) for r in records] == [
        ([], ["help-seeking"], "supports", "AB", None),
        (["key-persons"], ["help-seeking"], "supports", "AB", "Two readings of one passage."),
        (["building-trust"], ["help-seeking"], "refutes", "CD", None),
    ]
    # Shared codes were reused from the corpus codebook, not defined again in the programme's.
    codebook = (target / "alpha/codebook.yaml").read_text(encoding="utf-8")
    assert "building-trust" not in codebook and "stigma" not in codebook
