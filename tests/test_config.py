"""Generated configuration: parsed back from its text, and golden for every example cluster.

Golden files live in tests/golden/<cluster>/; regenerate them with EKSPLAN_UPDATE_GOLDEN=1
after a deliberate change, and review the diff.
"""

from __future__ import annotations

import json
import os
import shlex
import tomllib

import pytest
import yaml

from eksplan.config import aws_node_env, generate
from eksplan.engine import evaluate
from eksplan.spec import ClusterSpec, load_fleet

from .conftest import ROOT
from .rule_cases import spec as base_spec

GOLDEN = ROOT / "tests" / "golden"
EXTENSIONS = {"yaml": "yaml", "json": "json", "shell": "sh", "toml": "toml"}


@pytest.fixture(scope="module")
def examples():
    return {c.name: generate(evaluate(c.spec)) for c in load_fleet([ROOT / "examples"]).clusters}


def _parse(kind, text):
    if kind == "yaml":
        return list(yaml.safe_load_all(text))
    if kind == "json":
        return json.loads(text)
    if kind == "toml":
        return tomllib.loads(text)
    return [shlex.split(line) for line in text.splitlines()]


def _content(kind, content):
    if kind == "yaml":
        return content if isinstance(content, list) else [content]
    if kind == "shell":
        return [c["argv"] + [">", c["stdout"]] if isinstance(c, dict) else c for c in content]
    return content


def test_artifacts_parse_back(examples):
    """Every artifact's text parses back to the data it was rendered from."""
    for artifacts in examples.values():
        for artifact in artifacts:
            assert _parse(artifact.kind, artifact.text) == _content(artifact.kind, artifact.content), artifact.name


@pytest.mark.parametrize("cluster", ["analytics-ipv6", "claims-sgp", "dev-sandbox", "payments-prod",
                                     "retail-constrained", "telco-upf"])
def test_golden(examples, cluster):
    """The configuration for each example matches its reviewed golden copy."""
    folder = GOLDEN / cluster
    produced = {f"{a.name}.{EXTENSIONS[a.kind]}": a.text for a in examples[cluster]}
    if os.environ.get("EKSPLAN_UPDATE_GOLDEN"):
        folder.mkdir(parents=True, exist_ok=True)
        for old in folder.iterdir():
            old.unlink()
        for name, text in produced.items():
            (folder / name).write_text(text)
    stored = {p.name: p.read_text() for p in folder.iterdir()}
    assert produced == stored


def test_settings_follow_the_decisions():
    """The aws-node environment applies the decisions' settings over the spec's own, and drops what ipamd ignores."""
    ev = evaluate(ClusterSpec.model_validate(base_spec(**{"vpc_cni.settings": {"WARM_ENI_TARGET": 1},
                                                           "node_groups": [{**base_spec()["node_groups"][0], "pods_per_node": 70}]})))
    env, removed = aws_node_env(ev)
    assert env == {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}
    assert removed == ["WARM_ENI_TARGET"]


def test_hostile_names_stay_data():
    """A cluster name full of shell and YAML syntax is quoted, never interpreted."""
    hostile = "it's \"prod\"; rm -rf / # <script>"
    artifacts = generate(evaluate(ClusterSpec.model_validate(base_spec(name=hostile))))
    addon = next(a for a in artifacts if a.name == "vpc-cni-update-addon")
    assert shlex.split(addon.text)[4] == hostile
    max_pods = next(a for a in artifacts if a.name == "max-pods")
    assert next(yaml.safe_load_all(max_pods.text))["group"] == "ng"


def test_an_explicit_max_pods_above_the_addresses_is_lowered():
    """A Karpenter group set to max pods 110 on c6i.xlarge (ipamd addresses 58) gets maxPods 58, and says from what.

    The plan starts from the value the nodes run with (the spec's max_pods), not the launcher's default:
    otherwise it would say "nothing to set" beside the finding that the nodes run too many pods.
    """
    group = {**base_spec()["node_groups"][0], "instance_types": ["c6i.xlarge"], "launcher": "karpenter",
             "pods_per_node": 30, "max_pods": 110}
    ev = evaluate(ClusterSpec.model_validate(base_spec(**{"node_groups": [group]})))
    assert "max-pods-above-addresses" in {f.rule for f in ev.findings}
    artifacts = {a.name: a for a in generate(ev)}
    (plan,) = artifacts["max-pods"].content
    assert (plan["launcher_value"], plan["recommended"], plan["set_value"]) == (110, 58, 58)
    (nodeclass,) = artifacts["max-pods-karpenter"].content
    assert nodeclass["kind"] == "EC2NodeClass" and nodeclass["spec"]["kubelet"]["maxPods"] == 58
