"""Max pods as each launcher sets it, what ipamd can address, and the objects that set it.

Each published figure names its source in the test id: the launcher's code or documentation
(repository and path), or the issue where users report the figure they saw.
"""

from __future__ import annotations

import copy
import json

import celpy
import pytest
from hypothesis import given, settings, strategies as st

from eksplan.capacity import node_capacity
from eksplan.catalog import BUNDLED_SNAPSHOT, load_catalog
from eksplan.cli.main import main
from eksplan.cni import CniConfig
from eksplan.config import generate
from eksplan.engine import evaluate
from eksplan.ipamd import simulate_node
from eksplan.launchers import launcher_max_pods
from eksplan.nodeconfig import expression_value, nodeadm_expression
from eksplan.spec import ClusterSpec, load_fleet

from .conftest import ROOT
from .rule_cases import BASE, group, spec

PD = CniConfig(prefix_delegation=True)
CN = CniConfig(custom_networking=True)

# (source, instance type, launcher, CNI configuration, keyword arguments, kubelet max pods)
PUBLISHED = [
    ("karpenter:types.go-ENILimitedPods", "m5.large", "karpenter", CniConfig(), {}, 29),
    ("karpenter:types.go-ENILimitedPods", "m5.xlarge", "karpenter", CniConfig(), {}, 58),
    ("karpenter:types.go-no-ceiling", "m5.24xlarge", "karpenter", CniConfig(), {}, 737),
    ("karpenter:default-card-only", "c6in.32xlarge", "karpenter", CniConfig(), {}, 394),
    ("karpenter-provider-aws#6102:prefix-ignored", "c7g.medium", "karpenter", PD, {}, 8),
    ("karpenter:scheduling.md-RESERVED_ENIS=1", "m5.large", "karpenter", CniConfig(pod_eni=True),
     {"reserved_enis": 1}, 20),
    ("karpenter:nodeclasses.md-kubelet.maxPods", "m5.large", "karpenter", PD, {"override": 110}, 110),
    ("nodeadm:eni_max_pods.go-CalcMaxPods", "m5.large", "nodeadm", CniConfig(), {}, 29),
    ("nodeadm:no-ceiling", "m5.24xlarge", "nodeadm", CniConfig(), {}, 737),
    ("amazon-eks-ami#2742-unmerged:ipv6", "m5.large", "nodeadm", CniConfig(ipv6=True), {}, 29),
    ("nodeadm:prefix-ignored", "c7g.medium", "nodeadm", PD, {}, 8),
    ("eks-user-guide:choosing-instance-type-m5.large", "m5.large", "managed", CniConfig(), {}, 29),
    ("eks-user-guide:choosing-instance-type-custom-networking", "m5.large", "managed", CN, {}, 20),
    ("eks-user-guide:choosing-instance-type-prefix", "m5.large", "managed", PD, {}, 110),
    ("eks-user-guide:eks-networking-add-ons-m5.8xlarge", "m5.8xlarge", "managed", PD, {}, 250),
    ("karpenter-provider-aws#6102:managed-98", "m6g.medium", "managed", PD, {}, 98),
    ("eks-user-guide:create-managed-node-group-cap-250", "m5.24xlarge", "managed", CniConfig(), {}, 250),
    ("eks-user-guide:create-managed-node-group-custom-ami", "m5.24xlarge", "managed", CniConfig(),
     {"custom_ami": True}, 737),
    ("eks-user-guide:automode-create-node-class-110", "m5.24xlarge", "auto-mode", CniConfig(), {}, 110),
    ("eks-user-guide:automode-create-node-class-110", "m5.large", "auto-mode", CniConfig(), {}, 110),
    ("bottlerocket-core-kit:eni-max-pods", "m5.large", "bottlerocket", CniConfig(), {}, 29),
    ("bottlerocket-core-kit:eni-max-pods", "c6in.32xlarge", "bottlerocket", CniConfig(), {}, 394),
    ("bottlerocket-core-kit:kubelet-config-default-110", "c8a.medium", "bottlerocket", CniConfig(), {}, 110),
    ("bottlerocket-core-kit:settings.kubernetes.max-pods", "c8a.medium", "bottlerocket", CniConfig(),
     {"override": 8}, 8),
]


