"""eksplan discover against moto (in-process and its threaded server), and from captures of the same account."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

import boto3
import pytest
import yaml

from eksplan.cli.main import main
from eksplan.discover.nodes import classify
from eksplan.observed import read_observed
from eksplan.spec import load_cluster

from . import aws_scenario

REGION = "us-east-1"


@pytest.fixture
def aws_env(monkeypatch, tmp_path):
    """Fake credentials and no AWS configuration of the machine: nothing can reach AWS."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_SESSION_TOKEN": "testing", "AWS_DEFAULT_REGION": REGION,
                        "AWS_CONFIG_FILE": str(tmp_path / "no-config"),
                        "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "no-credentials"),
                        "AWS_EC2_METADATA_DISABLED": "true"}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_EC2", "AWS_ENDPOINT_URL_EKS"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture(scope="module")
def moto_server():
    """moto's threaded server on 127.0.0.1, an ephemeral port."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


@pytest.fixture(params=["mock_aws", "server"])
def account(request, aws_env, monkeypatch):
    """The scenario's account, in moto's in-process mock or behind its server (reached via AWS_ENDPOINT_URL)."""
    if request.param == "mock_aws":
        from moto import mock_aws

        with mock_aws():
            yield aws_scenario.build(REGION)
        return
    endpoint = request.getfixturevalue("moto_server")
    urllib.request.urlopen(urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")).close()
    monkeypatch.setenv("AWS_ENDPOINT_URL", endpoint)
    yield aws_scenario.build(REGION)


def write_kubectl(folder: Path, ids: dict) -> Path:
    for name, document in aws_scenario.kubectl(ids, REGION).items():
        (folder / "shop").mkdir(parents=True, exist_ok=True)
        (folder / "shop" / f"{name}.json").write_text(json.dumps(document))
    return folder


def capture_like_the_cli(folder: Path, ids: dict) -> Path:
    """The documented captures, made with boto3 (each response as the AWS CLI prints it), not with eksplan."""
    ec2, eks = boto3.client("ec2", region_name=REGION), boto3.client("eks", region_name=REGION)

    def save(path, response):
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(json.dumps({k: v for k, v in response.items() if k != "ResponseMetadata"}, default=str))

    save("ec2/describe-vpcs.json", ec2.describe_vpcs())
    save("ec2/describe-subnets.json", ec2.describe_subnets())
    save("ec2/describe-network-interfaces.json", ec2.describe_network_interfaces())
    save("ec2/describe-instances.json", ec2.describe_instances())
    for subnet in ec2.describe_subnets()["Subnets"]:
        save(f"ec2/subnet-cidr-reservations/{subnet['SubnetId']}.json",
             ec2.get_subnet_cidr_reservations(SubnetId=subnet["SubnetId"]))
    for name in eks.list_clusters()["clusters"]:
        save(f"eks/{name}/describe-cluster.json", eks.describe_cluster(name=name))
        save(f"eks/{name}/list-nodegroups.json", eks.list_nodegroups(clusterName=name))
        for ng in eks.list_nodegroups(clusterName=name)["nodegroups"]:
            save(f"eks/{name}/nodegroups/{ng}.json", eks.describe_nodegroup(clusterName=name, nodegroupName=ng))
        for fp in eks.list_fargate_profiles(clusterName=name)["fargateProfileNames"]:
            save(f"eks/{name}/fargate-profiles/{fp}.json",
                 eks.describe_fargate_profile(clusterName=name, fargateProfileName=fp))
    write_kubectl(folder / "kubectl", ids)
    return folder


def discover(*args) -> int:
    return main(["discover", *map(str, args)])


def test_live_discovery(account, tmp_path, capsys):
    """A live run writes a valid, commented spec per cluster; the add-on API moto lacks is unknown, not guessed."""
    kube = write_kubectl(tmp_path / "kube", account)
    assert discover("--region", REGION, "--kubectl-dir", kube, "-o", tmp_path / "out") == 1
    err = capsys.readouterr().err
    assert ("us-east-1: dev: unknown vpc_cni.version: describe-addon: DescribeAddon: not implemented by this "
            "endpoint; no aws-node DaemonSet capture") in err
    assert "1 cluster(s) written, 1 not" in err
    spec = load_cluster(tmp_path / "out" / "shop.yaml")
    groups = {g.name: g for g in spec.node_groups}
    assert {name: (g.launcher, g.instance_types, g.pods_per_node, g.max_pods) for name, g in groups.items()} == {
        "web": ("managed", ["m5.large"], 8, None), "batch": ("karpenter", ["c6i.xlarge"], 30, 110),
        "legacy": ("bottlerocket", ["m5.xlarge"], 0, None)}
    assert (groups["web"].min_size, groups["web"].desired_size, groups["web"].max_size) == (1, 2, 6)
    assert spec.vpc_cni.version == "v1.19.2-eksbuild.1" and spec.fargate_profiles[0].pods == 3
    assert [str(c) for c in spec.vpc.cidrs] == ["10.0.0.0/16", "100.64.0.0/16"]
    roles = {s.id: s.roles for s in spec.subnets}
    assert roles[account["public_a"]] == ("cluster", "public") and roles[account["pods_a"]] == ("pods",)
    assert [str(c) for c in next(s for s in spec.subnets if s.id == account["nodes_a"]).cidr_reservations] == \
        ["10.0.15.0/24"]
    text = (tmp_path / "out" / "shop.yaml").read_text()
    assert "    launcher: karpenter  # node label karpenter.sh/nodepool=batch\n" in text
    assert ("    max_pods: 110  # kubectl get nodes: every node's kubelet reports max pods 110, not the launcher's "
            "default (c6i.xlarge 58): set explicitly\n") in text
    observed = read_observed(spec.observed)
    web = {n.name: n for n in observed.nodes}["web-1"]
    assert (web.enis, web.addresses, web.max_pods, web.pods) == (2, 11, 29, 8)
    assert any(u.what == "VPC CNI add-on" for u in observed.unknown)


def test_allow_unknown_writes_placeholders(account, tmp_path, capsys):
    """--allow-unknown writes the cluster whose CNI is unknown, its placeholders marked, and it validates."""
    assert discover("--region", REGION, "--allow-unknown", "-o", tmp_path / "out") == 0
    text = (tmp_path / "out" / "dev.yaml").read_text()
    assert "  version: v1.22.1  # UNKNOWN (describe-addon: DescribeAddon: not implemented by this endpoint; " in text
    assert "    custom_ami: true  # amiType CUSTOM: its launch template names an AMI, so EKS sets no max pods\n" in text
    capsys.readouterr()
    assert main(["validate", str(tmp_path / "out")]) == 0
    assert capsys.readouterr().out == "ok: 2 cluster(s) valid (dev, shop)\n"
    # Without kubectl, the nodes are the cluster's instances, their launchers read from tags.
    nodes = {n.instance_id: n for n in read_observed(tmp_path / "out" / "shop.observed.json").nodes}
    assert nodes[account["legacy_1"]].launcher_source.startswith("self-managed (Auto Scaling group legacy)")
    assert nodes[account["batch_1"]].launcher_source == "instance tag karpenter.sh/nodepool=batch"
    assert nodes[account["web_1"]].max_pods is None


def test_captures_round_trip_to_the_same_spec(account, tmp_path):
    """Captures of the same account (the JSON the CLI prints) give the spec and observed state a live run gives."""
    kube = write_kubectl(tmp_path / "kube", account)
    assert discover("--region", REGION, "--kubectl-dir", kube, "--allow-unknown", "--save-captures",
                    tmp_path / "saved", "-o", tmp_path / "live") == 0
    folder = capture_like_the_cli(tmp_path / "captures", account)
    for source, out in ((folder, "from-cli"), (tmp_path / "saved" / REGION, "from-saved")):
        assert discover("--from-dir", source, "--allow-unknown", "-o", tmp_path / out) == 0
        for cluster in ("shop", "dev"):
            live = yaml.safe_load((tmp_path / "live" / f"{cluster}.yaml").read_text())
            assert yaml.safe_load((tmp_path / out / f"{cluster}.yaml").read_text()) == live
            a = read_observed(tmp_path / "live" / f"{cluster}.observed.json")
            b = read_observed(tmp_path / out / f"{cluster}.observed.json")
            assert (a.nodes, a.subnets, a.cni_env, a.cni_version) == (b.nodes, b.subnets, b.cni_env, b.cni_version)


@pytest.mark.parametrize("labels, tags, os_image, expected", [
    ({"eks.amazonaws.com/compute-type": "auto", "karpenter.sh/nodepool": "general-purpose"}, {}, None,
     ("auto-mode", "general-purpose")),
    ({"eks.amazonaws.com/nodegroup": "web"}, {}, None, ("managed", "web")),
    ({}, {"eks:nodegroup-name": "web"}, None, ("managed", "web")),
    ({"karpenter.sh/nodepool": "batch"}, {}, None, ("karpenter", "batch")),
    ({}, {"aws:autoscaling:groupName": "asg"}, "Bottlerocket OS 1.29.0 (aws-k8s-1.31)", ("bottlerocket", "asg")),
    ({}, {}, "Amazon Linux 2023.6.20250123", ("nodeadm", "self-managed")),
], ids=["auto mode label", "node group label", "node group tag", "nodepool label", "bottlerocket osImage", "else nodeadm"])
def test_launcher_inference(labels, tags, os_image, expected):
    """Each node's launcher, from its labels, its instance's tags or its OS image."""
    assert classify(labels, tags, os_image)[:2] == expected


def test_missing_folder_and_bad_capture(tmp_path, capsys):
    """A folder without clusters, or a capture that is not JSON: one located line, exit status 2."""
    assert discover("--from-dir", tmp_path, "-o", tmp_path / "out") == 2
    assert capsys.readouterr().err == (f"eksplan discover: error: {tmp_path}: no eks/<cluster>/describe-cluster.json "
                                       "(expected 'aws eks describe-cluster --name NAME --output json' for each cluster)\n")
    (tmp_path / "eks" / "c").mkdir(parents=True)
    (tmp_path / "eks" / "c" / "describe-cluster.json").write_text("{not json")
    assert discover("--from-dir", tmp_path, "-o", tmp_path / "out") == 2
    assert capsys.readouterr().err.startswith(f"eksplan discover: error: {tmp_path}/eks/c/describe-cluster.json: "
                                              "line 1, column 2: not JSON")


def test_spec_observed_must_exist(tmp_path, capsys):
    """A spec's observed: names a file beside it; a missing one is a located error."""
    spec = {"name": "x", "region": "us-east-1", "availability_zones": ["us-east-1a"], "vpc": {"cidrs": ["10.0.0.0/16"]},
            "vpc_cni": {"version": "1.19.2"}, "observed": "x.observed.json"}
    (tmp_path / "x.yaml").write_text(yaml.safe_dump(spec))
    assert main(["validate", str(tmp_path)]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{tmp_path}/x.yaml: observed (cluster 'x'): 'x.observed.json': no such file (the observed state 'eksplan discover' writes)")


def test_spec_observed_stays_in_its_folder(tmp_path, capsys):
    """observed: is read from the spec's own folder only, like describe_subnets."""
    (tmp_path / "elsewhere.observed.json").write_text("{}")
    (tmp_path / "specs").mkdir()
    spec = {"name": "x", "region": "us-east-1", "availability_zones": ["us-east-1a"], "vpc": {"cidrs": ["10.0.0.0/16"]},
            "vpc_cni": {"version": "1.19.2"}, "observed": "../elsewhere.observed.json"}
    (tmp_path / "specs" / "x.yaml").write_text(yaml.safe_dump(spec))
    assert main(["validate", str(tmp_path / "specs")]) == 2
    assert capsys.readouterr().err.splitlines()[0] == (
        f"{tmp_path}/specs/x.yaml: observed (cluster 'x'): '../elsewhere.observed.json' leads outside the spec's "
        "folder; name a file in the spec's folder, relative to the spec")
