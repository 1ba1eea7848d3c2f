"""The hooks in .pre-commit-hooks.yaml run real cmo commands that pass on this repository's own corpus."""

from __future__ import annotations

import shlex
from collections.abc import Callable

import pytest
import yaml

from tests.conftest import REPO, Result


def test_each_hook_entry_is_a_cmo_command_that_passes_on_the_demo(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    hooks = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert {hook["id"] for hook in hooks} == {"cmo-validate", "cmo-merge-check"}
    monkeypatch.chdir(REPO)
    for hook in hooks:
        program, *args = shlex.split(hook["entry"])
        assert program == "cmo"
        assert hook["pass_filenames"] is False
        result = cli(*args)
        assert result.exit_code == 0, (hook["id"], result.stdout, result.stderr)
