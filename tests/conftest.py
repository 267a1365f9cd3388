"""Fixtures shared by the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from eksplan.catalog import load_catalog

ROOT = Path(__file__).resolve().parent.parent
#: AWS reference data lives beside the project, never inside it.
REFERENCE = Path(os.environ.get("EKSPLAN_REFERENCE_DIR", ROOT.parent / "shared" / "reference"))


#: Where browser screenshots are kept for people to look at after a run.
OUTPUT = ROOT / "test-output"


@pytest.fixture(scope="session")
def catalog():
    return load_catalog()


@pytest.fixture(scope="session")
def reference_dir() -> Path:
    if not REFERENCE.is_dir():
        pytest.skip(f"AWS reference data not present ({REFERENCE.name}/ beside the project)")
    return REFERENCE
