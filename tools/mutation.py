"""Mutation testing of the core modules with mutmut 3, module by module, each with the tests that cover it.

Usage (from the repository root, in the mutation venv that `make mutation` builds):

    python tools/mutation.py                      # every core module
    python tools/mutation.py cmo/evidence.py ...  # only these

mutmut reads its settings from [tool.mutmut] in pyproject.toml; this script narrows `only_mutate` to the
modules asked for and the pytest selection to the tests that exercise them, so one module takes minutes,
not the whole suite per mutant. It ends with a kill-rate table per module (docs/testing.md keeps the figures).
"""

from __future__ import annotations

import dataclasses
import fnmatch
import os
import shutil
import sys
from collections import Counter
from pathlib import Path

# Module (glob) -> the tests that exercise it. mutmut then runs, per mutant, only those of these tests
# that call the mutated function (it records that in a first, clean run).
TESTS_BY_MODULE: dict[str, list[str]] = {
    "cmo/corpus/transcript.py": [
        "tests/corpus/test_transcript.py",
        "tests/corpus/test_transcript_parsing.py",
        "tests/corpus/test_coding.py",
        "tests/corpus/test_bad_input.py",
    ],
    "cmo/corpus/layout.py": [
        "tests/corpus/test_layout.py",
        "tests/corpus/test_coding.py",
        "tests/corpus/test_bad_input.py",
        "tests/cli/test_cli.py",
    ],
    "cmo/corpus/evidence.py": ["tests/corpus/test_evidence.py", "tests/corpus/test_coding.py"],
    "cmo/corpus/coding.py": [
        "tests/corpus/test_coding.py",
        "tests/corpus/test_coding_records.py",
        "tests/corpus/test_bad_input.py",
        "tests/corpus/test_cache.py",
    ],
    "cmo/corpus/transcript_coding.py": [
        "tests/corpus/test_coding.py",
        "tests/corpus/test_coding_records.py",
        "tests/corpus/test_bad_input.py",
    ],
    "cmo/yamlio/reader.py": [
        "tests/yamlio/test_reader.py",
        "tests/yamlio/test_reader_safety.py",
        "tests/corpus/test_transcript.py",
        "tests/corpus/test_bad_input.py",
    ],
    "cmo/theory/merge.py": [
        "tests/theory/test_merge.py",
        "tests/theory/test_merge_edges.py",
        "tests/theory/test_merge_properties.py",
        "tests/theory/test_merge_safety.py",
    ],
    "cmo/theory/skeleton.py": ["tests/theory/test_merge_safety.py", "tests/theory/test_merge_edges.py"],
    "cmo/theory/guard.py": ["tests/theory/test_merge_safety.py", "tests/theory/test_merge_edges.py"],
    "cmo/across/matching.py": [
        "tests/across/test_matching.py",
        "tests/across/test_matching_edges.py",
        "tests/across/test_compare.py",
    ],
    "cmo/across/similarity.py": ["tests/across/test_similarity.py"],
    "cmo/across/labels.py": ["tests/across/test_similarity.py"],
    "cmo/across/opposites.py": ["tests/across/test_similarity.py"],
    "cmo/across/compare.py": ["tests/across/test_compare.py", "tests/across/test_compare_edges.py"],
    "cmo/across/pairing.py": ["tests/across/test_compare.py", "tests/across/test_compare_edges.py"],
    "cmo/theory/diff.py": ["tests/theory/test_diff.py", "tests/render/test_diff_formats.py"],
    "cmo/render/diff_text.py": ["tests/render/test_diff_text.py", "tests/render/test_diff_formats.py"],
    "cmo/corpus/cache.py": ["tests/corpus/test_cache.py", "tests/corpus/test_cache_units.py"],
    "cmo/qdpx/archive.py": ["tests/qdpx"],
    "cmo/render/escape.py": ["tests/render/test_html.py", "tests/render/test_html_escaping.py"],
    "cmo/render/html*.py": ["tests/render/test_html.py", "tests/render/test_html_escaping.py"],
    "cmo/render/svg.py": ["tests/render/test_svg.py", "tests/render/test_html_escaping.py"],
}


def _tests_for(modules: list[str]) -> list[str]:
    tests: list[str] = []
    for module in modules:
        for pattern, selected in TESTS_BY_MODULE.items():
            if fnmatch.fnmatch(module, pattern) or module == pattern:
                tests += [t for t in selected if t not in tests]
    return [t for t in tests if Path(t).exists()] or ["tests"]


def main(argv: list[str]) -> int:
    modules = argv or list(TESTS_BY_MODULE)
    unknown = [m for m in modules if not any(fnmatch.fnmatch(m, p) or m == p for p in TESTS_BY_MODULE)]
    if unknown:
        print(f"not a core module: {', '.join(unknown)} (one of: {', '.join(TESTS_BY_MODULE)})", file=sys.stderr)
        return 2
    # mutmut mutates a file only when its copy in mutants/ is missing or older, and copies every source
    # file there unmutated on its first run: a copy made for another selection of modules would silently
    # yield no mutants, so it is thrown away (with its cached results) when the selection changes.
    selection = Path("mutants") / ".cmo-selection"
    wanted = "\n".join(sorted(modules))
    if Path("mutants").exists() and (not selection.exists() or selection.read_text() != wanted):
        shutil.rmtree("mutants")
    Path("mutants").mkdir(exist_ok=True)
    selection.write_text(wanted)
    import mutmut.configuration as configuration

    # Set before mutmut's own modules are imported: some read the configuration at import time.
    base = configuration._load_config()
    configuration._config = dataclasses.replace(
        base,
        only_mutate=modules,
        pytest_add_cli_args_test_selection=_tests_for(modules),
    )
    from mutmut.__main__ import cli
    from mutmut.mutation.data import SourceFileMutationData
    from mutmut.stats import status_by_exit_code
    from mutmut.utils.file_utils import walk_mutatable_files

    children = os.environ.get("MUTATION_JOBS", "2")
    try:
        cli(["run", "--max-children", children], standalone_mode=False)
    except SystemExit as exc:  # mutmut exits on a failing clean run; say so rather than print a table of nothing
        if exc.code:
            return int(exc.code) if isinstance(exc.code, int) else 1
    print(f"\n{'module':<28} {'mutants':>8} {'killed':>7} {'survived':>9} {'other':>6} {'kill rate':>10}")
    for path in sorted(walk_mutatable_files()):
        data = SourceFileMutationData(path=path)
        data.load()
        statuses = Counter(status_by_exit_code[code] for code in data.exit_code_by_key.values())
        total = sum(statuses.values())
        killed = statuses["killed"] + statuses["timeout"] + statuses["caught by type check"]
        survived = statuses["survived"]
        rate = f"{100 * killed / total:.0f}%" if total else "-"
        print(f"{path!s:<28} {total:>8} {killed:>7} {survived:>9} {total - killed - survived:>6} {rate:>10}")
    print("\nsurvivors: `mutmut results`; one of them: `mutmut show NAME` (both in this venv, from the repo root)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
