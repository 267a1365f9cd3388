"""Entry point of the ``eksplan`` command.

Every subcommand maps eksplan's errors to one line on stderr and exit status 2; nothing the
user typed can produce a traceback.
"""

from __future__ import annotations

import argparse
import sys
from typing import Sequence

from .. import __version__
from ..errors import EksplanError
from . import (addon_cmd, catalog_cmd, discover_cmd, maxpods_cmd, plan_cmd, prefixmap_cmd, report_cmd, simulate_cmd,
               subnets_cmd, validate_cmd)

#: Subcommand modules, in the order ``--help`` lists them. Each has ``register`` and ``run``.
COMMANDS = (report_cmd, plan_cmd, validate_cmd, subnets_cmd, maxpods_cmd, simulate_cmd, catalog_cmd, addon_cmd,
            discover_cmd, prefixmap_cmd)

USAGE_ERROR = 2


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line: ``eksplan max-pods: error: ...``."""

    def error(self, message: str):  # noqa: D401 - argparse's signature
        self.exit(USAGE_ERROR, f"{self.prog}: error: {message}\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="eksplan", description="Plan Amazon EKS networking (VPC CNI and IP addresses).")
    parser.add_argument("--version", action="version", version=f"eksplan {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: already printed
        return exc.code if isinstance(exc.code, int) else USAGE_ERROR
    try:
        return args.run(args)
    except EksplanError as exc:
        print(f"eksplan {args.command}: error: {exc}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # e.g. `eksplan max-pods --all | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"eksplan {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
