"""Entry point of the ``eksplan`` command.

Every subcommand maps eksplan's errors to one line per error on stderr and exit status 2;
nothing the user typed can produce a traceback. Anything else is a bug in eksplan: it is shown
as one line and exit status 70 (``EX_SOFTWARE`` of sysexits.h), and ``--debug`` shows its
traceback.
"""

from __future__ import annotations

import argparse
import sys
import traceback
from typing import Sequence

from .. import __version__
from ..echo import EscapingStream, clipped
from ..errors import EksplanError
from . import (addon_cmd, catalog_cmd, discover_cmd, maxpods_cmd, plan_cmd, prefixmap_cmd, report_cmd, simulate_cmd,
               subnets_cmd, validate_cmd)

#: Subcommand modules, in the order ``--help`` lists them. Each has ``register`` and ``run``.
COMMANDS = (report_cmd, plan_cmd, validate_cmd, subnets_cmd, maxpods_cmd, simulate_cmd, catalog_cmd, addon_cmd,
            discover_cmd, prefixmap_cmd)

USAGE_ERROR = 2
INTERNAL_ERROR = 70


class Parser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (``eksplan max-pods: error: ...``), with ``--debug``."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # On every command, so that it can follow the command's own arguments; SUPPRESS keeps a
        # subcommand from resetting a --debug given before it.
        self.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                          help="on an internal error, show its traceback")

    def error(self, message: str):  # noqa: D401 - argparse's signature
        self.exit(USAGE_ERROR, f"{self.prog}: error: {clipped(message)}\n")


def error_lines(exc: EksplanError) -> list[str]:
    """One printable line per error (a spec error carries several)."""
    return [clipped(line) for line in exc.lines()]


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="eksplan", description="Plan Amazon EKS networking (VPC CNI and IP addresses).")
    parser.add_argument("--version", action="version", version=f"eksplan {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=Parser)
    commands.required = True
    for module in COMMANDS:
        module.register(commands)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; every line it prints has the terminal control characters of input escaped."""
    stdout, stderr = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = EscapingStream(stdout), EscapingStream(stderr)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = stdout, stderr


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, usage errors: already printed
        return exc.code if isinstance(exc.code, int) else USAGE_ERROR
    try:
        return args.run(args)
    except EksplanError as exc:
        for line in error_lines(exc):
            print(f"eksplan {args.command}: error: {line}", file=sys.stderr)
        return USAGE_ERROR
    except BrokenPipeError:  # e.g. `eksplan max-pods --all | head`
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print(f"eksplan {args.command}: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last line of defence; tests assert no input reaches it
        summary = clipped(f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__, 300)
        if getattr(args, "debug", False):
            traceback.print_exc()
            print(f"eksplan: internal error: {summary}", file=sys.stderr)
        else:
            print(f"eksplan: internal error: {summary} (run with --debug for the traceback)", file=sys.stderr)
        return INTERNAL_ERROR


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
