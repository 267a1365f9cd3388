"""Render a fleet: one report per cluster (notebook executed, exported to HTML), a JSON twin each,
and an index page. One failing cluster never stops the others; every file is written atomically.

A run holds its output folder alone, works in a scratch folder of its own, and leaves neither
a process nor a scratch file behind however it ends (see :mod:`eksplan.report.lifecycle`).
SIGINT and SIGTERM stop it: what finished is kept, and the index lists the rest as cancelled.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import sys
import time
from dataclasses import dataclass, field
from functools import lru_cache, partial
from pathlib import Path
from typing import Callable, Sequence

from .._io import atomic_write_text
from .paths import RESERVED_NAMES

__all__ = ["Task", "Outcome", "FleetResult", "render_fleet", "slugify", "REPORT_PARAMETERS"]

#: The report notebook's parameters (checked against its parameters cell before any run).
REPORT_PARAMETERS = ("spec_path", "cluster_name", "show_configuration", "in_fleet")


def slugify(name: str) -> str:
    """A file name for a cluster: lower-case letters, digits and dashes only."""
    slug = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return slug[:80] or "cluster"


@dataclass(frozen=True)
class Task:
    name: str
    slug: str
    spec_file: str
    source: str


@dataclass
class Outcome:
    name: str
    slug: str
    source: str
    ok: bool
    seconds: float
    error: str | None = None
    notebook: str | None = None
    summary: dict = field(default_factory=dict)
    #: Not rendered: the run was stopped first (SIGINT, SIGTERM).
    cancelled: bool = False


@dataclass
class FleetResult:
    out_dir: Path
    index: Path
    outcomes: list[Outcome]
    spec_failures: list[dict]
    #: The signal that stopped the run (its exit status is 128 + this), or None.
    interrupted: int | None = None

    @property
    def ok(self) -> bool:
        return not self.spec_failures and all(o.ok for o in self.outcomes) and self.interrupted is None


def _tasks(clusters, work: Path) -> list[Task]:
    """One task per cluster, each with its validated spec in a file of its own.

    A report then reads one cluster, not its whole fleet file again (which would make a fleet's
    rendering grow with the square of its size); the file keeps the original's name for display.
    """
    import yaml

    seen: set[str] = set(RESERVED_NAMES)  # a cluster named Index must not overwrite index.html
    tasks = []
    for loaded in clusters:
        slug = base = slugify(loaded.name)
        n = 2
        while slug in seen:
            slug, n = f"{base}-{n}", n + 1
        seen.add(slug)
        data = loaded.spec.model_dump(mode="json", by_alias=True, exclude_none=True)
        data.pop("describe_subnets", None)  # already applied: available addresses and tags are in the spec
        spec_file = work / "specs" / slug / Path(loaded.file).name
        spec_file.parent.mkdir(parents=True, exist_ok=True)
        if loaded.spec.observed:  # beside the spec copy: a spec may only name files in its own folder
            observed = spec_file.parent / Path(loaded.spec.observed).name
            shutil.copyfile(loaded.spec.observed, observed)
            data["observed"] = observed.name
        spec_file.write_text(yaml.safe_dump(data, sort_keys=False))
        tasks.append(Task(loaded.name, slug, str(spec_file.resolve()), loaded.file))
    return tasks


@dataclass(frozen=True)
class _Prepared:
    tasks: list[Task]
    spec_failures: list[dict]


def render_fleet(inputs: Sequence[str | Path], out_dir: str | Path, jobs: int | None = None,
                 progress: Callable[[str], None] | None = None, engine: str = "kernel") -> FleetResult:
    """Validate every spec, render each cluster's report (``jobs`` kernels at once), then the index.

    Fails at once with :class:`~eksplan.errors.OutputBusy` if another run is writing
    into ``out_dir``. SIGINT and SIGTERM (in the main thread) stop the run: the result's
    ``interrupted`` names the signal, and the index lists the clusters not rendered as cancelled.
    """
    from .lifecycle import Scratch, StopSignals, Watchdog, output_lock
    from .runner import run_tasks

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    say = progress or (lambda text: None)
    with StopSignals() as stop, output_lock(out) as held:
        scratch, watchdog, run = Scratch(out, sweep=held), None, None
        try:
            watchdog = Watchdog(scratch.path)
            run = run_tasks(partial(_prepare, inputs, scratch.path), out, scratch.path, jobs, say, stop, engine,
                            watchdog, background=_warm_index)
            spec_failures = run.prepared.spec_failures
            index = write_index(out, run.outcomes, spec_failures, run.bundle, scratch=scratch.path,
                                interrupted=stop.signum)
            write_about(out, scratch.path)
        finally:
            scratch.remove()
            if watchdog is not None and run is not None and run.lingering:
                watchdog.linger()
            elif watchdog is not None:
                watchdog.done()
    return FleetResult(out, index, run.outcomes, spec_failures, stop.signum)


def _prepare(inputs: Sequence[str | Path], scratch: Path) -> _Prepared:
    """Load and validate the specs (while the first kernel boots), one task per valid cluster."""
    from ..catalog import load_catalog
    from ..spec import load_fleet
    from .runner import check_parameters

    fleet = load_fleet(inputs, load_catalog())
    spec_failures = [{"file": file, "cluster": cluster, "errors": [str(i) for i in issues]}
                     for file, cluster, issues in fleet.failed_clusters()]
    check_parameters(REPORT_PARAMETERS)
    return _Prepared(_tasks(fleet.clusters, scratch), spec_failures)


def _warm_index() -> None:
    """Import and compile what the index needs (altair for its chart), ahead of writing it."""
    import altair  # noqa: F401

    from .. import charts, rules  # noqa: F401
    from . import triage  # noqa: F401
    from .html import environment

    environment().get_template("index.html.j2")
    _about_page()  # the explanation page does not depend on the fleet: built while the kernels work


def write_index(out: Path, outcomes: list[Outcome], spec_failures: list[dict], bundle: str | None = None,
                scratch: Path | None = None, interrupted: int | None = None) -> Path:
    """index.html: the fleet at a glance, a chart, what failed with its errors, what was cancelled.

    Written in ``scratch`` (when given) and renamed into ``out``, so that a killed run leaves
    no temporary file among the reports.
    """
    from markupsafe import Markup

    from .. import __version__, charts
    from ..rules import SEVERITIES
    from .html import chart_html, environment, vega_bundle
    from .triage import fleet_totals, triage_key

    rows = sorted((o for o in outcomes if o.ok), key=lambda o: triage_key({"name": o.name, "summary": o.summary}))
    totals = fleet_totals([o.summary for o in rows])
    chart = None
    chart_rows = [{"cluster": o.name, "severity": s, "count": c, "rank": rank, "order": order}
                  for order, o in enumerate(rows) for rank, s in enumerate(SEVERITIES)
                  if (c := o.summary.get("counts", {}).get(s))]  # in the table's order, worst first
    if chart_rows:
        chart = Markup(chart_html(charts.fleet_findings_chart(chart_rows), "fleet-chart",
                                  "Findings per cluster, by severity."))
    failures = [{"name": o.name, "source": o.source, "error": o.error, "notebook": o.notebook}
                for o in outcomes if not o.ok and not o.cancelled]
    cancelled = [{"name": o.name, "source": o.source} for o in outcomes if o.cancelled]
    html = environment().get_template("index.html.j2").render(
        rows=rows, totals=totals, failures=failures, spec_failures=spec_failures, chart=chart, cancelled=cancelled,
        stopped_by=signal.Signals(interrupted).name if interrupted else None,
        resources={"eksplan_vega_bundle": bundle if bundle is not None else vega_bundle()}, version=__version__,
        generated=time.strftime("%Y-%m-%d %H:%M %Z"))
    if scratch is None:
        return atomic_write_text(out / "index.html", html)
    os.replace(atomic_write_text(scratch / "index.html", html), out / "index.html")
    return out / "index.html"


@lru_cache(maxsize=1)
def _about_page() -> str:
    from .about import about_html

    return about_html()


def write_about(out: Path, scratch: Path | None = None) -> Path:
    """about.html: how eksplan computes, decides and judges, which every report links to."""
    html = _about_page()
    if scratch is None:
        return atomic_write_text(out / "about.html", html)
    os.replace(atomic_write_text(scratch / "about.html", html), out / "about.html")
    return out / "about.html"


def main_progress(stream=sys.stderr) -> Callable[[str], None]:
    """Progress lines on the terminal (a line per finished report)."""
    def say(text: str) -> None:
        print(text, file=stream, flush=True)
    return say
