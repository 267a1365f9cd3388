"""``eksplan addon-schema``: what the managed VPC CNI add-on accepts in its configurationValues."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ..errors import CatalogError


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("addon-schema", help="the VPC CNI add-on's configurationValues schema",
                            description="Show or regenerate the variables the managed VPC CNI add-on accepts.")
    sub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    sub.required = True
    show = sub.add_parser("show", help="print the accepted keys and aws-node variables")
    show.set_defaults(run=run_show)
    refresh = sub.add_parser(
        "refresh", help="regenerate the snapshot from a schema",
        description="Read the decoded configurationSchema of 'aws eks describe-addon-configuration --addon-name "
                    "vpc-cni --addon-version V' and write what it accepts.")
    refresh.add_argument("--from-file", required=True, type=Path, metavar="FILE", help="the schema, as JSON")
    refresh.add_argument("--source", required=True, metavar="TEXT", help="where the schema comes from, recorded")
    refresh.add_argument("--output", type=Path, help="where to write it (default: the one bundled with eksplan)")
    refresh.set_defaults(run=run_refresh)


def run_show(args: argparse.Namespace) -> int:
    from ..catalog.addon import load_addon_schema

    schema = load_addon_schema()
    print(f"source: {schema.source}")
    print("keys: " + ", ".join(schema.keys))
    print("env: " + ", ".join(schema.env))
    print("init.env: " + ", ".join(schema.init_env))
    return 0


def run_refresh(args: argparse.Namespace) -> int:
    from ..catalog import addon

    from ..inputs import LIMITS, InputError, read_text

    try:
        text = read_text(args.from_file, str(args.from_file), LIMITS["json"].max_bytes)
    except InputError as exc:
        raise CatalogError(str(exc)) from None
    document = addon.parse_addon_schema(text, args.source)
    written = addon.write_addon_schema(document, args.output or addon.BUNDLED_ADDON_SCHEMA)
    print(f"wrote {len(document['env'])} aws-node variables to {written}", file=sys.stderr)
    return 0
