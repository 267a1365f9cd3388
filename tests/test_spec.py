"""Cluster specs: the examples load, and bad input gets exact, located messages."""

from __future__ import annotations

import copy

import pytest
import yaml

from eksplan.spec import SpecError, load_cluster, load_fleet
from eksplan.cli.main import main

from .conftest import ROOT

BASE = {
    "name": "base",
    "region": "us-east-1",
    "availability_zones": ["us-east-1a", "us-east-1b"],
    "vpc": {"cidrs": ["10.0.0.0/16"]},
    "subnets": [
        {"id": "subnet-a", "availability_zone": "us-east-1a", "cidr": "10.0.0.0/20", "role": "nodes"},
        {"id": "subnet-b", "availability_zone": "us-east-1b", "cidr": "10.0.16.0/20", "role": "nodes"},
    ],
    "node_groups": [{"name": "ng", "instance_types": ["m5.large"], "min_size": 1, "max_size": 3, "pods_per_node": 20}],
    "vpc_cni": {"version": "1.18.3"},
}


def fleet(tmp_path, monkeypatch, mutate):
    """A fleet of three clusters where only clusters[2] is changed by ``mutate``."""
    clusters = []
    for i in range(3):
        cluster = copy.deepcopy(BASE)
        cluster["name"] = f"c{i}"
        if i == 2:
            mutate(cluster)
        clusters.append(cluster)
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fleet.yaml").write_text(yaml.safe_dump({"clusters": clusters}, sort_keys=False))
    return load_fleet(["fleet.yaml"])


def _set(path, value):
    def mutate(cluster):
        target = cluster
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return mutate


BAD = [
    ("unknown-instance-type", _set(("node_groups", 0, "instance_types"), ["m5.lrage"]),
     ["fleet.yaml: clusters[2].node_groups[0].instance_types[0] (cluster 'c2'): 'm5.lrage' is not a known instance type (did you mean 'm5.large'?)"]),
    ("invalid-cidr", _set(("vpc", "cidrs"), ["10.0.0.0/33"]),
     ["fleet.yaml: clusters[2].vpc.cidrs[0] (cluster 'c2'): '10.0.0.0/33' is not a valid IPv4 CIDR ('33' is not a valid netmask)"]),
    ("host-bits", _set(("subnets", 0, "cidr"), "10.0.1.0/20"),
     ["fleet.yaml: clusters[2].subnets[0].cidr (cluster 'c2'): '10.0.1.0/20' has host bits set (did you mean '10.0.0.0/20'?)"]),
    ("no-prefix-length", _set(("vpc", "cidrs"), ["10.0.0.0"]),
     ["fleet.yaml: clusters[2].vpc.cidrs[0] (cluster 'c2'): '10.0.0.0' is not an IPv4 CIDR: the prefix length is missing (e.g. '10.0.0.0/24')"]),
    ("subnet-outside-vpc", _set(("subnets", 1, "cidr"), "10.1.0.0/20"),
     ["fleet.yaml: clusters[2].subnets[1].cidr (cluster 'c2'): '10.1.0.0/20' is outside the VPC CIDRs (10.0.0.0/16)"]),
    ("overlapping-subnets", _set(("subnets", 1, "cidr"), "10.0.8.0/21"),
     ["fleet.yaml: clusters[2].subnets[1].cidr (cluster 'c2'): '10.0.8.0/21' overlaps subnets[0] ('10.0.0.0/20')"]),
    ("az-outside-region", _set(("availability_zones",), ["us-east-1a", "eu-west-1b"]),
     ["fleet.yaml: clusters[2].availability_zones[1] (cluster 'c2'): 'eu-west-1b' is not in region 'us-east-1'",
      "fleet.yaml: clusters[2].subnets[1].availability_zone (cluster 'c2'): 'us-east-1b' is not one of the cluster's availability zones (us-east-1a, eu-west-1b)",
      "fleet.yaml: clusters[2].node_groups[0].availability_zones (cluster 'c2'): no subnet with role 'nodes' in eu-west-1b"]),
    ("min-above-max", _set(("node_groups", 0, "min_size"), 5),
     ["fleet.yaml: clusters[2].node_groups[0].min_size (cluster 'c2'): 5 is greater than max_size (3)"]),
    ("garbage-cni-version", _set(("vpc_cni", "version"), "latest"),
     ["fleet.yaml: clusters[2].vpc_cni.version (cluster 'c2'): 'latest' is not a VPC CNI version (expected MAJOR.MINOR[.PATCH], e.g. 1.18.3 or v1.18.3-eksbuild.1)"]),
    ("warm-prefix-zero", _set(("vpc_cni", "settings"), {"ENABLE_PREFIX_DELEGATION": True, "WARM_PREFIX_TARGET": 0}),
     ["fleet.yaml: clusters[2].vpc_cni.settings.WARM_PREFIX_TARGET (cluster 'c2'): 0 is not supported with prefix delegation "
      "(ipamd would keep no warm prefix); set 1 or more, or set WARM_IP_TARGET/MINIMUM_IP_TARGET"]),
    ("unknown-setting", _set(("vpc_cni", "settings"), {"WARM_IP_TARGT": 2}),
     ["fleet.yaml: clusters[2].vpc_cni.settings.WARM_IP_TARGT (cluster 'c2'): unknown key 'WARM_IP_TARGT' (did you mean 'WARM_IP_TARGET'?)"]),
    ("bad-setting-value", _set(("vpc_cni", "settings"), {"ENABLE_PREFIX_DELEGATION": "yes please"}),
     ["fleet.yaml: clusters[2].vpc_cni.settings.ENABLE_PREFIX_DELEGATION (cluster 'c2'): 'yes please' is not true or false"]),
    ("negative-target", _set(("vpc_cni", "settings"), {"WARM_IP_TARGET": -3}),
     ["fleet.yaml: clusters[2].vpc_cni.settings.WARM_IP_TARGET (cluster 'c2'): -3 must be >= 0"]),
    ("unknown-key", _set(("node_groups", 0, "instance_type"), "m5.large"),
     ["fleet.yaml: clusters[2].node_groups[0].instance_type (cluster 'c2'): unknown key 'instance_type' (did you mean 'instance_types'?)"]),
    ("missing-region", lambda c: c.pop("region"),
     ["fleet.yaml: clusters[2].region (cluster 'c2'): required, but missing"]),
    ("bad-enum", _set(("node_groups", 0, "os"), "windoze"),
     ["fleet.yaml: clusters[2].node_groups[0].os (cluster 'c2'): 'windoze' is not one of 'linux' or 'windows'"]),
    ("not-a-number", _set(("node_groups", 0, "pods_per_node"), "many"),
     ["fleet.yaml: clusters[2].node_groups[0].pods_per_node (cluster 'c2'): 'many' is not a whole number"]),
    ("several-errors", lambda c: (c["node_groups"][0].update(instance_types=["m5.lrage"]), c["vpc_cni"].update(version="1.x")),
     ["fleet.yaml: clusters[2].node_groups[0].instance_types[0] (cluster 'c2'): 'm5.lrage' is not a known instance type (did you mean 'm5.large'?)",
      "fleet.yaml: clusters[2].vpc_cni.version (cluster 'c2'): '1.x' is not a VPC CNI version (expected MAJOR.MINOR[.PATCH], e.g. 1.18.3 or v1.18.3-eksbuild.1)"]),
]


