"""Read an account's EKS clusters and their VPCs through boto3: read-only, paginated, retried.

The only AWS I/O of discovery. Credentials come from boto3's standard chain (``--profile`` picks a
profile); ``AWS_ENDPOINT_URL`` (or ``AWS_ENDPOINT_URL_EKS``/``_EC2``) is honoured by botocore.
Every list call is paginated and retried in botocore's adaptive mode. Each response is kept as the
AWS CLI would print it (pages merged, no ``ResponseMetadata``), so a live run and a captures folder
give the same :class:`~eksplan.discover.captures.RegionCaptures`. Calls the endpoint does not
implement (moto has no EKS add-ons API), or that the caller may not make, are recorded as
*unknown* with the reason; anything else stops the region with one line naming the call.

IAM actions used: ``eks:ListClusters``, ``eks:DescribeCluster``, ``eks:ListNodegroups``,
``eks:DescribeNodegroup``, ``eks:ListFargateProfiles``, ``eks:DescribeFargateProfile``,
``eks:DescribeAddon``, ``ec2:DescribeVpcs``, ``ec2:DescribeSubnets``,
``ec2:DescribeNetworkInterfaces``, ``ec2:DescribeInstances``, ``ec2:GetSubnetCidrReservations``.
"""

from __future__ import annotations

from typing import Sequence

from ..ec2capture import CaptureError
from .captures import ClusterCaptures, RegionCaptures

__all__ = ["DiscoveryError", "fetch_region", "IAM_ACTIONS"]

