"""``eksplan simulate-node`` and ``eksplan subnets`` from the command line."""

from __future__ import annotations

import json

import pytest

from eksplan.cli.main import main

from .conftest import ROOT


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_simulate_node_json(capsys):
    """The JSON carries ENIs, addresses, prefixes, unused and per-subnet counts."""
    code, out, _ = run(capsys, "simulate-node", "--instance-type", "t3.small", "--pods", "58",
                       "--prefix-delegation", "--format", "json")
    record = json.loads(out)
    assert code == 0
    assert {k: record[k] for k in ("enis", "ips", "prefixes", "unused_ips", "node_subnet_ips", "pod_subnet_ips",
                                   "subnet_ips")} == {
        "enis": 2, "ips": 80, "prefixes": 5, "unused_ips": 22, "node_subnet_ips": 82, "pod_subnet_ips": 0,
        "subnet_ips": 82}


def test_simulate_node_text(capsys):
    """Text output shows the working and a summary line."""
    code, out, _ = run(capsys, "simulate-node", "--instance-type", "t3.small", "--pods", "5",
                       "--warm-ip-target", "2", "--minimum-ip-target", "5")
    assert code == 0
    assert out.splitlines()[-1] == ("enis=3 ips=7 prefixes=0 unused_ips=2 node_subnet_ips=10 pod_subnet_ips=0 "
                                    "subnet_ips=10")


@pytest.mark.parametrize(
    "argv, message",
    [
        (["--instance-type", "t3.small", "--pods", "-1"], "argument --pods: -1 must be >= 0"),
        (["--instance-type", "t3.small", "--pods", "x"], "argument --pods: 'x' is not a whole number"),
        (["--instance-type", "t3.smal", "--pods", "1"], "'t3.smal' is not a known instance type (did you mean 't3.small'?)"),
        (["--instance-type", "t3.small", "--pods", "1", "--prefix-delegation", "--warm-prefix-target", "0"],
         "WARM_PREFIX_TARGET: 0 is not supported with prefix delegation (set it to 1 or more, or set "
         "WARM_IP_TARGET/MINIMUM_IP_TARGET)"),
    ],
)
def test_simulate_node_errors(capsys, argv, message):
    """Bad arguments: one line, exit 2."""
    code, out, err = run(capsys, "simulate-node", *argv)
    assert (code, out, err) == (2, "", f"eksplan simulate-node: error: {message}\n")


def test_subnets_json(capsys):
    """eksplan subnets --format json: plan, usage per scale, runway and prefix risks."""
    code, out, _ = run(capsys, "subnets", str(ROOT / "examples" / "dev-sandbox.yaml"), "--format", "json")
    record = json.loads(out)
    assert code == 0
    assert record["plan"]["subnets"][0]["cidr"] == "10.20.0.0/23"
    assert set(record["usage"]) == {"min", "desired", "max"}
    assert record["prefix_risks"] == []


def test_subnets_text_for_a_fleet_needs_a_name(tmp_path, capsys):
    """A fleet file needs --cluster; the error lists the names."""
    fleet = tmp_path / "fleet.yaml"
    fleet.write_text("clusters:\n" + "".join(
        "  - " + (ROOT / "examples" / name).read_text().replace("\n", "\n    ").rstrip() + "\n"
        for name in ("dev-sandbox.yaml", "telco-multus.yaml")))
    code, _, err = run(capsys, "subnets", str(fleet))
    assert code == 2 and "holds several clusters ('dev-sandbox', 'telco-upf'): name one" in err
    code, out, _ = run(capsys, "subnets", str(fleet), "--cluster", "telco-upf", "--scale", "max")
    assert code == 0 and "Addresses per subnet at max size" in out
