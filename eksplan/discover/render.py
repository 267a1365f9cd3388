"""A discovered spec as YAML, each value commented with where it came from."""

from __future__ import annotations

import yaml

from .infer import Discovered

__all__ = ["render_spec"]


def _flow(value) -> str:
    text = yaml.safe_dump(value, default_flow_style=True, width=10**9, sort_keys=False).strip()
    return text.removesuffix("\n...").removesuffix("...").strip()


def _comment(notes: dict, path: tuple) -> str:
    note = notes.get(path)
    return f"  # {note}" if note else ""


def _scalar_like(value) -> bool:
    return not isinstance(value, (dict, list)) or (isinstance(value, list) and all(
        not isinstance(v, (dict, list)) for v in value))


def _emit(mapping: dict, path: tuple, indent: int, notes: dict, out: list, first_prefix: str | None = None) -> None:
    for i, (key, value) in enumerate(mapping.items()):
        pad = " " * indent
        lead = f"{pad[:-2]}{first_prefix}" if first_prefix is not None and i == 0 else pad
        here = path + (key,)
        if _scalar_like(value):
            out.append(f"{lead}{key}: {_flow(value)}{_comment(notes, here)}")
        elif isinstance(value, dict):
            if not value:
                out.append(f"{lead}{key}: {{}}{_comment(notes, here)}")
                continue
            out.append(f"{lead}{key}:{_comment(notes, here)}")
            _emit(value, here, indent + 2, notes, out)
        else:
            out.append(f"{lead}{key}:{_comment(notes, here)}")
            for j, item in enumerate(value):
                _emit(item, here + (j,), indent + 4, notes, out, first_prefix="- ")


def render_spec(found: Discovered) -> str:
    """The spec's YAML: a header naming the source, then every key with its provenance."""
    lines = [
        f"# {found.name}: discovered by 'eksplan discover' from {found.observed.source}.",
        "# Each value's comment says where it came from. What discovery saw (nodes, addresses, free /28",
        f"# blocks) is in {found.spec['observed']} beside this file.",
    ]
    if found.missing:
        lines.append("# UNKNOWN values (placeholders a capture would replace):")
        lines.extend(f"#   {u.what}: {u.why}" for u in found.missing)
    out: list[str] = []
    _emit(found.spec, (), 0, found.notes, out)
    return "\n".join(lines + out) + "\n"
