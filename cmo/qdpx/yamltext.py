"""YAML text for the files an import writes (programme, codebook, front matter, annotations): plain, deterministic."""

from __future__ import annotations

from typing import Any

import yaml


class Flow(dict[str, Any]):
    """A mapping written on one line, `{resource: a, reasoning: b}`, as people write a split mechanism."""


class _Dumper(yaml.SafeDumper):
    """Safe dumping; lists of codes on one line, a multi-line string as a literal block."""


def _string(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style="|" if "\n" in value else None)


def _list(dumper: yaml.SafeDumper, value: list[Any]) -> yaml.SequenceNode:
    return dumper.represent_sequence("tag:yaml.org,2002:seq", value, flow_style=True)


def _flow(dumper: yaml.SafeDumper, value: Flow) -> yaml.MappingNode:
    return dumper.represent_mapping("tag:yaml.org,2002:map", value, flow_style=True)


_Dumper.add_representer(str, _string)
_Dumper.add_representer(Flow, _flow)


class _FlowListDumper(_Dumper):
    pass


_FlowListDumper.add_representer(list, _list)


def dump(data: Any, *, flow_lists: bool = False) -> str:
    """Keys in the given order, no line wrapping; `flow_lists` writes every list as `[a, b]`."""
    return yaml.dump(
        data,
        Dumper=_FlowListDumper if flow_lists else _Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=10**9,
        default_flow_style=False,
    )


def dump_annotations(mappings: list[dict[str, Any]]) -> str:
    """The YAML of a `cmo` block: one mapping, or a list of them."""
    if len(mappings) == 1:
        return dump(mappings[0], flow_lists=True)
    items = []
    for mapping in mappings:
        lines = dump(mapping, flow_lists=True).splitlines()
        items.append("".join(("- " if i == 0 else "  ") + line + "\n" for i, line in enumerate(lines)))
    return "".join(items)
