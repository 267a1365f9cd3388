"""``eksplan validate``: check cluster specs and report every error."""

from __future__ import annotations

import argparse
import sys


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("validate", help="check cluster spec files (every error, not only the first)",
                            description="Validate cluster specs: files, fleet files or directories of them. "
                                        "Exit status 0 when all are valid, 2 otherwise.")
    p.add_argument("inputs", nargs="+", metavar="FILE_OR_DIR")
    p.add_argument("--catalog", metavar="PATH", help="an instance-type snapshot (default: the bundled one)")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..catalog import load_catalog
    from ..echo import printable
    from ..spec import load_fleet

    fleet = load_fleet(args.inputs, load_catalog(args.catalog))
    for issue in fleet.issues:
        print(issue, file=sys.stderr)
    names = printable(", ".join(c.name for c in fleet.clusters)) or "none"
    if fleet.issues:
        failed = len(fleet.failed_clusters())
        print(f"{len(fleet.issues)} error(s) in {failed} cluster(s) or file(s); valid: {names}", file=sys.stderr)
        return 2
    print(f"ok: {len(fleet.clusters)} cluster(s) valid ({names})")
    return 0
