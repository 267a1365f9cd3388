"""Cluster specs: the YAML an architect writes, validated strictly."""

from .cni import AwsNodeSettings, VpcCniSpec
from .load import FleetLoad, LoadedCluster, SpecError, SpecIssue, discover, load_cluster, load_fleet
from .model import (
    ClusterSpec,
    ExtraEnis,
    FargateProfileSpec,
    GrowthSpec,
    MultusSpec,
    NodeGroupSpec,
    PlanningSpec,
    Requirements,
    SubnetSpec,
    VpcSpec,
)

__all__ = [
    "AwsNodeSettings", "VpcCniSpec", "FleetLoad", "LoadedCluster", "SpecError", "SpecIssue",
    "discover", "load_cluster", "load_fleet", "ClusterSpec", "ExtraEnis", "FargateProfileSpec",
    "GrowthSpec", "MultusSpec", "NodeGroupSpec", "PlanningSpec", "Requirements", "SubnetSpec", "VpcSpec",
]
