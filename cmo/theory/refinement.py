"""The refinement trail: each programme theory against itself at a git revision (where the IPT was agreed), as data.

Realist evaluation starts from an initial programme theory (IPT): CMOCs with `status: initial`, written
before any data. `cmo report --since REV` reads each theory file as committed at REV and sets every CMOC
then against now: its status, statement and evidence (distinct passages per stance), which CMOCs were
added, removed, refuted or merged into another since, and what became of each CMOC of the IPT (the CMOCs
`initial` at REV).

A passage is known by what it is, its transcript and its words as read, not by its record id: ids were
positional (`prog/t#3`) before they were content digests (`prog/t#1a2b3c4d`), and quotes were stored as
raw Markdown (`**P01:** ...`) before they were reading text, so only the words match across the change.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

from cmo.core.diagnostics import Diagnostics
from cmo.corpus.models import Stance
from cmo.corpus.reading import reading_text
from cmo.theory.git import GitError, read_at, repo_path, resolve_commit
from cmo.theory.model import Cmoc, EvidenceEntry, Status, Theory, is_programme_theory, load_theory_bytes, parse_document
from cmo.theory.store import resolve_theory


class Change(StrEnum):
    """What happened to a CMOC between the revision and now."""

    KEPT = "kept"  # in the theory then and now, under its id
    ADDED = "added"
    REMOVED = "removed"  # gone, and none of its passages moved into another CMOC
    MERGED = "merged"  # gone, and some of its passages now sit in a CMOC that did not hold them then


# A passage of evidence by what it is: (transcript, its words as read, white space collapsed).
Passage = tuple[str, str]


@dataclass(frozen=True)
class StanceCounts:
    """Distinct passages of a CMOC's evidence per stance (a passage coded twice counts once)."""

    supporting: int = 0
    refining: int = 0
    refuting: int = 0

    @property
    def total(self) -> int:
        return self.supporting + self.refining + self.refuting


@dataclass(frozen=True)
class Side:
    """A CMOC as one version of the theory file has it."""

    status: Status | None
    statement: str | None
    evidence: StanceCounts


@dataclass(frozen=True)
class CmocTrail:
    """One CMOC then (at the revision) and now; a side is None where the CMOC is not in that version."""

    id: str
    then: Side | None
    now: Side | None
    merged_into: tuple[str, ...] = ()  # the CMOCs its passages moved into, most moved passages first

    @property
    def change(self) -> Change:
        if self.then is None:
            return Change.ADDED
        if self.now is not None:
            return Change.KEPT
        return Change.MERGED if self.merged_into else Change.REMOVED

    @property
    def initial(self) -> bool:
        """Part of the initial programme theory: `initial` at the revision (one added since never is)."""
        return self.then is not None and self.then.status is Status.INITIAL

    @property
    def refuted(self) -> bool:
        """Its status became `refuted` since the revision."""
        return (
            self.then is not None
            and self.now is not None
            and self.now.status is Status.REFUTED
            and self.then.status is not Status.REFUTED
        )

    @property
    def restated(self) -> bool:
        """Its statement was written or rewritten since the revision."""
        return self.then is not None and self.now is not None and self.then.statement != self.now.statement


@dataclass(frozen=True)
class Refinement:
    """One programme theory against its version at a revision."""

    programme: str
    revision: str  # as the user named it
    commit: str  # the commit it names
    source: str  # the file at the revision, as `REV:path`
    existed: bool  # False: the file is not in that commit, so every CMOC is added since
    cmocs: tuple[CmocTrail, ...]  # the revision's CMOCs in its order, then the added ones in today's order

    def _ids(self, wanted: Iterable[CmocTrail]) -> list[str]:
        return [trail.id for trail in wanted]

    @property
    def ipt(self) -> list[CmocTrail]:
        return [trail for trail in self.cmocs if trail.initial]

    @property
    def added(self) -> list[str]:
        return self._ids(t for t in self.cmocs if t.change is Change.ADDED)

    @property
    def removed(self) -> list[str]:
        return self._ids(t for t in self.cmocs if t.change is Change.REMOVED)

    @property
    def merged(self) -> dict[str, tuple[str, ...]]:
        return {t.id: t.merged_into for t in self.cmocs if t.change is Change.MERGED}

    @property
    def refuted(self) -> list[str]:
        return self._ids(t for t in self.cmocs if t.refuted)


def passage(entry: EvidenceEntry) -> Passage:
    """The passage an evidence entry quotes, the same in theory files of any age (not its record id: see above)."""
    return entry.transcript, " ".join(reading_text(entry.quote).split())


# A CMOC's evidence as (passage, stance) pairs, each entry read once.
_Keyed = list[tuple[Passage, Stance]]


def _stances(keyed: _Keyed) -> StanceCounts:
    def passages(stance: Stance) -> int:
        return len({key for key, said in keyed if said is stance})

    return StanceCounts(passages(Stance.SUPPORTS), passages(Stance.REFINES), passages(Stance.REFUTES))


