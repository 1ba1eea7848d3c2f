"""`cmo report --since REV`: the refinement trail from the initial programme theory, over a real git history."""

from __future__ import annotations

import json
import os
import re
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from cmo.core.rules import Rule
from tests.conftest import Result, corpus_files, isolate_git, write_tree

PILOT = """\
---
id: a-int-01
source: interview
date: 2024-03-12
participants: [{id: P01, role: connector}]
coder: AB
---

**P01:** It took months before anyone at the mosque
would talk to me about how they were feeling.

```cmo
context: stigma
mechanism: {resource: key-persons, reasoning: building-trust}
outcome: help-seeking
cmoc: key-persons
```

**P01:** Once the imam said I was all right, people came to me with their worries.

```cmo
mechanism: building-trust
outcome: help-seeking
cmoc: trust
```
"""
WORKSHOP = """\
---
id: a-ws-01
source: workshop
date: 2024-05-02
participants: [{id: P02, role: volunteer}, {id: P03, role: manager}]
coder: AB
---

**P02:** They trusted her because she was one of them, not because of the programme.

```cmo
mechanism: building-trust
outcome: help-seeking
cmoc: trust
stance: refines
```

**P03:** We built trust, but the project ended before anyone was referred anywhere.

```cmo
context: short-funding
mechanism: building-trust
outcome: help-seeking
cmoc: funding
stance: refutes
```

**P02:** The volunteers from the group brought their friends along to the sessions.

```cmo
mechanism: key-persons
outcome: help-seeking
cmoc: peer-champions
```
"""
# The initial programme theory, as the team wrote it before the data: every CMOC `initial`.
IPT = """\
programme:
  id: alpha
  name: Alpha Connectors
cmocs:
  - id: trust
    statement: If connectors build trust, then group members seek help, because they feel safe
    status: initial
  - id: key-persons
    statement: If connectors work through faith leaders, then people talk, because the leaders vouch for them
    status: initial
  - id: funding
    statement: If funding is short-term, then nobody is referred, because trust takes longer than the project
    status: initial
  - id: stigma
    statement: If stigma is strong, then people stay silent, because talking is shameful
    status: initial
"""
REFINED_TRUST = "If connectors from the group build trust, then members seek help, because they are one of them"


def git(root: Path, *args: str) -> str:
    done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=True, env=os.environ.copy())
    return done.stdout


def commit(root: Path, message: str) -> None:
    git(root, "add", "--all")
    git(root, "commit", "--quiet", "-m", message)


def _without_cmoc(text: str, cmoc: str) -> str:
    """The theory file with one CMOC's block taken out, as an analyst deletes it."""
    head, *items = re.split(r"(?m)^(?=  - id: )", text)
    return head + "".join(item for item in items if not item.startswith(f"  - id: {cmoc}\n"))


def _curate(path: Path) -> None:
    """What the team decided after the workshop: trust refined and restated, funding refuted, key-persons folded in."""
    text = path.read_text(encoding="utf-8")
    trust = "    statement: If connectors build trust, then group members seek help, because they feel safe\n"
    assert text.count(trust + "    status: initial\n") == 1
    text = text.replace(trust + "    status: initial\n", f"    statement: {REFINED_TRUST}\n    status: refined\n")
    funding = "because trust takes longer than the project\n    status: initial\n"
    assert text.count(funding) == 1
    text = text.replace(funding, funding.replace("initial", "refuted"))
    path.write_text(_without_cmoc(text, "key-persons"), encoding="utf-8")


@pytest.fixture
def history(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, cli: Callable[..., Result]) -> Path:
    """A project in git: the IPT merged with a pilot interview and tagged `ipt`; then a workshop, curated, merged."""
    isolate_git(tmp_path, monkeypatch)
    root = tmp_path / "project"
    root.mkdir()
    monkeypatch.chdir(root)
    git(root, "init", "--quiet")
    write_tree(root / "corpus", corpus_files(**{"a-int-01": PILOT}))
    write_tree(root, {"theories/alpha.yaml": IPT})
    merged = cli("merge", "corpus")
    assert merged.exit_code == 0, merged.stderr
    commit(root, "Initial programme theory, with the pilot interview")
    git(root, "tag", "ipt")
    pilot = root / "corpus" / "alpha" / "a-int-01.md"
    pilot.write_text(PILOT.replace("cmoc: key-persons", "cmoc: trust"), encoding="utf-8")
    write_tree(root / "corpus", {"alpha/a-ws-01.md": WORKSHOP})
    _curate(root / "theories" / "alpha.yaml")
    merged = cli("merge", "corpus")
    assert merged.exit_code == 0, merged.stderr
    commit(root, "Workshop coded; theory refined")
    return root


