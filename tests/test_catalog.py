"""The instance-type catalog: the bundled snapshot, its loader and its regeneration."""

from __future__ import annotations

import gzip
import json
from pathlib import Path

import boto3
import moto
import pytest
from botocore.stub import Stubber
from moto import mock_aws

from eksplan import CatalogError, UnknownInstanceType
from eksplan.catalog import BUNDLED_SNAPSHOT, load_catalog
from eksplan.catalog.branch import BUNDLED_BRANCH_SNAPSHOT as BRANCH_SNAPSHOT, BranchLimits, load_branch_limits, trunk_capable
from eksplan.catalog.bottlerocket import load_bottlerocket_table, parse_eni_max_pods
from eksplan.catalog.ec2 import instance_type_from_ec2, merge_regions
from eksplan.catalog.refresh import build_snapshot, dumps_snapshot, fetch_regions, read_capture
from eksplan.cli.main import main

MOTO_CAPTURE = Path(moto.__file__).parent / "ec2" / "resources" / "instance_types.json.gz"


def _moto_records():
    return json.loads(gzip.decompress(MOTO_CAPTURE.read_bytes()))


def test_m5_large_record(catalog):
    """m5.large: 3 ENIs of 10 IPv4 addresses, 2 vCPUs, 8 GiB, Nitro, x86_64."""
    it = catalog["m5.large"]
    assert it.to_dict() == {
        "name": "m5.large", "enis": 3, "total_enis": 3, "network_cards": 1, "ipv4_per_eni": 10,
        "ipv6_per_eni": 10, "ipv6_supported": True, "efa_interfaces": 0, "efa_only": False,
        "vcpus": 2, "memory_mib": 8192, "hypervisor": "nitro", "bare_metal": False,
        "architectures": ["x86_64"],
    }
    assert it.family == "m5" and it.nitro_based


def test_bare_metal_has_no_hypervisor(catalog):
    """Bare-metal types report no hypervisor; they still count as Nitro-based."""
    it = catalog["c5.metal"]
    assert (it.hypervisor, it.bare_metal, it.nitro, it.nitro_based) == ("none", True, False, True)


def test_efa_only_interfaces(catalog):
    """p5.48xlarge: 32 EFA interfaces, efa-only supported, 2 ENIs on the default of 32 cards."""
    it = catalog["p5.48xlarge"]
    assert (it.efa_interfaces, it.efa_only, it.enis, it.network_cards) == (32, True, 2, 32)


def test_provenance_is_recorded():
    """The snapshot names its source, capture date and the command that made it."""
    document = json.loads(BUNDLED_SNAPSHOT.read_text())
    assert (document["source"], document["via"]) == (
        "EC2 DescribeInstanceTypes", "moto 5.2.5 (PyPI, ec2/resources/instance_types.json.gz)")
    assert document["captured"] == "2026-10-27"
    assert document["command"] == "eksplan instance-types refresh --from-moto --captured 2026-10-27"
    assert document["count"] == len(load_catalog())


@pytest.mark.skipif(moto.__version__ != "5.2.5", reason="the snapshot was generated from moto 5.2.5")
def test_bundled_snapshot_is_exactly_what_refresh_generates(tmp_path):
    """Regenerating from the recorded source reproduces the bundled file byte for byte."""
    out = tmp_path / "snapshot.json"
    assert main(["instance-types", "refresh", "--from-moto", "--captured", "2026-10-27", "--output", str(out)]) == 0
    assert out.read_text() == BUNDLED_SNAPSHOT.read_text()


def test_unknown_type_suggests_the_closest(catalog):
    """An unknown type fails with the closest known name."""
    with pytest.raises(UnknownInstanceType) as caught:
        catalog.get("m5.lrage")
    assert str(caught.value) == "'m5.lrage' is not a known instance type (did you mean 'm5.large'?)"
    with pytest.raises(UnknownInstanceType) as caught:
        catalog.get("zzzzzz")
    assert str(caught.value) == "'zzzzzz' is not a known instance type"


def test_family_lists_sizes_in_order(catalog):
    """A family lists its sizes from the smallest."""
    names = [t.name for t in catalog.family("m5")]
    assert names[:3] == ["m5.large", "m5.xlarge", "m5.2xlarge"]
    with pytest.raises(CatalogError, match=r"^'m55' is not a known instance family \(did you mean 'm5'\?\)$"):
        catalog.family("m55")


def test_catalog_loads_once():
    """The loader returns the same immutable value on each call."""
    assert load_catalog() is load_catalog()


def test_default_card_over_total():
    """Only the default card's ENIs count, as in the VPC CNI's generator."""
    record = _moto_records()["c6in.32xlarge"]
    assert instance_type_from_ec2(record).enis == 8
    assert instance_type_from_ec2(record).total_enis == 16