@pytest.mark.parametrize("mutate, expected", [pytest.param(m, e, id=i) for i, m, e in BAD])
def test_bad_specs(tmp_path, monkeypatch, mutate, expected):
    """Each bad spec fails with messages naming file, cluster path, field and value; the others load."""
    result = fleet(tmp_path, monkeypatch, mutate)
    assert [str(i) for i in result.issues] == expected
    assert [c.name for c in result.clusters] == ["c0", "c1"]
    assert {i.cluster for i in result.issues} == {"c2"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("", "fleet.yaml: the file is empty (expected a cluster, or 'clusters:' with a list)"),
        ("name: x\n  region: [\n", "fleet.yaml: line 2, column 9: YAML syntax error: mapping values are not allowed here"),
        ("clusters:\n  - name: a\n    name: b\n", "fleet.yaml: line 3, column 5: YAML syntax error: duplicate key 'name'"),
        ("- a\n- b\n", "fleet.yaml: expected a cluster (a mapping with name, region, vpc...), or 'clusters:' with a list of them, got ['a', 'b']"),
        ("clusters: []\n", "fleet.yaml: clusters: expected a non-empty list of clusters, got []"),
    ],
)
def test_unreadable_files(tmp_path, monkeypatch, text, expected):
    """Empty files, YAML syntax errors (with line and column) and wrong shapes are reported."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "fleet.yaml").write_text(text)
    assert [str(i) for i in load_fleet(["fleet.yaml"]).issues] == [expected]


def test_every_error_in_one_pass(tmp_path, monkeypatch):
    """Structural and cross-field errors of a cluster are reported together."""
    def mutate(c):
        c["availability_zones"] = ["us-east-1a", "us-west-2a"]
        c["vpc_cni"]["version"] = "v1"
    messages = [i.message for i in fleet(tmp_path, monkeypatch, mutate).issues]
    assert "'us-west-2a' is not in region 'us-east-1'" in messages
    assert any(m.startswith("'v1' is not a VPC CNI version") for m in messages)


def test_duplicate_cluster_names(tmp_path, monkeypatch):
    """Two clusters with one name: the second is an error."""
    result = fleet(tmp_path, monkeypatch, _set(("name",), "c0"))
    assert [str(i) for i in result.issues] == ["fleet.yaml: clusters[2].name (cluster 'c0'): 'c0' is already the name of a cluster (fleet.yaml: clusters[0])"]


def test_examples_are_valid():
    """Every example cluster is valid, and there are at least six."""
    result = load_fleet([ROOT / "examples"])
    assert result.issues == []
    assert {c.name for c in result.clusters} >= {
        "dev-sandbox", "payments-prod", "retail-constrained", "analytics-ipv6", "claims-sgp", "telco-upf"}


def test_describe_subnets_fills_available_addresses():
    """A describe-subnets capture named by the spec supplies AWS's available counts and tags."""
    spec = load_cluster(ROOT / "examples" / "payments-prod.yaml")
    node = next(s for s in spec.subnets if s.id == "subnet-0a1c000000000a003")
    assert node.available_ips == 4406
    assert node.tags["Name"] == "private-c"


