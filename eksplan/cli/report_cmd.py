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
    p.add_argument("--pdf", action="store_true",
                   help="also print each report to PDF beside its HTML, with headless Chromium or Chrome")
    p.add_argument("--chromium", metavar="PATH",
                   help="the Chromium or Chrome executable for --pdf (default: $EKSPLAN_CHROMIUM, else the first of "
                        "chromium, chromium-browser, google-chrome on PATH)")
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
    chromium = None
    if args.pdf:
        from ..report.pdf import find_chromium

        chromium = find_chromium(args.chromium)  # before anything is made: a missing browser is one line, at once
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
    pdf_failed = _print_pdfs(result, chromium) if chromium else 0
    print(f"{ok} report(s) written, {failed} failed" + (f"; {ok - pdf_failed} PDF(s) printed, {pdf_failed} failed"
                                                        if chromium else ""), file=sys.stderr)
    print(printable(str(result.index)))
    return 0 if result.ok and not pdf_failed else 1


def _print_pdfs(result, chromium: str) -> int:
    """Print every rendered report to PDF; one report's failure is reported and the others go on."""
    import sys

    from ..echo import printable
    from ..report.pdf import PdfError, print_pdf

    failed = 0
    for outcome in result.outcomes:
        if not outcome.ok:
            continue
        try:
            print_pdf(result.out_dir / f"{outcome.slug}.html", chromium=chromium)
        except PdfError as exc:
            failed += 1
            print(printable(f"{outcome.name}: PDF: {exc}"), file=sys.stderr)
    return failed
