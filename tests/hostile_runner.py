"""Run eksplan commands under resource limits, one forked child per command, and measure each.

Started once by tests/test_hostile_inputs.py (``python -m tests.hostile_runner``): it imports
eksplan once, then for every request read from stdin (one JSON object per line) forks a child
that sets its limits, runs ``eksplan.cli.main.main(argv)`` in the request's folder with stdout
and stderr going to files there, and exits with its status. The parent answers with one JSON
line: exit status (or the signal that ended the child), peak resident memory and CPU time from
``wait4``, and wall-clock time.

The limits make a regression fail instead of swapping or hanging: RLIMIT_CPU (the kernel sends
SIGXCPU, then SIGKILL) and RLIMIT_DATA (allocations fail: MemoryError), and a wall-clock guard
that kills the child. RLIMIT_DATA counts the private writable memory a process maps (Linux 4.7
and later), not address space it only reserves: the JavaScript engine that renders the report
index reserves gigabytes it never touches, which RLIMIT_AS would refuse. A fork per case costs milliseconds, where a fresh interpreter and its
imports would cost half a second each.
"""

from __future__ import annotations

import json
import os
import resource
import signal
import sys
import time
import traceback


def _data_size() -> int:
    """This process's private writable memory in bytes (VmData: what RLIMIT_DATA counts)."""
    with open("/proc/self/status") as stream:
        line = next(line for line in stream if line.startswith("VmData:"))
    return int(line.split()[1]) * 1024


def _child(request: dict) -> None:
    """In the forked child: limits, redirections, the command; never returns."""
    code = 101
    try:
        os.chdir(request["dir"])
        cpu = request["cpu_seconds"]
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu + 1))
        limit = _data_size() + request["memory_growth"]
        resource.setrlimit(resource.RLIMIT_DATA, (limit, limit))
        stdin = os.open(os.devnull, os.O_RDONLY)
        os.dup2(stdin, 0)
        for fd, name in ((1, ".stdout"), (2, ".stderr")):
            target = os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
            os.dup2(target, fd)
            os.close(target)
        from eksplan.cli.main import main

        code = main(request["argv"])
    except BaseException:  # noqa: BLE001 - reported as a traceback, which the test then refuses
        traceback.print_exc()
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code if isinstance(code, int) else 101)


def run(request: dict) -> dict:
    """Fork, run, wait (at most ``timeout_seconds`` of wall-clock time) and measure."""
    started = time.monotonic()
    pid = os.fork()
    if pid == 0:
        _child(request)
    deadline = started + request["timeout_seconds"]
    killed = False
    while True:
        done, status, usage = os.wait4(pid, os.WNOHANG)
        if done:
            break
        if time.monotonic() > deadline and not killed:
            os.kill(pid, signal.SIGKILL)
            killed = True
        time.sleep(0.005)
    return {
        "status": os.waitstatus_to_exitcode(status),  # negative: the signal that ended it
        "timed_out": killed,
        "peak_memory_bytes": usage.ru_maxrss * 1024,  # Linux reports kilobytes
        "cpu_seconds": usage.ru_utime + usage.ru_stime,
        "wall_seconds": time.monotonic() - started,
    }


def serve() -> None:
    import eksplan.cli.main  # noqa: F401 - imported once, shared by every child
    import eksplan.spec  # noqa: F401
    from eksplan.catalog import load_catalog

    load_catalog()
    print(json.dumps({"ready": True}), flush=True)
    for line in sys.stdin:
        print(json.dumps(run(json.loads(line))), flush=True)


if __name__ == "__main__":
    serve()
