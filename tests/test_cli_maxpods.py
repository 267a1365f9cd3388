"""``eksplan max-pods`` and ``eksplan instance-types show``: output and exit codes."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest

from eksplan.cli.main import main


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize(
    "argv, expected",
    [
        (["--instance-type", "m5.8xlarge", "--cni-version", "1.11.2"], "234\n"),
        (["--instance-type", "m5.8xlarge", "--cni-version", "1.11.2", "--cni-prefix-delegation-enabled"], "250\n"),
        (["--instance-type", "c6in.32xlarge", "--cni-version", "1.11.2", "--show-max-allowed"], "394\n"),
        (["--instance-type", "m4.xlarge", "--cni-version", "1.7.5"], "58\n"),
        (["--instance-type", "m5.large", "--cni-version", "1.9.0-eksbuild.1"], "29\n"),
        (["--instance-type", "m5.large", "--cni-version", "1.9.0-eksbuild.1", "--cni-custom-networking-enabled"], "20\n"),
        (["--instance-type", "m5.large", "--cni-version", "1.9.0-eksbuild.1", "--cni-prefix-delegation-enabled"], "110\n"),
        (["--instance-type", "m5.large", "--cni-version", "1.9.0", "--cni-max-eni", "2"], "20\n"),
        (["--instance-type", "m5.large", "--instance-type", "t3.medium"], "17\n"),
    ],
)
def test_prints_the_bare_number(capsys, argv, expected):
    """Like max-pods-calculator.sh, the default output is the bare number."""
    assert run(capsys, "max-pods", *argv) == (0, expected, "")


def test_explain_prints_the_derivation(capsys):
    """--explain prints each step with the numbers filled in."""
    code, out, _ = run(capsys, "max-pods", "--instance-type", "m5.large", "--cni-version", "1.9.0",
                       "--cni-prefix-delegation-enabled", "--explain")
    assert code == 0
    assert out == (
        "m5.large: 3 ENIs, 10 IPv4 addresses per ENI, 2 vCPUs, nitro hypervisor\n"
        "prefix delegation: 3 x ((10 - 1) x 16) + 2 = 434\n"
        "recommended ceiling: 2 vCPUs <= 30 -> 110\n"
        "max pods = min(434, 110) = 110\n"
        "kubelet memory reservation: 11 MiB x 110 + 255 MiB = 1465 MiB\n"
    )


def test_all_as_csv(capsys, catalog):
    """--all --format csv: a header with instance_type,max_pods and one row per type."""
    code, out, _ = run(capsys, "max-pods", "--all", "--format", "csv", "--cni-version", "1.18.0")
    rows = list(csv.DictReader(io.StringIO(out)))
    assert code == 0 and out.startswith("instance_type,max_pods,")
    assert len(rows) == len(catalog)
    by_type = {row["instance_type"]: row for row in rows}
    assert by_type["m5.large"]["max_pods"] == "29" and by_type["m5.large"]["limited_by"] == "eni-ips"


def test_all_as_json(capsys, catalog):
    """--all --format json: a list of records carrying their derivation."""
    code, out, _ = run(capsys, "max-pods", "--all", "--format", "json", "--cni-prefix-delegation-enabled")
    records = json.loads(out)
    assert len(records) == len(catalog)
    m5 = next(r for r in records if r["instance_type"] == "m5.large")
    assert m5["max_pods"] == 110 and m5["derivation"][-2] == "max pods = min(434, 110) = 110"


def test_family_as_text(capsys):
    """--instance-family prints an aligned table of the family's sizes."""
    code, out, _ = run(capsys, "max-pods", "--instance-family", "t3", "--format", "text")
    lines = out.splitlines()
    assert lines[0].split()[:3] == ["instance_type", "max_pods", "mode"]
    assert lines[1].split()[:2] == ["t3.nano", "4"]
    assert len(lines) == 1 + 7


def test_show_prints_one_record(capsys):
    """instance-types show prints one record and where it comes from."""
    code, out, _ = run(capsys, "instance-types", "show", "m5.large")
    assert code == 0
    assert "enis            3\n" in out and "ipv4_per_eni    10\n" in out
    assert out.rstrip().splitlines()[-1] == (
        "source          EC2 DescribeInstanceTypes, captured 2026-10-27, as distributed with moto 5.2.5 "
        "(PyPI, ec2/resources/instance_types.json.gz)"
    )
    code, out, _ = run(capsys, "instance-types", "show", "m5.large", "--format", "json")
    assert json.loads(out)["enis"] == 3


@pytest.mark.parametrize(
    "argv, message",
    [
        (["max-pods", "--instance-type", "m5.lrage"],
         "eksplan max-pods: error: 'm5.lrage' is not a known instance type (did you mean 'm5.large'?)\n"),
        (["instance-types", "show", "m5.lrage"],
         "eksplan instance-types: error: 'm5.lrage' is not a known instance type (did you mean 'm5.large'?)\n"),
        (["max-pods", "--instance-type", "m5.large", "--cni-version", "abc"],
         "eksplan max-pods: error: argument --cni-version: 'abc' is not a VPC CNI version "
         "(expected MAJOR.MINOR[.PATCH], e.g. 1.18.3 or v1.18.3-eksbuild.1)\n"),
        (["max-pods", "--instance-type", "m5.large", "--cni-version", "1.x"],
         "eksplan max-pods: error: argument --cni-version: '1.x' is not a VPC CNI version "
         "(expected MAJOR.MINOR[.PATCH], e.g. 1.18.3 or v1.18.3-eksbuild.1)\n"),
        (["max-pods", "--instance-type", "m5.large", "--cni-max-eni", "-1"],
         "eksplan max-pods: error: argument --cni-max-eni: -1 is not a valid MAX_ENI "
         "(expected a whole number >= 1; ipamd ignores 0 and below)\n"),
        (["max-pods"], "eksplan max-pods: error: give --instance-type TYPE, --instance-family FAMILY or --all\n"),
        (["max-pods", "--instance-type", "m5.large", "--ip-family", "ipv6", "--cni-custom-networking-enabled"],
         "eksplan max-pods: error: custom networking is not supported in IPv6 clusters (pods use the node's /80 prefix)\n"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(capsys, argv, message):
    """Bad input: one line on stderr naming the value, exit status 2, nothing on stdout."""
    assert run(capsys, *argv) == (2, "", message)


def test_console_script_has_no_traceback():
    """The installed command fails cleanly on bad input (no traceback, exit 2)."""
    result = subprocess.run([sys.executable, "-m", "eksplan", "max-pods", "--instance-type", "m5.lrage"],
                            capture_output=True, text=True)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr == "eksplan max-pods: error: 'm5.lrage' is not a known instance type (did you mean 'm5.large'?)\n"
