"""Benchmark: rendering fleets with ``eksplan report`` against a plain papermill loop.

For each fleet size (1, 4 and 12 synthetic clusters by default, variations of examples/), in
the same run:

* times ``eksplan report`` on them (its own process, all cores, from start to exit) twice: first
  with an empty cache (its first run ever: the Vega bundle is built), then again (the bundle is
  read from its cache, as on every later run), and samples the peak memory of its whole process
  tree (kernels included) and its largest number of processes;
* times the baseline in a fresh process of its own: a loop of ``papermill.execute_notebook`` then
  nbconvert's ``HTMLExporter`` with the same notebook and template, one cluster after another,
  timed from the first cluster (its imports and spec loading are not counted);
* checks that both produced the same report content (apart from timestamps).

Then it times ``import eksplan``, the full max-pods table and one explorer recompute. Contention
from other work on the machine slows both sides of a ratio, as they run one after the other.
The last line is ``speedup: 1=X.XX 4=X.XX 12=X.XX``: per size, the plain loop's time over
eksplan's first run's (empty cache); the line before gives the same for later runs.
Targets on 2 cores: 1 cluster >= 1.8, 4 >= 4, 12 >= 7, 50 >= 10; peak memory <= 920 MB; import
under 0.3 s, the table under 0.1 s, a recompute under 50 ms.

    python benchmarks/bench_fleet.py [--clusters 1 4 12 50] [--jobs J] [--keep DIR]
"""

from __future__ import annotations

import argparse
import copy
import json
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

#: Smallest speedup per fleet size on 2 cores (sizes not listed have no target).
TARGET_SPEEDUP = {1: 1.8, 4: 4.0, 12: 7.0, 50: 10.0}
TARGET_MEMORY_MB = 920
TARGET_RECOMPUTE_S = 0.05
INSTANCE_CHOICES = ["m5.large", "m5.xlarge", "m6i.2xlarge", "c6i.4xlarge", "r6g.2xlarge", "m7g.xlarge"]