@pytest.mark.parametrize("source, instance, launcher, cni, options, expected",
                         [pytest.param(*row, id=f"{row[0]}:{row[2]}:{row[1]}") for row in PUBLISHED])
def test_published_launcher_figures(source, instance, launcher, cni, options, expected):
    """The kubelet max pods each launcher sets, as its source states or users report."""
    assert launcher_max_pods(instance, launcher, cni, **options).value == expected


def test_karpenter_says_what_it_ignores():
    result = launcher_max_pods("c7g.medium", "karpenter", CniConfig(prefix_delegation=True, pod_eni=True))
    assert result.ignored == ("prefix delegation", "security groups for pods")
    assert result.derivation[1] == "Karpenter's ENI-limited pods: 2 x (4 - 1) + 2 = 8 (no ceiling)"
    assert result.derivation[-2] == "Karpenter does not read: prefix delegation, security groups for pods"


def test_managed_node_group_takes_its_lowest_type():
    """EKS user guide: a managed node group applies the smallest value of its instance types to every node."""
    ev = evaluate(ClusterSpec.model_validate(spec(node_groups=group(instance_types=["m5.large", "m5.24xlarge"]))))
    (footprint,) = ev.analysis.groups
    assert {m.instance_type: m.max_pods for m in footprint.members} == {"m5.large": 29, "m5.24xlarge": 29}


def test_karpenter_nodes_keep_their_own_figure():
    ev = evaluate(ClusterSpec.model_validate(spec(node_groups=group(instance_types=["m5.large", "m5.24xlarge"],
                                                                     launcher="karpenter"))))
    (footprint,) = ev.analysis.groups
    assert {m.instance_type: m.max_pods for m in footprint.members} == {"m5.large": 29, "m5.24xlarge": 737}


# -- what ipamd can address ---------------------------------------------------------------------------------

@pytest.mark.parametrize("instance, cni, pod_ips, branch", [
    pytest.param("m5.large", CniConfig(pod_eni=True), 18, 9, id="amazon-vpc-cni-k8s:hasRoomForEni:m5.large"),
    pytest.param("t3.medium", CniConfig(pod_eni=True, version="1.20.3"), 10, 0,
                 id="amazon-vpc-cni-k8s#3250:before-1.20.4:t3.medium"),
    pytest.param("t3.medium", CniConfig(pod_eni=True, version="1.20.4"), 15, 0,
                 id="amazon-vpc-cni-k8s#3250:from-1.20.4:t3.medium"),
    pytest.param("c7g.medium", CniConfig(pod_eni=True), 3, 4, id="limits.go:c7g.medium"),
    pytest.param("m5.xlarge", CniConfig(pod_eni=True), 42, 18, id="limits.go:m5.xlarge"),
])
def test_addressable_with_security_groups_for_pods(instance, cni, pod_ips, branch):
    """The trunk slot takes an ENI of pod addresses; branch ENIs come from the resource controller's table."""
    capacity = node_capacity(load_catalog().get(instance), cni)
    assert (capacity.pod_ips, capacity.branch_enis) == (pod_ips, branch)


def test_security_group_pods_are_counted_once():
    """m5.large with ENABLE_POD_ENI, kubelet max pods 29: 15 ordinary and 5 security-group pods all run."""
    node = simulate_node("m5.large", 15, CniConfig(pod_eni=True), max_pods=29, security_group_pods=5)
    assert (node.pods, node.security_group_pods, node.pods_pending, node.ips) == (15, 5, 0, 18)
    node = simulate_node("m5.large", 20, CniConfig(pod_eni=True), max_pods=29, security_group_pods=5)
    assert (node.pods, node.pods_pending) == (18, 2)
    assert node.pending_reason == "all 2 usable ENIs are full (18 pod addresses)"


