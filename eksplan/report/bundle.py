"""The Vega bundle that every page inlines: from the user's cache, or built in a process of its own."""

from __future__ import annotations

import asyncio
import hashlib
import os
import subprocess
import sys
import threading
from importlib.util import find_spec
from pathlib import Path
from typing import Callable

from .._io import atomic_write_text
from ..errors import EksplanError

__all__ = ["VegaBundle"]


class VegaBundle:
    """The Vega bundle: read from the user's cache, or built in a process of its own.

    Building it takes vl-convert a second or more of start-up, holding the GIL, which would
    stall this process's other work; so a child process builds it while the kernels boot, and
    the result is kept per vl-convert build in ``$XDG_CACHE_HOME/eksplan`` for the next run.
    """

    CODE = "import sys; from eksplan.report.html import vega_bundle; sys.stdout.buffer.write(vega_bundle().encode())"

    def __init__(self, track: Callable[[int], None] = lambda pid: None):
        self._process = None
        self._lock = threading.Lock()  # result() may be waited for from a thread and from the loop
        self._cache = _bundle_cache()
        self._text = _read_text(self._cache)
        if self._text is None:
            self._process = subprocess.Popen([sys.executable, "-c", self.CODE], stdin=subprocess.DEVNULL,
                                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
            track(self._process.pid)  # for the watchdog

    def result(self) -> str:
        """The bundle, waiting for the child process if it is still building it."""
        with self._lock:
            if self._text is None:
                self._text = self._collect()
        return self._text

    async def ready(self) -> str:
        """The bundle, without blocking the event loop while the child process builds it."""
        if self._text is None:
            await asyncio.get_running_loop().run_in_executor(None, self.result)
        return self._text

    def _collect(self) -> str:
        out, errors = self._process.communicate()
        if self._process.returncode != 0:
            last = (errors.decode(errors="replace").strip().splitlines() or ["no message"])[-1]
            raise EksplanError(f"building the Vega bundle failed: {last}")
        text = out.decode()
        if self._cache is not None:
            try:
                atomic_write_text(self._cache, text)
            except OSError:  # a read-only cache only costs the next run the build
                pass
        return text

    def close(self) -> None:
        """Stop building (the run failed)."""
        if self._process is not None and self._process.poll() is None:
            self._process.kill()
            self._process.wait()


def _bundle_cache() -> Path | None:
    """The cache file for this vl-convert build (its files' sizes and times) and this eksplan."""
    from .. import __version__

    spec = find_spec("vl_convert")
    if spec is None or not spec.submodule_search_locations:
        return None
    folder = Path(spec.submodule_search_locations[0])
    try:
        stamp = "|".join(f"{p.name}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in sorted(folder.iterdir())
                         if p.is_file())
    except OSError:
        return None
    key = hashlib.sha256(f"{__version__}|{stamp}".encode()).hexdigest()[:16]
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "eksplan" / f"vega-bundle-{key}.js"


def _read_text(path: Path | None) -> str | None:
    try:
        return path.read_text() if path is not None else None
    except (OSError, UnicodeDecodeError):
        return None
