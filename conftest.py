"""Test-run set-up shared by the library tests and the notebooks (nbval).

Jupyter's, IPython's and Chromium's own state goes to a temporary folder, never the home
directory; kernels started by nbval and by the report tests inherit these variables.
"""

import os
import tempfile
from pathlib import Path

#: Jupyter, IPython and browser state of the test run, kept out of the home directory.
STATE = Path(os.environ.get("EKSPLAN_TEST_STATE") or tempfile.mkdtemp(prefix="eksplan-test-state-"))
STATE_VARIABLES = {
    "JUPYTER_CONFIG_DIR": "jupyter-config", "JUPYTER_DATA_DIR": "jupyter-data", "JUPYTER_RUNTIME_DIR": "jupyter-runtime",
    "IPYTHONDIR": "ipython", "XDG_CONFIG_HOME": "xdg-config", "XDG_CACHE_HOME": "xdg-cache", "XDG_DATA_HOME": "xdg-data",
    "MPLCONFIGDIR": "matplotlib",
}
for _name, _folder in STATE_VARIABLES.items():
    os.environ.setdefault(_name, str(STATE / _folder))
    Path(os.environ[_name]).mkdir(parents=True, exist_ok=True)
os.environ.setdefault("JUPYTER_PLATFORM_DIRS", "1")