def test_branch_enis_bound_security_group_pods():
    node = simulate_node("c7g.medium", 0, CniConfig(pod_eni=True), max_pods=8, security_group_pods=5)
    assert (node.security_group_pods, node.pods_pending) == (4, 1)
    assert node.pending_reason == "c7g.medium takes 4 branch ENIs, so 1 of its 5 pods with security groups cannot run"


# -- nodeadm's maxPodsExpression, evaluated by a CEL implementation ------------------------------------------

def _cel(expression: str):
    environment = celpy.Environment()
    return environment.program(environment.compile(expression))


def _evaluate(program, it) -> int:
    ints = celpy.celtypes.IntType
    standard = it.enis * (it.ipv4_per_eni - 1) + 2
    return int(program.evaluate({"default_enis": ints(it.enis), "ips_per_eni": ints(it.ipv4_per_eni),
                                 "max_pods": ints(standard)}))


def test_upstream_examples_evaluate_as_nodeadm_documents():
    """nodeadm's own test cases (eni_max_pods_test.go): prefix emulation 242 and custom networking 12 on t3.medium."""
    t3 = load_catalog().get("t3.medium")
    assert _evaluate(_cel("(default_enis * ((ips_per_eni - 1) * 16)) + 2"), t3) == 242
    assert _evaluate(_cel("((default_enis - 1) * (ips_per_eni - 1)) + 2"), t3) == 12


EXPRESSION_CASES = [
    ("secondary-ip", CniConfig(), False, False, 110),
    ("secondary-ip-250", CniConfig(), False, False, 250),
    ("prefix", CniConfig(prefix_delegation=True), False, False, 110),
    ("prefix-250", CniConfig(prefix_delegation=True), False, False, 250),
    ("custom-networking", CniConfig(custom_networking=True), True, False, 110),
    ("custom-networking-prefix", CniConfig(custom_networking=True, prefix_delegation=True), True, False, 110),
    ("trunk", CniConfig(pod_eni=True), False, True, 110),
    ("trunk-custom-networking", CniConfig(pod_eni=True, custom_networking=True), True, True, 110),
    ("max-eni", CniConfig(max_eni=3), False, False, 110),
    ("max-eni-prefix-trunk", CniConfig(max_eni=4, prefix_delegation=True, pod_eni=True), False, True, 250),
    ("ipv6", CniConfig(ipv6=True), False, False, 110),
]


@pytest.mark.parametrize("name, cni, excluded, trunk, cap", EXPRESSION_CASES, ids=[c[0] for c in EXPRESSION_CASES])
def test_generated_expression_matches_eksplan_on_every_type(name, cni, excluded, trunk, cap):
    """The generated maxPodsExpression, run by a CEL implementation, equals eksplan's figure on every catalogued type."""
    expression = nodeadm_expression(cni, excluded=excluded, trunk=trunk, cap=cap)
    assert "min(" not in expression and "max(" not in expression  # nodeadm's CEL has neither
    program = _cel(expression)
    mismatches = [it.name for it in load_catalog()
                  if it.ipv4_per_eni > 1 and (not cni.prefix_mode or it.nitro_based)
                  and _evaluate(program, it) != expression_value(it, cni, excluded=excluded, trunk=trunk, cap=cap)]
    assert mismatches == []


def test_expression_gives_what_ipamd_addresses():
    """On the types the expression is generated for, it equals what ipamd addresses, within the ceiling."""
    catalog = load_catalog()
    for name in ("m5.large", "m5.xlarge", "c7g.medium", "m6i.2xlarge"):
        it = catalog.get(name)
        cni = CniConfig(custom_networking=True, pod_eni=True)
        capacity = node_capacity(it, cni)
        assert expression_value(it, cni, excluded=True, trunk=True, cap=110) == min(capacity.addressable, 110)


