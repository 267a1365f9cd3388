"""Promises of the project as a whole: packaging in sync, a light import."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import yaml

from .conftest import ROOT

_NAME = re.compile(r"^([A-Za-z0-9_.-]+)(\[[^\]]*\])?\s*(.*)$")


def _normalise(requirement: str) -> tuple[str, str]:
    name, _extras, spec = _NAME.match(requirement.strip()).groups()
    return re.sub(r"[-_.]+", "-", name).lower(), spec.replace(" ", "")


def test_environment_yml_matches_pyproject():
    """environment.yml lists every dependency of pyproject.toml (all extras) with the same bounds."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    wanted = {_normalise(r) for r in project["dependencies"]}
    for extra, requirements in project["optional-dependencies"].items():
        wanted |= {_normalise(r) for r in requirements if not r.startswith("eksplan")}
    environment = yaml.safe_load((ROOT / "environment.yml").read_text())
    conda = [d for d in environment["dependencies"] if isinstance(d, str)]
    pip = next(d["pip"] for d in environment["dependencies"] if isinstance(d, dict))
    have = {_normalise(d) for d in conda + pip if not d.startswith(("-e", "python", "pip"))}
    assert have == wanted
    assert "-e ." in pip
    assert any(d.startswith("python>=3.11") for d in conda)
    assert environment["channels"] == ["conda-forge"]


def test_import_is_light():
    """Importing eksplan and computing max pods loads neither pandas, altair nor boto3."""
    code = (
        "import sys, eksplan; eksplan.max_pods('m5.large'); import eksplan.cli.main; "
        "heavy = sorted(m for m in ('pandas', 'altair', 'boto3', 'botocore', 'numpy') if m in sys.modules); "
        "print(','.join(heavy))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
