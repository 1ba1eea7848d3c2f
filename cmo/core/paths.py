"""How a path is shown to a person: relative to the working directory when under it."""

from __future__ import annotations

import os
from pathlib import Path


def display_path(path: Path) -> str:
    """How a path is shown in a diagnostic: relative to the working directory when under it."""
    try:
        relative = os.path.relpath(path)
    except ValueError:  # another drive on Windows
        return str(path)
    return str(path) if relative.startswith("..") else relative
