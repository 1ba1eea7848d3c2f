"""A new study's files as data (`cmo init`): the marker, codebooks, programmes, an example transcript, git files."""

from __future__ import annotations

import contextlib
import re
import unicodedata
from collections.abc import Mapping, Sequence
from pathlib import Path

from cmo.core.files import write_atomic
from cmo.yamlio.emitter import scalar
from cmo.yamlio.schema import SLUG_PATTERN

DEFAULT_PROGRAMME = "my-programme"
_SLUG = re.compile(SLUG_PATTERN)
# The JSON Schemas of a study's YAML files (cmo.editor.schemas), where `cmo init` puts them: hidden, so no cmo
# command takes the folder for a programme; `cmo schema --out .cmo/schemas` brings them up to date.
SCHEMA_FOLDER = ".cmo/schemas"
SCHEMA_SUFFIX = ".schema.json"

MARKER_TEXT = """\
# This folder is a cmo study. Every cmo command run in it, or in any folder under it, works on this
# study's corpus and theories; without this file cmo looks for a corpus/ folder, and else uses its demo.
# The two paths are relative to this file, and both keys are optional (the defaults are shown).
corpus: corpus       # transcripts, programme.yaml files and codebooks
theories: theories   # the programme theory files `cmo merge` writes and people curate
"""

SHARED_CODEBOOK = """\
# The shared codebook: codes every programme of the study sees. A programme's own codes go in
# corpus/<programme>/codebook.yaml; a code is declared in one of the two, never both (`code-redefined`).
#
# A code's id is a slug (lower-case letters, digits and '-'). Its keys:
#   kind:        required: intervention | context | actor | mechanism | outcome
#                (enablers and barriers are context codes)
#   label:       required: one line, what reports show
#   description: optional: when to use the code
#   same_as:     optional: codes of OTHER programmes an analyst confirmed mean the same
#                (`cmo codebook link a:x b:y` adds them); one id, or a list [x, y]
#   not_same_as: optional: codes looked at and rejected as the same (`cmo codebook link --reject`);
#                `cmo compare` stops proposing them as possible matches
# For example:
#   walking-together:
#     kind: mechanism
#     label: Walking side by side makes talking easier
#     description: Talk about feelings comes more easily while doing something together.
#     same_as: [side-by-side-talk]
#     not_same_as: [group-walks]
codes:
  building-trust:
    kind: mechanism
    label: Building trust with the group
    description: People come to rely on the worker's good faith before they talk about how they feel.
  key-persons:
    kind: mechanism
    label: Working through existing key persons
    description: The programme reaches people through someone they already trust.
  help-seeking:
    kind: outcome
    label: People seek help
  stigma:
    kind: context
    label: Stigma around mental health
"""

PROGRAMME_CODEBOOK = """\
# The codes of {name} only; codes every programme shares are in corpus/codebook.yaml.
# The keys of a code (kind, label, description, same_as, not_same_as) are explained there.
codes:
  drop-in-sessions:
    kind: intervention
    label: Weekly drop-in sessions
  local-figures:
    kind: actor
    label: Trusted local figures (caretakers, faith leaders, shopkeepers)
  local-champion:
    kind: context
    label: A local figure vouches for the programme
  short-term-funding:
    kind: context
    label: Short-term funding
    description: The programme depends on grants of a year or less.
    # same_as: [limited-timescale]      # a code of another programme that means the same
    # not_same_as: [staff-turnover]     # looked at, and not the same: never proposed again
"""

PROGRAMME = """\
# What the programme is, and facts to compare across programmes (cmo's docs/format.md, "programme.yaml").
id: {id}   # required: the folder's name
name: {name}   # required: one line, shown in reports
framework: none   # optional: the framework it follows (Asset Based Community Development, ...), or none
attributes:   # optional short facts; use the same keys in every programme so comparisons line them up
  funding: Who funds it, and for how long
  aims: What it sets out to change
  length: 24 months
  ways of working: How the staff work with people
  type of employee: Who does the work (paid, volunteers, peers)
# The speaker labels the evaluators' own lines start with (the default is shown); a block under one of
# them codes the question, not the answer, and is warned about (`evidence-is-question`). [] turns it off.
interviewers: [Interviewer, Q, I]
"""