# -- subnet discovery ------------------------------------------------------------------------------------------

def _discovery(version="1.22.1", node_tag="0", extra_tags=None, env=None):
    data = spec(**{"vpc.cidrs": ["10.0.0.0/16", "100.64.0.0/16"], "vpc_cni.version": version,
                   "vpc_cni.settings": {**BASE["vpc_cni"]["settings"], **(env or {})},
                   "node_groups": group(instance_types=["m5.large"], pods_per_node=20)})
    subnets = copy.deepcopy(data["subnets"])
    for subnet in subnets:
        if subnet["role"] == "nodes" and node_tag is not None:
            subnet["tags"] = {**subnet.get("tags", {}), "kubernetes.io/role/cni": node_tag}
    subnets += [{"id": f"s-discovered-{az}", "availability_zone": f"us-east-1{az}", "cidr": cidr,
                 "role": "pods", "tags": {"kubernetes.io/role/cni": "1", **(extra_tags or {})}}
                for az, cidr in (("a", "100.64.0.0/18"), ("b", "100.64.64.0/18"))]
    data["subnets"] = subnets
    return ClusterSpec.model_validate(data)


def test_node_subnet_tagged_zero_carries_no_pods():
    """VPC CNI >= 1.22.1: a node subnet tagged kubernetes.io/role/cni=0 gets no pod addresses; max pods stays."""
    ev = evaluate(_discovery())
    (footprint,) = ev.analysis.groups
    assert (footprint.max_pods, footprint.addressable) == (29, 20)
    assert footprint.node.node_subnet_ips == 1
    loads = {load.label: load for load in ev.analysis.usage.at("desired")}
    assert loads["s-discovered-a"].eni_primary_ips == 2 * 2 and loads["s-nodes-a"].eni_primary_ips == 2
    assert "max-pods-above-addresses" in {f.rule for f in ev.findings}


def test_before_1_22_1_the_tag_value_is_not_read():
    (footprint,) = evaluate(_discovery(version="1.21.0")).analysis.groups
    assert footprint.addressable == 29


def test_discovery_puts_secondary_enis_in_the_freest_subnet():
    """Untagged node subnets stay candidates; each new ENI goes to the subnet with the most free addresses."""
    ev = evaluate(_discovery(node_tag=None))
    loads = {load.label: load for load in ev.analysis.usage.at("desired")}
    assert loads["s-discovered-a"].eni_primary_ips == 2 * 2  # a /18 has more room than the /20 node subnet
    assert loads["s-nodes-a"].eni_primary_ips == 2


def test_cluster_scoped_tags_keep_a_subnet_to_its_cluster():
    other = {"cni.networking.k8s.aws/cluster/other": "1"}
    ev = evaluate(_discovery(node_tag=None, extra_tags=other, env={"CLUSTER_NAME": "base"}))
    loads = {load.label: load for load in ev.analysis.usage.at("desired")}
    assert loads["s-discovered-a"].eni_primary_ips == 0
    ev = evaluate(_discovery(node_tag=None, extra_tags=other))  # without CLUSTER_NAME the tag is not read
    assert {load.label: load for load in ev.analysis.usage.at("desired")}["s-discovered-a"].eni_primary_ips == 4


# -- spec: launchers, Auto Mode, unmodelled settings ----------------------------------------------------------

def _issues(data):
    from eksplan.spec.load import _validate

    _, issues = _validate(data, "c.yaml", (), load_catalog())
    return [f"{i.path}: {i.message}" for i in issues]


def test_kind_self_managed_says_what_to_write():
    assert _issues(spec(node_groups=group(kind="self-managed"))) == [
        "node_groups[0]: kind: 'self-managed' is no longer accepted: write launcher: nodeadm (self-managed AL2023) "
        "or launcher: bottlerocket (self-managed Bottlerocket); the launcher sets the node's max pods"]


