"""The IP explorer's question, "will it fit?", answered per CNI mode."""

from __future__ import annotations

import re

from hypothesis import given, settings, strategies as st

from eksplan.explore import fit_rows
from eksplan.notebook import fit_verdicts


def test_sixty_pods_on_m6i_2xlarge_in_a_20():
    """m6i.2xlarge runs at most 58 pods (AWS's eni-max-pods.txt) and 44 with custom networking (the
    max-pods calculator's --cni-custom-networking-enabled): 60 pods fit only with prefix delegation.
    """
    rows = {r["mode"]: r for r in fit_rows("m6i.2xlarge", 60, 30, "10.0.0.0/20")}
    assert {m: (r["fits"], r["max_pods"], r["nodes_held"]) for m, r in rows.items()} == {
        "secondary IP": (False, 58, 0), "prefix delegation": (True, 110, 50), "custom networking": (False, 44, 0)}
    assert rows["secondary IP"]["verdict"] == (
        "cannot run 60 pods per node: at most 56 (max pods 58 leaves room for 56 pods besides the 2 host-network pods)")
    # 60 pods in 4 /28 prefixes and one warm prefix: 80 addresses, plus the ENI's own = 81 per node.
    assert rows["prefix delegation"]["node_subnet_per_node"] == 81
    assert rows["prefix delegation"]["verdict"] == "fits: the subnet holds 50 nodes"
    text = re.sub(r"<[^>]+>", "", fit_verdicts(list(rows.values()), 60, 30, "m6i.2xlarge", "10.0.0.0/20"))
    assert text.startswith("prefix delegation runs 30 nodes of 60 pods on m6i.2xlarge in 10.0.0.0/20.")
    assert "✗ secondary IP: cannot run" in text and "✗ custom networking: cannot run" in text


@settings(max_examples=60, deadline=None)
@given(instance_type=st.sampled_from(["t3.medium", "m5.large", "m6i.2xlarge", "c6i.4xlarge", "r6g.xlarge"]),
       pods=st.integers(1, 200), nodes=st.integers(1, 200), prefix=st.integers(18, 26))
def test_a_mode_that_cannot_run_the_pods_holds_no_node(instance_type, pods, nodes, prefix):
    """Capacity is never counted for a mode whose nodes cannot run the pods; a fitting mode's count is exact."""
    for row in fit_rows(instance_type, pods, nodes, f"10.0.0.0/{prefix}"):
        if not row["fits"]:
            assert row["nodes_held"] == 0 and row["verdict"].startswith(f"cannot run {pods} pods per node")
        else:
            assert row["max_pods"] >= pods + 2
            assert row["nodes_held"] == row["room"] // row["node_subnet_per_node"]
