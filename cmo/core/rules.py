"""The rule registry: every rule id cmo reports, with its stage, default severity and one-line description."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cmo.core.diagnostics import Severity


class Stage(StrEnum):
    """The step of the pipeline that reports a rule; docs/rules.md has one section per stage."""

    TRANSCRIPTS = "transcripts"
    YAML = "yaml"
    CORPUS = "corpus"
    THEORIES = "theories"
    MERGE = "merge"
    ACROSS = "across"
    QDPX = "qdpx"


class Rule(StrEnum):
    """A rule id, printed as `severity[rule]`; a StrEnum so it is the very string the output has always had."""

    # Transcripts: parsing the Markdown, its front matter and its `cmo` blocks, then coding them.
    ENCODING = "encoding"
    FRONT_MATTER_MISSING = "front-matter-missing"
    FRONT_MATTER_UNCLOSED = "front-matter-unclosed"
    FENCE_UNCLOSED = "fence-unclosed"
    FENCE_INFO = "fence-info"
    BLOCK_EMPTY = "block-empty"
    ANNOTATION_INCOMPLETE = "annotation-incomplete"
    TRANSCRIPT_ID = "transcript-id"
    DUPLICATE_TRANSCRIPT = "duplicate-transcript"
    PROGRAMME_MISMATCH = "programme-mismatch"
    UNKNOWN_CODE = "unknown-code"
    CODE_KIND = "code-kind"
    QUOTE_NOT_FOUND = "quote-not-found"
    EVIDENCE_MISSING = "evidence-missing"
    EVIDENCE_IS_QUESTION = "evidence-is-question"
    ELICITED_SOURCE = "elicited-source"
    PARTICIPANT_UNKNOWN = "participant-unknown"
    PARTICIPANT_ATTRIBUTE_CONFLICT = "participant-attribute-conflict"
    # YAML, in any cmo file: reading it safely, then checking it against the format.
    YAML_SYNTAX = "yaml-syntax"
    YAML_DUPLICATE_KEY = "yaml-duplicate-key"
    YAML_TAG = "yaml-tag"
    YAML_EXPANSION = "yaml-expansion"
    YAML_NUMBER_TOO_LARGE = "yaml-number-too-large"
    NOT_A_MAPPING = "not-a-mapping"
    UNKNOWN_KEY = "unknown-key"
    MISSING_KEY = "missing-key"
    INVALID_VALUE = "invalid-value"
    # The corpus: paths, programme folders and codebooks.
    PATH_MISSING = "path-missing"
    UNREADABLE = "unreadable"
    CORPUS_MIXED = "corpus-mixed"
    PROGRAMME_MISSING = "programme-missing"
    TRANSCRIPT_SUFFIX = "transcript-suffix"
    PROGRAMME_ID = "programme-id"
    CODE_REDEFINED = "code-redefined"
    SAME_AS_SELF = "same-as-self"
    SAME_AS_UNKNOWN = "same-as-unknown"
    SAME_AS_KIND = "same-as-kind"
    SAME_AS_CONFLICT = "same-as-conflict"
    PARTICIPANT_IDENTIFYING = "participant-identifying"
    LINK_PROGRAMME = "link-programme"
    LINK_CODE = "link-code"
    LINK_SELF = "link-self"
    LINK_SAME_PROGRAMME = "link-same-programme"
    LINK_KIND = "link-kind"
    LINK_CONFLICT = "link-conflict"
    LINK_UNSAFE = "link-unsafe"
    # Theory files, as `cmo validate` checks them.
    DUPLICATE_CMOC = "duplicate-cmoc"
    DANGLING_LINK = "dangling-link"
    PROGRAMME_UNKNOWN = "programme-unknown"
    STATUS_EVIDENCE = "status-evidence"
    CMOC_INCOMPLETE = "cmoc-incomplete"
    # Merge (and synthesise, which merges into the overarching theory).
    MERGE_UNSAFE = "merge-unsafe"
    CMOC_NO_EVIDENCE = "cmoc-no-evidence"
    # Across programmes: theories named on the command line, compare, import, synthesise, report.
    THEORY_MISSING = "theory-missing"
    COMPARE_DUPLICATE = "compare-duplicate"
    UNKNOWN_CMOC = "unknown-cmoc"
    IMPORT_CLASH = "import-clash"
    IMPORT_UNTRANSLATABLE = "import-untranslatable"
    NOT_OVERARCHING = "not-overarching"
    THEORY_KIND = "theory-kind"
    # REFI-QDA (.qdpx) import and export.
    QDPX_ARCHIVE = "qdpx-archive"
    QDPX_UNSAFE_ENTRY = "qdpx-unsafe-entry"
    QDPX_TOO_LARGE = "qdpx-too-large"
    QDPX_TOO_MANY_ENTRIES = "qdpx-too-many-entries"
    QDPX_COMPRESSION = "qdpx-compression"
    QDPX_PROJECT_MISSING = "qdpx-project-missing"
    QDPX_XML = "qdpx-xml"
    QDPX_XML_REFUSED = "qdpx-xml-refused"
    QDPX_PROGRAMME = "qdpx-programme"
    QDPX_MAP = "qdpx-map"
    QDPX_SOURCE = "qdpx-source"
    QDPX_SOURCE_TYPE = "qdpx-source-type"
    QDPX_SELECTION = "qdpx-selection"
    QDPX_UNPLACED_CODE = "qdpx-unplaced-code"
    QDPX_INCOMPLETE = "qdpx-incomplete"
    QDPX_FENCE = "qdpx-fence"
    QDPX_EXISTS = "qdpx-exists"
    QDPX_OUTSIDE = "qdpx-outside"
    QDPX_EXPORT = "qdpx-export"

    @property
    def info(self) -> RuleInfo:
        return RULES[self]


@dataclass(frozen=True)
class RuleInfo:
    """What the registry knows of a rule: where it is reported, how bad by default, and what it means."""

    stage: Stage
    severity: Severity
    description: str


_E = Severity.ERROR
_W = Severity.WARNING
_T, _Y, _C, _TH, _M, _A, _Q = (
    Stage.TRANSCRIPTS,
    Stage.YAML,
    Stage.CORPUS,
    Stage.THEORIES,
    Stage.MERGE,
    Stage.ACROSS,
    Stage.QDPX,
)

# The default severity is the one the rule is reported with; the few rules reported with either say which
# case is the other in their description (a test keeps docs/rules.md in step with this table).
RULES: dict[Rule, RuleInfo] = {
    Rule.ENCODING: RuleInfo(_T, _E, "the file is not UTF-8"),
    Rule.FRONT_MATTER_MISSING: RuleInfo(_T, _E, "a transcript does not start with `---` front matter"),
    Rule.FRONT_MATTER_UNCLOSED: RuleInfo(_T, _E, "the front matter opened with `---` is never closed"),
    Rule.FENCE_UNCLOSED: RuleInfo(_T, _E, "a `cmo` block is never closed (a warning for another code block)"),
    Rule.FENCE_INFO: RuleInfo(_T, _W, "a code block's info string looks like a misspelt `cmo`"),
    Rule.BLOCK_EMPTY: RuleInfo(_T, _E, "a `cmo` block holds nothing, or an empty list"),
    Rule.ANNOTATION_INCOMPLETE: RuleInfo(_T, _E, "an annotation names none of context, mechanism, outcome"),
    Rule.TRANSCRIPT_ID: RuleInfo(_T, _E, "the file name cannot be a transcript id and no `id:` is given"),
    Rule.DUPLICATE_TRANSCRIPT: RuleInfo(_T, _E, "a transcript id is used twice in one programme"),
    Rule.PROGRAMME_MISMATCH: RuleInfo(_T, _E, "the front matter names another programme than the folder's"),
    Rule.UNKNOWN_CODE: RuleInfo(_T, _E, "a code that no codebook of the programme declares (transcripts and theories)"),
    Rule.CODE_KIND: RuleInfo(_T, _E, "a code of the wrong kind for its key"),
    Rule.QUOTE_NOT_FOUND: RuleInfo(_T, _E, "a `quote:` that does not occur in the transcript"),
    Rule.EVIDENCE_MISSING: RuleInfo(_T, _E, "a block without `quote:` has no passage above it"),
    Rule.EVIDENCE_IS_QUESTION: RuleInfo(_T, _W, "a block's evidence is the interviewer's question, not an answer"),
    Rule.ELICITED_SOURCE: RuleInfo(_T, _W, "`elicited: true` on an observation or a document, where nobody was asked"),
    Rule.PARTICIPANT_UNKNOWN: RuleInfo(_T, _W, "a participant id the programme's participants.yaml does not declare"),
    Rule.PARTICIPANT_ATTRIBUTE_CONFLICT: RuleInfo(
        _T, _W, "an inline attribute that differs from the participant's in participants.yaml (inline wins)"
    ),
    Rule.YAML_SYNTAX: RuleInfo(_Y, _E, "YAML that does not parse"),
    Rule.YAML_DUPLICATE_KEY: RuleInfo(_Y, _E, "a key given twice in one mapping"),
    Rule.YAML_TAG: RuleInfo(_Y, _E, "a YAML tag such as `!!python/object`: cmo files hold plain data only"),
    Rule.YAML_EXPANSION: RuleInfo(_Y, _E, "aliases that expand far beyond the YAML's size, or an alias inside itself"),
    Rule.YAML_NUMBER_TOO_LARGE: RuleInfo(_Y, _E, "an unquoted number of more than 4,000 digits"),
    Rule.NOT_A_MAPPING: RuleInfo(
        _Y, _E, "front matter, an annotation, programme.yaml, participants.yaml or a codebook is not a mapping"
    ),
    Rule.UNKNOWN_KEY: RuleInfo(_Y, _E, "a key that is not in the format"),
    Rule.MISSING_KEY: RuleInfo(_Y, _E, "a required key is missing"),
    Rule.INVALID_VALUE: RuleInfo(_Y, _E, "a value of the wrong type, shape or not among the allowed values"),
    Rule.PATH_MISSING: RuleInfo(_C, _E, "a path given on the command line does not exist"),
    Rule.UNREADABLE: RuleInfo(_C, _E, "a file that cannot be read, or is no regular file"),
    Rule.CORPUS_MIXED: RuleInfo(_C, _E, "the paths given belong to more than one corpus"),
    Rule.PROGRAMME_MISSING: RuleInfo(_C, _E, "transcripts outside any programme folder (no programme.yaml)"),
    Rule.TRANSCRIPT_SUFFIX: RuleInfo(_C, _W, "a `.txt` file written as a transcript (`---` first): not read"),
    Rule.PROGRAMME_ID: RuleInfo(_C, _E, "a programme's `id` is not its folder name"),
    Rule.CODE_REDEFINED: RuleInfo(_C, _E, "a programme's codebook defines a code of the shared codebook again"),
    Rule.SAME_AS_SELF: RuleInfo(_C, _E, "a code lists itself in `same_as`"),
    Rule.SAME_AS_UNKNOWN: RuleInfo(
        _C, _E, "a `same_as` or `not_same_as` target that no codebook of the corpus declares"
    ),
    Rule.SAME_AS_KIND: RuleInfo(_C, _E, "a `same_as` target of another kind than the code"),
    Rule.SAME_AS_CONFLICT: RuleInfo(_C, _E, "a `not_same_as` target that is the same through `same_as` (or a chain)"),
    Rule.PARTICIPANT_IDENTIFYING: RuleInfo(
        _C, _E, "a participant attribute that identifies a person (name, email, ...): attributes are pseudonymous"
    ),
    Rule.LINK_PROGRAMME: RuleInfo(_C, _E, "`cmo codebook link` names a programme the corpus does not have"),
    Rule.LINK_CODE: RuleInfo(_C, _E, "`cmo codebook link` names a code the programme's codebooks do not declare"),
    Rule.LINK_SELF: RuleInfo(_C, _E, "`cmo codebook link` links a code to itself"),
    Rule.LINK_SAME_PROGRAMME: RuleInfo(_C, _E, "`cmo codebook link` links two codes one programme sees"),
    Rule.LINK_KIND: RuleInfo(_C, _E, "`cmo codebook link` links codes of different kinds"),
    Rule.LINK_CONFLICT: RuleInfo(
        _C, _E, "linking a pair recorded as `not_same_as`, or rejecting one linked by `same_as`"
    ),
    Rule.LINK_UNSAFE: RuleInfo(_C, _E, "the codebook cannot gain the entry without changing more than one list"),
    Rule.DUPLICATE_CMOC: RuleInfo(_TH, _E, "a CMOC id appears twice in one theory"),
    Rule.DANGLING_LINK: RuleInfo(_TH, _E, "a CMOC links to an id that is no CMOC of the theory"),
    Rule.PROGRAMME_UNKNOWN: RuleInfo(
        _TH, _W, "a theory's programme is not in the corpus, so its codes were not checked"
    ),
    Rule.STATUS_EVIDENCE: RuleInfo(_TH, _W, "a CMOC's status that its evidence does not bear out (or never revisited)"),
    Rule.CMOC_INCOMPLETE: RuleInfo(_TH, _W, "a curated CMOC that lacks a context, a mechanism or an outcome"),
    Rule.MERGE_UNSAFE: RuleInfo(_M, _E, "merge cannot edit the theory file without losing what people wrote"),
    Rule.CMOC_NO_EVIDENCE: RuleInfo(_M, _W, "a curated CMOC lost all its evidence (or no longer converges); kept"),
    Rule.THEORY_MISSING: RuleInfo(_A, _E, "no theory file for a programme named on the command line"),
    Rule.COMPARE_DUPLICATE: RuleInfo(_A, _E, "a programme is named twice"),
    Rule.UNKNOWN_CMOC: RuleInfo(_A, _E, "`cmo import --cmoc` names a CMOC the source programme does not have"),
    Rule.IMPORT_CLASH: RuleInfo(_A, _E, "an imported CMOC's id is already a CMOC of the target programme"),
    Rule.IMPORT_UNTRANSLATABLE: RuleInfo(
        _A,
        _E,
        "a CMOC's context, mechanism or outcome has no equivalent in the target (a warning with --allow-partial)",
    ),
    Rule.NOT_OVERARCHING: RuleInfo(_A, _E, "the `--out` of synthesise is a file that is not an overarching theory"),
    Rule.THEORY_KIND: RuleInfo(
        _A, _E, "a file named as a theory is not the kind the command reads (or no theory at all)"
    ),
    Rule.QDPX_ARCHIVE: RuleInfo(_Q, _E, "not a readable zip file, or an entry that cannot be read"),
    Rule.QDPX_UNSAFE_ENTRY: RuleInfo(_Q, _E, "a zip entry with an absolute path or `..`, or given twice"),
    Rule.QDPX_TOO_LARGE: RuleInfo(_Q, _E, "the project inflates to more than 512 MB"),
    Rule.QDPX_TOO_MANY_ENTRIES: RuleInfo(_Q, _E, "the project holds more than 20,000 zip entries"),
    Rule.QDPX_COMPRESSION: RuleInfo(_Q, _E, "a zip entry inflates too many times its stored size (a zip bomb?)"),
    Rule.QDPX_PROJECT_MISSING: RuleInfo(_Q, _E, "no project.qde in the file"),
    Rule.QDPX_XML: RuleInfo(_Q, _E, "project.qde is not well-formed REFI-QDA XML, or nests too deeply"),
    Rule.QDPX_XML_REFUSED: RuleInfo(_Q, _E, "project.qde declares a DTD or entities"),
    Rule.QDPX_PROGRAMME: RuleInfo(_Q, _E, "`--programme` names no programme of the corpus"),
    Rule.QDPX_MAP: RuleInfo(_Q, _E, "a `--map` that cannot be read, names an unknown code or kind, or a bad id"),
    Rule.QDPX_SOURCE: RuleInfo(
        _Q, _W, "a source not imported: no plain text, outside the project, not UTF-8 or not text"
    ),
    Rule.QDPX_SOURCE_TYPE: RuleInfo(_Q, _W, "a source type that is not cmo's (an error when there is none at all)"),
    Rule.QDPX_SELECTION: RuleInfo(
        _Q, _W, "a selection without coding, with positions outside the text, or whole-source"
    ),
    Rule.QDPX_UNPLACED_CODE: RuleInfo(_Q, _W, "codings of codes that have no kind, are categories or not in the tree"),
    Rule.QDPX_INCOMPLETE: RuleInfo(_Q, _W, "a configuration left out or written as one list of mechanism codes"),
    Rule.QDPX_FENCE: RuleInfo(_Q, _W, "a source with lines that Markdown reads as code fences"),
    Rule.QDPX_EXISTS: RuleInfo(_Q, _E, "the transcript to write exists already (use `--force`)"),
    Rule.QDPX_OUTSIDE: RuleInfo(_Q, _E, "a file the import would write lands outside the corpus through a symlink"),
    Rule.QDPX_EXPORT: RuleInfo(_Q, _W, "a record's evidence is not in the exported text; left out"),
}
