"""What a fleet run holds while it works, and how it lets go of it whatever stops it.

* **The output folder's lock.** One run at a time writes into a folder: the first holds an
  exclusive ``flock`` on the folder itself (no lock file is left behind), and a second fails at
  once. The kernel releases the lock when the holder dies, however it dies.
* **A scratch folder per run** inside the output folder (the same file system, so finished files
  are renamed into place atomically): spec copies, kernel connection files and logs, partly run
  notebooks. It is removed when the run ends; one left by a run killed with its watchdog
  (``kill -9`` of everything) is removed by the next run, which holds the lock, so no other run
  can be using it.
* **The watchdog** (:mod:`eksplan.report.watchdog`): kills the kernels and removes the scratch
  folder if the run dies without doing so itself.
* **Stop signals.** While a run goes on, SIGINT and SIGTERM do not raise at whatever line
  they land on: :class:`StopSignals` records the first and wakes the runner's event loop, which
  cancels what is running, and the run ends as usual with the index of what finished.
"""

from __future__ import annotations

import errno
import fcntl
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
from contextlib import contextmanager
from pathlib import Path

from ..errors import OutputBusy

__all__ = ["Interrupted", "StopSignals", "output_lock", "Scratch", "Watchdog", "raise_on_sigterm"]

SCRATCH_PREFIX = ".eksplan-run-"


class Interrupted(KeyboardInterrupt):
    """A stop signal (SIGINT or SIGTERM) arrived; the exit status is 128 + ``signum``."""

    def __init__(self, signum: int = signal.SIGINT):
        super().__init__(signal.Signals(signum).name)
        self.signum = signum


def raise_on_sigterm() -> None:
    """In this process, SIGTERM raises :class:`Interrupted` as Ctrl-C raises KeyboardInterrupt."""
    def handler(signum, frame):
        raise Interrupted(signum)
    signal.signal(signal.SIGTERM, handler)


class StopSignals:
    """SIGINT and SIGTERM, while a run goes on: the first is recorded, and wakes the run's loop.

    A context manager (in the main thread; elsewhere it records only :meth:`request`). Python
    runs a signal handler in the main thread between two bytecodes; this one only records the
    signal and, once the run's event loop is attached, hands it over with ``call_soon_threadsafe``,
    which also wakes the loop from its wait for kernel messages.
    """

    SIGNALS = (signal.SIGINT, signal.SIGTERM)

    def __init__(self):
        self.signum: int | None = None
        self._loop = None
        self._event = None
        self._previous: dict[int, object] = {}

    def __enter__(self) -> "StopSignals":
        if threading.current_thread() is threading.main_thread():
            for sig in self.SIGNALS:
                self._previous[sig] = signal.signal(sig, self._handler)
        return self

    def __exit__(self, *exc) -> None:
        for sig, previous in self._previous.items():
            signal.signal(sig, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()

    def _handler(self, signum, frame) -> None:
        self.request(signum)

    def request(self, signum: int = signal.SIGINT) -> None:
        """Stop the run (from any thread). A second request changes nothing: the stop is under way."""
        if self.signum is None:
            self.signum = signum
        loop = self._loop
        if loop is not None:
            try:
                loop.call_soon_threadsafe(self._wake)
            except RuntimeError:  # the loop has just closed: the run is over anyway
                pass

    def _wake(self) -> None:
        if self._event is not None:
            self._event.set()

    def attach(self, loop) -> None:
        """From now on, a stop wakes this asyncio loop (call from within it)."""
        import asyncio

        self._event = asyncio.Event()
        self._loop = loop
        if self.signum is not None:  # it came before the loop ran
            self._event.set()

    def detach(self) -> None:
        self._loop = self._event = None

    @property
    def requested(self) -> bool:
        return self.signum is not None

    async def wait(self) -> None:
        await self._event.wait()


@contextmanager
def output_lock(out: Path):
    """Hold ``out`` for this run alone, or fail at once naming the folder; yields whether it is held.

    On a file system without locks the run goes on unlocked (False): its own scratch folder
    still keeps it apart from another run's, and the last index written wins.
    """
    fd = os.open(out, os.O_RDONLY | os.O_DIRECTORY)  # not inherited by kernels (O_CLOEXEC)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as exc:
            if exc.errno in (errno.ENOLCK, errno.EOPNOTSUPP, errno.ENOSYS, errno.EINVAL):
                yield False
                return
            if exc.errno not in (errno.EWOULDBLOCK, errno.EAGAIN):
                raise
            raise OutputBusy(f"{str(out)!r}: another eksplan report is writing into this folder; "
                             "wait for it to finish or choose another output folder") from None
        yield True
    finally:
        os.close(fd)  # releases the lock


class Scratch:
    """This run's scratch folder in ``out``; with ``sweep`` (only while holding ``out``'s lock),
    first removes those left by runs that were killed together with their watchdog."""

    def __init__(self, out: Path, sweep: bool = True):
        for stale in out.glob(f"{SCRATCH_PREFIX}*") if sweep else ():
            shutil.rmtree(stale, ignore_errors=True)
        self.path = Path(tempfile.mkdtemp(prefix=SCRATCH_PREFIX, dir=out))

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


#: Watchdogs whose pipe stays open until this process exits (see :meth:`Watchdog.linger`).
_LINGERING: list = []


class Watchdog:
    """The process that cleans up if this one dies first (see :mod:`eksplan.report.watchdog`)."""

    def __init__(self, scratch: Path):
        script = Path(__file__).with_name("watchdog.py")
        self.process = subprocess.Popen([sys.executable, "-I", str(script), str(scratch)], stdin=subprocess.PIPE,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                        start_new_session=True, text=True)
        self._lock = threading.Lock()

    def _tell(self, line: str) -> None:
        with self._lock:  # papermill's kernels are started from other threads
            try:
                self.process.stdin.write(line + "\n")
                self.process.stdin.flush()
            except (BrokenPipeError, ValueError):  # the watchdog was killed; this process still cleans up
                pass

    def track(self, pid: int) -> None:
        """A kernel (or another child) was started: kill it if this process dies."""
        self._tell(f"track {pid}")

    def untrack(self, pid: int) -> None:
        """That child has been stopped."""
        self._tell(f"untrack {pid}")

    def linger(self) -> None:
        """A thread of this process may still write into the scratch folder: let the watchdog
        remove it again once this process has exited (its end of the pipe closes then)."""
        _LINGERING.append(self.process)

    def done(self) -> None:
        """Everything is cleaned up: let the watchdog go."""
        self._tell("done")
        try:
            self.process.stdin.close()
        except BrokenPipeError:
            pass
        try:
            self.process.wait(timeout=5)
        except subprocess.TimeoutExpired:  # pragma: no cover - it only reads a pipe and exits
            self.process.kill()
            self.process.wait()
