"""eksplan prefix-map: the exact free /28 blocks of a subnet, on hand-built captures."""

from __future__ import annotations

import ipaddress
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from eksplan.cli.main import main
from eksplan.ec2capture import CidrReservation, ObservedEni
from eksplan.prefixmap import prefix_map, prefix_reservation

from .strategies import subnet_usage

NET = ipaddress.IPv4Network("10.0.0.0/24")


def eni(*addresses, prefixes=(), subnet="subnet-a"):
    return ObservedEni("eni-1", subnet, tuple(ipaddress.IPv4Address(a) for a in addresses),
                       tuple(ipaddress.IPv4Network(p) for p in prefixes))


def reservation(cidr, kind, subnet="subnet-a"):
    return CidrReservation("scr-1", subnet, ipaddress.IPv4Network(cidr), kind)


ONE_PER_INNER_BLOCK = [eni(*(f"10.0.0.{16 * b + 3}" for b in range(1, 15)))]

CASES = [
    pytest.param(NET, ONE_PER_INNER_BLOCK, [], 237, 0, None,
                 id="/24 one address in each of its 14 inner blocks: 256-5-14=237 available, 0 free"),
    pytest.param(NET, [], [], 251, 14, 14, id="empty /24: 16 blocks - 2 holding AWS's reserved = 14 free; 256-5=251"),
    pytest.param(NET, [eni(prefixes=["10.0.0.32/28"])], [], 235, 13, 12,
                 id="prefix .32/28 assigned: 14-1=13 free, 251-16=235, largest run blocks 3-14 = 12"),
    pytest.param(NET, [eni("10.0.0.5", "10.0.0.17", "10.0.0.33")], [], 248, 12, 12,
                 id="primary .5 (edge block) and secondaries .17 .33: blocks 1 and 2 taken, 14-2=12; 256-5-3=248"),
    pytest.param(NET, [], [reservation("10.0.0.128/25", "explicit")], 251, 7, 7,
                 id="explicit .128/25 takes blocks 8-14: 14-7=7 free"),
    pytest.param(NET, [], [reservation("10.0.0.64/26", "prefix")], 251, 14, 14,
                 id="prefix reservation .64/26 stays free: 14 free, 4 of them reserved"),
    pytest.param(ipaddress.IPv4Network("10.0.0.0/28"), [], [], 11, 0, None,
                 id="/28: its one block holds AWS's reserved addresses, 0 free, 16-5=11"),
    pytest.param(ipaddress.IPv4Network("10.0.0.0/20"), [eni("10.0.0.20", "10.0.15.250")], [], 4089, 253, 253,
                 id="/20 with .0.20 (block 1) and .15.250 (last block): 256-2-1=253 free; 4096-5-2=4089"),
    pytest.param(NET, [eni("10.0.0.20", subnet="subnet-b")], [reservation("10.0.0.0/25", "explicit", "subnet-b")],
                 251, 14, 14, id="another subnet's interfaces and reservations do not count: 14 free"),
]


@pytest.mark.parametrize("network, enis, reservations, available, free, largest", CASES)
def test_hand_counted(network, enis, reservations, available, free, largest):
    """Free blocks, available addresses and the largest run as counted by hand."""
    m = prefix_map("subnet-a", network, enis, reservations)
    assert (m.available_addresses, m.free_prefixes) == (available, free)
    assert (m.largest_run.blocks if m.largest_run else None) == largest


def test_prefix_reservation_counts_as_guaranteed():
    """Free blocks inside a prefix reservation are the guaranteed ones."""
    m = prefix_map("subnet-a", NET, [], [reservation("10.0.0.64/26", "prefix")])
    assert (m.reserved_free_prefixes, m.states) == (4, "R...rrrr.......R")


@pytest.mark.parametrize("enis, reservations, prefixes, cidr", [
    pytest.param([], [], 4, "10.0.0.128/26", id="4 in an empty /24: a /26 (4 blocks), the higher clean one"),
    pytest.param([], [], 5, "10.0.0.128/25", id="5 in an empty /24: a /25 (8 blocks, 7 free with the edge)"),
    pytest.param(ONE_PER_INNER_BLOCK, [], 1, None, id="1 in the fragmented /24: no block is free"),
    pytest.param([], [reservation("10.0.0.64/26", "prefix")], 3, None, id="3 with 4 already reserved: none needed"),
    pytest.param([], [reservation("10.0.0.64/26", "prefix")], 6, "10.0.0.192/27",
                 id="6 with 4 reserved: 2 more, the highest clean /27 (blocks 12-13)"),
])
def test_smallest_reservation(enis, reservations, prefixes, cidr):
    """The smallest aligned prefix reservation that guarantees N more prefixes."""
    advice = prefix_reservation(prefix_map("subnet-a", NET, enis, reservations), prefixes)
    assert advice.cidr == cidr
    if cidr:
        assert advice.command == (f"aws ec2 create-subnet-cidr-reservation --subnet-id subnet-a --cidr {cidr} "
                                  "--reservation-type prefix --description 'EKS prefix delegation'")


