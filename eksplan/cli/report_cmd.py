"""``eksplan report``: one HTML architecture decision report per cluster, and an index page."""

from __future__ import annotations

import argparse

from ._args import whole_number


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("report", help="render HTML reports for a fleet of clusters",
                            description="Validate every spec, render one report per cluster (HTML and a JSON twin) "
                                        "and index.html. Exit status 1 when any cluster failed; 130 (Ctrl-C) or 143 "
                                        "(SIGTERM) when stopped, after writing the index of what finished; 2 at once "
                                        "when another run is writing into OUT_DIR.")
    p.add_argument("inputs", nargs="+", metavar="FLEET_OR_FILES")
    p.add_argument("-o", "--output", required=True, metavar="OUT_DIR")
    p.add_argument("--jobs", type=whole_number(1), metavar="N",
                   help="reports rendered at once, one kernel each (default: one per core, "
                        "but one per 2 clusters at most)")
    p.add_argument("--engine", choices=("kernel", "papermill"), default="kernel",
                   help="kernel: reused kernels, reset between reports (fast, the default); "
                        "papermill: papermill's own run, a fresh kernel per report")
    p.set_defaults(run=run)


def progress(text: str) -> None:
    """A progress line on stderr, with the control characters of cluster names escaped."""
    import sys

    from ..echo import printable

    print(printable(text), file=sys.stderr, flush=True)


def run(args: argparse.Namespace) -> int:
    import signal
    import sys

    from ..echo import printable
    from ..report.lifecycle import Interrupted, raise_on_sigterm
    from ..report.paths import output_folder

    raise_on_sigterm()  # outside a run (which handles both itself), SIGTERM stops like Ctrl-C
    out = output_folder(args.output)  # before any other work

    from ..report.engines import skip_iri_format_checker
    from ..report.fleet import render_fleet

    skip_iri_format_checker()  # this process is eksplan's own: see engines.skip_iri_format_checker

    try:
        result = render_fleet(args.inputs, out, args.jobs, progress, engine=args.engine)
    except Interrupted as exc:
        print(f"eksplan report: stopped by {signal.Signals(exc.signum).name}", file=sys.stderr)
        return 128 + exc.signum
    for failure in result.spec_failures:
        for error in failure["errors"]:
            print(printable(error), file=sys.stderr)
    ok = sum(o.ok for o in result.outcomes)
    cancelled = sum(o.cancelled for o in result.outcomes)
    failed = len(result.outcomes) - ok - cancelled + len(result.spec_failures)
    if result.interrupted:
        print(f"eksplan report: stopped by {signal.Signals(result.interrupted).name}: {ok} report(s) written, "
              f"{failed} failed, {cancelled} cancelled", file=sys.stderr)
        print(printable(str(result.index)))
        return 128 + result.interrupted
    print(f"{ok} report(s) written, {failed} failed", file=sys.stderr)
    print(printable(str(result.index)))
    return 0 if result.ok else 1
