"""Findings about Multus."""

from __future__ import annotations

from ..multus import RACE_FIXED, parse_multus_version, pod_lookup_race
from .base import Context, FindingRule


def _thick_race(ctx: Context):
    multus = ctx.spec.requirements.multus
    if multus is not None and pod_lookup_race(multus.version, multus.plugin):
        yield "multus", (f"Multus {parse_multus_version(multus.version)} runs the thick plugin, whose pod lookup can "
                         f"miss the informer cache and fail pod creation cluster-wide; the fix first shipped in "
                         f"{RACE_FIXED} (not v4.1.1, as the guide says)")


RULES = (
    FindingRule(
        id="multus-thick-pod-lookup-race", title="Multus thick plugin with the pod-lookup race", severity="critical",
        rationale=("From v4.1.0 the thick plugin's daemon looks pods up in an informer cache; a miss fails the CNI ADD "
                   "and can block pod creation on every node. The live-lookup fix (multus-cni PR #1332) shipped in v4.2.0."),
        remediation="Upgrade the thick plugin to v4.2.0 or later, or run the thin plugin.",
        guide="Multus CNI — Enabling Multus", check=_thick_race,
        references=("k8snetworkplumbingwg/multus-cni#1332", "k8snetworkplumbingwg/multus-cni#1221")),
)