def synthetic_fleet(n: int, folder: Path, seed: int = 7) -> Path:
    """N clusters varied from the examples: names, sizes, pod densities and instance types."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    shutil.copytree(ROOT / "examples" / "aws", folder / "aws", dirs_exist_ok=True)
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


def _tree(pid: int) -> tuple[int, int]:
    """Resident memory, in bytes, and number of a process and all its descendants."""
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
    total, count, todo = 0, 0, [pid]
    while todo:
        current = todo.pop()
        if current in rss:
            total, count = total + rss[current], count + 1
        todo.extend(children.get(current, []))
    return total, count


def run_eksplan(fleet: Path, out: Path, jobs: int | None, cache: Path) -> tuple[float, int, int]:
    """Wall time of ``eksplan report``, its tree's peak memory and its largest number of processes."""
    command = [sys.executable, "-m", "eksplan", "report", str(fleet), "-o", str(out)]
    if jobs:
        command += ["--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                               env={**os.environ, "XDG_CACHE_HOME": str(cache)})
    peak = processes = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak, processes
        while not done.is_set():
            memory, count = _tree(process.pid)
            peak, processes = max(peak, memory), max(processes, count)
            time.sleep(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, errors = process.communicate()
    elapsed = time.perf_counter() - started
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"eksplan report failed (exit {process.returncode}):\n{errors.decode()}")
    return elapsed, peak, processes


def baseline_loop(fleet: Path, out: Path) -> None:
    """papermill.execute_notebook, then nbconvert's HTMLExporter (our template), one after another.

    Each cluster's spec is written to a file of its own first, exactly as ``eksplan report`` does,
    so that both render the same input. Prints the seconds taken, from the first cluster on.
    """
    import papermill

    from eksplan.report.fleet import _tasks
    from eksplan.report.paths import notebooks_dir, report_notebook
    from eksplan.report.runner import to_html
    from eksplan.spec import load_fleet

    out.mkdir(parents=True, exist_ok=True)
    tasks = _tasks(load_fleet([fleet]).clusters, out / "specs")
    started = time.perf_counter()
    for task in tasks:
        nb = papermill.execute_notebook(
            str(report_notebook()), None, parameters={"spec_path": task.spec_file, "cluster_name": task.name},
            kernel_name="python3", progress_bar=False, log_output=False, cwd=str(notebooks_dir()))
        (out / f"{task.slug}.html").write_text(to_html(nb, task.name))
    print(json.dumps({"seconds": time.perf_counter() - started, "reports": len(tasks)}))


def run_baseline(fleet: Path, out: Path) -> float:
    """The baseline loop in a fresh process (nothing cached from an earlier size)."""
    result = subprocess.run([sys.executable, __file__, "--baseline", str(fleet), str(out)],
                            capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"the baseline loop failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])["seconds"]


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


def isolate_state(state: Path) -> None:
    """Jupyter's and IPython's state in a temporary folder (unless the caller set it already)."""
    for name, sub in (("JUPYTER_CONFIG_DIR", "jc"), ("JUPYTER_DATA_DIR", "jd"), ("JUPYTER_RUNTIME_DIR", "jr"),
                      ("IPYTHONDIR", "ipython"), ("XDG_CACHE_HOME", "cache")):
        os.environ.setdefault(name, str(state / sub))
        Path(os.environ[name]).mkdir(parents=True, exist_ok=True)


def main() -> int:
    if sys.argv[1:2] == ["--baseline"]:
        baseline_loop(Path(sys.argv[2]), Path(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clusters", type=int, nargs="+", default=[1, 4, 12], metavar="N")
    parser.add_argument("--jobs", type=int, default=None, help="eksplan report's --jobs (default: its own)")
    parser.add_argument("--keep", type=Path, help="keep the generated fleets and reports here")
    args = parser.parse_args()

    state = Path(tempfile.mkdtemp(prefix="eksplan-bench-"))
    isolate_state(state)
    work = args.keep or state
    work.mkdir(parents=True, exist_ok=True)
    print(f"fleet sizes: {' '.join(map(str, args.clusters))} (synthetic, from examples/), cores: {os.cpu_count()}, "
          f"--jobs: {args.jobs or 'default'}")

    speedups: dict[int, float] = {}
    later: dict[int, float] = {}
    peak_all, all_same = 0, True
    for n in args.clusters:
        folder = work / f"fleet-{n}"
        fleet = synthetic_fleet(n, folder)
        first, peak, processes = run_eksplan(fleet, folder / "eksplan-first", args.jobs, folder / "cache")
        again, peak_again, _ = run_eksplan(fleet, folder / "eksplan", args.jobs, folder / "cache")
        base = run_baseline(fleet, folder / "baseline")
        same, total = same_content(folder / "eksplan", folder / "baseline")
        speedups[n], later[n] = base / first, base / again
        peak_all, all_same = max(peak_all, peak, peak_again), all_same and same == total
        target = TARGET_SPEEDUP.get(n)
        print(f"{n:>3} cluster(s): eksplan {first:5.2f} s first run, {again:5.2f} s later runs "
              f"(peak {max(peak, peak_again) / 2**20:.0f} MB, {processes} processes); plain loop {base:6.2f} s; "
              f"speedup {speedups[n]:5.2f} first, {later[n]:5.2f} later{f' [>= {target}]' if target else ''}; "
              f"same content {same}/{total}", flush=True)
    print(f"peak memory: {peak_all / 2**20:.0f} MB [<= {TARGET_MEMORY_MB} MB]")

    imported = time_import(5)
    _, table, rows = time_table(5)
    recompute = time_recompute()
    print(f"import eksplan: {imported * 1000:.0f} ms (target < 300 ms)")
    print(f"max-pods table: {table * 1000:.0f} ms for {rows} rows (target < 100 ms)")
    print(f"explorer recompute: {recompute * 1000:.0f} ms (target < 50 ms)")
    if not args.keep:
        shutil.rmtree(state, ignore_errors=True)
    print("speedup of later runs (Vega bundle cached): " + " ".join(f"{n}={s:.2f}" for n, s in later.items()))
    print("speedup: " + " ".join(f"{n}={s:.2f}" for n, s in speedups.items()))
    ok = (all(s >= TARGET_SPEEDUP.get(n, 0) for n, s in speedups.items()) and all_same
          and peak_all <= TARGET_MEMORY_MB * 2**20 and imported < 0.3 and table < 0.1 and recompute < TARGET_RECOMPUTE_S)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
