"""Benchmark: rendering a fleet with ``eksplan report`` against a plain papermill loop.

Generates N synthetic clusters (variations of examples/), then in the same run:

* times ``eksplan report`` on them (its own process, all cores) and samples the peak memory of
  its whole process tree (workers and kernels included);
* times the baseline: a loop of ``papermill.execute_notebook`` then nbconvert's ``HTMLExporter``
  with the same notebook and template, one cluster after another (on the first
  ``--baseline-clusters`` of them, 50 by default);
* checks that both produced the same report content (apart from timestamps);
* times ``import eksplan``, the full max-pods table and one explorer recompute.

The last line is ``speedup: X.XX`` (seconds per report, baseline over eksplan). Targets: a
speedup of at least 5 on 2 cores, peak memory under 1.5 GB at N = 200, import under 0.3 s,
the table under 0.1 s, a recompute under 50 ms.

    python benchmarks/bench_fleet.py [--clusters N] [--baseline-clusters M] [--jobs J]
"""

from __future__ import annotations

import argparse
import copy
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "benchmarks"))

from bench_maxpods import time_import, time_table  # noqa: E402

TARGET_SPEEDUP = 5.0
TARGET_MEMORY_MB = 1536
TARGET_RECOMPUTE_S = 0.05
INSTANCE_CHOICES = ["m5.large", "m5.xlarge", "m6i.2xlarge", "c6i.4xlarge", "r6g.2xlarge", "m7g.xlarge"]


def synthetic_fleet(n: int, folder: Path, seed: int = 7) -> Path:
    """N clusters varied from the examples: names, sizes, pod densities and instance types."""
    rng = random.Random(seed)
    shutil.copytree(ROOT / "examples" / "aws", folder / "aws")
    bases = [yaml.safe_load(p.read_text()) for p in sorted((ROOT / "examples").glob("*.yaml"))]
    clusters = []
    for i in range(n):
        cluster = copy.deepcopy(bases[i % len(bases)])
        cluster["name"] = f"{cluster['name']}-{i:03d}"
        for group in cluster.get("node_groups", []):
            if group.get("os", "linux") == "linux" and rng.random() < 0.5 and not group.get("custom_ami"):
                group["instance_types"] = [rng.choice(INSTANCE_CHOICES)]
            group["max_size"] = group["max_size"] + rng.randint(0, 10)
            group["pods_per_node"] = max(1, group["pods_per_node"] + rng.randint(-5, 5))
        clusters.append(cluster)
    fleet = folder / "fleet.yaml"
    fleet.write_text(yaml.safe_dump({"clusters": clusters}, sort_keys=False))
    return fleet


