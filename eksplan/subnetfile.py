"""Subnets as AWS reports them: the JSON ``aws ec2 describe-subnets --output json`` prints."""

from __future__ import annotations

import ipaddress
import json
from dataclasses import dataclass
from pathlib import Path

from .spec.load import SpecError, SpecIssue
from .spec.model import ClusterSpec

__all__ = ["ObservedSubnet", "read_describe_subnets", "subnets_from_document", "apply_observed"]


@dataclass(frozen=True)
class ObservedSubnet:
    id: str
    cidr: ipaddress.IPv4Network
    availability_zone: str
    available_ips: int
    tags: dict


def read_describe_subnets(path: str | Path) -> dict[str, ObservedSubnet]:
    """Subnets by id from a describe-subnets capture; errors name the file and the entry."""
    label = str(path)
    try:
        document = json.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise SpecError([SpecIssue(label, "", "no such file")]) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise SpecError([SpecIssue(label, "", f"not the JSON of 'aws ec2 describe-subnets' ({exc})")]) from None
    return subnets_from_document(document, label)


def subnets_from_document(document: object, label: str) -> dict[str, ObservedSubnet]:
    """Subnets by id from the parsed JSON of ``aws ec2 describe-subnets``; errors name the entry."""
    subnets = document.get("Subnets") if isinstance(document, dict) else None
    if not isinstance(subnets, list):
        raise SpecError([SpecIssue(label, "", "expected {\"Subnets\": [...]} as 'aws ec2 describe-subnets --output json' prints")])
    out, issues = {}, []
    for i, entry in enumerate(subnets):
        where = f"Subnets[{i}]"
        try:
            observed = ObservedSubnet(
                id=entry["SubnetId"],
                cidr=ipaddress.IPv4Network(entry["CidrBlock"]),
                availability_zone=entry["AvailabilityZone"],
                available_ips=int(entry["AvailableIpAddressCount"]),
                tags={t["Key"]: t["Value"] for t in entry.get("Tags", [])},
            )
        except KeyError as exc:
            issues.append(SpecIssue(label, where, f"missing {exc.args[0]}"))
            continue
        except (TypeError, ValueError) as exc:
            issues.append(SpecIssue(label, where, f"unreadable entry ({exc})"))
            continue
        out[observed.id] = observed
    if issues:
        raise SpecError(issues)
    return out


def apply_observed(spec: ClusterSpec, observed: dict[str, ObservedSubnet], label: str) -> ClusterSpec:
    """The spec with each subnet's available addresses and tags as AWS reports them."""
    by_cidr = {o.cidr: o for o in observed.values()}
    subnets, issues = [], []
    for i, subnet in enumerate(spec.subnets):
        seen = observed.get(subnet.id) if subnet.id else by_cidr.get(subnet.cidr)
        if seen is None:
            subnets.append(subnet)
            continue
        if seen.cidr != subnet.cidr or seen.availability_zone != subnet.availability_zone:
            issues.append(SpecIssue(label, seen.id, (
                f"AWS reports {seen.cidr} in {seen.availability_zone}, the spec's subnets[{i}] says "
                f"{subnet.cidr} in {subnet.availability_zone}")))
            continue
        subnets.append(subnet.model_copy(update={"available_ips": seen.available_ips,
                                                 "tags": {**seen.tags, **subnet.tags}}))
    if issues:
        raise SpecError(issues)
    return spec.model_copy(update={"subnets": subnets})
