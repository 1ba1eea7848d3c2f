"""The corpus layout: which programmes and transcripts a set of paths names, each programme's codebook and participants."""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cmo.core.diagnostics import Diagnostics, Severity
from cmo.core.files import read_or_report, report_not_regular
from cmo.core.paths import display_path
from cmo.core.rules import Rule
from cmo.core.suggest import did_you_mean
from cmo.corpus import participants
from cmo.corpus.models import Code, Codebook, Participant, Programme
from cmo.corpus.same_as import chain, same_as_graph
from cmo.yamlio.reader import UNREAD, Mark, load_reported
from cmo.yamlio.schema import validate

PROGRAMME_FILE = "programme.yaml"
CODEBOOK_FILE = "codebook.yaml"
TRANSCRIPT_SUFFIX = ".md"
# Markdown by either of its names; a `.txt` that opens as a transcript does (`---`) is reported, never read.
TRANSCRIPT_SUFFIXES = (TRANSCRIPT_SUFFIX, ".markdown")
PLAIN_TEXT_SUFFIX = ".txt"
LINK_KEYS = ("same_as", "not_same_as")


@dataclass(frozen=True)
class DeclaredCode:
    """A code as a programme sees it, with the file and line that declared it."""

    id: str
    code: Code
    path: str
    line: int
    column: int
    shared: bool
    # (key, target, line, column) of each `same_as` / `not_same_as` entry, for messages that point at it.
    targets: tuple[tuple[str, str, int, int], ...] = ()


@dataclass
class ProgrammeSource:
    """One programme folder: its description, the codes it sees, and its transcripts."""

    id: str
    folder: Path
    programme: Programme | None
    codes: dict[str, DeclaredCode] = field(default_factory=dict)
    transcripts: list[Path] = field(default_factory=list)
    # id -> role and attributes, from its participants.yaml; None without one (or when it is invalid).
    participants: dict[str, Participant] | None = None
    # code -> (programme, codebook) of the codes only other programmes' own codebooks declare: read on the
    # first unknown code (a clean corpus never pays for it), see `declared_elsewhere`.
    elsewhere: dict[str, list[tuple[str, str]]] | None = field(default=None, repr=False, compare=False)


@dataclass
class Corpus:
    """What a set of paths resolved to: a corpus root and the programmes under it."""

    root: Path
    programmes: dict[str, ProgrammeSource] = field(default_factory=dict)


# What `_read_yaml` gives for a file it has reported it cannot read (or decode, or parse): nothing more to say.
def _read_yaml(path: Path, diagnostics: Diagnostics) -> Any:
    shown = display_path(path)
    raw = read_or_report(path, shown, diagnostics)
    return UNREAD if raw is None else load_reported(raw, shown, diagnostics)


def load_codebook(path: Path, diagnostics: Diagnostics, *, shared: bool) -> dict[str, DeclaredCode]:
    """The codes one codebook file declares; an unreadable or invalid file declares none."""
    data = _read_yaml(path, diagnostics)
    if data is UNREAD:
        return {}
    return codebook_codes(data, display_path(path), diagnostics, shared=shared)


def codebook_codes(data: Any, shown: str, diagnostics: Diagnostics, *, shared: bool) -> dict[str, DeclaredCode]:
    """The codes a codebook's data (as the marked reader gives it) declares, with where each is written; invalid: none."""
    codebook = validate(Codebook, data, path=shown, diagnostics=diagnostics, what="a codebook")
    if codebook is None:
        return {}
    codes = data.get("codes") if isinstance(data, dict) else None
    key_marks = getattr(codes, "key_marks", {})
    declared = {}
    for code_id, code in codebook.codes.items():
        mark = key_marks.get(code_id, Mark(1, 1))
        targets = _target_marks(codes.get(code_id) if isinstance(codes, dict) else None, mark)
        declared[code_id] = DeclaredCode(code_id, code, shown, mark.line, mark.column, shared, targets)
    return declared


def _target_marks(entry: Any, fallback: Mark) -> tuple[tuple[str, str, int, int], ...]:
    """Where each `same_as` and `not_same_as` id of one code entry is written."""
    found = []
    for key in LINK_KEYS:
        value = entry.get(key) if isinstance(entry, dict) else None
        if isinstance(value, str):
            mark = getattr(entry, "value_marks", {}).get(key, fallback)
            found.append((key, value, mark.line, mark.column))
        elif isinstance(value, list):
            marks = getattr(value, "item_marks", [])
            for index, item in enumerate(value):
                mark = marks[index] if index < len(marks) else fallback
                found.append((key, str(item), mark.line, mark.column))
    return tuple(found)