def test_kind_karpenter_carries_over():
    cluster = ClusterSpec.model_validate(spec(node_groups=group(kind="karpenter")))
    assert cluster.launcher(cluster.node_groups[0]) == "karpenter"


def test_multi_nic_on_multi_card_types_is_refused():
    data = spec(**{"vpc_cni.settings": {"ENABLE_MULTI_NIC": True}, "node_groups": group(instance_types=["c6in.32xlarge"])})
    (issue,) = _issues(data)
    assert issue.startswith("vpc_cni.settings.ENABLE_MULTI_NIC: true on instance types with several network cards "
                            "(c6in.32xlarge): eksplan does not model ipamd's per-card pools")
    assert _issues(spec(**{"vpc_cni.settings": {"ENABLE_MULTI_NIC": True}})) == []


def test_auto_mode_groups():
    data = spec(auto_mode=True, node_groups=group(instance_types=["m5.24xlarge"], pods_per_node=150))
    ev = evaluate(ClusterSpec.model_validate(data))
    (footprint,) = ev.analysis.groups
    assert (footprint.launcher, footprint.max_pods, footprint.node.pods) == ("auto-mode", 110, 108)
    assert _issues(spec(auto_mode=True, node_groups=group(max_pods=50))) == [
        "node_groups[0].max_pods: 50: EKS Auto Mode has no max-pods setting (it caps nodes at 110); remove it"]
    assert _issues(spec(node_groups=group(launcher="auto-mode"))) == [
        "node_groups[0].launcher: 'auto-mode' needs auto_mode: true on the cluster"]


# -- the CLI ---------------------------------------------------------------------------------------------------

def test_cli_prints_the_launchers_number(capsys):
    assert main(["max-pods", "--instance-type", "c7g.medium", "--launcher", "karpenter",
                 "--cni-prefix-delegation-enabled"]) == 0
    assert capsys.readouterr().out == "8\n"


