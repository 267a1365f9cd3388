"""The reused-kernel engine: parameters, isolation between clusters, recovery."""

from __future__ import annotations

import signal
import time

import nbformat
import pytest
from nbclient.exceptions import CellExecutionError

from eksplan.errors import EksplanError
from eksplan.report.engines import ReusedKernel, inject_parameters
from eksplan.report.fleet import Task
from eksplan.report.runner import close_session, render_one

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


@pytest.fixture(scope="module")
def kernel(tmp_path_factory):
    session = ReusedKernel(tmp_path_factory.mktemp("kernel"))
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


def test_a_failing_notebook_leaves_the_kernel_usable(kernel):
    """An error in one cluster's notebook does not break the next."""
    with pytest.raises(CellExecutionError):
        kernel.execute(notebook("raise ValueError('cluster B is broken')"))
    nb = kernel.execute(notebook("print(1 + 1)"))
    assert text_of(nb.cells[-1]).strip() == "2"


def test_a_dead_kernel_is_restarted(kernel):
    """If the kernel dies, the next report starts a new one."""
    kernel.km.signal_kernel(signal.SIGKILL)
    for _ in range(50):
        if not kernel.km.is_alive():
            break
        time.sleep(0.1)
    nb = kernel.execute(notebook("print('alive')"))
    assert text_of(nb.cells[-1]).strip() == "alive"


def test_reports_are_the_same_reused_or_fresh(tmp_path):
    """A report rendered after another in a reused kernel equals the same report from a fresh kernel."""
    examples = ROOT / "examples"
    first = Task("telco-upf", "telco-upf", str(examples / "telco-multus.yaml"), "telco-multus.yaml")
    second = Task("claims-sgp", "claims-sgp", str(examples / "claims-sgp.yaml"), "claims-sgp.yaml")
    reused, fresh = tmp_path / "reused", tmp_path / "fresh"
    try:
        assert render_one(first, str(reused), "kernel").ok
        assert render_one(second, str(reused), "kernel").ok
    finally:
        close_session()
    assert render_one(second, str(fresh), "papermill").ok
    assert (reused / "claims-sgp.html").read_text() == (fresh / "claims-sgp.html").read_text()
    assert (reused / "claims-sgp.json").read_text() == (fresh / "claims-sgp.json").read_text()
