"""The fleet runner as an operator meets it: stopped, killed, run twice at once, run again.

Each test runs the real ``eksplan report`` in a process of its own (and its own session, as a
shell job would be), waits for a condition rather than a fixed time, then checks the exit
status, the files on disk, the index, and that every process the run started is gone. Only
the run's own processes are looked at, by pid. No test asserts how long anything took.
"""

from __future__ import annotations

import errno
import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest
import yaml

from eksplan.errors import OutputBusy
from eksplan.report import lifecycle
from eksplan.report.lifecycle import Scratch, output_lock
from eksplan.report.watchdog import watch

from .conftest import ROOT

pytestmark = pytest.mark.slow

#: Generous: a loaded machine is slow, and a test that waits for a condition ends as soon as it holds.
PATIENCE = 180


def wait_for(condition, what: str, timeout: float = PATIENCE):
    """Poll ``condition`` until it returns something true; fail naming ``what`` after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    pytest.fail(f"gave up waiting for {what}")


def fleet_file(folder: Path, clusters: int) -> Path:
    """``clusters`` small clusters (the dev-sandbox example under other names) in one fleet file."""
    base = yaml.safe_load((ROOT / "examples" / "dev-sandbox.yaml").read_text())
    path = folder / "fleet.yaml"
    path.write_text(yaml.safe_dump({"clusters": [{**base, "name": f"dev-{i:03d}"} for i in range(clusters)]},
                                   sort_keys=False))
    return path


class Run:
    """``eksplan report`` in a session of its own, with its own temporary and Jupyter runtime folders."""

    def __init__(self, tmp_path: Path, fleet: Path, out: Path, *options: str):
        self.tmp = tmp_path / "tmp"
        self.runtime = tmp_path / "jupyter-runtime"
        for folder in (self.tmp, self.runtime):
            folder.mkdir(exist_ok=True)
        env = {**os.environ, "TMPDIR": str(self.tmp), "JUPYTER_RUNTIME_DIR": str(self.runtime)}
        self.out = out
        self.started = time.time()
        self.process = subprocess.Popen([sys.executable, "-m", "eksplan", "report", str(fleet), "-o", str(out), *options],
                                        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                        start_new_session=True)
        self.seen: dict[int, float] = {}  # pid -> start time, of the run's processes seen while it ran

    def reports(self) -> list[Path]:
        return [p for p in self.out.glob("*.html") if p.name not in ("index.html", "about.html")]

    def watch_processes(self) -> None:
        """Note the run's processes now (kernels, watchdog, ...): checked by pid at the end."""
        try:
            family = [psutil.Process(self.process.pid)]
            family += family[0].children(recursive=True)
        except psutil.NoSuchProcess:
            return
        for p in family:
            try:
                self.seen[p.pid] = p.create_time()
            except psutil.NoSuchProcess:
                pass

    def wait_for_reports(self, count: int = 1) -> None:
        """Wait until this run has written ``count`` reports (older ones in the folder do not count)."""
        def enough():
            self.watch_processes()
            return sum(p.stat().st_mtime >= self.started for p in self.reports()) >= count
        wait_for(enough, f"{count} report(s) in {self.out}")
        assert len(self.seen) >= 3, self.seen  # the runner, its watchdog and at least one kernel

    def finish(self) -> tuple[int, str, str]:
        stdout, stderr = self.process.communicate(timeout=PATIENCE)
        return self.process.returncode, stdout, stderr

    def alive(self) -> list[int]:
        """The run's processes seen earlier that still exist (the same process, not a reused pid)."""
        left = []
        for pid, started in self.seen.items():
            try:
                p = psutil.Process(pid)
                if p.create_time() == started and p.status() != psutil.STATUS_ZOMBIE:
                    left.append(pid)
            except psutil.NoSuchProcess:
                pass
        return left

    def assert_nothing_left(self) -> None:
        """No process of the run, no scratch folder, temporary or connection file, no torn report."""
        wait_for(lambda: not self.alive(), "the run's processes to exit")
        wait_for(lambda: not list(self.out.glob(".eksplan-run-*")), "the scratch folder to be removed")
        assert sorted(self.tmp.iterdir()) == [] and sorted(self.runtime.iterdir()) == []
        assert [p.name for p in self.out.iterdir() if p.name.startswith(".")] == []
        for page in self.reports():
            assert page.read_text().rstrip().endswith("</html>"), page.name
            json.loads(page.with_suffix(".json").read_text())


