"""Subnets as AWS reports them: the JSON ``aws ec2 describe-subnets --output json`` prints."""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .echo import shown
from .inputs import LIMITS, InputError, load_json, read_text
from .spec.issues import SpecError, SpecIssue, validation_issues
from .spec.model import ClusterSpec
from .spec.types import AZ_PATTERN, IPv4Cidr

__all__ = ["ObservedSubnet", "read_describe_subnets", "subnets_from_document", "apply_observed"]

#: AWS reserves five addresses in every subnet: none of them is ever reported available.
AWS_RESERVED = 5


@dataclass(frozen=True)
class ObservedSubnet:
    id: str
    cidr: ipaddress.IPv4Network
    availability_zone: str
    available_ips: int
    tags: dict


class _Tag(BaseModel):
    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    Key: str = Field(max_length=128)  # AWS's tag limits: keys up to 128 characters, values up to 256
    Value: str = Field(max_length=256)


class _Entry(BaseModel):
    """One element of ``Subnets``; the many other fields AWS prints are not read."""

    model_config = ConfigDict(extra="ignore", strict=True, frozen=True)

    SubnetId: str = Field(min_length=1, max_length=255)
    CidrBlock: IPv4Cidr
    AvailabilityZone: str
    AvailableIpAddressCount: int = Field(ge=0)
    Tags: list[_Tag] = Field(default=[], max_length=50)  # at most 50 tags per resource

    @field_validator("AvailabilityZone")
    @classmethod
    def _zone(cls, value: str) -> str:
        if not AZ_PATTERN.fullmatch(value):
            raise ValueError(f"{shown(value)} is not an availability zone name (expected e.g. 'us-east-1a')")
        return value

    @model_validator(mode="after")
    def _fits(self):
        most = self.CidrBlock.num_addresses - AWS_RESERVED
        if self.AvailableIpAddressCount > most:
            raise ValueError(f"AvailableIpAddressCount {self.AvailableIpAddressCount:,} is more than a "
                             f"/{self.CidrBlock.prefixlen} can offer ({most:,})")
        return self


def read_describe_subnets(path: str | Path, label: str | None = None) -> dict[str, ObservedSubnet]:
    """Subnets by id from a describe-subnets capture; errors name the file and the entry.

    The file is read under the input contract (:mod:`eksplan.inputs`). IPv6-only subnets
    (``Ipv6Native``) have no IPv4 CIDR and are left out.
    """
    label = label or str(path)
    try:
        document = load_json(read_text(path, label, LIMITS["json"].max_bytes), label)
    except InputError as exc:
        raise SpecError([SpecIssue(label, "", exc.message)]) from None
    return subnets_from_document(document, label)


def subnets_from_document(document: object, label: str) -> dict[str, ObservedSubnet]:
    """Subnets by id from the parsed JSON of ``aws ec2 describe-subnets``; errors name the entry."""
    subnets = document.get("Subnets") if isinstance(document, dict) else None
    if not isinstance(subnets, list):
        raise SpecError([SpecIssue(label, "", "expected {\"Subnets\": [...]} as 'aws ec2 describe-subnets --output json' prints")])
    out, issues = {}, []
    for i, entry in enumerate(subnets):
        if isinstance(entry, dict) and entry.get("Ipv6Native") is True and "CidrBlock" not in entry:
            continue
        if not isinstance(entry, dict):
            issues.append(SpecIssue(label, f"Subnets[{i}]", f"expected an object, got {shown(entry)}"))
            continue
        try:
            parsed = _Entry.model_validate(entry)
        except ValidationError as exc:
            issues += validation_issues(exc, label, ("Subnets", i), _Entry)
            continue
        if parsed.SubnetId in out:
            issues.append(SpecIssue(label, f"Subnets[{i}].SubnetId", f"{shown(parsed.SubnetId)} is listed twice"))
            continue
        out[parsed.SubnetId] = ObservedSubnet(parsed.SubnetId, parsed.CidrBlock, parsed.AvailabilityZone,
                                              parsed.AvailableIpAddressCount, {t.Key: t.Value for t in parsed.Tags})
    if issues:
        raise SpecError(issues[:50])
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
