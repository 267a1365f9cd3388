"""Execute the report notebook per cluster and export it: kernels first, driven from one thread.

A run, in order (one process, one thread, asyncio):

1. the first kernel is launched before anything else, and imports eksplan, altair and pandas as
   part of its own start-up; the Vega bundle is built in a thread (vl-convert releases the GIL);
2. meanwhile the specs are loaded, which tells how many kernels are worth starting (never more
   than clusters nor than ``jobs``), and nbconvert's exporter is built;
3. each kernel takes the next cluster as soon as it is free; this process exports each executed
   notebook, writes the report and its JSON twin to the scratch folder and renames them into
   place, so no report is ever half-written;
4. SIGINT and SIGTERM set a stop: queued clusters are not started, running ones are cancelled,
   the kernels are killed, and the caller writes the index of what finished.

A failure is caught per cluster so that the batch goes on, and the partly run notebook is kept
in ``failed/`` for debugging. One cluster is rendered the same way, by one kernel: there is no
pool to start.
"""

from __future__ import annotations

import ast
import asyncio
import json
import os
import threading
import time
from collections import deque
from concurrent.futures import Future
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable, Sequence

from .._io import atomic_write_text
from ..errors import EksplanError
from .fleet import Outcome, Task
from .triage import summary_of
from .lifecycle import StopSignals
from .paths import notebooks_dir, report_notebook, templates_dir

__all__ = ["run_tasks", "RunResult", "check_parameters", "to_html", "kernel_count", "progress_bar"]


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
    from nbconvert.preprocessors import TagRemovePreprocessor

    # extra_template_basedirs finds our template directory (a --template-file would be ignored with
    # the lab base); extra_template_paths lets it include the partials shared with the index page.
    exporter = HTMLExporter(template_name="eksplan_report", extra_template_basedirs=[str(templates_dir())],
                            extra_template_paths=[str(templates_dir())])
    exporter.exclude_input = True
    exporter.register_preprocessor(TagRemovePreprocessor(
        remove_cell_tags={"remove-cell", "parameters", "injected-parameters"}, enabled=True), enabled=True)
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    return exporter


def to_html(nb, title: str, bundle: str | None = None) -> str:
    """The executed notebook as our report page (code hidden, one inlined Vega bundle)."""
    from .html import vega_bundle

    resources = {"metadata": {"name": title}, "eksplan_vega_bundle": vega_bundle() if bundle is None else bundle}
    body, _ = _exporter().from_notebook_node(nb, resources=resources)
    return body


@lru_cache(maxsize=1)
def _template():
    import nbformat

    return nbformat.read(report_notebook(), as_version=4)


def _parameters(task: Task) -> dict:
    return {"spec_path": task.spec_file, "cluster_name": task.name}


def _document(task: Task, nb) -> dict:
    """The JSON twin the report's hidden last cell output; computed here for a notebook without one."""
    from .cluster import DOCUMENT_MIMETYPE, ClusterReport

    for cell in reversed(nb.cells):
        for output in cell.get("outputs", ()):
            document = output.get("data", {}).get(DOCUMENT_MIMETYPE)
            if document is not None:
                return document
    return ClusterReport.load(task.spec_file, task.name).document()


def _warm_up() -> None:
    """What every report needs in this process, loaded while the kernels boot."""
    from . import cluster  # noqa: F401 - imported for _document

    to_html(_template(), "warm-up", bundle="")  # imports nbconvert and compiles the templates


def _one_line(exc: BaseException) -> str:
    name = type(exc).__name__
    ename, evalue = getattr(exc, "ename", None), getattr(exc, "evalue", None)
    if ename:
        return f"{ename}: {evalue}".strip()
    return f"{name}: {exc}".splitlines()[0]


def progress_bar(done: int, total: int, width: int = 20) -> str:
    """``[#######.............]  7/20``: how far the batch is."""
    filled = round(width * done / total) if total else width
    return f"[{'#' * filled}{'.' * (width - filled)}] {done:>{len(str(total))}}/{total}"


