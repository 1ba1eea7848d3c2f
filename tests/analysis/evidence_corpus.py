"""A small two-programme corpus whose records are counted by hand, for the query and matrix tests.

Records, in corpus order (passage letters: one passage, however many codings):
  R1 alpha a-int-01 passage A, coder AB: cmoc trust-first; context stigma; intervention connectors;
     mechanism key-persons (resource) + building-trust (reasoning); outcome help-seeking; supports
  R2 alpha a-int-01 passage A, coder CD (double coding): mechanism building-trust; outcome help-seeking,
     referrals; refines
  R3 alpha a-int-01 passage B, coder AB: actor faith-leaders; mechanism key-persons; outcome referrals;
     enabler staff-from-group; elicited
  R4 alpha a-obs-01 passage C, coder CD: cmoc trust-first; mechanism building-trust; outcome help-seeking;
     barrier short-funding
  R5 alpha a-obs-01 passage D, coder CD: context short-funding; refutes
  R6 beta b-doc-01 passage E, no coder, no date, no participants: intervention connectors;
     mechanism building-trust; outcome referrals
  R7 beta b-ws-01 passage F, coder AB: cmoc beta-trust; mechanism building-trust; outcome help-seeking;
     elicited
Participants: a-int-01 P01 connector (group women); a-obs-01 P02 volunteer and P03 connector (group men);
b-ws-01 P21 manager (no group).
"""

from __future__ import annotations

from pathlib import Path

from tests.conftest import write_tree

SHARED = """\
codes:
  building-trust: {kind: mechanism, label: Building trust with the group}
  key-persons: {kind: mechanism, label: Working through key persons}
  help-seeking: {kind: outcome, label: Group members seek help}
  referrals: {kind: outcome, label: Referrals into services}
  stigma: {kind: context, label: Stigma around mental health}
  short-funding: {kind: context, label: Short-term funding}
  staff-from-group: {kind: context, label: Staff from the group}
  connectors: {kind: intervention, label: Community connectors}
  faith-leaders: {kind: actor, label: Faith leaders}
"""

A_INT = """\
---
id: a-int-01
source: interview
date: 2024-03-12
participants: [{id: P01, role: connector, attributes: {group: women}}]
coder: AB
---

**P01:** It took months before anyone at the mosque
would talk to me about how they were feeling.

```cmo
cmoc: trust-first
context: stigma
intervention: connectors
mechanism: {resource: key-persons, reasoning: building-trust}
outcome: help-seeking
```

```cmo
coder: CD
mechanism: building-trust
outcome: [help-seeking, referrals]
stance: refines
```

**P01:** The imam told people I was all right, and then they came to the group.

```cmo
actor: faith-leaders
mechanism: key-persons
outcome: referrals
enablers: staff-from-group
elicited: true
```
"""

A_OBS = """\
---
id: a-obs-01
source: observation
date: 2024-05-01
participants: [{id: P02, role: volunteer, attributes: {group: men}}, {id: P03, role: connector, attributes: {group: men}}]
coder: CD
---

**P02:** The men only trusted the cafe owner at first, nobody else.

```cmo
cmoc: trust-first
mechanism: building-trust
outcome: help-seeking
barriers: short-funding
```

**P03:** Funding ends in March and nobody knows what happens next.

```cmo
context: short-funding
stance: refutes
```
"""

B_DOC = """\
---
id: b-doc-01
source: document
---

The plan relies on connectors building trust over two years.

```cmo
intervention: connectors
mechanism: building-trust
outcome: referrals
```
"""

B_WS = """\
---
id: b-ws-01
source: workshop
date: 2023-11-20
participants: [{id: P21, role: manager}]
coder: AB
---

**P21:** Yes, that is right, trust comes first and the rest follows.

```cmo
cmoc: beta-trust
mechanism: building-trust
outcome: help-seeking
elicited: true
```
"""


def evidence_corpus(root: Path) -> Path:
    """Write the corpus under root/corpus (a study: root also holds an empty theories/); the corpus folder."""
    (root / "theories").mkdir(parents=True, exist_ok=True)
    return write_tree(
        root / "corpus",
        {
            "codebook.yaml": SHARED,
            "alpha/programme.yaml": "id: alpha\nname: Alpha Connectors\n",
            "alpha/a-int-01.md": A_INT,
            "alpha/a-obs-01.md": A_OBS,
            "beta/programme.yaml": "id: beta\nname: Beta Bridges\n",
            "beta/b-doc-01.md": B_DOC,
            "beta/b-ws-01.md": B_WS,
        },
    )


def theory_listing(record: str, transcript: str, lines: str, cmoc: str = "faith-referrals") -> str:
    """A programme theory of alpha whose one CMOC lists one record as its evidence."""
    return f"""\
programme: {{id: alpha, name: Alpha Connectors}}
cmocs:
  - id: {cmoc}
    evidence:
      - record: {record}
        transcript: {transcript}
        source: interview
        lines: "{lines}"
        quote: The imam told people I was all right.
"""
