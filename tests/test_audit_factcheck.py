"""Auditing a live aws-node DaemonSet, and the guide's fact-check."""

from __future__ import annotations

import json

import pytest

from eksplan.audit import AuditError, audit, read_daemonset
from eksplan.cli.main import main
from eksplan.cli.plan_cmd import fact_check_markdown, rules_markdown
from eksplan.factcheck import VERDICTS, fact_check
from eksplan.spec import load_cluster

from .conftest import ROOT

DAEMONSET = ROOT / "examples" / "aws" / "aws-node-payments-prod.yaml"


def test_reads_settings_version_and_probes():
    """The aws-node container's env, image version and probe timeouts are read."""
    observed = read_daemonset(DAEMONSET)
    assert str(observed.version) == "1.18.1-eksbuild.3"
    assert observed.env["MINIMUM_IP_TARGET"] == "20" and observed.env["ENABLE_PREFIX_DELEGATION"] == "false"
    assert (observed.liveness_timeout, observed.readiness_timeout) == (10, 10)
    assert observed.unresolved == ("MY_NODE_NAME", "MY_POD_NAME")
    assert observed.init_env == {"DISABLE_TCP_EARLY_DEMUX": "false", "ENABLE_IPv6": "false"}


def test_audit_findings_and_drift():
    """Findings about the live settings, the rolled-mode trap, and drift from the plan."""
    result = audit(read_daemonset(DAEMONSET), load_cluster(ROOT / "examples" / "payments-prod.yaml"))
    assert [f.rule for f in result.findings] == [
        "minimum-ip-target-without-warm", "switch-modes-by-rolling", "warm-eni-target-ignored"]
    drift = {d.setting: (d.planned, d.live, d.status) for d in result.drift}
    assert drift["VPC CNI version"] == ("1.19.2", "1.18.1", "different")
    assert drift["ENABLE_PREFIX_DELEGATION"] == ("true", "false", "different")
    assert drift["MINIMUM_IP_TARGET"] == (None, "20", "not in the plan")
    assert drift["AWS_VPC_K8S_CNI_EXTERNALSNAT"][2] == "same (the default)"


def test_in_force_shows_defaults():
    """Settings not in the DaemonSet are shown with ipamd's default."""
    result = audit(read_daemonset(DAEMONSET))
    in_force = {name: (value, source) for name, value, source in result.in_force}
    assert in_force["WARM_IP_TARGET"] == ("unset", "default")
    assert in_force["POD_SECURITY_GROUP_ENFORCING_MODE"] == ("strict", "default")
    assert in_force["MINIMUM_IP_TARGET"] == ("20", "set")


@pytest.mark.parametrize(
    "text, message",
    [
        ("kind: Deployment\nmetadata: {name: aws-node}\n",
         "no DaemonSet named aws-node (expected the output of 'kubectl get daemonset aws-node -n kube-system -o yaml')"),
        ("a: [\n", "line 2, column 1: YAML syntax error: expected the node content, but found '<stream end>'"),
        ("kind: DaemonSet\nmetadata: {name: aws-node}\nspec: {template: {spec: {containers: [{name: x}]}}}\n",
         "the DaemonSet has no container named aws-node"),
    ],
)
def test_bad_daemonset_files(tmp_path, text, message):
    """Unusable files fail with one line naming the file."""
    path = tmp_path / "ds.yaml"
    path.write_text(text)
    with pytest.raises(AuditError) as caught:
        read_daemonset(path)
    assert str(caught.value) == f"{path}: {message}"


def test_audit_command(capsys):
    """eksplan audit prints settings, findings and drift; JSON has the same."""
    assert main(["audit", "--daemonset", str(DAEMONSET), "--spec", str(ROOT / "examples" / "payments-prod.yaml"),
                 "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["version"] == "1.18.1-eksbuild.3"
    assert {"setting": "ENABLE_PREFIX_DELEGATION", "planned": "true", "live": "false", "status": "different"} in record["drift"]
    assert main(["audit", "--daemonset", str(ROOT / "missing.yaml")]) == 2
    assert capsys.readouterr().err == f"eksplan audit: error: {ROOT / 'missing.yaml'}: no such file\n"


CLAIMS = {
    "secondary-ip-formula": "wrong",
    "m5-large-prefix": "correct",
    "m5-large-custom-networking": "correct",
    "warm-pool-43": "correct",
    "m5-large-branch-enis": "wrong",
    "ipv6-max-pods-434": "misleading",
    "multus-fix-version": "wrong",
    "ipv6-80-prefix": "correct",
    "ipv4-egress-range": "correct",
    "subnet-layout": "wrong",
    "prefix-gain": "misleading",
    "warm-prefix-default": "correct",
}


def test_fact_check_verdicts():
    """Each claim of the guide gets the verdict its recomputation supports."""
    claims = fact_check()
    assert {c.id: c.verdict for c in claims} == CLAIMS
    assert all(c.verdict in VERDICTS and c.recomputed and c.section for c in claims)
    formula = next(c for c in claims if c.id == "secondary-ip-formula")
    assert formula.recomputed.startswith("m5.xlarge: the guide's formula gives 59, AWS's 4 x (15 - 1) + 2 = 58")


def test_docs_are_generated_from_the_code():
    """docs/rules.md and docs/fact-check.md match what the commands print."""
    assert (ROOT / "docs" / "rules.md").read_text() == rules_markdown()
    fact = (ROOT / "docs" / "fact-check.md").read_text()
    assert fact.endswith(fact_check_markdown(fact_check()))


def test_plan_command_formats(capsys):
    """eksplan plan in text, JSON and Markdown."""
    spec = str(ROOT / "examples" / "telco-multus.yaml")
    assert main(["plan", spec]) == 0
    text = capsys.readouterr().out
    assert "[critical] multus-thick-pod-lookup-race" in text
    assert main(["plan", spec, "--format", "json"]) == 0
    record = json.loads(capsys.readouterr().out)
    assert record["worst_severity"] == "critical" and record["cluster"] == "telco-upf"
    assert main(["plan", spec, "--format", "markdown"]) == 0
    assert "### Options considered" in capsys.readouterr().out
