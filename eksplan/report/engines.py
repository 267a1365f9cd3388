"""How a worker executes the report notebook: a reused kernel, or papermill's fresh one.

The reused kernel (the default) is started once per worker process with eksplan, altair and
pandas already imported, and its user namespace is reset before every cluster, so a report pays
for its own computation only. IPython's history is off in that kernel: with it on, a history
error from one run leaks into the next.
"""

from __future__ import annotations

import atexit
import copy
import os
import subprocess
from pathlib import Path

from ..errors import EksplanError

__all__ = ["inject_parameters", "ReusedKernel", "execute_with_papermill", "worker_log", "skip_iri_format_checker"]

#: jsonschema imports rfc3987_syntax for its "iri" format checker when it is installed, and that
#: import builds a parser at a cost of about a second per process (python-jsonschema/jsonschema#1428).
#: Reports validate no IRI, so eksplan's own worker processes and kernels skip it.
SKIP_IRI_CHECKER = "import sys; sys.modules.setdefault('rfc3987_syntax', None)\n"
WARM_UP = SKIP_IRI_CHECKER + "import eksplan.report, eksplan.charts, eksplan.explore, altair, pandas\n"


def skip_iri_format_checker() -> None:
    """In this (eksplan-owned) process, let jsonschema skip the costly rfc3987_syntax import."""
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


class ReusedKernel:
    """One Jupyter kernel that runs report after report, reset in between."""

    def __init__(self, cwd: Path, log: Path | None = None):
        self.cwd = Path(cwd)
        self.log_path = log
        self.km = None
        self._start()

    def _start(self) -> None:
        from jupyter_client.manager import KernelManager

        self._log = open(self.log_path, "ab") if self.log_path else subprocess.DEVNULL
        self.km = KernelManager(kernel_name="python3")
        self.km.start_kernel(cwd=str(self.cwd), extra_arguments=["--HistoryManager.enabled=False"],
                             stdout=self._log, stderr=self._log)
        self._run(WARM_UP, timeout=180)

    def _client(self, timeout: float = 60):
        """A new, ready client: shell answered and IOPub seen to deliver (no fixed waits)."""
        import queue
        import time

        kc = self.km.client()
        kc.start_channels()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            msg_id = kc.kernel_info()
            try:
                while kc.get_shell_msg(timeout=max(0.1, deadline - time.monotonic()))["parent_header"].get("msg_id") != msg_id:
                    pass
            except queue.Empty:
                continue
            try:  # a subscriber connects late (ZeroMQ's slow joiner): retry until IOPub delivers
                while True:
                    msg = kc.get_iopub_msg(timeout=0.05)
                    if (msg["parent_header"].get("msg_id") == msg_id and msg["msg_type"] == "status"
                            and msg["content"]["execution_state"] == "idle"):
                        kc.allow_stdin = False
                        return kc
            except queue.Empty:
                continue
        kc.stop_channels()
        raise EksplanError(f"the report kernel did not answer within {timeout:.0f} s")

    def _run(self, code: str, timeout: float = 60) -> None:
        kc = self._client(timeout)
        try:
            reply = kc.execute_interactive(code, timeout=timeout, store_history=False, output_hook=lambda msg: None)
            if reply["content"].get("status") != "ok":
                content = reply["content"]
                raise EksplanError(f"kernel set-up failed: {content.get('ename')}: {content.get('evalue')}")
        finally:
            kc.stop_channels()

    def execute(self, nb, timeout: float = 600):
        """Run the notebook in the kernel, after wiping what the previous one left in its namespace.

        The reset is the notebook's first cell (tagged to be left out of the report), so that one
        fresh client serves both; a client's start costs more than a small report's computation.
        """
        import nbformat
        from nbclient import NotebookClient
        from nbclient.exceptions import DeadKernelError

        if not self.km.is_alive():
            self.restart()
        reset = nbformat.v4.new_code_cell(source=RESET, metadata={"tags": ["remove-cell", "eksplan-reset"]})
        reset.id = "eksplan-reset"
        nb.cells.insert(0, reset)
        client = NotebookClient(nb, km=self.km, kernel_name="python3", timeout=timeout, record_timing=False,
                                resources={"metadata": {"path": str(self.cwd)}})
        client.kc = self._client()  # a fresh client per report
        try:
            client.execute()
        except DeadKernelError:
            self.restart()
            raise
        finally:
            client.kc.stop_channels()
            atexit.unregister(client._cleanup_kernel)  # nbclient registers one per run
        return nb

    def restart(self) -> None:
        self.close()
        self._start()

    def close(self) -> None:
        if self.km is not None and self.km.has_kernel:
            self.km.shutdown_kernel(now=True)
        if self._log not in (None, subprocess.DEVNULL):
            self._log.close()
        self._log = None


def execute_with_papermill(notebook: Path, output: Path, parameters: dict, cwd: Path):
    """papermill's own run: a fresh kernel for this notebook only."""
    import papermill

    return papermill.execute_notebook(str(notebook), str(output), parameters=parameters, kernel_name="python3",
                                      progress_bar=False, log_output=False, cwd=str(cwd))


def worker_log(out: Path) -> Path:
    """Where a worker's kernel writes its own output (inside the batch's scratch folder)."""
    folder = out / ".work"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"kernel-{os.getpid()}.log"
