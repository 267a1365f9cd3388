"""Print rendered reports to PDF with a headless Chromium: the page as the browser draws it, charts included.

Chromium's own ``--print-to-pdf`` is used (no driver, no download): the report is opened with
``#print``, which opens every collapsed section, and the report's print stylesheet sets the
running header (the cluster's name) and the page numbers. Chromium's profile lives in a
temporary folder, never in the home directory; the PDF is written beside the HTML through a
temporary file, so a failed or interrupted print leaves no half-written PDF.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

from ..errors import EksplanError

__all__ = ["PdfError", "find_chromium", "print_pdf", "CHROMIUM_NAMES"]

#: Executables tried in this order when none is given (Debian's ``chromium`` first).
CHROMIUM_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
#: Time the page's scripts get to draw the charts before printing (Chromium's virtual time, ms).
DRAW_BUDGET_MS = 20_000
TIMEOUT_SECONDS = 120
ARGS = ("--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync", "--disable-extensions",
        "--disable-background-networking", "--disable-component-update", "--no-default-browser-check",
        "--no-pdf-header-footer", f"--virtual-time-budget={DRAW_BUDGET_MS}")


class PdfError(EksplanError):
    """A report that could not be printed to PDF."""


def find_chromium(given: str | None = None) -> str:
    """The Chromium executable to print with: ``given``, ``$EKSPLAN_CHROMIUM``, or the first on PATH."""
    for candidate in (given, os.environ.get("EKSPLAN_CHROMIUM")):
        if candidate:
            found = shutil.which(candidate)
            if found is None:
                raise PdfError(f"--pdf: {candidate}: no such executable")
            return found
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    raise PdfError("--pdf needs Chromium or Chrome to print with, and none is on PATH "
                   f"({', '.join(CHROMIUM_NAMES)}): install it (Debian: apt-get install chromium) or name it "
                   "with --chromium PATH")


def print_pdf(html: str | Path, pdf: str | Path | None = None, *, chromium: str | None = None) -> Path:
    """Print the report ``html`` to ``pdf`` (default: beside it, same name, ``.pdf``)."""
    html = Path(html).resolve()
    pdf = Path(pdf) if pdf is not None else html.with_suffix(".pdf")
    executable = find_chromium(chromium)
    with tempfile.TemporaryDirectory(prefix="eksplan-chromium-") as profile:
        fd, partial = tempfile.mkstemp(prefix=f".{pdf.name}.", suffix=".part", dir=pdf.parent)
        os.close(fd)
        try:
            env = {**os.environ, "HOME": profile, "XDG_CONFIG_HOME": profile, "XDG_CACHE_HOME": profile}
            command = [executable, *ARGS, f"--user-data-dir={profile}", f"--print-to-pdf={partial}",
                       html.as_uri() + "#print"]
            try:
                done = subprocess.run(command, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=env,
                                      stdin=subprocess.DEVNULL)
            except subprocess.TimeoutExpired:
                raise PdfError(f"{html.name}: Chromium did not finish printing in {TIMEOUT_SECONDS} s") from None
            if done.returncode != 0 or os.path.getsize(partial) == 0:
                last = next((line for line in reversed(done.stderr.splitlines()) if line.strip()), "no message")
                raise PdfError(f"{html.name}: Chromium could not print it (exit status {done.returncode}: {last})")
            os.chmod(partial, 0o644)  # as the HTML beside it (mkstemp makes it private)
            os.replace(partial, pdf)
        finally:
            if os.path.exists(partial):
                os.unlink(partial)
    return pdf
