"""Benchmark: import cost and the full max-pods table (every type x 4 scenarios).

Targets: ``import eksplan`` well under 0.3 s and without pandas, altair or boto3; the full
table well under a second. Prints the best of several runs; exits non-zero on a missed target.

    python benchmarks/bench_maxpods.py [--repeat N]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

IMPORT_TARGET_S = 0.3
TABLE_TARGET_S = 1.0


def time_import(repeat: int) -> float:
    code = (
        "import time; t = time.perf_counter(); import eksplan; "
        "print(time.perf_counter() - t)"
    )
    runs = [float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                 check=True).stdout) for _ in range(repeat)]
    return min(runs)


def heavy_modules_after_import() -> list[str]:
    code = (
        "import sys, eksplan; eksplan.max_pods('m5.large'); "
        "print(' '.join(m for m in ('pandas', 'altair', 'boto3') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    return out.split()


def time_table(repeat: int) -> tuple[float, float, int]:
    from eksplan import load_catalog
    from eksplan.maxpods import max_pods_table

    started = time.perf_counter()
    catalog = load_catalog()
    first_load = time.perf_counter() - started
    best = float("inf")
    rows = 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = len(max_pods_table(catalog))
        best = min(best, time.perf_counter() - started)
    return first_load, best, rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    imported = time_import(args.repeat)
    heavy = heavy_modules_after_import()
    load, table, rows = time_table(args.repeat)
    print(f"import eksplan:            {imported * 1000:7.1f} ms (target < {IMPORT_TARGET_S * 1000:.0f} ms)")
    print(f"heavy modules on import:   {', '.join(heavy) or 'none'}")
    print(f"catalog load (first):      {load * 1000:7.1f} ms")
    print(f"max-pods table:            {table * 1000:7.1f} ms for {rows} rows (target < {TABLE_TARGET_S * 1000:.0f} ms)")
    ok = imported < IMPORT_TARGET_S and not heavy and table < TABLE_TARGET_S
    print("targets met" if ok else "TARGET MISSED")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
