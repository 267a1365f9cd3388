"""The hostile and malformed corpus: each input gets its located line and exit status, within bounds.

Each case of tests/hostile_inputs.py runs in a child process with CPU-time and memory limits (see tests/hostile_runner.py), so that a regression (an alias bomb expanded, a device
read to the end) fails the test instead of swapping or hanging the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import ROOT
from .hostile_inputs import CASES, MB

#: Memory a child may map beyond what it starts with: above any case's bound, low enough that a
#: runaway allocation fails at once instead of swapping.
MEMORY_GROWTH = 1024 * MB
#: Wall-clock guard, generous for a loaded machine: the CPU limit is the real bound.
TIMEOUT_SECONDS = 60


@pytest.fixture(scope="module")
def runner():
    process = subprocess.Popen([sys.executable, "-m", "tests.hostile_runner"], cwd=ROOT, stdin=subprocess.PIPE,
                               stdout=subprocess.PIPE, text=True)
    assert json.loads(process.stdout.readline()) == {"ready": True}

    def run(folder: Path, case) -> dict:
        request = {"dir": str(folder), "argv": list(case.argv), "cpu_seconds": case.cpu_seconds,
                   "memory_growth": MEMORY_GROWTH, "timeout_seconds": TIMEOUT_SECONDS}
        process.stdin.write(json.dumps(request) + "\n")
        process.stdin.flush()
        return json.loads(process.stdout.readline())

    yield run
    process.stdin.close()
    process.wait(timeout=30)


def _prepare(folder: Path, case) -> None:
    for name, content in case.files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8")
    if case.setup is not None:
        case.setup(folder)


def test_corpus_is_large_and_distinct():
    """At least 60 cases, each with its own id."""
    ids = [case.id for case in CASES]
    assert len(ids) >= 60 and len(set(ids)) == len(ids)


@pytest.mark.parametrize("case", CASES, ids=[case.id for case in CASES])
def test_hostile_input(tmp_path, runner, case):
    """Exit status, exact first line, no traceback, no internal error, within the CPU and memory bounds."""
    folder = tmp_path / "case"
    folder.mkdir()
    _prepare(folder, case)
    result = runner(folder, case)
    out = (folder / ".stdout").read_text(errors="replace")
    err = (folder / ".stderr").read_text(errors="replace")
    assert not result["timed_out"], f"still running after {TIMEOUT_SECONDS} s"
    assert result["status"] == case.status, (result, err[-2000:])
    shown = out if case.status == 0 else err
    assert shown.splitlines()[0] == case.first
    assert "Traceback" not in out + err
    assert "internal error" not in err
    assert result["peak_memory_bytes"] < case.memory_mb * MB, result
    assert result["cpu_seconds"] < case.cpu_seconds, result