IAM_ACTIONS = (
    "eks:ListClusters", "eks:DescribeCluster", "eks:ListNodegroups", "eks:DescribeNodegroup",
    "eks:ListFargateProfiles", "eks:DescribeFargateProfile", "eks:DescribeAddon",
    "ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeNetworkInterfaces", "ec2:DescribeInstances",
    "ec2:GetSubnetCidrReservations",
)
_NOT_IMPLEMENTED = ("404", "NotImplemented", "InvalidAction", "UnknownOperationException", "NotImplementedException")
_DENIED = ("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "UnauthorizedException")


class DiscoveryError(CaptureError):
    """A live call that failed for a reason other than a missing API or permission."""


def _clean(response: dict) -> dict:
    return {k: v for k, v in response.items() if k != "ResponseMetadata"}


def _merge(pages) -> dict:
    """Pages merged as the AWS CLI prints them: lists concatenated, tokens dropped."""
    out: dict = {}
    for page in pages:
        for key, value in _clean(page).items():
            if key in ("NextToken", "nextToken"):
                continue
            if isinstance(value, list):
                out.setdefault(key, []).extend(value)
            else:
                out.setdefault(key, value)
    return out


def _classify(exc) -> tuple[str, str] | None:
    """("unknown reason") for a ClientError that means the API is missing or denied, else None."""
    error = getattr(exc, "response", {}).get("Error", {})
    code, message = str(error.get("Code", "")), str(error.get("Message", ""))
    if code in _NOT_IMPLEMENTED or "not yet implemented" in message.lower():
        return "unknown", "not implemented by this endpoint"
    if code in _DENIED:
        return "unknown", f"access denied ({code})"
    return None


def _call(what: str, region: str, fn, unknown: dict | None = None, **kwargs):
    """One call (or paginated list); a missing or denied API goes into ``unknown`` and returns None."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return fn(**kwargs)
    except ClientError as exc:
        kind = _classify(exc)
        if kind is not None and unknown is not None:
            unknown[what] = kind[1]
            return None
        raise DiscoveryError(f"region {region}: {what} failed: {exc}") from None
    except BotoCoreError as exc:
        raise DiscoveryError(f"region {region}: {what} failed: {exc}") from None


def _paginate(client, operation: str, **kwargs) -> dict:
    return _merge(client.get_paginator(operation).paginate(**kwargs))


def _reservations(ec2, subnet: str) -> dict:
    pages, token = [], None
    while True:
        kwargs = {"SubnetId": subnet, **({"NextToken": token} if token else {})}
        page = ec2.get_subnet_cidr_reservations(**kwargs)
        pages.append(page)
        token = page.get("NextToken")
        if not token:
            return _merge(pages)


def _cluster(eks, region: str, name: str) -> ClusterCaptures:
    from botocore.exceptions import ClientError

    found = ClusterCaptures(name)
    found.cluster = _clean(_call(f"DescribeCluster {name}", region, eks.describe_cluster, name=name))
    listing = _call(f"ListNodegroups {name}", region, _paginate, found.unknown, client=eks,
                    operation="list_nodegroups", clusterName=name)
    for ng in (listing or {}).get("nodegroups", []):
        found.nodegroups[ng] = _clean(_call(f"DescribeNodegroup {name}/{ng}", region, eks.describe_nodegroup,
                                            clusterName=name, nodegroupName=ng))
    listing = _call(f"ListFargateProfiles {name}", region, _paginate, found.unknown, client=eks,
                    operation="list_fargate_profiles", clusterName=name)
    for fp in (listing or {}).get("fargateProfileNames", []):
        found.fargate_profiles[fp] = _clean(_call(f"DescribeFargateProfile {name}/{fp}", region,
                                                  eks.describe_fargate_profile, clusterName=name,
                                                  fargateProfileName=fp))
    try:
        found.addon = _clean(eks.describe_addon(clusterName=name, addonName="vpc-cni"))
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code")
        kind = _classify(exc)
        if code == "ResourceNotFoundException":
            found.addon = {"addon": None}
        elif kind is not None:
            found.unknown["describe-addon"] = f"DescribeAddon: {kind[1]}"
        else:
            raise DiscoveryError(f"region {region}: DescribeAddon {name} failed: {exc}") from None
    return found


def fetch_region(region: str, clusters: Sequence[str] = (), *, profile: str | None = None,
                 session=None) -> RegionCaptures:
    """Every document discovery reads for ``clusters`` (default: all) in one region."""
    try:
        import boto3
        from botocore.config import Config
    except ImportError:
        raise DiscoveryError("live discovery needs boto3: pip install 'eksplan[aws]' (or use --from-dir)") from None
    from botocore.exceptions import BotoCoreError

    try:
        session = session or boto3.Session(profile_name=profile, region_name=region)
        config = Config(region_name=region, retries={"mode": "adaptive", "max_attempts": 10})
        eks, ec2 = session.client("eks", config=config), session.client("ec2", config=config)
    except BotoCoreError as exc:
        raise DiscoveryError(f"region {region}: {exc}") from None
    captures = RegionCaptures(region=region, source=f"the live account, region {region}")
    names = list(clusters) or _call("ListClusters", region, _paginate, client=eks,
                                    operation="list_clusters").get("clusters", [])
    for name in sorted(names):
        captures.clusters[name] = _cluster(eks, region, name)
    vpc_ids = set()
    for c in captures.clusters.values():
        config = (c.cluster.get("cluster") or {}).get("resourcesVpcConfig") or {}
        if config.get("vpcId"):
            vpc_ids.add(config["vpcId"])
        elif config.get("subnetIds"):  # an endpoint that leaves vpcId out (moto): the VPC of its subnets
            listed = _call("DescribeSubnets", region, _paginate, client=ec2, operation="describe_subnets",
                           SubnetIds=list(config["subnetIds"]))
            vpc_ids.update(s["VpcId"] for s in listed.get("Subnets", []))
    vpc_ids = sorted(vpc_ids)
    if not vpc_ids:
        return captures
    by_vpc = [{"Name": "vpc-id", "Values": vpc_ids}]
    ec2_calls = {
        "vpcs": ("DescribeVpcs", "describe_vpcs", {"VpcIds": vpc_ids}),
        "subnets": ("DescribeSubnets", "describe_subnets", {"Filters": by_vpc}),
        "network_interfaces": ("DescribeNetworkInterfaces", "describe_network_interfaces", {"Filters": by_vpc}),
        "instances": ("DescribeInstances", "describe_instances", {"Filters": by_vpc}),
    }
    for key, (what, operation, kwargs) in ec2_calls.items():
        document = _call(what, region, _paginate, captures.unknown if key in ("network_interfaces", "instances") else None,
                         client=ec2, operation=operation, **kwargs)
        if document is not None:
            captures.ec2[key] = document
    for subnet in sorted(s["SubnetId"] for s in captures.ec2["subnets"].get("Subnets", [])):
        document = _call(f"GetSubnetCidrReservations {subnet}", region, _reservations, captures.unknown,
                         ec2=ec2, subnet=subnet)
        if document is None:
            break
        captures.cidr_reservations[subnet] = document
    if any(k.startswith("GetSubnetCidrReservations") for k in captures.unknown):
        captures.unknown["get-subnet-cidr-reservations"] = next(
            v for k, v in captures.unknown.items() if k.startswith("GetSubnetCidrReservations"))
    return captures
