"""An explorer notebook in a real JupyterLab (127.0.0.1 only), driven by Chromium.

The notebook is run, a slider is moved, and the chart is seen to change: the widget, the
kernel round trip and altair's offline JupyterChart all work without internet.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import OUTPUT, ROOT
from .test_reports import CHROMIUM_ARGS, chromium

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def lab(tmp_path_factory):
    """A JupyterLab server on 127.0.0.1 over a copy of the notebooks (so nothing writes to the project)."""
    root = tmp_path_factory.mktemp("lab")
    shutil.copytree(ROOT / "notebooks", root / "notebooks")
    shutil.copytree(ROOT / "examples", root / "examples")
    port, token = free_port(), secrets.token_hex(16)
    log = open(root / "server.log", "w")
    server = subprocess.Popen(
        [sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}",
         f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}", "--ServerApp.open_browser=False",
         "--LabApp.news_url=None", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
        + (["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        stdout=log, stderr=subprocess.STDOUT, env=os.environ.copy())
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while True:
        try:
            urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
            break
        except OSError:
            if server.poll() is not None or time.monotonic() > deadline:
                server.kill()
                pytest.fail(f"JupyterLab did not start:\n{(root / 'server.log').read_text()[-3000:]}")
            time.sleep(0.5)
    yield base, token
    server.terminate()
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        server.kill()
    log.close()


def run_all(page) -> None:
    """Run > Run All Cells, again if the kernel was not ready to take it the first time."""
    for _ in range(3):
        page.wait_for_timeout(2000)
        page.click("li.lm-MenuBar-item:has-text('Run')")
        page.click("li.lm-Menu-item:has-text('Run All Cells')")
        try:
            page.wait_for_selector(".jp-InputPrompt:has-text('[1]')", timeout=20_000)
            return
        except Exception:  # noqa: BLE001 - playwright's timeout: try the menu again
            continue
    pytest.fail("JupyterLab did not run the notebook")


def test_explorer_slider_changes_the_chart(lab, tmp_path):
    """Run explore_ip_consumption in JupyterLab, move the nodes slider: the chart is redrawn."""
    from playwright.sync_api import sync_playwright

    base, token = lab
    with sync_playwright() as p:
        context = p.chromium.launch_persistent_context(str(tmp_path / "profile"), executable_path=chromium(),
                                                       headless=True, args=CHROMIUM_ARGS,
                                                       viewport={"width": 1400, "height": 1000})
        # Only the local server: anything else (fonts, CDNs, update checks) is refused.
        context.route("**/*", lambda route: route.continue_() if route.request.url.startswith(base) else route.abort())
        page = context.new_page()
        try:
            page.goto(f"{base}/lab/tree/notebooks/explore_ip_consumption.ipynb?token={token}")
            page.wait_for_selector(".jp-NotebookPanel", timeout=60_000)
            page.wait_for_selector(".jp-Notebook-ExecutionIndicator[data-status='idle']", timeout=60_000)
            run_all(page)
            chart = page.locator(".jp-OutputArea-output .vega-embed svg.marks").last
            chart.wait_for(timeout=60_000)
            page.wait_for_timeout(1000)
            before = chart.inner_html()
            handle = page.locator(".widget-slider:has-text('nodes') .noUi-handle").first
            handle.click()
            for _ in range(10):
                handle.press("ArrowRight")
            page.wait_for_function("(before) => { const s = [...document.querySelectorAll('.jp-OutputArea-output "
                                   ".vega-embed svg.marks')].pop(); return s && s.innerHTML !== before; }",
                                   arg=before, timeout=30_000)
            assert chart.inner_html() != before
        finally:
            OUTPUT.mkdir(exist_ok=True)
            page.screenshot(path=str(OUTPUT / "jupyterlab-explorer.png"), full_page=False)
            context.close()
