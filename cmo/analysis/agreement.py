"""Inter-coder agreement over double-coded passages: Krippendorff's alpha, Cohen's kappa and agreement, per role, per code and per configuration."""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cmo.analysis.alignment import ROLES, Source, Unit, align, codings_of, completed
from cmo.core.diagnostics import Diagnostic

# The configuration-level questions: the same CMOC, the same mechanism-outcome pair.
CMOC, MECHANISM_OUTCOME = "cmoc", "mechanism-outcome"
NO_UNITS = "no double-coded passages"
NO_CMOC = "no double-coded passage is in a CMOC"


@dataclass(frozen=True)
class PairKappa:
    """Cohen's kappa of two coders over the units both coded."""

    coders: tuple[str, str]
    kappa: float | None
    units: int


@dataclass(frozen=True)
class Statistics:
    """Agreement on one question: alpha (None with a reason when undefined), kappa, share agreeing, units."""

    alpha: float | None
    kappa: float | None
    agreement: float | None
    units: int
    reason: str | None = None  # why alpha (or kappa) is undefined
    used: int = 0  # units where at least one coder gave a value (a code in the role, a CMOC, the code itself)
    pairs: tuple[PairKappa, ...] = ()  # with more than two coders: kappa is the mean of these


@dataclass(frozen=True)
class Disagreement:
    """One passage on which its coders differ in one role (or in its configuration, role "cmoc")."""

    path: str
    line: int
    role: str
    coders: dict[str, tuple[str, ...]]
    not_coded: tuple[str, ...] = ()  # coders (revisions) who had the transcript but did not code the passage


@dataclass
class Agreement:
    """Agreement of a set of coders over a corpus: every statistic and every disagreement."""

    coders: list[str]
    passages: int  # units coded by anyone
    units: int  # units coded by two or more coders
    single_coded: int = 0  # units one coder coded, in transcripts two or more coders coded: left out
    without_cmoc: int = 0  # double-coded units no coder put in a CMOC: left out of "same CMOC"
    by_revisions: bool = False  # each coder a revision: a passage a revision did not code is "not coded" there
    roles: dict[str, Statistics] = field(default_factory=dict)
    codes: dict[str, Statistics] = field(default_factory=dict)
    configurations: dict[str, Statistics] = field(default_factory=dict)
    disagreements: list[Disagreement] = field(default_factory=list)
    diagnostics: list[Diagnostic] = field(default_factory=list)  # the corpus's problems: with errors, nothing else
    warnings: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(d.severity == "error" for d in self.diagnostics)


def cohen_kappa(pairs: Sequence[tuple[Hashable, Hashable]]) -> float | None:
    """Cohen's kappa of two coders' values on the same units: (po - pe) / (1 - pe); 1.0 when they always agree."""
    if not pairs:
        return None
    n = len(pairs)
    observed = sum(1 for a, b in pairs if a == b) / n
    if observed == 1:
        return 1.0  # pe may be 1 too (one category throughout): perfect agreement, not 0/0
    first, second = Counter(a for a, _ in pairs), Counter(b for _, b in pairs)
    expected = sum(first[value] * second[value] for value in first) / (n * n)
    return (observed - expected) / (1 - expected)


def nominal_alpha(units: Sequence[Mapping[str, Hashable]], coders: Sequence[str]) -> tuple[float | None, str | None]:
    """Krippendorff's alpha (nominal) with every coder a row, missing where they did not code; (None, why) if undefined."""
    pairable = [unit for unit in units if len(unit) >= 2]
    if not pairable:
        return None, NO_UNITS
    if all(len(set(unit.values())) == 1 for unit in pairable):
        return 1.0, None  # every pair agrees; krippendorff gives nan when only one category is in use
    import krippendorff
    import numpy as np

    categories: dict[Hashable, int] = {}
    data = np.full((len(coders), len(pairable)), np.nan)
    for column, unit in enumerate(pairable):
        for row, coder in enumerate(coders):
            if coder in unit:
                data[row, column] = categories.setdefault(unit[coder], len(categories))
    try:
        alpha = float(krippendorff.alpha(reliability_data=data, level_of_measurement="nominal"))
    except ValueError as exc:  # pragma: no cover - more than one category is in use, so the domain is never one
        return None, str(exc)
    if math.isnan(alpha):  # pragma: no cover - guarded above: nan only without variation
        return None, "no variation among the values"
    return alpha, None


def pair_kappas(units: Sequence[Mapping[str, Hashable]], coders: Sequence[str]) -> tuple[PairKappa, ...]:
    """Cohen's kappa of every pair of coders that coded at least one unit both."""
    found = []
    for a, b in itertools.combinations(coders, 2):
        pairs = [(unit[a], unit[b]) for unit in units if a in unit and b in unit]
        if pairs:
            found.append(PairKappa((a, b), cohen_kappa(pairs), len(pairs)))
    return tuple(found)


def _given(value: Hashable) -> bool:
    """Whether a value says something: a code, a CMOC, a code present; a pair when either half does."""
    if isinstance(value, tuple):
        return any(_given(part) for part in value)
    return bool(value)


def statistics(units: Sequence[Mapping[str, Hashable]], coders: Sequence[str], empty: str = NO_UNITS) -> Statistics:
    """Alpha, kappa (the mean of pairwise kappas with more than two coders) and agreement over the units given.

    Each unit maps the coders who coded it to their value; a value is compared as a whole (a set of codes
    is one category), and agreement is the share of units on which all their coders gave the same value.
    `used` counts the units where at least one coder gave a value that says something; `empty` is the
    reason when no unit is pairable.
    """
    pairable = [unit for unit in units if len(unit) >= 2]
    if not pairable:
        return Statistics(None, None, None, 0, empty)
    alpha, reason = nominal_alpha(pairable, coders)
    pairs = pair_kappas(pairable, coders)
    kappas = [pair.kappa for pair in pairs if pair.kappa is not None]
    kappa = sum(kappas) / len(kappas) if kappas else None
    agreeing = sum(1 for unit in pairable if len(set(unit.values())) == 1) / len(pairable)
    used = sum(1 for unit in pairable if any(_given(value) for value in unit.values()))
    return Statistics(alpha, kappa, agreeing, len(pairable), reason, used=used, pairs=pairs if len(pairs) > 1 else ())


