"""Inter-coder agreement over double-coded passages: Krippendorff's alpha, Cohen's kappa and agreement, per role, per code and per configuration."""

from __future__ import annotations

import itertools
import math
import tempfile
from collections import Counter
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cmo.analysis.alignment import ROLES, Coding, ContentLines, Source, Unit, align, codings_of
from cmo.core.diagnostics import Diagnostic
from cmo.core.paths import display_path

# The configuration-level questions: the same CMOC, the same mechanism-outcome pair.
CMOC, MECHANISM_OUTCOME = "cmoc", "mechanism-outcome"
NO_UNITS = "no double-coded passages"


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
    pairs: tuple[PairKappa, ...] = ()  # with more than two coders: kappa is the mean of these


@dataclass(frozen=True)
class Disagreement:
    """One passage on which its coders differ in one role (or in its configuration, role "cmoc")."""

    path: str
    line: int
    role: str
    coders: dict[str, tuple[str, ...]]


@dataclass
class Agreement:
    """Agreement of a set of coders over a corpus: every statistic and every disagreement."""

    coders: list[str]
    passages: int  # units coded by anyone
    units: int  # units coded by two or more coders
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


def statistics(units: Sequence[Mapping[str, Hashable]], coders: Sequence[str]) -> Statistics:
    """Alpha, kappa (the mean of pairwise kappas with more than two coders) and agreement over the units given.

    Each unit maps the coders who coded it to their value; a value is compared as a whole (a set of codes
    is one category), and agreement is the share of units on which all their coders gave the same value.
    """
    pairable = [unit for unit in units if len(unit) >= 2]
    if not pairable:
        return Statistics(None, None, None, 0, NO_UNITS)
    alpha, reason = nominal_alpha(pairable, coders)
    pairs = pair_kappas(pairable, coders)
    kappas = [pair.kappa for pair in pairs if pair.kappa is not None]
    kappa = sum(kappas) / len(kappas) if kappas else None
    agreeing = sum(1 for unit in pairable if len(set(unit.values())) == 1) / len(pairable)
    return Statistics(alpha, kappa, agreeing, len(pairable), reason, pairs if len(pairs) > 1 else ())


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
    """Agreement over the units' double-coded passages, with every coder of the study as a column."""
    double = [unit for unit in units if unit.double_coded]
    found = Agreement(list(coders), len(units), len(double))
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
    found.configurations = {CMOC: statistics(cmocs, coders), MECHANISM_OUTCOME: statistics(pairs, coders)}
    found.disagreements = _disagreements(double, cmocs)
    return found


def _disagreements(units: Sequence[Unit], cmocs: Sequence[Mapping[str, frozenset[str]]]) -> list[Disagreement]:
    """One per unit and role where its coders differ, then the unit's configuration when that differs."""
    found = []
    for unit, configurations in zip(units, cmocs, strict=True):
        for role in ROLES:
            values = {coder: _union(unit, coder, role) for coder in unit.coders}
            if len(set(values.values())) > 1:
                found.append(Disagreement(unit.path, unit.line, role, _listed(values)))
        if len(set(configurations.values())) > 1:
            found.append(Disagreement(unit.path, unit.line, CMOC, _listed(configurations)))
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
    by its path. RevisionError when a revision cannot be read as the corpus.
    """
    from cmo.analysis.revisions import code_revision

    codings: list[Coding] = []
    first: dict[str, ContentLines] = {}
    diagnostics: list[Diagnostic] = []
    warnings: list[str] = []
    with tempfile.TemporaryDirectory(prefix="cmo-agreement-") as folder:
        for index, rev in enumerate(revs):
            into = Path(folder) / str(index)
            coded = code_revision(corpus, list(paths), rev, into)
            diagnostics.extend(coded.result.diagnostics)
            warnings.extend([*coded.warnings, *coded.result.warnings])
            sources = (
                [
                    Source(record, display_path(corpus / str(record["path"])), into / str(record["path"]))
                    for record in coded.result.iter_record_dicts()
                ]
                if coded.result.ok
                else []
            )
            found, lines = codings_of(sources, coder=rev)
            codings.extend(found)
            for path, content in lines.items():
                first.setdefault(path, content)
    if any(d.severity == "error" for d in diagnostics):
        return Agreement(list(revs), 0, 0, diagnostics=diagnostics, warnings=warnings)
    result = measure(align(codings, first), list(revs))
    result.diagnostics, result.warnings = diagnostics, warnings
    return result
