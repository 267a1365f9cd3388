"""Promises of the project as a whole: packaging in sync, a light import."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib

import pytest
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


def test_every_package_is_declared():
    """pyproject lists every package under eksplan/ (the list is explicit so that notebooks/ and templates/ ship)."""
    declared = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.relative_to(ROOT).parts[:-1]) for p in (ROOT / "eksplan").rglob("__init__.py")}
    assert found <= declared
    assert {"eksplan.notebooks", "eksplan.templates", "eksplan.data"} <= declared


@pytest.mark.slow
def test_the_wheel_renders_reports_outside_the_checkout(tmp_path):
    """A built wheel carries the report notebook and templates: installed alone, it renders an example anywhere."""
    import os
    import shutil

    wheels, target, work = tmp_path / "wheels", tmp_path / "site", tmp_path / "elsewhere"
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(wheels), str(ROOT)],
                           capture_output=True, text=True)
    assert build.returncode == 0, build.stderr
    assert "Warning" not in build.stderr and "deprecat" not in build.stderr.lower(), build.stderr
    (wheel,) = wheels.glob("eksplan-*.whl")
    subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--target", str(target), str(wheel)],
                   check=True)
    work.mkdir()
    shutil.copy(ROOT / "examples" / "dev-sandbox.yaml", work / "dev-sandbox.yaml")
    env = {**os.environ, "PYTHONPATH": str(target)}
    probe = subprocess.run([sys.executable, "-c", "import eksplan, eksplan.report.paths as p; "
                            "print(eksplan.__file__); print(p.templates_dir()); print(p.notebooks_dir())"],
                           capture_output=True, text=True, cwd=work, env=env, check=True)
    assert all(line.startswith(str(target)) for line in probe.stdout.splitlines()), probe.stdout
    result = subprocess.run([sys.executable, "-m", "eksplan", "report", "dev-sandbox.yaml", "-o", "out"],
                            capture_output=True, text=True, cwd=work, env=env, timeout=600)
    assert result.returncode == 0, result.stderr
    page = (work / "out" / "dev-sandbox.html").read_text()
    assert "<title>dev-sandbox — EKS networking decisions</title>" in page