def _report(cli: Callable[..., Result], *args: str) -> Result:
    result = cli("report", "alpha", *args)
    assert result.exit_code == 0, result.stderr
    return result


def _by_id(trail: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {cmoc["id"]: cmoc for cmoc in trail["cmocs"]}


def test_json_trail_sets_every_cmoc_then_against_now(history: Path, cli: Callable[..., Result]) -> None:
    data = json.loads(_report(cli, "--since", "ipt", "--format", "json").stdout)
    (trail,) = data["refinement"]
    assert (trail["programme"], trail["since"], trail["theory_then"]) == ("alpha", "ipt", "ipt:theories/alpha.yaml")
    assert trail["commit"] == git(history, "rev-parse", "ipt").strip()
    assert trail["ipt"] == ["trust", "key-persons", "funding", "stigma"]
    assert (trail["refined"], trail["refuted"], trail["added"]) == (["trust"], ["funding"], ["peer-champions"])
    assert (trail["removed"], trail["merged"]) == ([], {"key-persons": ["trust"]})
    cmocs = _by_id(trail)
    trust = cmocs["trust"]
    assert (trust["then"]["status"], trust["now"]["status"]) == ("initial", "refined")
    assert trust["then"]["evidence"] == {"supporting": 1, "refining": 0, "refuting": 0}
    # Its own pilot passage, the one key-persons had, and the workshop's refining one.
    assert trust["now"]["evidence"] == {"supporting": 2, "refining": 1, "refuting": 0}
    assert trust["now"]["statement"] == REFINED_TRUST and trust["then"]["statement"].startswith("If connectors build")
    assert trust["became"] == "refined; statement rewritten"
    assert cmocs["funding"]["now"]["evidence"] == {"supporting": 0, "refining": 0, "refuting": 1}
    assert cmocs["funding"]["became"] == "refuted"
    merged = cmocs["key-persons"]
    assert (merged["change"], merged["now"], merged["merged_into"]) == ("merged", None, ["trust"])
    assert merged["became"] == "merged into trust"
    assert cmocs["stigma"]["became"] == "still initial: no evidence yet"
    added = cmocs["peer-champions"]
    assert (added["change"], added["then"], added["initial"]) == ("added", None, False)


def _checklist_line(markdown: str, item: int) -> str:
    (line,) = [line for line in markdown.splitlines() if line.startswith(f"| {item} | ")]
    return line


def test_markdown_section_and_the_checklist_items_it_covers(history: Path, cli: Callable[..., Result]) -> None:
    markdown = _report(cli, "--since", "ipt", "--format", "md").stdout
    section = markdown[markdown.index("## How the theory was refined") : markdown.index("## Reporting checklist")]
    assert "### Alpha Connectors (`alpha`) since `ipt`" in section
    assert "- 4 CMOCs at `ipt`, 4 now" in section
    assert "- Refined since `ipt`: `trust`" in section
    assert "- Refuted since `ipt`: `funding`" in section
    assert "- Added since `ipt`: `peer-champions`" in section
    assert "- Removed since `ipt`: none" in section
    assert "- Merged since `ipt`: `key-persons` into `trust`" in section
    ipt = section[section.index("#### Initial programme theory (IPT)") : section.index("#### CMOCs then and now")]
    assert "| `key-persons` | If connectors work through faith leaders" in ipt
    assert "| 1 / 0 / 0 | merged into trust | — |" in ipt
    assert "| `stigma` | If stigma is strong, then people stay silent, because talking is shameful | 0 / 0 / 0 |" in ipt
    assert "peer-champions" not in ipt  # added since, never part of the initial theory
    trail = section[section.index("#### CMOCs then and now") :]
    assert (
        "| `trust` | yes | kept | initial → refined | 1 / 0 / 0 → 2 / 1 / 0 | refined; statement rewritten |" in trail
    )
    assert "| `funding` | yes | kept | initial → refuted | 0 / 0 / 0 → 0 / 0 / 1 | refuted |" in trail
    assert "| `peer-champions` |  | added | — → new | — → 1 / 0 / 0 | added since, new |" in trail
    item_4, item_15 = _checklist_line(markdown, 4), _checklist_line(markdown, 15)
    assert "| ipt |" in item_4 and "the initial programme theory" in item_4
    assert "| refinement |" in item_15 and "how the findings refined the theory" in item_15


def test_without_since_there_is_no_trail_and_no_claim_to_show_one(history: Path, cli: Callable[..., Result]) -> None:
    markdown = _report(cli, "--format", "md").stdout
    assert "How the theory was refined" not in markdown
    assert "refine" not in _checklist_line(markdown, 15).lower()
    # RAMESES II item 4 is the initial programme theory, which only --since shows: not claimed without it.
    assert not [line for line in markdown.splitlines() if line.startswith("| 4 | ")]
    data = json.loads(_report(cli, "--format", "json").stdout)
    assert "refinement" not in data
    items = {item["item"]: item for item in data["checklist"]}
    assert 4 not in items and items[15]["section"] == "cmocs"


def test_html_links_the_checklist_to_the_trail(history: Path, cli: Callable[..., Result]) -> None:
    page = _report(cli, "--since", "ipt", "--format", "html").stdout
    assert '<section id="refinement">' in page and '<h4 id="ipt-alpha">' in page
    assert '<a href="#refinement">How the theory was refined</a>' in page  # in the contents
    checklist = page[page.index('<section id="checklist">') :]
    assert '<a href="#ipt-alpha">Alpha Connectors: initial programme theory</a>' in checklist
    # Item 4 is the IPT alone: the theory's diagram shows the theory now, not the initial one.
    item_4 = checklist[checklist.index("<tr><td>4</td>") : checklist.index("<tr><td>9</td>")]
    assert "#ipt-alpha" in item_4 and "#theory-alpha" not in item_4
    assert '<a href="#refinement-alpha">Alpha Connectors: how the theory was refined</a>' in checklist
    # The merged CMOC has no card to link to; the one it went into has.
    trail = page[page.index('<section id="refinement">') : page.index('<section id="checklist">')]
    assert "<td><code>key-persons</code></td>" in trail
    assert '<a href="#cmoc-alpha-trust"><code>trust</code></a>' in trail
    plain = _report(cli, "--format", "html").stdout
    assert 'id="refinement' not in plain and "How the theory was refined" not in plain and "#ipt-" not in plain


def test_terminal_and_workbook(history: Path, cli: Callable[..., Result], tmp_path: Path) -> None:
    from openpyxl import load_workbook  # type: ignore[import-untyped]

    text = _report(cli, "--since", "ipt", "--format", "text", "--out", str(tmp_path / "r.txt"))
    assert text.exit_code == 0
    shown = (tmp_path / "r.txt").read_text(encoding="utf-8")
    assert "How the theory was refined: Alpha Connectors since ipt" in shown
    assert "Merged since ipt: key-persons into trust" in shown
    assert "IPT stigma: If stigma is strong" in shown
    workbook = tmp_path / "r.xlsx"
    _report(cli, "--since", "ipt", "--out", str(workbook))
    sheet = load_workbook(workbook)["Refinement"]
    rows = {row[2]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["trust"][3:8] == ("yes", "kept", "refined; statement rewritten", "initial", "refined")
    assert rows["trust"][8:14] == (1, 0, 0, 2, 1, 0)
    assert rows["key-persons"][7] is None  # not in the theory now


def test_a_theory_absent_at_the_revision_is_all_added(history: Path, cli: Callable[..., Result]) -> None:
    copy = history / "theories" / "copy.yaml"  # never committed: not in the tree at `ipt`
    copy.write_bytes((history / "theories" / "alpha.yaml").read_bytes())
    data = json.loads(_report_of(cli, copy, "--format", "json").stdout)
    (trail,) = data["refinement"]
    assert (trail["existed_then"], trail["theory_then"]) == (False, "ipt:theories/copy.yaml")
    assert trail["added"] == ["trust", "funding", "stigma", "peer-champions"]
    # Nothing was agreed at the revision: stigma, initial now, is a hypothesis added since, not the IPT.
    assert trail["ipt"] == []
    assert _by_id(trail)["stigma"]["became"] == "added since, initial: no evidence yet"
    assert (trail["removed"], trail["merged"], trail["refuted"]) == ([], {}, [])
    assert 4 not in [item["item"] for item in data["checklist"]]  # no initial programme theory shown
    markdown = _report_of(cli, copy, "--format", "md").stdout
    assert "- The theory file did not exist at `ipt`: every CMOC has been added since" in markdown
    assert "None: no CMOC was initial at the revision." in markdown


def _report_of(cli: Callable[..., Result], theory: Path, *args: str) -> Result:
    result = cli("report", theory, "--since", "ipt", *args)
    assert result.exit_code == 0, result.stderr
    return result


def test_a_bad_revision_is_a_one_line_usage_error(history: Path, cli: Callable[..., Result]) -> None:
    unknown = cli("report", "alpha", "--since", "no-such-tag")
    assert (unknown.exit_code, unknown.stdout) == (2, "")
    assert unknown.stderr == f"cmo: error: unknown revision 'no-such-tag' in {history.resolve()}\n"
    ranged = cli("report", "alpha", "--since", "ipt..HEAD")
    assert ranged.exit_code == 2 and "one revision" in ranged.stderr
    option = cli("report", "alpha", "--since=--all")
    assert option.exit_code == 2 and "is not a revision" in option.stderr


def test_a_broken_theory_at_the_revision_is_reported_with_its_place(history: Path, cli: Callable[..., Result]) -> None:
    theory = history / "theories" / "alpha.yaml"
    good = theory.read_text(encoding="utf-8")
    theory.write_text(good.replace("status: refined", "status: [refined"), encoding="utf-8")
    commit(history, "A slip")
    git(history, "tag", "broken")
    theory.write_text(good, encoding="utf-8")
    result = cli("report", "alpha", "--since", "broken", "--format", "md")
    assert (result.exit_code, result.stdout) == (1, "")
    (line,) = result.stderr.splitlines()
    assert re.fullmatch(rf"broken:theories/alpha\.yaml:\d+:\d+: error\[{Rule.YAML_SYNTAX}\]: .+", line), line


# The same IPT and pilot as merged by a cmo before content-based record ids: positional ids (the pilot's first
# block `#1`, its second `#2`; a second coder's annotation of the first passage `#3`), quotes as raw Markdown,
# counts without codings, supporting or refining.
OLD_FORMAT_IPT = """\
programme:
  id: alpha
  name: Alpha Connectors
cmocs:
  - id: trust
    statement: If connectors build trust, then group members seek help, because they feel safe
    status: initial
    counts: {excerpts: 1, transcripts: 1, participants: 1, refuting: 0, by_source: {interview: 1}}
    evidence:
      - record: alpha/a-int-01#2
        transcript: a-int-01
        source: interview
        lines: '19'
        quote: '**P01:** Once the imam said I was all right, people came to me with their worries.'
        stance: supports
  - id: key-persons
    statement: If connectors work through faith leaders, then people talk, because the leaders vouch for them
    status: initial
    counts: {excerpts: 2, transcripts: 1, participants: 1, refuting: 0, by_source: {interview: 2}}
    evidence:
      - record: alpha/a-int-01#1
        transcript: a-int-01
        source: interview
        lines: 9-10
        quote: "**P01:** It took months before anyone at the mosque\\nwould talk to me about how they were feeling."
        stance: supports
      - record: alpha/a-int-01#3
        transcript: a-int-01
        source: interview
        lines: 9-10
        coder: CD
        quote: "**P01:** It took months before anyone at the mosque\\nwould talk to me about how they were feeling."
        stance: supports
  - id: funding
    statement: If funding is short-term, then nobody is referred, because trust takes longer than the project
    status: initial
  - id: stigma
    statement: If stigma is strong, then people stay silent, because talking is shameful
    status: initial
"""


def test_a_theory_merged_before_content_ids_gives_the_same_trail(history: Path, cli: Callable[..., Result]) -> None:
    theory = history / "theories" / "alpha.yaml"
    now = theory.read_bytes()
    theory.write_text(OLD_FORMAT_IPT, encoding="utf-8")
    commit(history, "The IPT as an older cmo merged it")
    git(history, "tag", "old-ipt")
    theory.write_bytes(now)
    (old,) = json.loads(_report(cli, "--since", "old-ipt", "--format", "json").stdout)["refinement"]
    (new,) = json.loads(_report(cli, "--since", "ipt", "--format", "json").stdout)["refinement"]
    # Its passages are known by their words, not by the ids that changed: key-persons' one passage is in trust now.
    assert (old["removed"], old["merged"]) == ([], {"key-persons": ["trust"]})
    for key in ("ipt", "refined", "refuted", "added", "removed", "merged"):
        assert old[key] == new[key], key
    # Two coders' annotations of the pilot passage (#1 and #3) are one supporting passage then.
    assert _by_id(old)["key-persons"]["then"]["evidence"] == {"supporting": 1, "refining": 0, "refuting": 0}
    assert [(c["id"], c["then"], c["became"]) for c in old["cmocs"]] == [
        (c["id"], c["then"], c["became"]) for c in new["cmocs"]
    ]