@settings(max_examples=150, deadline=None)
@given(subnet_usage(), st.integers(0, 2 ** 12 - 1))
def test_free_blocks_hold_nothing_in_use(usage, extra):
    """Free blocks never contain a used, prefix, AWS-reserved or explicitly reserved address; one more used
    address never adds a free block."""
    network, enis, reservations = usage
    m = prefix_map("subnet-x", network, enis, reservations)
    used = set(enis[0].addresses)
    aws = {network.network_address + i for i in range(4)} | {network.broadcast_address}
    for block in m.free_blocks:
        assert not any(a in block for a in used | aws)
        assert not any(block.overlaps(p) for p in enis[0].prefixes)
        assert not any(block.overlaps(r.cidr) for r in reservations if r.kind == "explicit")
    added = network.network_address + extra % network.num_addresses
    more = [ObservedEni("eni-b", "subnet-x", (added,), ())]
    assert prefix_map("subnet-x", network, enis + more, reservations).free_prefixes <= m.free_prefixes


def _captures(tmp_path, subnets, enis, reservations=None):
    paths = {}
    for name, document in (("subnets", {"Subnets": subnets}), ("enis", {"NetworkInterfaces": enis}),
                           ("reservations", reservations)):
        if document is not None:
            paths[name] = tmp_path / f"{name}.json"
            paths[name].write_text(json.dumps(document))
    return paths


SUBNET = {"SubnetId": "subnet-a", "CidrBlock": "10.0.0.0/24", "AvailabilityZone": "us-east-1a",
          "AvailableIpAddressCount": 237}
FRAGMENTED = [{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-a", "PrivateIpAddress": "10.0.0.19",
               "PrivateIpAddresses": [{"PrivateIpAddress": f"10.0.0.{16 * b + 3}"} for b in range(1, 15)]}]


def test_cli_json(tmp_path, capsys):
    """--format json gives {"subnets": [{"id", "cidr", "free_prefixes", ...}]}."""
    p = _captures(tmp_path, [SUBNET], FRAGMENTED)
    assert main(["prefix-map", "--describe-subnets", str(p["subnets"]), "--network-interfaces", str(p["enis"]),
                 "--format", "json", "--prefixes", "2"]) == 0
    subnet = json.loads(capsys.readouterr().out)["subnets"][0]
    assert (subnet["id"], subnet["cidr"], subnet["free_prefixes"], subnet["available_addresses"]) == \
        ("subnet-a", "10.0.0.0/24", 0, 237)
    assert subnet["reservation"]["cidr"] is None


def test_cli_text_with_reservations(tmp_path, capsys):
    """The text output counts a prefix reservation's blocks and draws the map."""
    document = {"SubnetIpv4CidrReservations": [{"SubnetId": "subnet-a", "Cidr": "10.0.0.64/26",
                                                "ReservationType": "prefix"}], "SubnetIpv6CidrReservations": []}
    p = _captures(tmp_path, [{**SUBNET, "AvailableIpAddressCount": 251}], [], document)
    assert main(["prefix-map", "--describe-subnets", str(p["subnets"]), "--network-interfaces", str(p["enis"]),
                 "--cidr-reservations", str(p["reservations"])]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == ("subnet-a (10.0.0.0/24, us-east-1a): 14 free /28 prefixes, 251 addresses available "
                                   "(describe-subnets: 251)")
    assert "    10.0.0.0        R...rrrr.......R" in out


@pytest.mark.parametrize("which, content, message", [
    pytest.param("enis", "{", "enis.json: line 1, column 2: not JSON (Expecting property name enclosed in double "
                              "quotes); expected the output of 'aws ec2 describe-network-interfaces --output json'",
                 id="malformed JSON"),
    pytest.param("enis", json.dumps({"Subnets": []}), "enis.json: expected {\"NetworkInterfaces\": [...]} as 'aws ec2 "
                 "describe-network-interfaces --output json' prints", id="another command's capture"),
    pytest.param("enis", json.dumps({"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1"}]}),
                 "enis.json: NetworkInterfaces[0]: missing SubnetId", id="an entry without its subnet"),
    pytest.param("reservations", json.dumps({"SubnetIpv4CidrReservations": [{"SubnetId": "subnet-a",
                 "Cidr": "10.0.0.0/28", "ReservationType": "other"}]}),
                 "reservations.json: SubnetIpv4CidrReservations[0]: unreadable entry (ReservationType 'other' is not "
                 "'prefix' or 'explicit')", id="an unknown reservation type"),
])
def test_cli_bad_input(tmp_path, capsys, which, content, message):
    """Bad captures: one located line on stderr, exit status 2, no traceback."""
    p = _captures(tmp_path, [SUBNET], [], {"SubnetIpv4CidrReservations": []})
    p[which].write_text(content)
    status = main(["prefix-map", "--describe-subnets", str(p["subnets"]), "--network-interfaces", str(p["enis"]),
                   "--cidr-reservations", str(p["reservations"])])
    err = capsys.readouterr().err
    assert status == 2
    assert err == f"eksplan prefix-map: error: {tmp_path}/{message}\n"