def _programme_folder(path: Path) -> Path | None:
    """The nearest folder at or above `path` that holds a programme.yaml."""
    for folder in [path, *path.parents]:
        if (folder / PROGRAMME_FILE).is_file():
            return folder
    return None


def _not_regular(path: Path, diagnostics: Diagnostics) -> None:
    # A device or pipe named *.md (say, a committed symlink to /dev/zero) would be read without end.
    report_not_regular(display_path(path), diagnostics)


def _starts_as_transcript(path: str) -> bool:
    """Whether the file's first line is `---`, as a transcript's front matter opens (a byte-order mark allowed)."""
    try:
        with open(path, "rb") as handle:
            head = handle.read(64)
    except OSError:
        return False
    return head.removeprefix(b"\xef\xbb\xbf").split(b"\n", 1)[0].rstrip() == b"---"


def _plain_text(entry: os.DirEntry[str], diagnostics: Diagnostics) -> None:
    """A `.txt` written as a transcript is named, so it is not silently left out; notes and other text are not."""
    if entry.is_file() and _starts_as_transcript(entry.path):
        diagnostics.add(
            display_path(Path(entry.path)),
            1,
            1,
            Rule.TRANSCRIPT_SUFFIX,
            f"not read: transcripts are Markdown files ending in {TRANSCRIPT_SUFFIX}; "
            f"rename it to {Path(entry.name).stem}{TRANSCRIPT_SUFFIX}",
            Severity.WARNING,
        )


def _transcripts_under(folder: Path, diagnostics: Diagnostics) -> list[Path]:
    """The `.md` and `.markdown` files under `folder` (hidden and symlinked folders skipped); only regular files are read."""
    found: list[Path] = []
    stack = [str(folder)]
    while stack:
        try:
            with os.scandir(stack.pop()) as entries:
                listed = list(entries)
        except OSError:
            continue  # as os.walk: a folder that cannot be listed holds nothing
        for entry in listed:
            if entry.is_dir():
                if not entry.is_symlink() and not entry.name.startswith("."):
                    stack.append(entry.path)
            elif entry.name.endswith(TRANSCRIPT_SUFFIXES):
                if entry.is_file() or not os.path.exists(entry.path):
                    found.append(Path(entry.path))  # a dangling link is coded, and reported as unreadable
                else:
                    _not_regular(Path(entry.path), diagnostics)
            elif entry.name.lower().endswith(PLAIN_TEXT_SUFFIX):
                _plain_text(entry, diagnostics)
    return found


def _path_order(path: Path) -> str:
    """Sorts paths as pathlib does (part by part), at string speed: the separator sorts before any character."""
    return str(path).replace(os.sep, "\0")


def discover(paths: list[Path], diagnostics: Diagnostics) -> Corpus | None:
    """Resolve paths (a corpus root, programme folders, sub-folders or transcripts) to one corpus."""
    selected: dict[Path, list[Path]] = {}
    roots: set[Path] = set()
    for given in paths:
        path = given.resolve()
        if not path.exists():
            diagnostics.add(display_path(given), 1, 1, Rule.PATH_MISSING, "no such file or folder")
            continue
        if not path.is_dir() and not path.is_file():
            _not_regular(given, diagnostics)
            continue
        folder = _programme_folder(path if path.is_dir() else path.parent)
        if folder is not None:
            roots.add(folder.parent)
            files = [path] if path.is_file() else _transcripts_under(path, diagnostics)
            selected.setdefault(folder, []).extend(files)
            continue
        if path.is_file():
            diagnostics.add(
                display_path(given),
                1,
                1,
                Rule.PROGRAMME_MISSING,
                f"not inside a programme folder (no {PROGRAMME_FILE} above it)",
            )
            continue
        roots.add(path)
        for child in sorted(p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".")):
            if (child / PROGRAMME_FILE).is_file():
                selected.setdefault(child, []).extend(_transcripts_under(child, diagnostics))
            elif _transcripts_under(child, Diagnostics()):
                diagnostics.add(
                    display_path(child / PROGRAMME_FILE),
                    1,
                    1,
                    Rule.PROGRAMME_MISSING,
                    f"folder {child.name!r} holds transcripts but no {PROGRAMME_FILE} describing its programme",
                )
    if len(roots) > 1:
        shown = ", ".join(sorted(display_path(r) for r in roots))
        diagnostics.add(
            display_path(paths[0]), 1, 1, Rule.CORPUS_MIXED, f"paths belong to more than one corpus: {shown}"
        )
        return None
    if not roots:
        return None
    corpus = Corpus(root=roots.pop())
    shared = _shared_codes(corpus.root, diagnostics)
    for folder in sorted(selected):
        source = _load_programme(folder, shared, diagnostics)
        source.transcripts = sorted(set(selected[folder]), key=_path_order)
        corpus.programmes[source.id] = source
    check_links(corpus.programmes.values(), _every_code(corpus, shared), diagnostics)
    return corpus