def test_describe_subnets_mismatch(tmp_path, monkeypatch):
    """A capture that contradicts the spec's CIDR is an error naming both."""
    (tmp_path / "subnets.json").write_text(
        '{"Subnets": [{"SubnetId": "subnet-a", "CidrBlock": "10.0.32.0/20", "AvailabilityZone": "us-east-1a", '
        '"AvailableIpAddressCount": 100}]}')
    result = fleet(tmp_path, monkeypatch, _set(("describe_subnets",), "subnets.json"))
    assert [str(i) for i in result.issues] == [
        "fleet.yaml: clusters[2].describe_subnets (cluster 'c2'): subnets.json: subnet-a: AWS reports 10.0.32.0/20 in us-east-1a, "
        "the spec's subnets[0] says 10.0.0.0/20 in us-east-1a"]


def test_load_cluster_names_one(tmp_path, monkeypatch):
    """load_cluster needs a name for a fleet and says which names exist."""
    fleet(tmp_path, monkeypatch, lambda c: None)
    with pytest.raises(SpecError, match=r"^fleet.yaml: holds several clusters \('c0', 'c1', 'c2'\): name one$"):
        load_cluster("fleet.yaml")
    assert load_cluster("fleet.yaml", "c1").name == "c1"
    with pytest.raises(SpecError, match=r"no cluster named 'c9'"):
        load_cluster("fleet.yaml", "c9")


def test_validate_command(tmp_path, monkeypatch, capsys):
    """eksplan validate: exit 0 when all are valid, 2 otherwise, with every error on stderr."""
    fleet(tmp_path, monkeypatch, _set(("node_groups", 0, "instance_types"), ["m5.lrage"]))
    assert main(["validate", "fleet.yaml"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == "fleet.yaml: clusters[2].node_groups[0].instance_types[0] (cluster 'c2'): 'm5.lrage' is not a known instance type (did you mean 'm5.large'?)"
    assert err[-1] == "1 error(s) in 1 cluster(s) or file(s); valid: c0, c1"
    assert main(["validate", str(ROOT / "examples")]) == 0
    assert capsys.readouterr().out.startswith("ok: 6 cluster(s) valid")


# -- properties: whatever the document, a located error or a valid spec; a valid spec can be computed ------
from hypothesis import HealthCheck, given, settings  # noqa: E402

from eksplan.engine import evaluate  # noqa: E402
from eksplan.errors import EksplanError  # noqa: E402

from .rule_cases import BASE as RULE_BASE  # noqa: E402
from .strategies import numeric_extremes, spec_documents  # noqa: E402

PROPERTY_BASE = {**RULE_BASE, "requirements": {**RULE_BASE["requirements"], "growth": {"percent_per_month": 5}},
                 "planning": {"headroom": 1.5}}


def _load(tmp_path, document) -> tuple[str, object]:
    text = yaml.safe_dump(document, sort_keys=False, allow_unicode=False)
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return text, load_fleet([path])


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                    HealthCheck.too_slow])
@given(document=spec_documents(PROPERTY_BASE))
def test_any_document_gives_located_errors_or_valid_specs(tmp_path, document):
    """Scalars, lists and maps anywhere in a spec: the loader returns valid clusters or one-line located errors."""
    _, result = _load(tmp_path, document)
    label = str(tmp_path / "spec.yaml")
    clusters = len(document["clusters"]) if isinstance(document, dict) and isinstance(document.get("clusters"), list) else 1
    assert len(result.clusters) <= clusters
    assert result.clusters or result.issues
    for issue in result.issues:
        line = str(issue)
        assert issue.file == label and line.startswith(f"{label}: ")
        assert issue.message and line.isprintable() and len(line) < 2000, line
    for loaded in result.clusters:
        assert loaded.file == label and loaded.spec.name


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])
@given(document=numeric_extremes(PROPERTY_BASE))
def test_a_valid_spec_can_be_computed(tmp_path, document):
    """Numbers at and far beyond their fields' edges: a spec that validates is planned without an unexpected error."""
    _, result = _load(tmp_path, document)
    for loaded in result.clusters:
        try:
            evaluate(loaded.spec)
        except EksplanError:
            pass  # a located refusal (e.g. no ENI left for pods) is an answer, not a crash