TRANSCRIPT = """\
---
# The front matter: what this transcript is. Only `source` is required.
id: {transcript}   # unique in its programme; the default is the file name without .md
# programme: {programme}   # the default is the folder the file is in; when given, it must agree
source: interview   # interview | observation | document | workshop
date: 2024-01-15   # when it was collected, an ISO date
participants:   # pseudonyms, each with a role if you like; [P01, P02] is enough
  - {{id: P01, role: community worker}}
  - {{id: P02, role: volunteer}}
  # - {{id: P03, attributes: {{group: young-carers, age_band: 18-24}}}}   # "for whom": pseudonymous, never a name;
  #   or declare each participant once in corpus/{programme}/participants.yaml (docs/format.md)
coder: AB   # who annotated it; a block's own `coder:` overrides it
---

<!-- An example interview showing every key of an annotation: copy it, then delete it. -->

**Interviewer:** How did people at the community centre come to talk to you?

**P01:** It took months before anyone would talk to me about how they were
feeling. It was the caretaker who changed that: once he vouched for me, people
started coming to the drop-in and asking for help.

```cmo
# Without `quote:` the evidence is the paragraph just above the block.
context: stigma   # the circumstances: context codes, one or a list [a, b]
intervention: drop-in-sessions   # what the programme offers or does
actor: local-figures   # who is involved
mechanism: {{resource: key-persons, reasoning: building-trust}}   # what is offered, and the reasoning it triggers
outcome: help-seeking   # what results
cmoc: trust-through-key-persons   # the configuration this evidence bears on (a slug; see `cmo merge`)
```

**Interviewer:** Others told us the short funding got in the way. Would you say that is right?

**P02:** Partly. We were always looking for the next grant, so people stopped
relying on us. What kept them coming was the caretaker keeping the door open.

```cmo
mechanism: building-trust
outcome: help-seeking
enablers: local-champion   # conditions that helped (context codes)
barriers: short-term-funding   # conditions that hindered (context codes)
stance: refines   # supports (the default) | refutes | refines
elicited: true   # answering a theory the interviewer put to them, not unprompted
quote: "We were always looking for the next grant, so people stopped relying on us."
note: Trust was built, but short grants wore it down.   # a memo
cmoc: trust-through-key-persons
```
"""

GITIGNORE = """\
# Reports are made from the theories (`cmo report --out reports/...`): make them again, do not commit them.
reports/
# What an interrupted write leaves behind (the next cmo merge removes those in theories/).
theories/.*.yaml.*.tmp
corpus/**/.*.tmp
# cmo keeps its coding cache in ~/.cache/cmo ($CMO_CACHE_DIR) and its locks in the system's temporary
# folder, never in the study, so there is nothing else of cmo's to ignore.
"""

GITATTRIBUTES = """\
# `git diff` and `git log -p` show what changed in a programme theory through `cmo diff`.
# Each clone needs the driver once (`cmo init` set it when it made the repository):
#   git config diff.cmo.command "cmo diff --git-external"
#   git config diff.cmo.textconv "cmo diff --textconv"
theories/*.yaml diff=cmo
"""

PRE_COMMIT = """\
# pre-commit (https://pre-commit.com) runs these before every commit, once `pre-commit install` has been
# run in the clone. They are cmo's own hooks (cmo-validate, cmo-merge-check) run as local hooks with the
# cmo on your PATH (language: system), so the version checked is the version you code with.
repos:
  - repo: local
    hooks:
      - id: cmo-validate
        name: cmo validate
        entry: cmo validate corpus theories
        language: system
        pass_filenames: false
        files: ^(corpus|theories)/
      - id: cmo-merge-check
        name: cmo merge --check
        entry: cmo merge --check
        language: system
        pass_filenames: false
        files: ^(corpus|theories)/
"""

README = """\
# A realist evaluation study

Kept as plain text in git with `cmo`: transcripts coded in Markdown, programme
theories in YAML, every change reviewed in a pull request.

```
cmo.yaml                  marks the study: cmo commands work from any folder in it
corpus/codebook.yaml      codes every programme shares
corpus/<programme>/       programme.yaml, its own codebook.yaml, transcripts (*.md, at any depth)
theories/                 one theory file per programme, written by `cmo merge`, curated by people
```

Programmes: {programmes}. The example transcript
`{example}` shows every key; copy it, then delete it.

## Workflow

1. **Code.** Write a transcript under `corpus/<programme>/` with its front
   matter, and a `cmo` block under each passage that evidences a context,
   mechanism or outcome; declare each code in a codebook. Check as you go:
   `cmo validate` (every problem, as `path:line:col`) and `cmo code` (records
   per programme and source type).
2. **Merge.** `cmo merge` writes `theories/<programme>.yaml` from the coded
   evidence, keeping everything people wrote there.
3. **Curate.** In each theory file write the CMOCs' `statement`, set their
   `status` and `confidence`, add notes; `cmo validate theories` checks them.
4. **Review.** Commit corpus and theories together on a branch; in the pull
   request, `cmo diff theories/<programme>.yaml --rev origin/main...HEAD --format md`
   says what the change did to the theory (paste it as a comment).
5. **Compare and synthesise.** `{compare}` shows where the
   programmes' mechanisms converge and their contexts differ;
   `{synthesise}` writes `theories/overarching.yaml`.
6. **Report.** `cmo report {report} --out reports/study.html` (or `.md`,
   `.xlsx`, `.csv`, `.json`).

## Once per clone

```sh
git config diff.cmo.command "cmo diff --git-external"   # git diff of theories/*.yaml through cmo diff
git config diff.cmo.textconv "cmo diff --textconv"      # and git log -p
pre-commit install                                       # cmo validate and cmo merge --check before each commit
```
"""


def is_slug(text: str) -> bool:
    """Whether `text` is a valid programme (or code) id."""
    return bool(_SLUG.match(text))