def _every_code(corpus: Corpus, shared: dict[str, DeclaredCode]) -> dict[str, DeclaredCode]:
    """Every code the corpus declares, in the programmes selected or not: what `same_as` may name."""
    known = dict(shared)
    for source in corpus.programmes.values():
        known.update(source.codes)
    for child in sorted(p for p in corpus.root.iterdir() if p.is_dir() and not p.name.startswith(".")):
        others = child.name not in corpus.programmes and (child / PROGRAMME_FILE).is_file()
        if others and (child / CODEBOOK_FILE).is_file():  # its own problems are reported when it is checked
            known.update(load_codebook(child / CODEBOOK_FILE, Diagnostics(), shared=False))
    return known


def check_links(
    programmes: Iterable[ProgrammeSource], known: dict[str, DeclaredCode], diagnostics: Diagnostics
) -> None:
    """Every `same_as` and `not_same_as` names a code of the corpus (same_as one of the same kind), never both."""
    graph = same_as_graph((d.id, d.code.same_as) for d in known.values())
    seen: set[tuple[str, str]] = set()
    for source in programmes:
        for declared in source.codes.values():
            if (declared.path, declared.id) not in seen:
                seen.add((declared.path, declared.id))
                _check_targets(declared, known, graph, diagnostics)


def _check_targets(
    declared: DeclaredCode, known: dict[str, DeclaredCode], graph: dict[str, set[str]], diagnostics: Diagnostics
) -> None:
    code = declared.code
    for key, target, line, column in declared.targets:
        if target == declared.id:
            continue  # same-as-self
        other = known.get(target)
        if other is None:
            hint = did_you_mean(target, [c for c, d in known.items() if d.code.kind == code.kind])
            hint = hint or did_you_mean(target, known)
            message = f"code {declared.id!r} lists {target!r} in {key}, but no codebook of the corpus declares it{hint}"
            diagnostics.add(declared.path, line, column, Rule.SAME_AS_UNKNOWN, message)
        elif key == "same_as" and other.code.kind != code.kind:
            message = (
                f"code {declared.id!r} ({code.kind}) lists {target!r} ({other.code.kind}) in same_as: "
                "only codes of one kind can mean the same"
            )
            diagnostics.add(declared.path, line, column, Rule.SAME_AS_KIND, message)
        elif key == "not_same_as" and (path := chain(graph, declared.id, target)):
            how = (
                "lists it in same_as too"
                if target in code.same_as
                else "is the same through same_as: " + " = ".join(path)
            )
            message = f"code {declared.id!r} lists {target!r} in not_same_as but {how}"
            diagnostics.add(declared.path, line, column, Rule.SAME_AS_CONFLICT, message)


def _shared_codes(root: Path, diagnostics: Diagnostics) -> dict[str, DeclaredCode]:
    path = root / CODEBOOK_FILE
    # lexists, not is_file: a codebook that is a device, a pipe or a dangling link is reported, not skipped.
    return load_codebook(path, diagnostics, shared=True) if os.path.lexists(path) else {}


