"""What the EKS managed VPC CNI add-on accepts in its ``configurationValues``.

``aws eks describe-addon-configuration`` returns the add-on's JSON Schema; ``env`` and
``init.env`` take a fixed set of aws-node variables and reject any other, so a variable outside it
(``ENABLE_IPv6``, chosen when the cluster is created, for one) makes ``update-addon`` fail.
eksplan bundles the names and types that schema allows, generated from a copy of it by
``eksplan addon-schema refresh`` and never edited by hand.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .._io import atomic_write_text
from ..echo import shown
from ..errors import CatalogError

__all__ = ["AddonSchema", "BUNDLED_ADDON_SCHEMA", "load_addon_schema", "parse_addon_schema", "write_addon_schema"]

BUNDLED_ADDON_SCHEMA = Path(__file__).resolve().parent.parent / "data" / "vpc-cni-addon-schema.json"


@dataclass(frozen=True)
class AddonSchema:
    """Top-level keys, ``env`` and ``init.env`` variables (name -> format) the add-on accepts."""

    keys: dict
    env: dict
    init_env: dict
    source: str

    def accepts(self, name: str) -> bool:
        return name in self.env


def _properties(schema: dict, definition: str) -> dict:
    try:
        properties = schema["definitions"][definition]["properties"]
        bodies = sorted(properties.items())
        formats = {name: body.get("format") or body.get("type") or "object" for name, body in bodies}
    except (KeyError, TypeError, AttributeError):
        raise CatalogError(f"add-on schema: no definitions.{definition}.properties (expected the output of "
                           "'aws eks describe-addon-configuration' decoded)") from None
    odd = next((name for name, value in formats.items() if not isinstance(value, str)), None)
    if odd is not None:
        raise CatalogError(f"add-on schema: definitions.{definition}.properties.{shown(odd)}: expected a format or "
                           "type given as text")
    return formats


def parse_addon_schema(text: str, source: str) -> dict:
    """The bundled document for an add-on configuration schema's text."""
    from ..inputs import InputError, load_json

    try:
        schema = load_json(text, "add-on schema")
    except InputError as exc:
        raise CatalogError(str(exc)) from None
    return {"schema": 1, "source": source, "keys": _properties(schema, "VpcCni"), "env": _properties(schema, "Env"),
            "init_env": _properties(schema, "InitEnv")}


def write_addon_schema(document: dict, path: Path) -> Path:
    atomic_write_text(path, json.dumps(document, indent=2) + "\n")
    return path


@lru_cache(maxsize=4)
def load_addon_schema(path: Path | None = None) -> AddonSchema:
    path = path or BUNDLED_ADDON_SCHEMA
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
        return AddonSchema(document["keys"], document["env"], document["init_env"], document["source"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise CatalogError(f"{path.name}: not an add-on schema snapshot ({exc})") from None
