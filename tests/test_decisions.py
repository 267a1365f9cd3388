"""Decisions reason from the figures: scenarios a design review would raise, and properties over any spec."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from eksplan.config import aws_node_env, generate
from eksplan.config.awsnode import CREATION_TIME, ignored_settings, proposed_cni
from eksplan.decisions.common import what_if
from eksplan.engine import evaluate
from eksplan.rules.base import Context
from eksplan.spec import ClusterSpec, load_cluster

from .conftest import ROOT
from .rule_cases import BASE, group, spec
from .strategies import cluster_specs


def _evaluate(data):
    return evaluate(ClusterSpec.model_validate(data))


# -- the IP mode ------------------------------------------------------------------------------------------------

def test_retail_keeps_secondary_ip_that_fits_with_fewer_addresses():
    """m5.xlarge with custom networking runs 40 pods in secondary IP (44 allowed): no switch to prefixes."""
    ev = evaluate(load_cluster(ROOT / "examples" / "retail-constrained.yaml"))
    d = ev.decision("ip-mode")
    assert (d.chosen, d.current, d.settings) == ("Secondary IP", "Secondary IP", {})
    assert d.because == ("both modes run every node group's pods and secondary IP takes fewer subnet addresses "
                         "(414 against 450)")


def test_a_mode_that_cannot_run_the_pods_is_not_chosen():
    """58 pods on m6i.2xlarge need 60 slots: secondary IP allows 58, so prefix delegation it is, with its cost."""
    ev = evaluate(load_cluster(ROOT / "examples" / "payments-prod.yaml"))
    d = ev.decision("ip-mode")
    assert d.chosen == "Prefix delegation"
    assert d.because == ("only prefix delegation runs every node group's pods (secondary IP: services leaves 2 pods "
                         "per node without a place)")


def test_a_switch_states_its_cost():
    ev = _evaluate(spec(node_groups=group(pods_per_node=70)))
    d = ev.decision("ip-mode")
    assert (d.chosen, d.current) == ("Prefix delegation", "Secondary IP")
    assert d.consequences[0].startswith("replace node groups ng (EKS managed node group): create new ones after "
                                        "aws-node has the new setting")
    assert d.consequences[1] == "aws-node restarts on every node with the new setting (a rolling DaemonSet update)"


def test_a_small_saving_does_not_replace_every_node_group():
    ev = evaluate(load_cluster(ROOT / "examples" / "dev-sandbox.yaml"))
    d = ev.decision("ip-mode")
    assert d.chosen == "Secondary IP"
    assert d.because == ("both modes run every node group's pods; prefix delegation would save 6 addresses (8%), not "
                         "worth replacing every node group while IPv4 space is not short")


def test_what_ifs_are_computed_once():
    cluster = ClusterSpec.model_validate(spec())
    ev = evaluate(cluster)
    ctx = Context.for_spec(ev.analysis)
    first = what_if(ctx, "prefix delegation", ENABLE_PREFIX_DELEGATION=True)
    assert what_if(ctx, "prefix delegation", ENABLE_PREFIX_DELEGATION=True) is first


# -- where pod addresses come from ----------------------------------------------------------------------------

def _constrained(**changes):
    """Node subnets of a /25 per AZ and 30 m5.xlarge nodes of 40 pods: the node subnets run short."""
    subnets = [dict(s) for s in BASE["subnets"]]
    for subnet, cidr in zip((s for s in subnets if s["role"] == "nodes"), ("10.0.0.0/25", "10.0.0.128/25")):
        subnet["cidr"] = cidr
    return spec(subnets=subnets, node_groups=group(max_size=30, pods_per_node=40), **changes)


def test_subnet_discovery_that_does_not_fit_is_not_chosen():
    """Each node's primary ENI keeps its 14 pod addresses in the /25 node subnet: discovery cannot hold 15 nodes."""
    d = _evaluate(_constrained()).decision("pod-networking")
    assert d.chosen == "Custom networking (ENIConfig per AZ, pods in 100.64.0.0/10)"
    assert "subnet discovery does not fit: node subnet s-nodes-a would need" in d.because
    assert d.settings == {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true",
                          "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone"}


def test_cgnat_space_used_elsewhere_points_to_ipv6():
    d = _evaluate(_constrained(**{"requirements.cgnat_in_use": ["100.64.0.0/10"]})).decision("pod-networking")
    assert d.chosen == "IPv6 cluster"
    assert d.because.startswith("IPv4 space is short and the CG-NAT range is already used elsewhere (100.64.0.0/10)")


