"""Execute the report notebook per cluster and export it, in worker processes.

Workers are started with the ``spawn`` method: kernels started from forked workers hung in
measurements on this stack. Each worker renders whole reports; a failure is caught per cluster
so that the batch goes on, and the executed notebook is kept for debugging.
"""

from __future__ import annotations

import ast
import json
import os
import shutil
import time
from concurrent.futures import ProcessPoolExecutor, as_completed
from functools import lru_cache
from multiprocessing import get_context
from pathlib import Path
from typing import Callable, Sequence

from .._io import atomic_write_text
from ..errors import EksplanError
from .fleet import Outcome, Task, summary_of
from .paths import notebooks_dir, report_notebook, templates_dir

__all__ = ["run_tasks", "check_parameters", "to_html", "render_one"]


def check_parameters(names: Sequence[str], notebook: Path | None = None) -> None:
    """Fail early unless the notebook's parameters cell defines every parameter we pass.

    papermill only warns about unknown parameters; a renamed parameter would otherwise render
    every report with the notebook's defaults.
    """
    import nbformat

    path = notebook or report_notebook()
    nb = nbformat.read(path, as_version=4)
    cells = [c for c in nb.cells if "parameters" in c.get("metadata", {}).get("tags", [])]
    if len(cells) != 1:
        raise EksplanError(f"{path.name}: expected one cell tagged 'parameters', found {len(cells)}")
    defined = {t.id for node in ast.walk(ast.parse(cells[0].source)) if isinstance(node, ast.Assign)
               for t in node.targets if isinstance(t, ast.Name)}
    missing = [n for n in names if n not in defined]
    if missing:
        raise EksplanError(f"{path.name}: the parameters cell does not define {', '.join(missing)}")


@lru_cache(maxsize=1)
def _exporter():
    from nbconvert import HTMLExporter

    # extra_template_basedirs finds our template directory (a --template-file would be ignored with
    # the lab base); extra_template_paths lets it include the partials shared with the index page.
    exporter = HTMLExporter(template_name="eksplan_report", extra_template_basedirs=[str(templates_dir())],
                            extra_template_paths=[str(templates_dir())])
    exporter.exclude_input = True
    exporter.register_preprocessor(_remove_cells(), enabled=True)
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def _remove_cells():
    from nbconvert.preprocessors import TagRemovePreprocessor

    return TagRemovePreprocessor(remove_cell_tags={"remove-cell", "parameters", "injected-parameters"}, enabled=True)


def to_html(nb, title: str) -> str:
    """The executed notebook as our report page (code hidden, one inlined Vega bundle)."""
    from .html import vega_bundle

    resources = {"metadata": {"name": title}, "eksplan_vega_bundle": vega_bundle()}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return body


def _parameters(task: Task) -> dict:
    return {"spec_path": task.spec_file, "cluster_name": task.name}


#: Per worker process: the report notebook, read once, and the reused kernel.
_STATE: dict = {}


def _template():
    import nbformat

    if "notebook" not in _STATE:
        _STATE["notebook"] = nbformat.read(report_notebook(), as_version=4)
    return _STATE["notebook"]


def _session(out: Path):
    from .engines import ReusedKernel, worker_log

    if "session" not in _STATE:
        import atexit

        _STATE["session"] = ReusedKernel(notebooks_dir(), worker_log(out))
        atexit.register(close_session)
    return _STATE["session"]


def close_session() -> None:
    session = _STATE.pop("session", None)
    if session is not None:
        session.close()


def _execute(task: Task, notebook: Path, engine: str, out: Path):
    """Run the report notebook for one cluster; on failure the partly run notebook is at ``notebook``."""
    import nbformat

    from .engines import execute_with_papermill, inject_parameters

    if engine == "papermill":
        return execute_with_papermill(report_notebook(), notebook, _parameters(task), notebooks_dir())
    nb = inject_parameters(_template(), _parameters(task))
    try:
        return _session(out).execute(nb)
    except BaseException:
        nbformat.write(nb, notebook)
        raise


