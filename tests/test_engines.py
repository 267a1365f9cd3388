"""The reused-kernel engine: parameters, isolation between clusters, recovery, its files."""

from __future__ import annotations

import asyncio
import signal
import time

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from eksplan.errors import EksplanError
from eksplan.report import render_fleet
from eksplan.report.engines import Kernels, ReusedKernel, inject_parameters

from .conftest import ROOT

pytestmark = pytest.mark.slow


def notebook(*sources, parameters=None):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    cells = []
    if parameters is not None:
        cell = nbformat.v4.new_code_cell(parameters)
        cell.metadata["tags"] = ["parameters"]
        cells.append(cell)
    cells += [nbformat.v4.new_code_cell(s) for s in sources]
    nb.cells = cells
    return nb


def text_of(cell) -> str:
    return "".join(o.get("text", "") for o in cell.outputs)


class Session:
    """A reused kernel and the event loop that drives it, for synchronous tests."""

    def __init__(self, cwd, scratch):
        self.loop = asyncio.new_event_loop()
        self.kernels = Kernels(scratch)
        self.reused = ReusedKernel(cwd, self.kernels)

    def execute(self, nb):
        return self.loop.run_until_complete(self.reused.execute(nb))

    def close(self):
        self.loop.run_until_complete(self.reused.close())
        self.loop.close()


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    session = Session(tmp_path_factory.mktemp("kernel"), tmp_path_factory.mktemp("scratch"))
    yield session
    session.close()


def test_parameters_are_injected_as_literals():
    """Parameters land in a cell after the parameters cell; hostile text stays a string."""
    nb = notebook("print(name)", parameters='name = "default"')
    hostile = "x\"\n__import__('os').system('echo pwned')  # '''"
    injected = inject_parameters(nb, {"name": hostile, "flag": True})
    cell = injected.cells[1]
    assert cell.metadata["tags"] == ["injected-parameters"]
    assert cell.source == f"# Parameters\nname = {hostile!r}\nflag = True\n"
    assert len(nb.cells) == 2  # the original is untouched
    with pytest.raises(EksplanError, match=r"report parameter spec: \['a'\] is not a plain literal"):
        inject_parameters(nb, {"spec": ["a"]})
    with pytest.raises(EksplanError, match=r"report parameter 'not a name' is not a Python name"):
        inject_parameters(nb, {"not a name": 1})


def test_hostile_parameter_runs_as_text(kernel):
    """A name full of quotes and code is just a value inside the kernel."""
    hostile = "it's \"prod\"\n__import__('sys').exit(3)"
    nb = kernel.execute(inject_parameters(notebook("print(repr(name))", parameters='name = ""'), {"name": hostile}))
    assert text_of(nb.cells[-1]).strip() == repr(hostile)


def test_one_cluster_never_sees_another(kernel):
    """What one notebook defines is gone when the next one runs in the same kernel."""
    kernel.execute(notebook("leak = 'cluster A'", "import json\nreport = {'cluster': 'A'}", "report"))
    nb = kernel.execute(notebook("print(sorted(k for k in globals() if not k.startswith('_') "
                                 "and k not in ('In', 'Out', 'get_ipython', 'exit', 'quit', 'open')))"))
    assert text_of(nb.cells[-1]).strip() == "[]"


def test_the_report_kernel_starts_warm_and_without_a_debugger(kernel):
    """The kernel has the report's modules loaded at start-up, but neither debugpy nor pandas."""
    nb = kernel.execute(notebook("import sys\nprint(sorted(m for m in ('eksplan.report.cluster', 'altair', "
                                 "'debugpy', 'pandas') if sys.modules.get(m)))"))
    assert text_of(nb.cells[-1]).strip() == "['altair', 'eksplan.report.cluster']"


def test_a_failing_notebook_leaves_the_kernel_usable(kernel):
    """An error in one cluster's notebook does not break the next."""
    with pytest.raises(CellExecutionError):
        kernel.execute(notebook("raise ValueError('cluster B is broken')"))
    nb = kernel.execute(notebook("print(1 + 1)"))
    assert text_of(nb.cells[-1]).strip() == "2"


def test_a_dead_kernel_is_restarted(kernel):
    """If the kernel dies, the next report starts a new one."""
    old = kernel.reused.km.provisioner.pid
    kernel.loop.run_until_complete(kernel.reused.km.signal_kernel(signal.SIGKILL))
    for _ in range(50):
        if not kernel.loop.run_until_complete(kernel.reused.km.is_alive()):
            break
        time.sleep(0.1)
    nb = kernel.execute(notebook("print('alive')"))
    assert text_of(nb.cells[-1]).strip() == "alive"
    assert kernel.reused.km.provisioner.pid != old


def test_kernel_files_stay_in_the_scratch_folder(kernel):
    """A kernel's connection file and log are in the run's scratch folder; closing removes the connection file."""
    session = Session(ROOT / "notebooks", kernel.kernels.scratch / "own")
    session.kernels.scratch.mkdir()
    session.execute(notebook("print(1)"))
    connection = session.reused.km.connection_file
    assert connection.startswith(str(session.kernels.scratch)) and connection.endswith(".json")
    session.close()
    assert sorted(p.suffix for p in session.kernels.scratch.iterdir()) == [".log"]


def test_reports_are_the_same_reused_or_fresh(tmp_path):
    """A report rendered after another in a reused kernel equals the same report from papermill's fresh kernel."""
    examples = [ROOT / "examples" / "telco-multus.yaml", ROOT / "examples" / "claims-sgp.yaml"]
    reused, fresh = tmp_path / "reused", tmp_path / "fresh"
    assert render_fleet(examples, reused, jobs=1, engine="kernel").ok
    assert render_fleet(examples[1:], fresh, jobs=1, engine="papermill").ok
    assert (reused / "claims-sgp.html").read_text() == (fresh / "claims-sgp.html").read_text()
    assert (reused / "claims-sgp.json").read_text() == (fresh / "claims-sgp.json").read_text()