def index_counts(out: Path) -> tuple[int, int]:
    """(reports, cancelled) as the index lists them."""
    index = (out / "index.html").read_text()
    table = index[index.index('id="fleet-table"'):index.index("</table>")]
    cancelled = index[index.index('id="cancelled"'):] if 'id="cancelled"' in index else ""
    return len(re.findall(r"<tr[ >]", table)) - 1, cancelled.count('<span class="eksplan-badge">cancelled</span>')


@pytest.mark.parametrize("signum, how, engine", [(signal.SIGTERM, "runner", "kernel"), (signal.SIGINT, "group", "kernel"),
                                                 (signal.SIGTERM, "runner", "papermill")],
                         ids=["sigterm-to-the-runner", "ctrl-c-to-the-process-group", "sigterm-papermill-engine"])
def test_a_stop_signal_cancels_the_rest_and_writes_the_index(tmp_path, signum, how, engine):
    """SIGTERM or Ctrl-C: exit 128 + signal, no traceback, the index lists what finished and the rest as cancelled."""
    run = Run(tmp_path, fleet_file(tmp_path, 40), tmp_path / "reports", "--engine", engine)
    run.wait_for_reports(1)
    if how == "group":
        os.killpg(run.process.pid, signum)  # what a terminal does on Ctrl-C
    else:
        run.process.send_signal(signum)
    status, stdout, stderr = run.finish()
    assert status == 128 + signum
    assert "Traceback" not in stderr
    written = len(run.reports())
    last = stderr.strip().splitlines()[-1]
    assert last == (f"eksplan report: stopped by {signal.Signals(signum).name}: {written} report(s) written, "
                    f"0 failed, {40 - written} cancelled")
    assert 1 <= written < 40
    assert index_counts(run.out) == (written, 40 - written)
    assert stdout.strip() == str(run.out / "index.html")
    run.assert_nothing_left()


def test_kill_9_of_the_runner_leaves_nothing_running(tmp_path):
    """SIGKILL of the runner alone (the OOM killer): its kernels and watchdog go, and so does the scratch folder."""
    run = Run(tmp_path, fleet_file(tmp_path, 40), tmp_path / "reports")
    run.wait_for_reports(1)
    run.process.kill()
    status, _, _ = run.finish()
    assert status == -signal.SIGKILL
    run.assert_nothing_left()


def test_kill_9_of_the_group_then_a_rerun_completes(tmp_path):
    """SIGKILL of the whole process group tears no report, and running again renders the whole fleet."""
    fleet = fleet_file(tmp_path, 12)
    run = Run(tmp_path, fleet, tmp_path / "reports")
    run.wait_for_reports(1)
    os.killpg(run.process.pid, signal.SIGKILL)
    run.finish()
    run.assert_nothing_left()
    again = Run(tmp_path, fleet, tmp_path / "reports")
    again.wait_for_reports(1)
    status, _, stderr = again.finish()
    assert status == 0, stderr
    assert stderr.strip().splitlines()[-1] == "12 report(s) written, 0 failed"
    assert index_counts(again.out) == (12, 0)
    again.assert_nothing_left()