def test_records_without_limits_are_skipped():
    """Records with no ENI or IPv4 limit are skipped, as the CNI's generator does."""
    assert instance_type_from_ec2({"InstanceType": "x.large", "NetworkInfo": {"MaximumNetworkInterfaces": 0,
                                                                              "Ipv4AddressesPerInterface": 4}}) is None
    assert instance_type_from_ec2({"InstanceType": "x.large"}) is None


def test_regions_that_disagree_are_an_error():
    """A type with different limits in two regions stops the refresh, naming both."""
    record = _moto_records()["m5.large"]
    changed = json.loads(json.dumps(record))
    changed["NetworkInfo"]["Ipv4AddressesPerInterface"] = 12
    with pytest.raises(CatalogError) as caught:
        merge_regions([("us-east-1", [record]), ("eu-west-1", [changed])])
    assert str(caught.value) == "m5.large: us-east-1 and eu-west-1 report different limits (ipv4_per_eni 10 != 12)"


def test_regions_merge_into_their_union():
    """Types seen in any region are kept once."""
    records = _moto_records()
    merged, skipped = merge_regions([("a", [records["m5.large"]]), ("b", [records["m5.large"], records["t3.small"]])])
    assert list(merged) == ["m5.large", "t3.small"] and skipped == 0


def test_live_refresh_through_boto3_with_moto(tmp_path, monkeypatch):
    """The boto3 path reads DescribeInstanceTypes (mocked by moto) in several regions and merges them."""
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    out = tmp_path / "live.json"
    with mock_aws():
        code = main(["instance-types", "refresh", "--region", "us-east-1", "--region", "eu-west-1",
                     "--captured", "2026-11-01", "--output", str(out)])
    assert code == 0
    document = json.loads(out.read_text())
    assert document["regions"] == ["us-east-1", "eu-west-1"]
    assert document["source"] == "EC2 DescribeInstanceTypes in us-east-1, eu-west-1"
    assert document["command"] == (
        "eksplan instance-types refresh --region us-east-1 --region eu-west-1 --captured 2026-11-01"
    )
    live = load_catalog(out)
    assert live["m5.large"] == load_catalog()["m5.large"]
    assert len(live) == len(_moto_records())