def test_cli_table_for_every_type(capsys):
    assert main(["max-pods", "--all", "--launcher", "bottlerocket", "--format", "csv"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "instance_type,launcher,max_pods,addressable_pods,ignored"
    assert len(lines) == 1 + len(load_catalog())
    assert "c8a.medium,bottlerocket,110,8," in lines


def test_cli_without_launcher_is_unchanged(capsys):
    assert main(["max-pods", "--instance-type", "m5.large", "--cni-prefix-delegation-enabled"]) == 0
    assert capsys.readouterr().out == "110\n"


# -- one answer everywhere -------------------------------------------------------------------------------------

def test_evaluation_carries_its_catalog(tmp_path, capsys):
    """A non-bundled catalog gives the same max pods in the key figures and the generated configuration."""
    bundled = json.loads(BUNDLED_SNAPSHOT.read_text())
    bundled["instance_types"]["m5.xlarge"]["enis"] = 2  # a made-up type: 2 ENIs of 15 addresses
    path = tmp_path / "catalog.json"
    path.write_text(json.dumps(bundled))
    catalog = load_catalog(path)
    data = spec(node_groups=group(launcher="karpenter", pods_per_node=20))
    cluster = ClusterSpec.model_validate(data, context={"catalog": catalog})
    ev = evaluate(cluster, catalog)
    (footprint,) = ev.analysis.groups
    assert footprint.max_pods == 2 * 14 + 2
    plan = next(a for a in generate(ev) if a.name == "max-pods").content[0]
    assert plan["launcher_value"] == 30


@st.composite
def cluster_data(draw):
    """Clusters with any launcher, instance types, density and CNI mode."""
    launcher = draw(st.sampled_from(["managed", "nodeadm", "karpenter", "bottlerocket"]))
    pd = draw(st.booleans())
    custom = draw(st.booleans())
    sgp = draw(st.booleans())
    types = draw(st.lists(st.sampled_from(["m5.large", "m5.xlarge", "c7g.medium", "m6i.2xlarge", "t3.large",
                                           "c6i.4xlarge", "r6g.large"]), min_size=1, max_size=2, unique=True))
    settings_ = {"ENABLE_PREFIX_DELEGATION": pd, "WARM_IP_TARGET": 2, "MINIMUM_IP_TARGET": 10}
    changes = {"vpc_cni.version": draw(st.sampled_from(["1.18.3", "1.20.4", "1.22.1"])),
               "node_groups": group(instance_types=types, launcher=launcher, pods_per_node=draw(st.integers(1, 120)),
                                    max_pods=draw(st.none() | st.integers(10, 120)),
                                    security_group_pods_per_node=draw(st.integers(0, 6)) if sgp else 0,
                                    custom_ami=draw(st.booleans()))}
    if custom:
        settings_["AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG"] = True
        changes.update({"vpc.cidrs": ["10.0.0.0/16", "100.64.0.0/16"],
                        "subnets": BASE["subnets"] + [
                            {"id": f"s-pods-{az}", "availability_zone": f"us-east-1{az}", "cidr": cidr, "role": "pods"}
                            for az, cidr in (("a", "100.64.0.0/18"), ("b", "100.64.64.0/18"))]})
    if sgp:
        settings_.update(ENABLE_POD_ENI=True, AWS_VPC_K8S_CNI_EXTERNALSNAT=True,
                         POD_SECURITY_GROUP_ENFORCING_MODE="standard")
    changes["vpc_cni.settings"] = settings_
    return spec(**changes)


@settings(max_examples=60, deadline=None)
@given(cluster_data())
def test_figures_findings_and_configuration_agree(data):
    """For any cluster, the key figures, the findings and the configuration give a node group one max pods story."""
    from eksplan.config import proposed_cni
    from eksplan.present import key_figures

    cluster = ClusterSpec.model_validate(data)
    ev = evaluate(cluster)
    figures = {g["name"]: g for g in key_figures(ev)["node_groups"]}
    (footprint,) = ev.analysis.groups
    figure = figures[footprint.name]
    assert figure["max_pods"] == footprint.node.max_pods == footprint.kubelet.value
    rules = {f.rule: f.message for f in ev.findings if f.subject == footprint.name}
    if "max-pods-above-addresses" in rules:
        assert figure["max_pods"] > figure["addressable_pods"]
        assert f"ipamd can address {figure['addressable_pods']} " in rules["max-pods-above-addresses"]
    if "max-pods-not-raised" in rules:
        assert figure["max_pods"] < figure["pods_needed"] and figure["pods_pending"] > 0
    if "pods-exceed-node-capacity" in rules:
        assert figure["pods_pending"] > 0
    if figure["pods_pending"]:
        assert rules.keys() & {"max-pods-not-raised", "pods-exceed-node-capacity", "sgp-no-trunking",
                               "sgp-branch-enis-exceeded"}
    if proposed_cni(ev) == ev.analysis.cni and footprint.members[0].instance_type == footprint.instance_type \
            and len(cluster.node_groups[0].instance_types) == 1:
        (plan,) = next(a for a in generate(ev) if a.name == "max-pods").content
        assert plan["launcher_value"] == (footprint.kubelet.default if cluster.node_groups[0].max_pods is None
                                          else plan["launcher_value"])
        fired = rules.keys() & {"max-pods-above-addresses", "max-pods-not-raised"}
        if cluster.node_groups[0].max_pods is None and footprint.launcher != "auto-mode":
            assert (plan["set_value"] is not None) == bool(fired)
            if fired:
                assert str(plan["set_value"]) in next(iter(rules[r] for r in fired))


def test_examples_tell_one_story():
    """The examples' findings never contradict their key figures."""
    for loaded in load_fleet([ROOT / "examples"]).clusters:
        ev = evaluate(loaded.spec)
        for footprint in ev.analysis.groups:
            mentioned = [f for f in ev.findings if f.subject == footprint.name and "max pods" in f.message]
            for finding in mentioned:
                assert f"max pods {footprint.max_pods}" in finding.message, finding.message
