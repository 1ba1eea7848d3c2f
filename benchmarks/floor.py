"""The floor `cmo code` is measured against: read the same files, parse only their annotation blocks' YAML with libyaml."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

_BLOCK = re.compile(r"^```cmo\n(.*?)^```", re.MULTILINE | re.DOTALL)


def floor(root: Path) -> int:
    """Annotation mappings found; nothing validated, nothing located, nothing kept."""
    found = 0
    for path in sorted(root.rglob("*.md")):
        text = path.read_bytes().decode("utf-8")
        for match in _BLOCK.finditer(text):
            data = yaml.load(match.group(1), Loader=yaml.CSafeLoader)
            found += len(data) if isinstance(data, list) else 1
    return found


if __name__ == "__main__":
    print(floor(Path(sys.argv[1])))