def test_refresh_follows_every_page():
    """All pages of DescribeInstanceTypes are read (NextToken followed)."""
    records = _moto_records()
    client = boto3.client("ec2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    stub = Stubber(client)
    stub.add_response("describe_instance_types", {"InstanceTypes": [records["m5.large"]], "NextToken": "page2"}, {})
    stub.add_response("describe_instance_types", {"InstanceTypes": [records["t3.small"]]}, {"NextToken": "page2"})
    with stub:
        per_region = fetch_regions(["us-east-1"], client_factory=lambda region: client)
    assert [r["InstanceType"] for r in per_region[0][1]] == ["m5.large", "t3.small"]


def test_from_file_accepts_the_aws_cli_shape(tmp_path):
    """A file as 'aws ec2 describe-instance-types --output json' prints it is read."""
    records = _moto_records()
    capture = tmp_path / "capture.json"
    capture.write_text(json.dumps({"InstanceTypes": [records["m5.large"], records["c5.metal"]]}))
    out = tmp_path / "snap.json"
    assert main(["instance-types", "refresh", "--from-file", str(capture), "--captured", "2026-01-02",
                 "--output", str(out)]) == 0
    snap = load_catalog(out)
    assert sorted(snap.types) == ["c5.metal", "m5.large"]
    assert snap.command == "eksplan instance-types refresh --from-file capture.json --captured 2026-01-02"


@pytest.mark.parametrize(
    "content, message",
    [
        (b"{not json", "not a JSON capture of DescribeInstanceTypes"),
        (b'"a string"', "expected the JSON that 'aws ec2 describe-instance-types --output json' prints"),
        (b'{"InstanceTypes": []}', "no instance type with ENI limits found in the input"),
    ],
)
def test_bad_capture_files(tmp_path, capsys, content, message):
    """A bad capture fails with one line naming the problem and exit status 2."""
    capture = tmp_path / "bad.json"
    capture.write_bytes(content)
    code = main(["instance-types", "refresh", "--from-file", str(capture), "--output", str(tmp_path / "o.json")])
    err = capsys.readouterr().err
    assert code == 2 and message in err and err.count("\n") == 1
    assert not (tmp_path / "o.json").exists()


def test_corrupt_snapshot_is_reported(tmp_path):
    """Loading a file that is not a snapshot fails with a clear message."""
    bad = tmp_path / "snap.json"
    bad.write_text('{"schema": 99}')
    with pytest.raises(CatalogError, match="not an eksplan instance-type snapshot"):
        load_catalog(bad)


def test_read_capture_reads_gzip():
    """Gzipped captures (moto's) are read as they are."""
    name, records = read_capture(MOTO_CAPTURE)
    assert name == "instance_types.json.gz" and len(records) == len(_moto_records())


def test_snapshot_lines_are_one_type_each():
    """The snapshot puts one instance type per line, so a refresh diffs per type."""
    records = _moto_records()
    document = build_snapshot([("x", [records["m5.large"], records["t3.small"]])], source="s", captured="2026-01-01",
                              command="c")
    text = dumps_snapshot(document)
    assert json.loads(text) == document
    assert sum(1 for line in text.splitlines() if line.startswith('    "')) == 2


# -- branch ENIs (security groups for pods) -------------------------------------------------------
LIMITS_COMMIT = "b8d425119bdb"


def test_bundled_branch_snapshot_is_exactly_what_refresh_generates(tmp_path, reference_dir):
    """The bundled branch-ENI snapshot is regenerated byte for byte from the controller's limits.go."""
    limits_go = reference_dir / "upstream" / "vpc-resource-controller-limits.go"
    if not limits_go.exists():
        pytest.skip("the VPC resource controller's limits.go is not beside the project")
    out = tmp_path / "branch.json"
    assert main(["instance-types", "refresh-branch-enis", "--from-limits-go", str(limits_go),
                 "--commit", LIMITS_COMMIT, "--output", str(out)]) == 0
    assert out.read_text() == BRANCH_SNAPSHOT.read_text()


@pytest.mark.parametrize("name, trunking, branch", [
    pytest.param("m5.large", True, 9, id="limits.go:m5.large"),
    pytest.param("m5.xlarge", True, 18, id="limits.go:m5.xlarge"),
    pytest.param("c7g.medium", True, 4, id="limits.go:c7g.medium"),
    pytest.param("t3.medium", False, 0, id="limits.go:t3.medium"),
    pytest.param("m4.large", False, 0, id="limits.go:m4.large"),
])
def test_branch_limits_from_the_controller(name, trunking, branch):
    """Published branch-ENI counts and trunking flags (VPC resource controller limits.go)."""
    assert load_branch_limits().get(name) == BranchLimits(trunking, branch)


def test_branch_snapshot_names_its_source():
    table = load_branch_limits()
    assert table.provenance() == ("aws/amazon-vpc-resource-controller-k8s pkg/aws/vpc/limits.go @ b8d425119bdb, "
                                  "generated 2026-03-20T18:06:29Z")


def test_trunking_outside_the_table_follows_the_guide(catalog):
    """A type the controller does not list falls back to the EKS user guide's rule, and says so."""
    table = load_branch_limits()
    missing = next(it for it in catalog if table.get(it.name) is None and it.nitro and not it.family.startswith("t"))
    capable, why = trunk_capable(missing)
    assert capable and why.startswith(f"{missing.name} is not in pkg/aws/vpc/limits.go")
    assert trunk_capable(catalog.get("t3.medium")) == (False, "IsTrunkingCompatible=false in pkg/aws/vpc/limits.go")


def test_limits_go_without_entries_is_refused(tmp_path, capsys):
    bad = tmp_path / "limits.go"
    bad.write_text("package vpc\n")
    assert main(["instance-types", "refresh-branch-enis", "--from-limits-go", str(bad), "--commit", "abc1234",
                 "--output", str(tmp_path / "out.json")]) == 2
    assert capsys.readouterr().err.strip().endswith(
        "limits.go: no instance-type entries found (expected the VPC resource controller's pkg/aws/vpc/limits.go)")


# -- Bottlerocket's shipped max-pods table ----------------------------------------------------------

def test_bottlerocket_table_is_the_secondary_ip_formula(catalog):
    """Bottlerocket's table holds the default card's secondary-IP figure, like AWS's eni-max-pods.txt.

    The two exceptions are the types the table was generated for before EC2 split their interfaces
    over two network cards (the same types AWS's published table still lists at 737).
    """
    table = load_bottlerocket_table()
    shared = [name for name in table.types if name in catalog]
    assert len(shared) > 900
    differ = {name for name in shared
              if table.get(name) != catalog.get(name).enis * (catalog.get(name).ipv4_per_eni - 1) + 2}
    assert differ == {"i7ie.48xlarge", "i7ie.metal-48xl"}
    assert table.provenance() == "bottlerocket-os/bottlerocket-core-kit packages/os/eni-max-pods @ 96d45ad5348c"


def test_bottlerocket_table_parses_type_and_value_lines(tmp_path):
    text = "# header\n\nm5.large 29\nc7g.medium 8\n"
    assert parse_eni_max_pods(text) == {"m5.large": 29, "c7g.medium": 8}
    with pytest.raises(CatalogError, match=r"^eni-max-pods: line 2: 'm5.large twenty-nine' is not 'TYPE MAX_PODS'$"):
        parse_eni_max_pods("# header\nm5.large twenty-nine\n")
    source = tmp_path / "eni-max-pods"
    source.write_text(text)
    out = tmp_path / "out.json"
    assert main(["instance-types", "refresh-bottlerocket", "--from-file", str(source), "--commit", "96d45ad5348c",
                 "--output", str(out)]) == 0
    assert json.loads(out.read_text())["instance_types"] == {"c7g.medium": 8, "m5.large": 29}