def _union(unit: Unit, coder: str, role: str) -> frozenset[str]:
    return frozenset().union(*(c.codes[role] for c in unit.codings if c.coder == coder))


def _role_values(units: Sequence[Unit], role: str) -> list[dict[str, Hashable]]:
    return [{coder: _union(unit, coder, role) for coder in unit.coders} for unit in units]


def _code_values(units: Sequence[Unit], code: str) -> list[dict[str, Hashable]]:
    return [
        {coder: any(code in _union(unit, coder, role) for role in ROLES) for coder in unit.coders} for unit in units
    ]


def _cmocs(unit: Unit, coder: str) -> frozenset[str]:
    return frozenset().union(*(c.cmocs for c in unit.codings if c.coder == coder))


def measure(units: Sequence[Unit], coders: Sequence[str]) -> Agreement:
    """Agreement over the units' double-coded passages, with every coder of the study as a column.

    A double-coded unit no coder put in a CMOC (fragments all) says nothing about configurations: it is
    left out of "same CMOC" (and counted in `without_cmoc`) rather than counted as agreeing.
    """
    double = [unit for unit in units if unit.double_coded]
    found = Agreement(list(coders), len(units), len(double))
    worked: dict[str, set[str]] = {}
    for unit in units:
        worked.setdefault(unit.path, set()).update(unit.coders)
    found.single_coded = sum(1 for unit in units if not unit.double_coded and len(worked[unit.path]) >= 2)
    found.roles = {role: statistics(_role_values(double, role), coders) for role in ROLES}
    codes = sorted(
        {code for unit in double for coding in unit.codings for role in ROLES for code in coding.codes[role]}
    )
    found.codes = {code: statistics(_code_values(double, code), coders) for code in codes}
    cmocs = [{coder: _cmocs(unit, coder) for coder in unit.coders} for unit in double]
    pairs = [
        {coder: (_union(unit, coder, "mechanism"), _union(unit, coder, "outcome")) for coder in unit.coders}
        for unit in double
    ]
    in_cmoc = [values for values in cmocs if any(values.values())]
    found.without_cmoc = len(cmocs) - len(in_cmoc)
    found.configurations = {
        CMOC: statistics(in_cmoc, coders, NO_CMOC if double else NO_UNITS),
        MECHANISM_OUTCOME: statistics(pairs, coders),
    }
    found.disagreements = _disagreements(double, cmocs)
    return found


def _disagreements(units: Sequence[Unit], cmocs: Sequence[Mapping[str, frozenset[str]]]) -> list[Disagreement]:
    """One per unit and role where its coders differ, then the unit's configuration when that differs."""
    found = []
    for unit, configurations in zip(units, cmocs, strict=True):
        absent = tuple(unit.not_coded)
        for role in ROLES:
            values = {coder: _union(unit, coder, role) for coder in unit.coders}
            if len(set(values.values())) > 1:
                found.append(Disagreement(unit.path, unit.line, role, _listed(values), absent))
        if len(set(configurations.values())) > 1:
            found.append(Disagreement(unit.path, unit.line, CMOC, _listed(configurations), absent))
    return sorted(found, key=lambda d: (d.path, d.line, _ORDER[d.role]))


_ORDER = {role: index for index, role in enumerate((*ROLES, CMOC))}


def _listed(values: Mapping[str, frozenset[str]]) -> dict[str, tuple[str, ...]]:
    return {coder: tuple(sorted(codes)) for coder, codes in sorted(values.items())}


def of_corpus(paths: Sequence[Path], theories: Path | None) -> Agreement:
    """Agreement of the coders of the blocks in the transcripts the paths name (through the coding cache).

    A record's configuration is the CMOC of the programme's theory in `theories` whose evidence lists it.
    """
    from cmo.analysis.evidence import gather

    evidence = gather(paths, theories)
    if not evidence.ok:
        return Agreement([], 0, 0, diagnostics=evidence.diagnostics, warnings=evidence.warnings)
    # Blocks side by side are in one file: its own lines align them, with no need to read it again.
    sources = [Source(row.record, row.shown, None, row.cmocs) for row in evidence.rows]
    codings, lines = codings_of(sources)
    found = measure(align(codings, lines), sorted({coding.coder for coding in codings}))
    found.diagnostics, found.warnings = evidence.diagnostics, evidence.warnings
    return found


def of_revisions(corpus: Path, paths: Sequence[Path], revs: Sequence[str]) -> Agreement:
    """Agreement of revisions, each standing for one coder, on the transcripts the paths name at each of them.

    Units are aligned on content lines and reported at the first revision's lines; a transcript is matched
    by its path, and every revision that has it has a value for each of its units (nothing, where it did not
    code the passage). RevisionError when a revision cannot be read as the corpus.
    """
    from cmo.analysis.revisions import revision_codings

    coded = revision_codings(corpus, paths, revs)
    if any(d.severity == "error" for d in coded.diagnostics):
        return Agreement(list(revs), 0, 0, diagnostics=coded.diagnostics, warnings=coded.warnings)
    result = measure(completed(align(coded.codings, coded.lines), coded.covered), list(revs))
    result.diagnostics, result.warnings, result.by_revisions = coded.diagnostics, coded.warnings, True
    return result