def test_a_second_run_into_the_same_folder_fails_at_once(tmp_path):
    """A second run into a folder being written fails with one line; the first finishes untouched."""
    fleet = fleet_file(tmp_path, 12)
    first = Run(tmp_path, fleet, tmp_path / "reports")
    first.wait_for_reports(1)
    second = subprocess.run([sys.executable, "-m", "eksplan", "report", str(fleet), "-o", str(first.out)],
                            capture_output=True, text=True, timeout=PATIENCE)
    assert second.returncode == 2
    assert second.stderr == (f"eksplan report: error: {str(first.out)!r}: another eksplan report is writing into "
                             "this folder; wait for it to finish or choose another output folder\n")
    assert second.stdout == ""
    status, _, stderr = first.finish()
    assert status == 0, stderr
    assert stderr.strip().splitlines()[-1] == "12 report(s) written, 0 failed"
    assert index_counts(first.out) == (12, 0)
    first.assert_nothing_left()


# -- the pieces, in this process -----------------------------------------------------------------

def test_the_output_lock_is_exclusive(tmp_path):
    """While one run holds a folder, another cannot; once released, it can."""
    with output_lock(tmp_path):
        with pytest.raises(OutputBusy, match=re.escape(f"{str(tmp_path)!r}: another eksplan report is writing")):
            with output_lock(tmp_path):
                pass
    with output_lock(tmp_path):
        pass
    assert list(tmp_path.iterdir()) == []  # no lock file


def test_without_file_locks_a_run_goes_on_and_sweeps_nothing(tmp_path, monkeypatch):
    """On a file system without locks the run is not held, and leaves other runs' scratch folders alone."""
    def no_locks(fd, operation):
        raise OSError(errno.ENOLCK, "No locks available")

    monkeypatch.setattr(lifecycle.fcntl, "flock", no_locks)
    other = tmp_path / ".eksplan-run-other"
    other.mkdir()
    with output_lock(tmp_path) as held:
        scratch = Scratch(tmp_path, sweep=held)
    assert held is False and other.exists()
    scratch.remove()
    monkeypatch.undo()  # with locks, a folder left by a killed run is swept
    with output_lock(tmp_path) as held:
        Scratch(tmp_path, sweep=held).remove()
    assert held is True and list(tmp_path.iterdir()) == []


def test_the_watchdog_cleans_up_only_when_the_runner_did_not(tmp_path):
    """Told 'done', the watchdog touches nothing; if the pipe just ends, it kills what it tracks and removes the scratch."""
    scratch = tmp_path / "scratch"
    scratch.mkdir()
    child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
    try:
        assert watch(str(scratch), [f"track {child.pid}\n", "done\n"]) is True
        assert scratch.exists() and child.poll() is None
        assert watch(str(scratch), [f"track {child.pid}\n"]) is False
        assert child.wait(timeout=PATIENCE) == -signal.SIGKILL
        assert not scratch.exists()
    finally:
        child.kill()
        child.wait()


def test_the_vega_bundle_is_built_once_then_read_from_the_cache(tmp_path, monkeypatch):
    """The first run builds the bundle in a child process and caches it; the next reads it, with no child."""
    from eksplan.report.bundle import VegaBundle
    from eksplan.report.html import vega_bundle

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    children: list[int] = []
    first = VegaBundle(children.append).result()
    again = VegaBundle(children.append).result()
    assert len(children) == 1 and first == again == vega_bundle()
    assert [p.name.startswith("vega-bundle-") for p in (tmp_path / "eksplan").iterdir()] == [True]


@pytest.mark.parametrize("jobs, clusters, kernels", [
    (None, 0, 0), (None, 1, 1), (None, 2, 1), (None, 3, 2),  # a kernel pays for its start past 2 clusters
    (None, 12, 2), (None, 50, 2),  # and never more than cores (2 on the machine the figures come from)
    (3, 2, 2), (3, 50, 3)])  # --jobs is obeyed, but never more kernels than clusters
def test_kernel_count(monkeypatch, jobs, clusters, kernels):
    """How many kernels a run starts."""
    from eksplan.report.runner import kernel_count

    monkeypatch.setattr(os, "cpu_count", lambda: 2)
    assert kernel_count(jobs, clusters) == kernels
