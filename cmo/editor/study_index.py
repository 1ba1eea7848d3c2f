"""The study as the language server sees it: its corpus, each programme's codes and CMOCs, and how often codes are used."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from cmo.core.diagnostics import Diagnostics
from cmo.corpus.layout import (
    CODEBOOK_FILE,
    PROGRAMME_FILE,
    TRANSCRIPT_SUFFIXES,
    Corpus,
    DeclaredCode,
    ProgrammeSource,
    discover,
)
from cmo.corpus.layout import codebook_codes as load_codebook_codes
from cmo.corpus.study import find_study
from cmo.yamlio.reader import UNREAD, Mark, YamlError, load_bytes, load_reported, locate

THEORY_SUFFIXES = (".yaml", ".yml")
# The corpus's own YAML files: never theories, whatever folder they are in.
CORPUS_YAML = frozenset({PROGRAMME_FILE, CODEBOOK_FILE, "participants.yaml", "cmo.yaml"})


@dataclass(frozen=True)
class CmocEntry:
    """One CMOC of a programme theory, as hover and go-to-definition show it."""

    id: str
    status: str | None
    statement: str | None
    path: Path
    line: int
    column: int


@dataclass
class StudyIndex:
    """One corpus: its programmes (codes as the editor's buffers declare them), their theories, code usage."""

    root: Path
    corpus: Corpus
    theories: Path | None
    cmocs: dict[str, dict[str, CmocEntry]] = field(default_factory=dict)  # programme -> id -> entry
    buffers: dict[Path, bytes] = field(default_factory=dict)  # unsaved YAML the codes and CMOCs come from
    _usage: dict[str, Counter[str]] | None = None  # programme -> code -> records that use it

    @classmethod
    def load(cls, root: Path, theories: Path | None) -> StudyIndex | None:
        """The corpus under `root` as `cmo validate` would read it; None when it is no corpus."""
        corpus = discover([root], Diagnostics())
        if corpus is None:
            return None
        index = cls(root=corpus.root, corpus=corpus, theories=theories)
        for programme in corpus.programmes:
            index.load_cmocs(programme)
        return index

    # --- what a file is ------------------------------------------------------------------------

    def programme_of(self, path: Path) -> ProgrammeSource | None:
        """The programme whose folder holds `path` where `cmo validate` looks (no hidden or symlinked folder between)."""
        for source in self.corpus.programmes.values():
            folder = source.folder.resolve()
            if path == folder:
                return source
            if folder in path.parents:
                return source if _looked_into(folder, path.parent) else None
        return None

    def programme_file(self, path: Path) -> ProgrammeSource | None:
        """The programme whose folder `path` is directly in (where its programme.yaml, codebook and participants are)."""
        source = self.programme_of(path.parent)
        return source if source is not None and source.folder.resolve() == path.parent else None

    def theory_programme(self, path: Path) -> str | None:
        """The programme a theory file at `path` belongs to, by its name (theories/<programme>.yaml)."""
        if self.theories is None or path.parent != self.theories.resolve() or path.suffix not in THEORY_SUFFIXES:
            return None
        return path.stem if path.stem in self.corpus.programmes else None

    def theory_path(self, programme: str) -> Path | None:
        if self.theories is None:
            return None
        for suffix in THEORY_SUFFIXES:
            path = self.theories / f"{programme}{suffix}"
            if path.is_file() or path.resolve() in self.buffers:
                return path.resolve()
        return None

    # --- codes and CMOCs -----------------------------------------------------------------------

    def codes(self, programme: str) -> dict[str, DeclaredCode]:
        source = self.corpus.programmes.get(programme)
        return source.codes if source else {}

    def codebook_path(self, declared: DeclaredCode, programme: str) -> Path:
        """The codebook file that declares `declared`, as an absolute path."""
        if declared.shared:
            return (self.root / CODEBOOK_FILE).resolve()
        return (self.corpus.programmes[programme].folder / CODEBOOK_FILE).resolve()

    def _read(self, path: Path) -> bytes | None:
        """An open buffer's bytes before the file's."""
        resolved = path.resolve()
        if resolved in self.buffers:
            return self.buffers[resolved]
        try:
            return path.read_bytes() if path.is_file() else None
        except OSError:
            return None

    def _codebook(self, path: Path, *, shared: bool) -> dict[str, DeclaredCode]:
        raw = self._read(path)
        if raw is None:
            return {}
        return codebook_codes(raw, str(path), shared=shared)

    def reload_codes(self) -> None:
        """Every programme's codes again, from the buffers of open codebooks and the files of the others."""
        shared = self._codebook(self.root / CODEBOOK_FILE, shared=True)
        for source in self.corpus.programmes.values():
            codes = dict(shared)
            own = self._codebook(source.folder / CODEBOOK_FILE, shared=False)
            codes.update({code: declared for code, declared in own.items() if code not in shared})
            source.codes = codes
            source.elsewhere = None

    def load_cmocs(self, programme: str) -> None:
        path = self.theory_path(programme)
        raw = self._read(path) if path else None
        self.cmocs[programme] = theory_cmocs(raw, path) if raw is not None and path is not None else {}

    def update(self, path: Path, text: str | None) -> bool:
        """Take an open YAML document's text (None: closed, read the file again); whether the index changed."""
        resolved = path.resolve()
        if text is None:
            self.buffers.pop(resolved, None)
        else:
            self.buffers[resolved] = text.encode("utf-8", "surrogatepass")  # as the check reads it
        if resolved.name == CODEBOOK_FILE:
            self.reload_codes()
            return True
        programme = self.theory_programme(resolved)
        if programme is not None:
            self.load_cmocs(programme)
            return True
        return False

    # --- usage ---------------------------------------------------------------------------------

    def usage(self, programme: str) -> Counter[str]:
        """How many records of the programme use each code: coded once (with the cache), again after a save."""
        if self._usage is None:
            from cmo.corpus.coding import code_corpus

            counts: dict[str, Counter[str]] = {}
            result = code_corpus([self.root], jobs=1, cache=True, keep_records=False)
            for transcript in result.transcripts:
                counts.setdefault(transcript.programme, Counter()).update(transcript.code_uses)
            self._usage = counts
        return self._usage.get(programme, Counter())

    def count_usage(self) -> None:
        """Count code usage now, if it is not counted (the server does it in a worker thread)."""
        self.usage("")

    def total_usage(self, code: str) -> int:
        return sum(self.usage(programme)[code] for programme in self.corpus.programmes)

    def saved(self) -> None:
        """A file was saved: usage is counted again when next asked for."""
        self._usage = None


def codebook_codes(
    raw: bytes, shown: str, *, shared: bool, diagnostics: Diagnostics | None = None
) -> dict[str, DeclaredCode]:
    """The codes a codebook's bytes declare, as `load_codebook` reads them from its file (problems into `diagnostics`)."""
    found = diagnostics if diagnostics is not None else Diagnostics()
    data = load_reported(raw, shown, found)
    return {} if data is UNREAD else load_codebook_codes(data, shown, found, shared=shared)


def theory_cmocs(raw: bytes, path: Path) -> dict[str, CmocEntry]:
    """Each CMOC id a theory file's bytes name, with its status, statement and where its entry starts."""
    try:
        data = load_bytes(raw)
    except YamlError:
        return {}
    cmocs = data.get("cmocs") if isinstance(data, dict) else None
    found: dict[str, CmocEntry] = {}
    for index, cmoc in enumerate(cmocs if isinstance(cmocs, list) else []):
        if not isinstance(cmoc, dict) or not isinstance(cmoc.get("id"), str):
            continue
        mark = locate(data, ("cmocs", index, "id")) or Mark(1, 1)
        status, statement = cmoc.get("status"), cmoc.get("statement")
        found.setdefault(
            cmoc["id"],
            CmocEntry(
                cmoc["id"],
                status if isinstance(status, str) else None,
                statement if isinstance(statement, str) else None,
                path,
                mark.line,
                mark.column,
            ),
        )
    return found


# --- finding the study of a document ------------------------------------------------------------


def corpus_root(path: Path) -> tuple[Path, Path | None] | None:
    """The corpus root a document belongs to, and the study's theories folder, found as the CLI finds them."""
    for folder in path.parents:
        if (folder / PROGRAMME_FILE).is_file():
            return folder.parent, _theories_of(folder.parent)
    if path.name == CODEBOOK_FILE and any((child / PROGRAMME_FILE).is_file() for child in _children(path.parent)):
        return path.parent, _theories_of(path.parent)
    study = find_study(path.parent, Diagnostics())
    if study is not None and study.corpus.is_dir():
        return study.corpus.resolve(), study.theories.resolve()
    return None


def _children(folder: Path) -> list[Path]:
    try:
        return [child for child in folder.iterdir() if child.is_dir()]
    except OSError:
        return []


def _theories_of(corpus: Path) -> Path | None:
    study = find_study(corpus, Diagnostics())
    return study.theories.resolve() if study is not None else None


def _looked_into(top: Path, folder: Path) -> bool:
    """Whether transcript discovery under `top` reaches `folder`: it skips hidden and symlinked folders."""
    while folder != top:
        if folder.name.startswith(".") or folder.is_symlink():
            return False
        folder = folder.parent
    return True


def is_transcript(path: Path) -> bool:
    return path.name.endswith(TRANSCRIPT_SUFFIXES)


@dataclass
class Studies:
    """Every study the editor has opened a document of, each loaded once."""

    loaded: dict[Path, StudyIndex | None] = field(default_factory=dict)

    def of(self, path: Path) -> StudyIndex | None:
        found = corpus_root(path)
        if found is None:
            return None
        root, theories = found
        key = root.resolve()
        if key not in self.loaded:
            self.loaded[key] = StudyIndex.load(key, theories)
        return self.loaded[key]

    def reload(self, path: Path) -> None:
        """Read the study of `path` afresh (a programme.yaml was saved: programmes may have come or gone).

        The unsaved codebooks and theories open in the editor are carried over into the new index."""
        found = corpus_root(path)
        if found is None:
            return
        old = self.loaded.pop(found[0].resolve(), None)
        index = self.of(path)
        if old is not None and index is not None and old.buffers:
            index.buffers.update(old.buffers)
            index.reload_codes()
            for programme in index.corpus.programmes:
                index.load_cmocs(programme)
