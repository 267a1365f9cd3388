"""How the report notebook is executed: a reused kernel, or papermill's fresh one.

The reused kernel (the default) imports eksplan's report modules and altair as part of its own
start-up, so it boots while the runner loads specs, and its user namespace is reset before
every cluster, so a report pays for its own computation only. IPython's history is off in that
kernel: with it on, a history error from one run leaks into the next. Kernels are driven with
asyncio from the runner's one thread: several run at once, and a stop cancels them cleanly.

Every kernel of a run is started by :class:`Kernels`: its connection file and log are in the
run's scratch folder, and its pid is given to the run's watchdog. A kernel is in a session of
its own (jupyter_client starts it so), so a terminal's Ctrl-C reaches the runner only, which
decides; and ipykernel's parent poller (``JPY_PARENT_PID``) makes it exit within a second if the
runner dies, the watchdog killing it at once before that.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import os
import queue
import signal
import subprocess
import threading
import time
from contextlib import contextmanager
from pathlib import Path

from ..errors import EksplanError

__all__ = ["inject_parameters", "Kernels", "ReusedKernel", "execute_with_papermill", "skip_iri_format_checker"]

#: Run by the kernel as part of its start-up (IPython's exec_lines), leaving no name behind. The
#: report needs neither pandas nor numpy (altair works through narwhals), so neither is loaded.
WARM_UP = "import eksplan.report.cluster, eksplan.charts, eksplan.explore, altair; del eksplan, altair"
#: The kernel spec of reused kernels: python3's, started by :mod:`eksplan.report.kernel`.
REPORT_KERNEL = "eksplan-report"


def skip_iri_format_checker() -> None:
    """In this (eksplan-owned) process, let jsonschema skip the costly rfc3987_syntax import.

    jsonschema imports rfc3987_syntax for its "iri" format checker when it is installed, and that
    import builds a parser at a cost of about a second per process (python-jsonschema/jsonschema#1428).
    Reports validate no IRI, so eksplan's own processes and kernels skip it.
    """
    import sys

    sys.modules.setdefault("rfc3987_syntax", None)


#: Empties the user namespace and output cache (what %reset -f does, without its gc.collect()).
RESET = """\
def _eksplan_reset(ip):
    for name in [n for n in list(ip.user_ns) if n not in ip.user_ns_hidden]:
        del ip.user_ns[name]
    ip.user_ns["Out"].clear()
    ip.user_ns.update({"_": "", "__": "", "___": ""})
_eksplan_reset(get_ipython())  # the loop removes _eksplan_reset itself too
"""


def inject_parameters(nb, parameters: dict):
    """A copy of ``nb`` with a cell after the parameters cell that sets ``parameters``, as papermill does.

    Values must be plain literals (text, numbers, booleans, None); ``repr`` writes each as a
    Python literal, so no value can change the code around it.
    """
    import nbformat

    for name, value in parameters.items():
        if not name.isidentifier():
            raise EksplanError(f"report parameter {name!r} is not a Python name")
        if value is not None and not isinstance(value, (str, int, float, bool)):
            raise EksplanError(f"report parameter {name}: {value!r} is not a plain literal")
    out = copy.deepcopy(nb)
    index = next((i for i, c in enumerate(out.cells) if "parameters" in c.get("metadata", {}).get("tags", [])), -1)
    source = "# Parameters\n" + "".join(f"{name} = {value!r}\n" for name, value in parameters.items())
    cell = nbformat.v4.new_code_cell(source=source, metadata={"tags": ["injected-parameters"]})
    cell.id = "injected-parameters"
    out.cells.insert(index + 1, cell)
    return out


class Kernels:
    """The kernels of one run: where their files go, who is told of them, and which still run.

    ``manager_class`` is a jupyter_client kernel manager that every engine uses (papermill
    takes it as ``kernel_manager_class``), so that no kernel of the run escapes this bookkeeping.
    """

    def __init__(self, scratch: Path | None = None, watchdog=None):
        self.scratch = scratch
        self.watchdog = watchdog
        self._live: dict[int, object] = {}
        self._lock = threading.Lock()  # papermill's kernels are started from other threads
        self._numbers = itertools.count(1)
        self._starting = threading.Lock()
        self._owner = threading.get_ident()  # the thread of the run's event loop
        self.closed = False
        self.manager_class = _manager_class(self)
        self._specs = None

    def _files(self) -> tuple[str, object]:
        """A connection file path and a log for a new kernel (the log: a file, or nowhere)."""
        if self.scratch is None:
            return "", subprocess.DEVNULL
        number = next(self._numbers)
        return str(self.scratch / f"kernel-{number}.json"), open(self.scratch / f"kernel-{number}.log", "ab")

    def report_manager(self):
        """A manager for a reused report kernel (the report kernel spec)."""
        if self._specs is None:
            self._specs = _report_kernel_specs()
        return self.manager_class(kernel_name=REPORT_KERNEL, kernel_spec_manager=self._specs)

    def track(self, pid: int) -> None:
        """Another child process of the run: the watchdog kills it too if this process dies."""
        if self.watchdog is not None:
            self.watchdog.track(pid)

    def _started(self, km) -> None:
        with self._lock:
            self._live[km.provisioner.pid] = km
            self.track(km.provisioner.pid)

    def _stopped(self, pid: int) -> None:
        with self._lock:
            if self._live.pop(pid, None) is not None and self.watchdog is not None:
                self.watchdog.untrack(pid)

    def kill(self, km) -> None:
        """SIGKILL a kernel's process group (the kernel and anything it started)."""
        provisioner = km.provisioner
        try:
            os.killpg(provisioner.pgid or provisioner.pid, signal.SIGKILL)
        except (OSError, AttributeError, TypeError):  # gone already, or never fully started
            pass

    def kill_all(self) -> None:
        """SIGKILL every kernel still running, whichever thread drives it."""
        with self._lock:
            live = list(self._live.values())
        for km in live:
            self.kill(km)

    def close(self) -> None:
        """No kernel starts after this, and every one still running is killed.

        A kernel being started in another thread (papermill's) is waited for, so that its
        launch and connection file cannot slip in after the kill or the scratch folder's removal.
        """
        with self._starting:
            self.closed = True
        self.kill_all()

    @contextmanager
    def _gate(self):
        """Let one kernel start: never after :meth:`close`, and from other threads one at a time."""
        other = threading.get_ident() != self._owner  # the loop's own thread cannot race close()
        if other:
            self._starting.acquire()
        try:
            if self.closed:
                raise EksplanError("the run is stopping: no kernel is started")
            yield
        finally:
            if other:
                self._starting.release()


def _report_kernel_specs():
    """Kernel specs that add :data:`REPORT_KERNEL`: python3's, less its debugger."""
    import sys

    from jupyter_client.kernelspec import KernelSpecManager

    class ReportKernelSpecs(KernelSpecManager):
        def get_kernel_spec(self, kernel_name):
            if kernel_name != REPORT_KERNEL:
                return super().get_kernel_spec(kernel_name)
            spec = super().get_kernel_spec("python3")
            spec.argv = [sys.executable, "-m", "eksplan.report.kernel", "-f", "{connection_file}"]
            spec.metadata = {**spec.metadata, "debugger": False}
            return spec

    return ReportKernelSpecs()


def _manager_class(kernels: Kernels):
    from jupyter_client.manager import AsyncKernelManager

    class RunKernelManager(AsyncKernelManager):
        """A kernel manager that files its kernel under the run (see :class:`Kernels`)."""

        async def start_kernel(self, **kw):
            with kernels._gate():
                connection_file, self._eksplan_log = kernels._files()
                if connection_file and not self.connection_file:
                    self.connection_file = connection_file
                kw.setdefault("stdout", self._eksplan_log)
                kw.setdefault("stderr", self._eksplan_log)
                kw.setdefault("env", {**os.environ, "PYDEVD_DISABLE_FILE_VALIDATION": "1"})
                await super().start_kernel(**kw)
                self._eksplan_pid = self.provisioner.pid
                kernels._started(self)

        async def shutdown_kernel(self, now: bool = False, restart: bool = False):
            try:
                await super().shutdown_kernel(now=now, restart=restart)
            finally:
                self._eksplan_forget()

        async def cleanup_resources(self, restart: bool = False):  # nbclient's way out when the kernel died
            try:
                await super().cleanup_resources(restart=restart)
            finally:
                self._eksplan_forget()

        def _eksplan_forget(self) -> None:
            pid, self._eksplan_pid = getattr(self, "_eksplan_pid", None), None
            if pid is not None:
                kernels._stopped(pid)
            log, self._eksplan_log = getattr(self, "_eksplan_log", None), None
            if log not in (None, subprocess.DEVNULL):
                log.close()

    return RunKernelManager


class ReusedKernel:
    """One Jupyter kernel that runs report after report, reset in between (driven with asyncio)."""

    def __init__(self, cwd: Path, kernels: Kernels | None = None):
        self.cwd = Path(cwd)
        self.kernels = kernels or Kernels()
        self.km = None
        self.kc = None
        self._language_info: dict | None = None

    async def start(self) -> None:
        """Launch the kernel; it boots and imports what reports need while the caller goes on."""
        self.km = self.kernels.report_manager()
        await self.km.start_kernel(cwd=str(self.cwd), extra_arguments=[
            "--HistoryManager.enabled=False", f"--IPKernelApp.exec_lines={WARM_UP}"])

    async def ready(self, timeout: float = 180) -> None:
        """Connect a client once the kernel answers (after its warm-up), without fixed waits."""
        if self.km is None:
            await self.start()
        kc = self.km.client()
        kc.start_channels()
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                if not await self.km.is_alive():
                    raise EksplanError("the report kernel exited while starting (its log is in the run's scratch folder)")
                msg_id = kc.kernel_info()
                try:
                    while True:
                        reply = await kc.get_shell_msg(timeout=min(1.0, max(0.1, deadline - time.monotonic())))
                        if reply["parent_header"].get("msg_id") == msg_id:
                            break
                except queue.Empty:
                    continue
                try:  # a subscriber connects late (ZeroMQ's slow joiner): retry until IOPub delivers
                    while True:
                        msg = await kc.get_iopub_msg(timeout=0.05)
                        if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                                and msg["content"]["execution_state"] == "idle"):
                            kc.allow_stdin = False
                            self.kc, self._language_info = kc, reply["content"].get("language_info")
                            return
                except (queue.Empty, asyncio.TimeoutError):
                    continue
        except BaseException:
            kc.stop_channels()
            raise
        kc.stop_channels()
        raise EksplanError(f"the report kernel did not answer within {timeout:.0f} s")

    async def execute(self, nb, timeout: float = 600):
        """Run the notebook in the kernel, after wiping what the previous one left in its namespace.

        The reset is the notebook's first cell (tagged to be left out of the report). Cells are
        run one by one with nbclient (``async_execute`` would install its own signal handlers).
        """
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import DeadKernelError

        if self.km is not None and self.kc is not None and not await self.km.is_alive():
            await self.close()  # it died between two reports
        if self.kc is None:
            await self.ready()  # starting a kernel first if there is none
        reset = nbformat.v4.new_code_cell(source=RESET, metadata={"tags": ["remove-cell", "eksplan-reset"]})
        reset.id = "eksplan-reset"
        nb.cells.insert(0, reset)
        if self._language_info:
            nb.metadata["language_info"] = self._language_info
        client = NotebookClient(nb, km=self.km, kernel_name="python3", timeout=timeout, record_timing=False,
                                resources={"metadata": {"path": str(self.cwd)}})
        client.kc = self.kc
        client.reset_execution_trackers()
        try:
            for index, cell in enumerate(nb.cells):
                await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except DeadKernelError:  # also how nbclient reports a cancelled cell
            await self.close()  # the next report starts a new kernel; a stopped run starts none
            raise
        client.set_widgets_metadata()
        return nb

    async def close(self) -> None:
        """Stop the client and kill the kernel (nothing in it needs a graceful shutdown)."""
        if self.kc is not None:
            self.kc.stop_channels()
            self.kc = None
        if self.km is not None:
            if self.km.has_kernel:
                # SIGKILL, then wait for the exit in short steps: shutdown_kernel's own wait
                # polls every 0.1 s, which would be most of a one-cluster run's tail.
                process = self.km.provisioner.process
                self.kernels.kill(self.km)
                for _ in range(400):
                    if process is None or process.poll() is not None:
                        break
                    await asyncio.sleep(0.005)
                await self.km.shutdown_kernel(now=True)  # removes the connection file, unregisters it
            self.km = None


def execute_with_papermill(notebook: Path, output: Path, parameters: dict, cwd: Path, kernels: Kernels | None = None):
    """papermill's own run: a fresh kernel for this notebook only (blocking; the runner runs it in a thread)."""
    import papermill

    manager = (kernels or Kernels()).manager_class
    return papermill.execute_notebook(str(notebook), str(output), parameters=parameters, kernel_name="python3",
                                      progress_bar=False, log_output=False, cwd=str(cwd),
                                      kernel_manager_class=manager)