#: A kernel's start costs about 0.55 s of CPU (ipykernel, then eksplan and altair imported) and
#: a report about 0.35 s in its kernel, while the machine's cores are busiest with the run's own
#: start-up; a kernel with fewer clusters than this costs more than it saves. Measured on 2
#: cores, one kernel against two: 2 clusters 2.0 s against 2.0 s, 3 clusters 2.3 s against
#: 2.2 s, 4 clusters 2.8 s against 2.5 s, 6 clusters 3.7 s against 3.0 s.
CLUSTERS_PER_KERNEL = 2


def kernel_count(jobs: int | None, clusters: int) -> int:
    """How many kernels to run: ``jobs`` if given, else one per core but at most one per
    ``CLUSTERS_PER_KERNEL`` clusters; never more than clusters."""
    if jobs:
        return max(0, min(jobs, clusters))
    return max(0, min(os.cpu_count() or 1, -(-clusters // CLUSTERS_PER_KERNEL)))


# -- one report -------------------------------------------------------------------------------------

@dataclass
class _Context:
    out: Path
    scratch: Path
    bundle: object  # a bundle.VegaBundle
    stop: StopSignals


def _publish(context: _Context, name: str, text: str) -> None:
    """Write ``name`` in the scratch folder, then rename it into the output folder (atomic)."""
    os.replace(atomic_write_text(context.scratch / name, text), context.out / name)


class _KernelWorker:
    """Runs reports in one reused kernel."""

    def __init__(self, kernel):
        self.kernel = kernel

    async def finish(self) -> bool:
        await self.kernel.close()
        return True

    async def execute(self, task: Task, notebook: Path):
        import nbformat

        from .engines import inject_parameters

        nb = inject_parameters(_template(), _parameters(task))
        try:
            return await self.kernel.execute(nb)
        except BaseException:
            nbformat.write(nb, notebook)
            raise


class _PapermillWorker:
    """Runs each report with papermill, in a fresh kernel, in a thread (papermill blocks).

    After a stop its kernel is killed, and :meth:`finish` waits a little for the thread to notice
    (nbclient looks once a second); one that is still writing then is left to the watchdog,
    which removes the scratch folder again once this process has exited.
    """

    def __init__(self, kernels):
        self.kernels = kernels
        self.thread: threading.Thread | None = None

    async def execute(self, task: Task, notebook: Path):
        from .engines import execute_with_papermill

        future, self.thread = _in_thread(execute_with_papermill, report_notebook(), notebook, _parameters(task),
                                         notebooks_dir(), self.kernels)
        return await future

    async def finish(self, timeout: float = 1.5) -> bool:
        """Whether the thread has ended, waiting up to ``timeout`` seconds."""
        deadline = time.monotonic() + timeout
        while self.thread is not None and self.thread.is_alive() and time.monotonic() < deadline:
            await asyncio.sleep(0.02)
        return self.thread is None or not self.thread.is_alive()


def _in_thread(function, *args) -> tuple[asyncio.Future, threading.Thread]:
    """``function(*args)`` in a daemon thread, and a future of its result."""
    loop = asyncio.get_running_loop()
    future = loop.create_future()

    def settle(ok: bool, value) -> None:
        if not future.done():
            future.set_result(value) if ok else future.set_exception(value)

    def run() -> None:
        try:
            ok, value = True, function(*args)
        except BaseException as exc:  # noqa: BLE001 - handed to the waiting coroutine
            ok, value = False, exc
        try:
            loop.call_soon_threadsafe(settle, ok, value)
        except RuntimeError:  # the loop has closed: the run was stopped and no one waits
            pass

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return future, thread


async def _execute_one(task: Task, worker, context: _Context) -> tuple | Outcome:
    """Run one cluster's notebook: ``(task, nb, started)``, or the outcome if it failed or was cancelled."""
    notebook = context.scratch / f"{task.slug}.ipynb"
    started = time.perf_counter()
    try:
        return task, await worker.execute(task, notebook), started
    except (Exception, asyncio.CancelledError) as exc:  # noqa: BLE001 - one cluster's failure must not stop the fleet
        if context.stop.requested:  # in flight when the run was stopped
            return _cancelled(task)
        if isinstance(exc, asyncio.CancelledError):
            raise
        return _failed(task, exc, started, context)


def _export_one(task: Task, nb, started: float, context: _Context) -> Outcome:
    """Export an executed notebook, write the report and its JSON twin; never raises for a bad cluster."""
    try:
        document = _document(task, nb)  # before the export, which drops the hidden cell
        html = to_html(nb, task.name, context.bundle.result())
        _publish(context, f"{task.slug}.json", json.dumps(document, indent=2, default=str) + "\n")
        _publish(context, f"{task.slug}.html", html)
    except Exception as exc:  # noqa: BLE001 - one cluster's failure must not stop the fleet
        import nbformat

        nbformat.write(nb, context.scratch / f"{task.slug}.ipynb")  # kept for debugging
        return _failed(task, exc, started, context)
    (context.scratch / f"{task.slug}.ipynb").unlink(missing_ok=True)
    return Outcome(task.name, task.slug, task.source, True, time.perf_counter() - started, summary=summary_of(document))


def _failed(task: Task, exc: BaseException, started: float, context: _Context) -> Outcome:
    """A failed cluster, its partly run notebook (when there is one) kept in ``failed/`` for debugging."""
    notebook, kept = context.scratch / f"{task.slug}.ipynb", None
    if notebook.exists():
        failed = context.out / "failed"
        failed.mkdir(exist_ok=True)
        os.replace(notebook, failed / notebook.name)
        kept = f"failed/{notebook.name}"
    return Outcome(task.name, task.slug, task.source, False, time.perf_counter() - started,
                   error=_one_line(exc), notebook=kept)


def _cancelled(task: Task) -> Outcome:
    return Outcome(task.name, task.slug, task.source, False, 0.0, error="cancelled", cancelled=True)


async def _render_all(tasks: list[Task], workers: list, context: _Context, say: Callable[[str], None]) -> list[Outcome]:
    """Each worker runs the next cluster's notebook as soon as it is free, while this process exports
    the executed notebooks as they come (once the Vega bundle is there: on a first run the kernels
    go on meanwhile), until none is left or a stop comes. A notebook executed but not yet exported
    when a stop comes counts as cancelled."""
    pending = deque(tasks)
    executed: asyncio.Queue = asyncio.Queue()
    outcomes: dict[str, Outcome] = {}

    def record(outcome: Outcome) -> None:
        outcomes[outcome.slug] = outcome
        if not outcome.cancelled:
            state = "ok" if outcome.ok else f"FAILED: {outcome.error}"
            done = sum(not o.cancelled for o in outcomes.values())
            say(f"{progress_bar(done, len(tasks))} {outcome.name}: {state} ({outcome.seconds:.1f} s)")

    async def drive(worker) -> None:
        while pending and not context.stop.requested:
            result = await _execute_one(pending.popleft(), worker, context)
            if isinstance(result, Outcome):
                record(result)
            else:
                executed.put_nowait(result)

    async def export() -> None:
        await context.bundle.ready()
        while (item := await executed.get()) is not None:
            record(_export_one(*item, context))

    exporter = asyncio.create_task(export())
    drivers = [asyncio.create_task(drive(worker)) for worker in workers]
    stopped = asyncio.create_task(context.stop.wait())
    try:
        driven = asyncio.gather(*drivers)
        await asyncio.wait({driven, exporter, stopped}, return_when=asyncio.FIRST_COMPLETED)
        if driven.done() and not context.stop.requested:
            driven.result()  # an error of eksplan's own (not one cluster's) ends the run
            executed.put_nowait(None)
            await asyncio.wait({exporter, stopped}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (*drivers, exporter, stopped):
            task.cancel()
        await asyncio.gather(*drivers, exporter, stopped, return_exceptions=True)
    if not exporter.cancelled() and exporter.exception() is not None:
        raise exporter.exception()  # e.g. the Vega bundle could not be built
    return [outcomes.get(t.slug) or _cancelled(t) for t in tasks]


# -- a run ------------------------------------------------------------------------------------------

@dataclass
class RunResult:
    prepared: object
    outcomes: list[Outcome]
    interrupted: int | None
    bundle: str
    #: A papermill thread may still write into the scratch folder (after a stop).
    lingering: bool = False


async def _run(prepare: Callable[[], object], out: Path, scratch: Path, watchdog, jobs: int | None,
               say: Callable[[str], None], engine: str, stop: StopSignals,
               background: Callable[[], None] | None) -> RunResult:
    from .bundle import VegaBundle
    from .engines import Kernels

    stop.attach(asyncio.get_running_loop())
    kernels = Kernels(scratch, watchdog)
    started: list = []
    workers: list = []
    bundle = None
    try:
        bundle = VegaBundle(kernels.track)  # the longest piece of fixed work, in a process of its own
        await _add_kernels(started, 1 if engine == "kernel" else 0, kernels)  # boots while the specs load
        prepared = prepare()
        wanted = kernel_count(jobs, len(prepared.tasks))
        if engine == "kernel":
            await _add_kernels(started, wanted, kernels)
        _warm_up()
        if background is not None:  # e.g. the index's imports, while this process mostly waits for kernels
            threading.Thread(target=_quietly, args=(background,), daemon=True).start()
        workers[:] = ([_KernelWorker(k) for k in started] if engine == "kernel"
                      else [_PapermillWorker(kernels) for _ in range(wanted)])
        outcomes = ([_cancelled(t) for t in prepared.tasks] if stop.requested else
                    await _render_all(prepared.tasks, workers, _Context(out, scratch, bundle, stop), say))
        text = bundle.result()  # for the index
    except BaseException:
        if bundle is not None:
            bundle.close()
        raise
    finally:
        ended = await _wind_down(started, workers, kernels)
        stop.detach()
    return RunResult(prepared, outcomes, stop.signum, text, lingering=not ended)


async def _add_kernels(started: list, wanted: int, kernels) -> None:
    """Start kernels (each returns as soon as its process is launched) until ``wanted`` run."""
    from .engines import ReusedKernel

    while len(started) > wanted:
        await started.pop().close()
    while len(started) < wanted:
        started.append(ReusedKernel(notebooks_dir(), kernels))
        await started[-1].start()


async def _wind_down(started: list, workers: list, kernels) -> bool:
    """Cancel what still runs (e.g. nbclient's pollers of a cancelled cell), kill every kernel,
    and let papermill's threads notice; no kernel can be started after this. Whether every
    worker has ended."""
    current = asyncio.current_task()
    strays = [t for t in asyncio.all_tasks() if t is not current]
    for task in strays:
        task.cancel()
    await asyncio.gather(*strays, return_exceptions=True)
    kernels.close()
    await asyncio.gather(*(k.close() for k in started), return_exceptions=True)
    ended = await asyncio.gather(*(w.finish() for w in workers), return_exceptions=True)
    return all(e is True for e in ended)


def run_tasks(prepare: Callable[[], object], out: Path, scratch: Path, jobs: int | None,
              say: Callable[[str], None], stop: StopSignals, engine: str = "kernel", watchdog=None,
              background: Callable[[], None] | None = None) -> RunResult:
    """Start the first kernel, call ``prepare()`` (whose ``.tasks`` are rendered), render them all.

    ``background`` is run in a thread once rendering starts. Returns what finished and, if
    ``stop`` was requested (SIGINT, SIGTERM), which signal; the kernels are shut down and their
    files removed either way.
    """
    coroutine = _run(prepare, out, scratch, watchdog, jobs, say, engine, stop, background)
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # the usual case: no event loop in this thread
        return asyncio.run(coroutine)
    # Called from a running event loop (a notebook's): run in a thread of our own.
    result: Future = Future()
    threading.Thread(target=_settle, args=(result, asyncio.run, coroutine), daemon=True).start()
    return result.result()


def _quietly(function: Callable[[], None]) -> None:
    try:
        function()
    except Exception:  # noqa: BLE001 - only a head start: the same work is done again when needed
        pass


def _settle(future: Future, function, *args) -> None:
    try:
        future.set_result(function(*args))
    except BaseException as exc:  # noqa: BLE001 - re-raised by the thread that waits
        future.set_exception(exc)
