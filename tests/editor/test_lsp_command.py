"""`cmo lsp` without pygls says how to install it, on one line, and exits 2."""

from __future__ import annotations

import sys
from collections.abc import Callable

import pytest

from tests.conftest import Result


def test_without_pygls_cmo_lsp_says_how_to_install_it(
    cli: Callable[..., Result], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(sys.modules, "pygls", None)  # `import pygls` now raises ImportError
    monkeypatch.setitem(sys.modules, "pygls.lsp.server", None)
    monkeypatch.delitem(sys.modules, "cmo.editor.server", raising=False)
    result = cli("lsp")
    assert (result.exit_code, result.stdout, result.stderr) == (2, "", "cmo lsp needs pygls: pip install 'cmo[lsp]'\n")