def stance_counts(evidence: Sequence[EvidenceEntry]) -> StanceCounts:
    """Distinct passages per stance, from the evidence entries themselves (theory files of any age have them)."""
    return _stances([(passage(entry), entry.stance) for entry in evidence])


def _keyed(cmocs: Iterable[Cmoc]) -> dict[str, _Keyed]:
    return {cmoc.id: [(passage(entry), entry.stance) for entry in cmoc.evidence] for cmoc in cmocs}


def _holders(keyed: Mapping[str, _Keyed]) -> dict[Passage, set[str]]:
    """Which CMOCs hold each passage: built once per version, so finding merges is linear in the evidence."""
    held: dict[Passage, set[str]] = {}
    for cmoc_id, pairs in keyed.items():
        for key, _ in pairs:
            held.setdefault(key, set()).add(cmoc_id)
    return held


def _merged_into(
    gone: _Keyed, held_then: Mapping[Passage, set[str]], held_now: Mapping[Passage, set[str]]
) -> tuple[str, ...]:
    """The CMOCs that now hold passages of a gone CMOC they did not hold at the revision, most such passages first.

    A passage that was in another CMOC already at the revision did not move, so it makes no merge.
    """
    moved: Counter[str] = Counter()
    for key in {key for key, _ in gone}:
        moved.update(held_now.get(key, set()) - held_then.get(key, set()))
    return tuple(sorted(moved, key=lambda cmoc: (-moved[cmoc], cmoc)))


def trail(then: Theory | None, now: Theory) -> tuple[CmocTrail, ...]:
    """Every CMOC of either version, set side by side by id."""
    old = {cmoc.id: cmoc for cmoc in then.cmocs} if then is not None else {}
    new = {cmoc.id: cmoc for cmoc in now.cmocs}
    old_keyed, new_keyed = _keyed(old.values()), _keyed(new.values())
    held_then, held_now = _holders(old_keyed), _holders(new_keyed)

    def side(cmoc: Cmoc, keyed: _Keyed) -> Side:
        return Side(cmoc.status, cmoc.statement, _stances(keyed))

    trails = []
    for cmoc_id, cmoc in old.items():
        then_side = side(cmoc, old_keyed[cmoc_id])
        kept = new.get(cmoc_id)
        if kept is not None:
            trails.append(CmocTrail(cmoc_id, then_side, side(kept, new_keyed[cmoc_id])))
        else:
            trails.append(CmocTrail(cmoc_id, then_side, None, _merged_into(old_keyed[cmoc_id], held_then, held_now)))
    trails += [CmocTrail(i, None, side(cmoc, new_keyed[i])) for i, cmoc in new.items() if i not in old]
    return tuple(trails)


def check_since(revision: str) -> None:
    """GitError unless `revision` reads as one revision (not a range, nor an option git would take it for)."""
    if not revision or revision.startswith("-") or any(c.isspace() for c in revision):
        raise GitError(f"--since {revision!r} is not a revision")
    if ".." in revision:
        raise GitError(f"--since takes one revision (where the initial programme theory was agreed), not {revision!r}")


def refinement_of(path: Path, revision: str, now: Theory, diagnostics: Diagnostics) -> Refinement | None:
    """The theory at `path` now against its version at `revision`; None after reporting a version that does not load.

    GitError when git cannot answer: no repository, an unknown revision.
    """
    where = repo_path(path)
    commit = resolve_commit(where, revision)
    source = f"{revision}:{where.relative}"
    raw = read_at(where, commit)
    if raw is None:
        return Refinement(now.programme.id, revision, commit, source, False, trail(None, now))
    then, _ = load_theory_bytes(raw, source, diagnostics)
    if then is None:
        return None
    return Refinement(now.programme.id, revision, commit, source, True, trail(then, now))


def theory_paths(names: Sequence[str], theories: Path) -> dict[str, Path]:
    """The file each named programme theory was read from, by programme id (the overarching theory left out)."""
    paths: dict[str, Path] = {}
    for name in names:
        path = resolve_theory(name, theories)
        data = parse_document(path.read_bytes(), str(path), Diagnostics())
        if is_programme_theory(data) and isinstance(data["programme"], dict):
            paths.setdefault(str(data["programme"].get("id")), path)
    return paths


def refinements_since(
    revision: str, theories: Sequence[Theory], paths: dict[str, Path], diagnostics: Diagnostics
) -> list[Refinement]:
    """Each programme theory against its version at `revision`, in the order given; GitError when git cannot answer.

    A version at the revision that does not load is reported in `diagnostics` and left out.
    """
    check_since(revision)
    found = []
    for theory in theories:
        refinement = refinement_of(paths[theory.programme.id], revision, theory, diagnostics)
        if refinement is not None:
            found.append(refinement)
    return found