# -- the API endpoint ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("clients, wish, chosen, because", [
    pytest.param([], "public-private", "public and private",
                 "no API clients are declared (requirements.api_clients), so eksplan cannot say who needs the public "
                 "endpoint; the spec asks for public-private access", id="nothing-declared"),
    pytest.param([{"name": "ci", "network": "internet", "cidrs": ["203.0.113.0/24"]}], "public-private",
                 "public and private", "ci reaches the API from the internet, so the public endpoint stays; nodes "
                 "reach it privately", id="ci-on-the-internet"),
    pytest.param([{"name": "ops", "network": "on-prem"}], "public-private", "private",
                 "every declared API client reaches the VPC (ops), so no public endpoint is needed", id="on-prem-only"),
])
def test_endpoint_follows_who_must_reach_the_api(clients, wish, chosen, because):
    d = _evaluate(spec(**{"requirements.api_clients": clients, "requirements.endpoint_access": wish,
                          "requirements.on_prem_cidrs": ["192.168.0.0/16"]})).decision("endpoint-access")
    assert (d.chosen, d.because) == (chosen, because)


def test_public_endpoint_is_restricted_to_the_clients():
    d = _evaluate(spec(**{"requirements.api_clients": [{"name": "ci", "network": "internet",
                                                        "cidrs": ["203.0.113.0/24"]}]})).decision("endpoint-access")
    assert "restrict the public endpoint to 203.0.113.0/24" in d.consequences


# -- properties over generated specs ----------------------------------------------------------------------------

@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(cluster_specs())
def test_the_chosen_ip_mode_runs_the_pods_when_a_mode_can(data):
    ev = _evaluate(data)
    d = ev.decision("ip-mode")
    if ev.analysis.spec.ipv6 or not ev.analysis.spec.node_groups:
        return
    ctx = Context.for_spec(ev.analysis)
    from eksplan.decisions.ipmode import _modes

    secondary, prefix = _modes(ctx)
    chosen = prefix if d.chosen == "Prefix delegation" else secondary
    other = secondary if chosen is prefix else prefix
    if "cannot use prefixes" in d.because:
        return
    if secondary.fits or prefix.fits:
        assert chosen.fits, d.because
    if chosen.fits and other.fits and chosen.addresses > other.addresses:
        assert d.chosen == d.current and "not worth replacing every node group" in d.because


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(cluster_specs())
def test_configuration_sets_nothing_the_chosen_mode_ignores(data):
    ev = _evaluate(data)
    proposed = proposed_cni(ev)
    assert ignored_settings(proposed) == {}
    env, removed = aws_node_env(ev)
    assert not (set(env) | set(removed)) & set(CREATION_TIME)
    mode = ev.decision("ip-mode").chosen
    if mode == "Prefix delegation" and not ev.analysis.spec.ipv6:
        assert "WARM_ENI_TARGET" not in env
        if proposed.ip_targets_defined:
            assert "WARM_PREFIX_TARGET" not in env
    if mode == "Secondary IP":
        assert "WARM_PREFIX_TARGET" not in env
    for artifact in generate(ev):
        if artifact.kind == "shell":
            for argv in artifact.content:
                argv = argv["argv"] if isinstance(argv, dict) else argv
                assert not any(word.startswith(("ENABLE_IPv4=", "ENABLE_IPv6=")) for word in argv)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(cluster_specs())
def test_no_finding_contradicts_the_key_figures(data):
    from eksplan.present import key_figures

    ev = _evaluate(data)
    figures = {g["name"]: g for g in key_figures(ev)["node_groups"]}
    for finding in ev.findings:
        figure = figures.get(finding.subject)
        if figure is None:
            continue
        if finding.rule in ("pods-exceed-node-capacity", "max-pods-not-raised"):
            assert figure["pods_pending"] > 0, finding.message
        if finding.rule in ("max-pods-above-addresses", "max-pods-not-raised"):
            assert f"max pods {figure['max_pods']}" in finding.message, finding.message
    for name, figure in figures.items():
        if figure["pods_pending"]:
            assert any(f.subject == name for f in ev.findings), f"{name}: pods cannot run and no finding says so"
    # The max-pods plan starts from what the nodes run: under unchanged CNI settings, the key figure; and it
    # lowers max pods wherever a finding says the nodes run more than ipamd can address.
    from eksplan.config import generate, proposed_cni

    if proposed_cni(ev).env_dict != ev.analysis.cni.env_dict:
        return
    plans = {p["group"]: p for a in generate(ev) if a.name == "max-pods" for p in a.content}
    for name, plan in plans.items():
        if plan["launcher"] == "auto-mode":
            continue
        if len(plan["instance_types"]) == 1:
            assert plan["launcher_value"] == figures[name]["max_pods"], (name, plan, figures[name])
        else:  # the plan starts from the lowest of the group's types; the figure is of the type it is sized on
            assert plan["launcher_value"] <= figures[name]["max_pods"], (name, plan, figures[name])
    for finding in ev.findings:
        if finding.rule == "max-pods-above-addresses":
            plan = plans[finding.subject]
            assert plan["set_value"] is not None and plan["set_value"] <= figures[finding.subject]["addressable_pods"]