def _load_programme(folder: Path, shared: dict[str, DeclaredCode], diagnostics: Diagnostics) -> ProgrammeSource:
    path = folder / PROGRAMME_FILE
    shown = display_path(path)
    data = _read_yaml(path, diagnostics)
    programme = (
        None
        if data is UNREAD
        else validate(Programme, data, path=shown, diagnostics=diagnostics, what="programme.yaml")
    )
    if programme is not None and programme.id != folder.name:
        mark = getattr(data, "value_marks", {}).get("id", Mark(1, 1))
        diagnostics.add(
            shown,
            mark.line,
            mark.column,
            Rule.PROGRAMME_ID,
            f"programme id {programme.id!r} must equal its folder name {folder.name!r}",
        )
    source = ProgrammeSource(id=folder.name, folder=folder, programme=programme, codes=dict(shared))
    own_path = folder / CODEBOOK_FILE
    if os.path.lexists(own_path):
        for code_id, declared in load_codebook(own_path, diagnostics, shared=False).items():
            if code_id in shared:
                first = shared[code_id]
                diagnostics.add(
                    declared.path,
                    declared.line,
                    declared.column,
                    Rule.CODE_REDEFINED,
                    f"code {code_id!r} is already defined in the shared codebook ({first.path}:{first.line}); "
                    "remove it here or rename it",
                )
                continue
            source.codes[code_id] = declared
    _check_same_as(source, diagnostics)
    source.participants = _participants(folder / participants.PARTICIPANTS_FILE, diagnostics)
    return source


def _participants(path: Path, diagnostics: Diagnostics) -> dict[str, Participant] | None:
    """The participants a programme's participants.yaml declares; None without one, or when it cannot be used."""
    if not os.path.lexists(path):  # lexists: a device, a pipe or a dangling link is reported, not skipped
        return None
    data = _read_yaml(path, diagnostics)
    return None if data is UNREAD else participants.declared(data, display_path(path), diagnostics)


def _check_same_as(source: ProgrammeSource, diagnostics: Diagnostics) -> None:
    """A code cannot be the same as itself; ids in other programmes are checked by comparison later."""
    for declared in source.codes.values():
        if declared.id in declared.code.same_as:
            diagnostics.add(
                declared.path,
                declared.line,
                declared.column,
                Rule.SAME_AS_SELF,
                f"code {declared.id!r} lists itself in same_as",
            )


def suggest_code(code: str, source: ProgrammeSource, kind: str | None = None) -> str:
    """Did-you-mean for a code: the closest of the expected kind, else the closest of any kind; never itself."""
    others = [c for c in source.codes if c != code]
    if kind is not None:
        hint = did_you_mean(code, [c for c in others if source.codes[c].code.kind == kind])
        if hint:
            return hint
    return did_you_mean(code, others)


def declared_elsewhere(code: str, source: ProgrammeSource) -> str:
    """For a code the programme does not declare: which other programmes' codebooks do, and where it would serve all.

    The paths are named from the corpus folder (`corpus/b/codebook.yaml`), the same wherever cmo runs: the
    message is cached with the transcript's other findings.
    """
    if source.elsewhere is None:
        source.elsewhere = _codes_of_other_programmes(source.folder)
    places = source.elsewhere.get(code)
    if not places:
        return ""
    named = [f"{programme!r} ({path})" for programme, path in places]
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    shared = f"{source.folder.parent.name}/{CODEBOOK_FILE}"
    return (
        f"; it is declared in programme{'s' if len(places) > 1 else ''} {listed}: declare it in {shared} "
        f"(the shared codebook) to use it in {'both' if len(places) == 1 else 'all of them'}"
    )


def _codes_of_other_programmes(folder: Path) -> dict[str, list[tuple[str, str]]]:
    """code -> (programme, codebook) for every code declared in the own codebook of a programme beside `folder`."""
    root = folder.parent
    found: dict[str, list[tuple[str, str]]] = {}
    try:
        children = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith("."))
    except OSError:
        return found
    for child in children:
        path = child / CODEBOOK_FILE
        if child.name == folder.name or not (child / PROGRAMME_FILE).is_file() or not path.is_file():
            continue
        shown = f"{root.name}/{child.name}/{CODEBOOK_FILE}"
        for code_id in load_codebook(path, Diagnostics(), shared=False):  # its own problems are reported on its own
            found.setdefault(code_id, []).append((child.name, shown))
    return found


def demo_corpus() -> Path:
    """The demo corpus that ships with cmo (beside the package in a checkout, inside it when installed)."""
    package = Path(__file__).resolve().parent.parent
    for candidate in (package / "_demo" / "corpus", package.parent / "corpus"):
        if candidate.is_dir():
            return candidate
    return Path("corpus")
