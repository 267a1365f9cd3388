"""Where the report notebook and templates live: the project's top-level folders."""

from __future__ import annotations

from pathlib import Path

from ..errors import EksplanError

__all__ = ["project_root", "templates_dir", "notebooks_dir", "report_notebook"]


def project_root() -> Path:
    return Path(__file__).resolve().parents[2]


def _folder(name: str) -> Path:
    folder = project_root() / name
    if not folder.is_dir():
        raise EksplanError(f"the {name}/ folder is missing: reports are rendered from a checkout of eksplan "
                           "(install it with pip install -e)")
    return folder


def templates_dir() -> Path:
    return _folder("templates")


def notebooks_dir() -> Path:
    return _folder("notebooks")


def report_notebook() -> Path:
    return notebooks_dir() / "cluster_report.ipynb"