def _tree_rss(pid: int) -> int:
    """Resident memory, in bytes, of a process and all its descendants."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            children.setdefault(int(fields[1]), []).append(int(entry))
            rss[int(entry)] = int(fields[21]) * os.sysconf("SC_PAGE_SIZE")
        except (OSError, IndexError, ValueError):
            continue
    total, todo = 0, [pid]
    while todo:
        current = todo.pop()
        total += rss.get(current, 0)
        todo.extend(children.get(current, []))
    return total


def run_eksplan(fleet: Path, out: Path, jobs: int | None) -> tuple[float, int]:
    command = [sys.executable, "-m", "eksplan", "report", str(fleet), "-o", str(out)]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            peak = max(peak, _tree_rss(process.pid))
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = process.wait()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if code != 0:
        raise SystemExit(f"eksplan report failed (exit {code})")
    return elapsed, peak


def run_baseline(fleet: Path, out: Path, limit: int) -> tuple[float, int]:
    """papermill.execute_notebook, then nbconvert's HTMLExporter (our template), one after another.

    Each cluster's spec is written to a file of its own first, exactly as ``eksplan report`` does,
    so that both render the same input.
    """
    import papermill

    from eksplan.report.fleet import _tasks
    from eksplan.report.paths import notebooks_dir, report_notebook
    from eksplan.report.runner import to_html
    from eksplan.spec import load_fleet

    out.mkdir(parents=True, exist_ok=True)
    tasks = _tasks(load_fleet([fleet]).clusters[:limit], out / "specs")
    started = time.perf_counter()
    for task in tasks:
        nb = papermill.execute_notebook(
            str(report_notebook()), None, parameters={"spec_path": task.spec_file, "cluster_name": task.name},
            kernel_name="python3", progress_bar=False, log_output=False, cwd=str(notebooks_dir()))
        (out / f"{task.slug}.html").write_text(to_html(nb, task.name))
    return time.perf_counter() - started, len(tasks)


TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}(:\d{2})?( ?[A-Z]{2,4})?")


def same_content(ours: Path, baseline: Path) -> tuple[int, int]:
    pages = sorted(baseline.glob("*.html"))
    same = sum(1 for page in pages if TIMESTAMP.sub("", page.read_text()) == TIMESTAMP.sub("", (ours / page.name).read_text()))
    return same, len(pages)


def time_recompute(repeat: int = 5) -> float:
    """One explorer widget change: new rows from the simulator, a new chart, its spec."""
    from eksplan import charts, explore

    best = float("inf")
    for pods in range(20, 20 + repeat):
        started = time.perf_counter()
        rows = explore.consumption_rows("m5.large", pods, 60)  # what ip_consumption_explorer's update does
        charts.spec_with_data(charts.consumption_chart, rows)
        best = min(best, time.perf_counter() - started)
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, default=50)
    parser.add_argument("--baseline-clusters", type=int, default=50)
    parser.add_argument("--jobs", type=int, default=None, help="eksplan report's workers (default: one per core)")
    parser.add_argument("--keep", type=Path, help="keep the generated fleet and reports here")
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="eksplan-bench-"))
    for name, sub in (("JUPYTER_CONFIG_DIR", "jc"), ("JUPYTER_DATA_DIR", "jd"), ("JUPYTER_RUNTIME_DIR", "jr"),
                      ("IPYTHONDIR", "ipython"), ("XDG_CACHE_HOME", "cache")):
        os.environ.setdefault(name, str(state / sub))
        Path(os.environ[name]).mkdir(parents=True, exist_ok=True)
    work = args.keep or state
    work.mkdir(parents=True, exist_ok=True)
    fleet = synthetic_fleet(args.clusters, work)
    print(f"clusters: {args.clusters} (synthetic, from examples/), cores: {os.cpu_count()}, "
          f"workers: {args.jobs or 'one per core'}")

    elapsed, peak = run_eksplan(fleet, work / "eksplan", args.jobs)
    ours = elapsed / args.clusters
    print(f"eksplan report: {elapsed:.1f} s for {args.clusters} reports = {ours:.2f} s per report, "
          f"peak memory {peak / 2**20:.0f} MB (target < {TARGET_MEMORY_MB} MB at N = 200)")

    limit = min(args.baseline_clusters, args.clusters)
    base_elapsed, count = run_baseline(fleet, work / "baseline", limit)
    baseline = base_elapsed / count
    print(f"baseline (papermill then HTMLExporter, one after another): {base_elapsed:.1f} s for {count} reports "
          f"= {baseline:.2f} s per report")
    same, total = same_content(work / "eksplan", work / "baseline")
    print(f"same report content: {same} of {total}")

    imported = time_import(5)
    _, table, rows = time_table(5)
    recompute = time_recompute()
    print(f"import eksplan: {imported * 1000:.0f} ms (target < 300 ms)")
    print(f"max-pods table: {table * 1000:.0f} ms for {rows} rows (target < 100 ms)")
    print(f"explorer recompute: {recompute * 1000:.0f} ms (target < 50 ms)")
    if not args.keep:
        shutil.rmtree(state, ignore_errors=True)
    speedup = baseline / ours
    print(f"speedup: {speedup:.2f}")
    ok = (speedup >= TARGET_SPEEDUP and same == total and imported < 0.3 and table < 0.1
          and recompute < TARGET_RECOMPUTE_S and (args.clusters < 200 or peak < TARGET_MEMORY_MB * 2**20))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
