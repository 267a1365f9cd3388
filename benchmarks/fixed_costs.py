"""Where the fixed cost of ``eksplan report`` goes: each piece timed on its own, in a fresh process.

Prints one row per piece: wall time and CPU time (the best of ``--repeat`` runs, each in a
process of its own so that nothing is cached or already imported), then the per-report work of
a warm kernel and of eksplan's own process. The README's performance section quotes it.

    python benchmarks/fixed_costs.py [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_fleet import isolate_state, synthetic_fleet  # noqa: E402

SKIP_IRI = "import sys; sys.modules.setdefault('rfc3987_syntax', None)\n"

KERNEL_START = ("from ipykernel.kernelapp import IPKernelApp\n"
                "IPKernelApp.instance().initialize(['-f', connection, '--HistoryManager.enabled=False'])")

#: (what, set-up code, timed code): the timed code runs after the set-up, in the same fresh process.
PIECES = [
    ("eksplan report's own imports, up to its first kernel", "",
     "import eksplan.cli.main, eksplan.report.fleet, eksplan.report.runner, eksplan.report.engines"),
    ("load and validate the six example specs (pydantic imported)", "",
     f"from eksplan.catalog import load_catalog\nfrom eksplan.spec import load_fleet\n"
     f"load_fleet([{str(ROOT / 'examples')!r}], load_catalog())"),
    ("nbconvert's exporter: import, build, compile the report template",
     "from eksplan.report.runner import to_html, _template\nnb = _template()", "to_html(nb, 'x', bundle='')"),
    ("the Vega bundle (vl-convert's start-up, then bundling; holds the GIL)",
     "from eksplan.report.html import vega_bundle", "vega_bundle()"),
    ("ipykernel's start, as before (debugpy imported)", "import tempfile, os\n"
     "connection = os.path.join(tempfile.mkdtemp(), 'kernel.json')", KERNEL_START),
    ("ipykernel's start, as now (no debugpy: eksplan.report.kernel)",
     "import sys, tempfile, os\nsys.modules['debugpy'] = None\nconnection = os.path.join(tempfile.mkdtemp(), 'kernel.json')",
     KERNEL_START),
    ("the report's imports in a kernel: eksplan's report, charts, explorers, altair", "",
     "import eksplan.report.cluster, eksplan.charts, eksplan.explore, altair"),
    ("pandas (imported by every kernel before; the report does not use it)", "", "import pandas"),
    ("a spawned worker process (before): interpreter, eksplan's runner and nbconvert imported", "",
     "import subprocess, sys; subprocess.run([sys.executable, '-c', "
     "'import sys; sys.modules.setdefault(\"rfc3987_syntax\", None); import eksplan.report.runner, nbconvert.exporters'], "
     "check=True)"),
    ("the index page: altair imported, the chart, the template",
     "from pathlib import Path\nimport tempfile\nfrom eksplan.report.fleet import Outcome, write_index\n"
     "rows = [Outcome(f'c{i}', f'c{i}', 'f.yaml', True, 0.1, summary={'counts': {'high': 1}, 'findings': 1, "
     "'worst': None, 'runway': None, 'ip_family': 'ipv4', 'ip_mode': 'prefix', 'pod_networking': 'vpc'}) for i in range(12)]\nout = Path(tempfile.mkdtemp())",
     "write_index(out, rows, [], bundle='')"),
]

PER_REPORT = """
import asyncio, json, sys, tempfile, time
from pathlib import Path
import psutil
from eksplan.report import runner
from eksplan.report.engines import Kernels, ReusedKernel, inject_parameters
from eksplan.report.fleet import _tasks
from eksplan.report.paths import notebooks_dir
from eksplan.spec import load_fleet

scratch = Path(tempfile.mkdtemp())
tasks = _tasks(load_fleet([sys.argv[1]]).clusters, scratch)
runner.to_html(runner._template(), 'warm-up', bundle='')

async def main():
    kernel = ReusedKernel(notebooks_dir(), Kernels(scratch))
    await kernel.start(); await kernel.ready()
    proc = psutil.Process(kernel.km.provisioner.pid)
    rows = []
    for task in tasks:
        before, mine = sum(proc.cpu_times()[:2]), time.process_time()
        nb = await kernel.execute(inject_parameters(runner._template(), runner._parameters(task)))
        runner.to_html(nb, task.name, bundle=''); runner._document(task)
        rows.append((sum(proc.cpu_times()[:2]) - before, time.process_time() - mine))
    await kernel.close()
    print(json.dumps(rows))
asyncio.run(main())
"""


def timed(setup: str, code: str, repeat: int) -> tuple[float, float]:
    """Best (wall, CPU) seconds of ``code`` after ``setup``, each run in a fresh process."""
    program = (SKIP_IRI + setup + "\nimport time, resource, json\n"
               "def cpu():\n    s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)\n"
               "    return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime\n"
               f"w, c = time.perf_counter(), cpu()\n{code}\n"
               "import sys\nsys.__stdout__.write(json.dumps([time.perf_counter() - w, cpu() - c]) + '\\n')\n")
    runs = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, cwd=ROOT / "notebooks")
        if out.returncode != 0:
            raise SystemExit(out.stderr)
        runs.append(json.loads(out.stdout.strip().splitlines()[-1]))
    return min(r[0] for r in runs), min(r[1] for r in runs)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    state = Path(tempfile.mkdtemp(prefix="eksplan-costs-"))
    isolate_state(state)

    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "pass"], check=True)
    print(f"{'wall s':>7} {'CPU s':>6}  piece")
    print(f"{time.perf_counter() - started:7.2f} {'':>6}  a Python interpreter, started and stopped")
    for what, setup, code in PIECES:
        wall, cpu = timed(setup, code, args.repeat)
        print(f"{wall:7.2f} {cpu:6.2f}  {what}", flush=True)

    fleet = synthetic_fleet(12, state / "fleet")
    out = subprocess.run([sys.executable, "-c", SKIP_IRI + PER_REPORT, str(fleet)], capture_output=True, text=True,
                         check=True, cwd=ROOT / "notebooks")
    rows = sorted(json.loads(out.stdout.strip().splitlines()[-1]))
    kernel = sorted(r[0] for r in rows)[len(rows) // 2]
    mine = sorted(r[1] for r in rows)[len(rows) // 2]
    print(f"per report (median of {len(rows)}): {kernel:.2f} s CPU in its kernel, {mine:.2f} s CPU in eksplan's "
          "process (nbclient, HTML export, JSON twin)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
