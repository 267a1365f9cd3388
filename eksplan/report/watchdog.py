"""Clean up after a fleet run that was killed before it could clean up itself.

The runner starts this script (with ``python -I``, so it imports nothing of eksplan and starts in
milliseconds) in a session of its own, with its standard input a pipe from the runner and the
run's scratch folder as its argument. The runner writes ``track PID`` for every kernel (or
other child) it starts, ``untrack PID`` when it has stopped one, and ``done`` once it has shut
them all down and removed the scratch folder itself.

When the pipe closes without ``done`` (the runner was killed with SIGKILL, by the OOM killer,
or crashed), this kills the kernels that are still running and removes the scratch folder (the
kernels' connection files, logs and spec copies), then exits. Reading the pipe costs nothing
while the run goes on, and its end is seen at once whatever stopped the runner, which a poll
of the parent's pid would only see a poll interval later. Being in its own session, a kill of
the runner's whole process group does not stop it before it has cleaned up.

Kernels are held by pidfd where Linux offers it, so that a pid reused after a kernel exited is
never signalled.
"""

from __future__ import annotations

import os
import shutil
import signal
import sys


def _hold(pid: int) -> tuple[int | None, int] | None:
    """Something to signal the kernel ``pid`` by later: a pidfd where there is one."""
    try:
        return os.pidfd_open(pid), pid
    except ProcessLookupError:  # gone already
        return None
    except (AttributeError, OSError):  # no pidfd here (not Linux >= 5.3)
        return None, pid


def _kill(fd: int | None, pid: int) -> None:
    try:
        if fd is not None:
            signal.pidfd_send_signal(fd, signal.SIGKILL)
        else:
            os.kill(pid, signal.SIGKILL)
    except OSError:  # exited meanwhile
        pass


def watch(scratch: str, commands) -> bool:
    """Follow the runner's ``commands`` (lines) until they end; clean up unless told ``done``."""
    kernels: dict[int, tuple[int | None, int]] = {}
    for line in commands:
        word, _, argument = line.strip().partition(" ")
        if word == "track" and (held := _hold(int(argument))) is not None:
            kernels[int(argument)] = held
        elif word == "untrack" and (held := kernels.pop(int(argument), None)) is not None and held[0] is not None:
            os.close(held[0])
        elif word == "done":
            return True
    for fd, pid in kernels.values():
        _kill(fd, pid)
    shutil.rmtree(scratch, ignore_errors=True)
    return False


def main() -> int:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is for the runner, which then cleans up itself
    watch(sys.argv[1], sys.stdin)
    return 0


if __name__ == "__main__":
    sys.exit(main())
