"""Whether programme theories are stale: what `cmo merge` would write differs from the file (through the coding cache)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cmo.core.diagnostics import Diagnostics
from cmo.corpus.coding import code_corpus
from cmo.corpus.layout import discover
from cmo.theory import stamp
from cmo.theory.merge import merge_corpus, theory_path


@dataclass(frozen=True)
class Staleness:
    """The programmes whose theory file merge would change, and those it could not tell about (corpus errors)."""

    stale: tuple[tuple[str, Path], ...] = ()
    unknown: tuple[str, ...] = ()


def stale_theories(corpus: Path, theories: Path, programmes: Iterable[str]) -> Staleness:
    """Which of `programmes` have a theory file in `theories` that is older than the corpus says.

    Only programmes of `corpus` whose file is `theories/<id>.yaml` are checked: a theory file given by
    path, or of a programme the corpus does not have, is not this corpus's to judge. The transcripts are
    coded through the cache, so an unchanged corpus costs a look at each file's size and time; when a
    stamp (cmo.theory.stamp) says nothing has changed since a check found them current, not even that.
    """
    found = discover([corpus], Diagnostics())
    wanted = [
        programme
        for programme in dict.fromkeys(programmes)
        if found is not None and programme in found.programmes and theory_path(theories, programme).is_file()
    ]
    if found is None or not wanted:
        return Staleness()
    folders = [found.programmes[programme].folder for programme in wanted]
    if stamp.is_current(folders, theories, wanted):  # nothing merge reads has changed since it last said so
        return Staleness()
    before = stamp.theory_digests(theories, wanted)
    result = code_corpus(folders, cache=True)
    if not result.ok:  # merge would refuse: nothing to compare with
        return Staleness(unknown=tuple(wanted))
    stale = tuple(
        (outcome.programme, outcome.path)
        for outcome in merge_corpus(result, theories)
        if outcome.programme in wanted and outcome.text is not None and outcome.changed
    )
    if not stale and before is not None:
        stamp.record(folders, theories, wanted, before)
    return Staleness(stale=stale)