def _document(task: Task) -> dict:
    from ..engine import evaluate
    from ..present import plan_document
    from ..spec import load_cluster

    return plan_document(evaluate(load_cluster(task.spec_file, task.name)))


def _one_line(exc: BaseException) -> str:
    name = type(exc).__name__
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}".strip()
    return f"{name}: {exc}".splitlines()[0]


def render_one(task: Task, out_dir: str, engine: str = "kernel") -> Outcome:
    """Render one cluster's report and its JSON twin; never raises for a bad cluster."""
    out = Path(out_dir)
    work = out / ".work"
    work.mkdir(parents=True, exist_ok=True)
    notebook = work / f"{task.slug}.ipynb"
    started = time.perf_counter()
    try:
        nb = _execute(task, notebook, engine, out)
        html = to_html(nb, task.name)
        document = _document(task)
        atomic_write_text(out / f"{task.slug}.json", json.dumps(document, indent=2, default=str) + "\n")
        atomic_write_text(out / f"{task.slug}.html", html)
        notebook.unlink(missing_ok=True)
        return Outcome(task.name, task.slug, task.source, True, time.perf_counter() - started,
                       summary=summary_of(document))
    except Exception as exc:  # noqa: BLE001 - one cluster's failure must not stop the fleet
        kept = None
        if notebook.exists():
            failed = out / "failed"
            failed.mkdir(exist_ok=True)
            kept = failed / f"{task.slug}.ipynb"
            os.replace(notebook, kept)
            kept = str(kept.relative_to(out))
        return Outcome(task.name, task.slug, task.source, False, time.perf_counter() - started,
                       error=_one_line(exc), notebook=kept)


def progress_bar(done: int, total: int, width: int = 20) -> str:
    """``[#######.............]  7/20``: how far the batch is."""
    filled = round(width * done / total) if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done:>{len(str(total))}}/{total}"


def _worker_init(engine: str, out: str) -> None:
    """Start a worker's kernel and load what every report needs, once, before any task arrives."""
    from .engines import skip_iri_format_checker

    skip_iri_format_checker()
    os.environ.setdefault("PYDEVD_DISABLE_FILE_VALIDATION", "1")
    from ..catalog import load_catalog

    from .html import vega_bundle

    load_catalog()
    vega_bundle()
    to_html(_template(), "warm-up")  # compiles the templates once
    if engine == "kernel":
        _session(Path(out))


def run_tasks(tasks: list[Task], out: Path, jobs: int | None, say: Callable[[str], None],
              engine: str = "kernel") -> list[Outcome]:
    """Render every task; ``jobs`` worker processes (default: one per core, at most one per task)."""
    if not tasks:
        return []
    jobs = max(1, min(jobs or os.cpu_count() or 1, len(tasks)))
    outcomes: list[Outcome] = []

    def report(outcome: Outcome) -> None:
        outcomes.append(outcome)
        state = "ok" if outcome.ok else f"FAILED: {outcome.error}"
        say(f"{progress_bar(len(outcomes), len(tasks))} {outcome.name}: {state} ({outcome.seconds:.1f} s)")

    if jobs == 1:
        try:
            for task in tasks:
                report(render_one(task, str(out), engine))
        finally:
            close_session()
    else:
        with ProcessPoolExecutor(max_workers=jobs, mp_context=get_context("spawn"), initializer=_worker_init,
                                 initargs=(engine, str(out))) as pool:
            futures = [pool.submit(render_one, task, str(out), engine) for task in tasks]
            for future in as_completed(futures):
                report(future.result())
    shutil.rmtree(out / ".work", ignore_errors=True)
    order = {t.slug: i for i, t in enumerate(tasks)}
    return sorted(outcomes, key=lambda o: order[o.slug])
