"""Confirming or rejecting that codes of two programmes mean the same: `same_as` / `not_same_as` in a codebook."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from cmo.core.diagnostics import Diagnostics, Severity
from cmo.core.files import locked, write_atomic
from cmo.core.paths import display_path
from cmo.core.rules import Rule
from cmo.core.suggest import did_you_mean, with_article
from cmo.corpus.layout import CODEBOOK_FILE, PROGRAMME_FILE, Corpus, DeclaredCode, discover, suggest_code
from cmo.corpus.same_as import chain, same_as_graph
from cmo.yamlio.listedit import EditError, append_to_list

# The lock every `cmo codebook link` of one corpus takes, so two links cannot lose one another's line.
CODEBOOK_LOCK = ".cmo-codebook.lock"
# Codebook findings that do not stop a link: they are about other links, which `cmo validate` reports.
_NOT_BLOCKING = frozenset({Rule.SAME_AS_UNKNOWN, Rule.SAME_AS_KIND, Rule.SAME_AS_CONFLICT, Rule.SAME_AS_SELF})


@dataclass(frozen=True)
class CodeRef:
    """`PROGRAMME:CODE` as given on the command line."""

    programme: str
    code: str

    def __str__(self) -> str:
        return f"{self.programme}:{self.code}"

    @classmethod
    def parse(cls, text: str) -> CodeRef | None:
        """`programme:code`, or None when the text is not of that form."""
        programme, colon, code = text.partition(":")
        return cls(programme, code) if colon and programme and code and ":" not in code else None


@dataclass
class Link:
    """What a link or reject came to: the entries added to one code's list, and the file's text before and after."""

    key: str  # same_as, or not_same_as for a rejection
    first: CodeRef | None = None
    added: list[CodeRef] = field(default_factory=list)
    held: list[str] = field(default_factory=list)  # links asked for that already hold: nothing to do for them
    path: Path | None = None
    before: str = ""
    after: str = ""
    written: bool = False
    diagnostics: Diagnostics = field(default_factory=Diagnostics)

    @property
    def ok(self) -> bool:
        return not self.diagnostics.errors


def link_codes(root: Path, refs: Sequence[CodeRef], *, reject: bool = False, dry_run: bool = False) -> Link:
    """Add the other codes' ids to `same_as` (`not_same_as` with `reject`) of the first code, in its codebook.

    Written atomically under the corpus's codebook lock; nothing is written on any refusal, nor with `dry_run`.
    """
    link = Link("not_same_as" if reject else "same_as")
    if dry_run:
        _plan(root, refs, link)
        return link
    folder = root.resolve()
    if (folder / PROGRAMME_FILE).is_file():
        folder = folder.parent  # a programme folder names its corpus: one lock for all of its codebooks
    with locked(folder, CODEBOOK_LOCK):
        _plan(root, refs, link)
        if link.ok and link.path is not None and link.after != link.before:
            write_atomic(link.path, link.after)
            link.written = True
    return link


def _plan(root: Path, refs: Sequence[CodeRef], link: Link) -> None:
    found = Diagnostics()
    corpus = discover([root], found)
    blocking = [
        d
        for d in found.items
        if d.severity == Severity.ERROR
        and d.rule not in _NOT_BLOCKING
        and (corpus is None or d.path.endswith((CODEBOOK_FILE, PROGRAMME_FILE)))
    ]
    link.diagnostics.extend(blocking)
    if corpus is None or blocking:
        return
    declared = _resolve(corpus, refs, link.diagnostics)
    if declared is None:
        return
    link.first = refs[0]
    _check(corpus, refs, declared, link)
    if link.ok and link.added:
        _edit(corpus, refs[0], declared[0], link)


def _resolve(corpus: Corpus, refs: Sequence[CodeRef], diagnostics: Diagnostics) -> list[DeclaredCode] | None:
    """The declaration of each code named, or None after reporting each one the corpus does not have."""
    shown_root = display_path(corpus.root)
    declared: list[DeclaredCode] = []
    for ref in refs:
        source = corpus.programmes.get(ref.programme)
        if source is None:
            hint = did_you_mean(ref.programme, corpus.programmes)
            diagnostics.add(
                shown_root, 1, 1, Rule.LINK_PROGRAMME, f"no programme {ref.programme!r} in the corpus{hint}"
            )
            continue
        code = source.codes.get(ref.code)
        if code is None:
            kind = declared[0].code.kind if declared else None
            hint = suggest_code(ref.code, source, kind)
            shown = display_path(source.folder / CODEBOOK_FILE)
            diagnostics.add(shown, 1, 1, Rule.LINK_CODE, f"programme {ref.programme!r} has no code {ref.code!r}{hint}")
            continue
        declared.append(code)
    return declared if len(declared) == len(refs) else None


def _check(corpus: Corpus, refs: Sequence[CodeRef], declared: list[DeclaredCode], link: Link) -> None:
    """Each other code against the first: refusals as diagnostics, links that hold already as notes."""
    first, head = refs[0], declared[0]
    graph = same_as_graph(
        (d.id, d.code.same_as) for source in corpus.programmes.values() for d in source.codes.values()
    )
    programmes: dict[str, CodeRef] = {first.programme: first}
    for ref, code in zip(refs[1:], declared[1:], strict=True):
        problem = _refusal(corpus, first, head, ref, code, programmes)
        programmes.setdefault(ref.programme, ref)
        if problem is not None:
            rule, message = problem
            link.diagnostics.add(head.path, head.line, head.column, rule, message)
            continue
        note = _already(first, head, ref, code, graph, link)
        if note:
            link.held.append(note)
        elif ref not in link.added:
            link.added.append(ref)


def _refusal(
    corpus: Corpus,
    first: CodeRef,
    head: DeclaredCode,
    ref: CodeRef,
    code: DeclaredCode,
    programmes: dict[str, CodeRef],
) -> tuple[Rule, str] | None:
    """Why the first code and `ref` cannot be linked (or rejected) at all, or None."""
    if ref == first:
        return Rule.LINK_SELF, f"cannot link {str(first)!r} to itself"
    if ref.programme in programmes and programmes[ref.programme] != ref:
        other = programmes[ref.programme]
        return Rule.LINK_SAME_PROGRAMME, (
            f"{str(other)!r} and {str(ref)!r} are codes of one programme: same_as links codes of different programmes"
        )
    if head.code.kind != code.code.kind:
        return Rule.LINK_KIND, (
            f"{str(first)!r} is {with_article(head.code.kind)} and {str(ref)!r} {with_article(code.code.kind)}: "
            "only codes of one kind can mean the same"
        )
    if head.id != code.id:
        for programme, mine, theirs in ((ref.programme, head, code), (first.programme, code, head)):
            if mine.id in corpus.programmes[programme].codes:
                where = "a shared code" if mine.shared else "declared"
                return Rule.LINK_SAME_PROGRAMME, (
                    f"programme {programme!r} has both {theirs.id!r} and {mine.id!r} ({where} in {mine.path}): "
                    f"same_as links codes of different programmes (if they mean the same, code {theirs.id!r}'s "
                    f"passages as {mine.id!r})"
                )
    return None


def _already(
    first: CodeRef, head: DeclaredCode, ref: CodeRef, code: DeclaredCode, graph: dict[str, set[str]], link: Link
) -> str | None:
    """A note when the link (or rejection) asked for holds already; a diagnostic when it contradicts one that does."""
    path = chain(graph, head.id, code.id)
    rejected = code.id in head.code.not_same_as or head.id in code.code.not_same_as
    if path is not None:
        how = "the same id" if len(path) == 1 else "same_as: " + " = ".join(path)
        if link.key == "same_as":
            return f"{first} and {ref} are linked already ({how}); nothing to do"
        link.diagnostics.add(
            head.path,
            head.line,
            head.column,
            Rule.LINK_CONFLICT,
            f"cannot reject {str(first)!r} = {str(ref)!r}: they are linked ({how}); remove that link first",
        )
        return None
    if rejected:
        if link.key == "not_same_as":
            return f"{first} and {ref} are rejected already (not_same_as); nothing to do"
        where = head if code.id in head.code.not_same_as else code
        link.diagnostics.add(
            head.path,
            head.line,
            head.column,
            Rule.LINK_CONFLICT,
            f"{str(first)!r} and {str(ref)!r} were rejected as different (not_same_as of {where.id!r} "
            f"in {where.path}:{where.line}); remove that entry to link them",
        )
    return None


def _edit(corpus: Corpus, first: CodeRef, head: DeclaredCode, link: Link) -> None:
    """The codebook declaring the first code, with the new ids appended to its list."""
    path = corpus.root / CODEBOOK_FILE if head.shared else corpus.programmes[first.programme].folder / CODEBOOK_FILE
    link.path = path
    try:
        link.before = path.read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        link.diagnostics.add(head.path, 1, 1, Rule.UNREADABLE, f"cannot read file: {exc}")
        return
    try:
        link.after = append_to_list(link.before, ("codes", head.id), link.key, [ref.code for ref in link.added])
    except EditError as exc:
        link.diagnostics.add(
            head.path,
            head.line,
            head.column,
            Rule.LINK_UNSAFE,
            f"cannot add {link.key} to {head.id!r} without changing more of the file ({exc}); add it by hand",
        )
