"""Where the report notebook and templates live, and where the reports go.

They stay at the top of the repository (``notebooks/``, ``templates/``) and ship in the wheel as
the packages ``eksplan.notebooks`` and ``eksplan.templates`` (pyproject's package-dir), so one
import finds them in a checkout, an editable install or a
plain ``pip install eksplan[notebooks]``.
"""

from __future__ import annotations

import importlib
import tempfile
from pathlib import Path

from ..echo import shown
from ..errors import EksplanError

__all__ = ["project_root", "templates_dir", "notebooks_dir", "report_notebook", "RESERVED_NAMES", "output_folder"]

#: File names a cluster's report may not take, compared case-insensitively: the index the runner
#: writes, and the device names Windows reserves whatever the extension (Microsoft's "Naming
#: Files, Paths, and Namespaces"), so that a folder of reports can be copied anywhere.
RESERVED_NAMES = frozenset({"index", "about", "con", "prn", "aux", "nul"} | {f"{p}{n}" for p in ("com", "lpt") for n in range(1, 10)})


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _folder(name: str) -> Path:
    try:  # a data-only package: a namespace package, whose __path__ names its folder
        folder = Path(next(iter(importlib.import_module(f"eksplan.{name}").__path__)))
    except (ModuleNotFoundError, StopIteration):
        folder = project_root() / name  # a source tree on sys.path, not installed
    if not folder.is_dir():
        raise EksplanError(f"the report's {name} are missing from this installation of eksplan "
                           "(reinstall it: pip install 'eksplan[notebooks]')")
    return folder


def templates_dir() -> Path:
    return _folder("templates")


def notebooks_dir() -> Path:
    return _folder("notebooks")


def report_notebook() -> Path:
    return notebooks_dir() / "cluster_report.ipynb"


def output_folder(text: str) -> Path:
    """The folder ``-o`` names, made if missing and proven writable, before any other work.

    An empty name, a file, a folder under a file and a place that cannot be written are each
    an error that names ``-o`` (rather than a traceback once reports have been rendered).
    """
    where = f"-o {shown(text)}"
    if not text.strip():
        raise EksplanError(f"{where}: empty; name the folder to write the reports in (e.g. -o reports)")
    path = Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except FileExistsError:
        raise EksplanError(f"{where}: is a file, not a folder") from None
    except NotADirectoryError:
        blocking = next((p for p in path.parents if p.exists() and not p.is_dir()), None)
        what = f"{shown(str(blocking))} is a file, not a folder" if blocking else "a part of it is not a folder"
        raise EksplanError(f"{where}: {what}") from None
    except OSError as exc:
        raise EksplanError(f"{where}: cannot be made ({exc.strerror or type(exc).__name__})") from None
    try:
        with tempfile.NamedTemporaryFile(dir=path, prefix=".eksplan-write-test-"):  # as the reports are written
            pass
    except OSError as exc:
        raise EksplanError(f"{where}: cannot be written ({exc.strerror or type(exc).__name__})") from None
    return path