def slug_for(text: str) -> str:
    """The id a name suggests: ASCII lower case, runs of anything else made one `-` (`My Programme` -> `my-programme`)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")


def programme_name(programme: str) -> str:
    """A first name for a programme from its id, for the user to replace: `my-programme` -> `My programme`."""
    return programme.replace("-", " ").capitalize()


def example_transcript(programme: str) -> str:
    """Where the example transcript goes, relative to the study folder."""
    return f"corpus/{programme}/interviews/{programme}-int-01.md"


def _readme(programmes: Sequence[str]) -> str:
    listed = ", ".join(f"`{programme}`" for programme in programmes)
    several = " ".join(programmes) if len(programmes) > 1 else f"{programmes[0]} another-programme"
    return README.format(
        programmes=listed,
        example=example_transcript(programmes[0]),
        compare=f"cmo compare {several}",
        synthesise=f"cmo synthesise {several}",
        report=" ".join(programmes),
    )


def study_files(programmes: Sequence[str], schemas: Mapping[str, str] | None = None) -> dict[str, str]:
    """Every file of a new study with these programmes (valid ids, at least one): relative path -> text.

    `schemas` (JSON Schema name -> text, from cmo.editor.schemas) go in SCHEMA_FOLDER, and the YAML files they
    describe get a first line that points the editor's YAML language server at them.
    """
    if not programmes:
        raise ValueError("a study needs at least one programme")
    files = {
        "cmo.yaml": MARKER_TEXT,
        "README.md": _readme(programmes),
        ".gitignore": GITIGNORE,
        ".gitattributes": GITATTRIBUTES,
        ".pre-commit-config.yaml": PRE_COMMIT,
        "corpus/codebook.yaml": SHARED_CODEBOOK,
    }
    for programme in programmes:
        name = programme_name(programme)
        files[f"corpus/{programme}/programme.yaml"] = PROGRAMME.format(id=scalar(programme), name=scalar(name))
        files[f"corpus/{programme}/codebook.yaml"] = PROGRAMME_CODEBOOK.format(name=name)
        if programme == programmes[0]:
            transcript = scalar(f"{programme}-int-01")
            files[example_transcript(programme)] = TRANSCRIPT.format(transcript=transcript, programme=scalar(programme))
    files["theories/.gitkeep"] = ""
    return _with_schemas(files, schemas or {})


def schema_line(relative: str, name: str) -> str:
    """The first line that points the YAML language server at schema `name`, from the study file `relative`."""
    up = "../" * (len(Path(relative).parts) - 1)
    return f"# yaml-language-server: $schema={up}{SCHEMA_FOLDER}/{name}{SCHEMA_SUFFIX}\n"


def _with_schemas(files: dict[str, str], schemas: Mapping[str, str]) -> dict[str, str]:
    """The files with the schemas in SCHEMA_FOLDER, and a schema line atop each YAML file one of them describes."""
    for relative, text in files.items():
        name = Path(relative).stem  # programme.yaml, codebook.yaml (participants.yaml when a study has one)
        if relative.startswith("corpus/") and relative.endswith(".yaml") and name in schemas:
            files[relative] = schema_line(relative, name) + text
    files.update({f"{SCHEMA_FOLDER}/{name}{SCHEMA_SUFFIX}": text for name, text in schemas.items()})
    return files


def clashes(root: Path, files: Sequence[str]) -> list[Path]:
    """What is already in the way of writing `files` under `root`: files that exist, or files where a folder goes."""
    found: dict[Path, None] = {}
    if root.exists() and not root.is_dir():
        return [root]
    for relative in files:
        path = root / relative
        folders = [root / Path(*path.relative_to(root).parts[:depth]) for depth in range(1, len(Path(relative).parts))]
        blocked = next((folder for folder in folders if folder.exists() and not folder.is_dir()), None)
        if blocked is not None:
            found[blocked] = None
        elif path.exists() or path.is_symlink():
            found[path] = None
    return list(found)


class StudyExists(Exception):
    """`write_study` found files in the way and wrote nothing; `paths` are those files."""

    def __init__(self, paths: list[Path]) -> None:
        super().__init__(", ".join(map(str, paths)))
        self.paths = paths


def write_study(root: Path, files: dict[str, str]) -> list[Path]:
    """Write every file under `root`, each atomically, and return them; nothing at all when anything is in the way.

    Raises StudyExists, writing nothing, when a file exists already. When a write fails (a read-only folder, a
    full disk), what this call wrote and the folders it made are removed before the OSError goes on.
    """
    found = clashes(root, list(files))
    if found:
        raise StudyExists(found)
    written: list[Path] = []
    made = [folder for folder in (root, *root.parents) if not folder.exists()]
    try:
        for relative, text in files.items():
            path = root / relative
            made += [folder for folder in reversed(path.parents) if not folder.exists() and folder not in made]
            write_atomic(path, text)
            written.append(path)
    except OSError:
        for path in reversed(written):
            with contextlib.suppress(OSError):
                path.unlink()
        for folder in sorted(made, key=lambda folder: len(folder.parts), reverse=True):
            with contextlib.suppress(OSError):
                folder.rmdir()  # only when empty: never a folder that held anything before
        raise
    return written
