"""The rule registry is complete: every rule is documented, used through `Rule`, and every id in use is registered."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import Path

from cmo.core.diagnostics import Diagnostics, Severity
from cmo.core.rules import RULES, Rule

ROOT = Path(__file__).resolve().parent.parent.parent
CMO = ROOT / "cmo"
REGISTRY = CMO / "core" / "rules.py"
DOCS = ROOT / "docs" / "rules.md"
TESTS = ROOT / "tests"
IDS = {rule.value for rule in Rule}
# A string in cmo/ equal to a rule id that is not a rule: none today. Each entry needs a reason, such as
# ("cmo/x.py", "some-id"): "a key of the JSON output that happens to read like the rule".
NOT_RULES: dict[tuple[str, str], str] = {}
# A rule id is lower-case words joined by hyphens, or one such word.
_ID = r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*"
_DOC_ROW = re.compile(rf"^\| `({_ID})` \| (error|warning) \|", re.M)


def _modules() -> Iterator[tuple[str, ast.Module]]:
    for path in sorted(CMO.rglob("*.py")):
        if path != REGISTRY:
            yield str(path.relative_to(ROOT)), ast.parse(path.read_text(encoding="utf-8"))


def _rule_literals(tree: ast.Module) -> list[tuple[int, str]]:
    return [
        (node.lineno, node.value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in IDS
    ]


def _rule_argument(call: ast.Call) -> ast.expr | None:
    """The rule a call reports, for every way cmo reports one; None for any other call."""
    for keyword in call.keywords:
        if keyword.arg == "rule":
            return keyword.value
    func = call.func
    name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
    args = call.args
    if name in ("YamlError", "QdpxError") and args:
        return args[0]
    if name == "Diagnostic" and len(args) >= 4:
        return args[3]
    receiver = ast.unparse(func.value) if isinstance(func, ast.Attribute) else ""
    if name == "add" and receiver.endswith("diagnostics") and len(args) >= 4:
        return args[3]
    # The collectors of coding (`self.error(mark, rule, message)`) and of the qdpx import (`self.warn(rule, message)`).
    if name in ("error", "warn") and receiver == "self" and len(args) in (2, 3):
        return args[-2]
    return None


def _rule_arguments() -> Iterator[tuple[str, int, ast.expr]]:
    for shown, tree in _modules():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and (argument := _rule_argument(node)) is not None:
                yield shown, node.lineno, argument


def test_the_table_describes_every_rule_and_only_rules() -> None:
    assert list(RULES) == list(Rule)
    assert all(info.description and not info.description.endswith(".") for info in RULES.values())
    assert "unknown-code" in {Rule.UNKNOWN_CODE} and f"[{Rule.UNKNOWN_CODE}]" == "[unknown-code]"
    assert Rule.FENCE_INFO.info.severity is Severity.WARNING


def test_a_rule_is_stored_as_the_plain_string_it_equals() -> None:
    # The coding cache marshals diagnostics, and marshal refuses str subclasses.
    diagnostics = Diagnostics()
    diagnostics.add("t.md", 1, 1, Rule.UNKNOWN_CODE, "message")
    assert type(diagnostics.items[0].rule) is str


def test_every_rule_is_in_the_docs_with_its_severity() -> None:
    documented = dict(_DOC_ROW.findall(DOCS.read_text(encoding="utf-8")))
    assert sorted(IDS - documented.keys()) == []
    assert sorted(documented.keys() - IDS) == []
    assert {rule: documented[rule] for rule in Rule if documented[rule] != rule.info.severity} == {}


def test_every_rule_in_the_docs_has_an_example() -> None:
    examples = set(re.findall(rf"^.+?:\d+:\d+: (?:error|warning)\[({_ID})\]: \S", DOCS.read_text("utf-8"), re.M))
    assert sorted(IDS - examples) == []


def test_no_rule_id_is_written_as_a_string_outside_the_registry() -> None:
    found = [
        f"{shown}:{line}: {value!r} (write Rule.{Rule(value).name})"
        for shown, tree in _modules()
        for line, value in _rule_literals(tree)
        if (shown, value) not in NOT_RULES
    ]
    assert found == []


def test_every_rule_reported_in_the_code_is_registered() -> None:
    seen = list(_rule_arguments())
    assert len(seen) > 100  # the scan finds the call sites, so an empty result means something
    unregistered = [
        f"{shown}:{line}: {ast.unparse(argument)}"
        for shown, line, argument in seen
        if (isinstance(argument, ast.Constant) and argument.value not in IDS)
        or (
            isinstance(argument, ast.Attribute)
            and ast.unparse(argument.value) == "Rule"
            and argument.attr not in Rule.__members__
        )
    ]
    assert unregistered == []


def test_every_rule_the_tests_expect_is_registered() -> None:
    mentioned: dict[str, str] = {}
    pattern = re.compile(rf"(?:error|warning)\[({_ID})\]|\brule == \"({_ID})\"|\"rule\": \"({_ID})\"")
    for path in sorted(TESTS.rglob("*")):
        if path.is_file() and path.suffix in (".py", ".txt", ".md", ".json", ".csv"):
            for match in pattern.finditer(path.read_text(encoding="utf-8", errors="replace")):
                mentioned.setdefault(next(g for g in match.groups() if g), str(path.relative_to(ROOT)))
    # `error[rule]` is how the docstrings name the format itself.
    mentioned.pop("rule", None)
    assert len(mentioned) > 40
    assert {rule: where for rule, where in mentioned.items() if rule not in IDS} == {}
