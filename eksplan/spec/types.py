"""Field types of the cluster spec: strict parsing with messages that quote the bad value."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated

from pydantic import BeforeValidator, PlainSerializer

from ..echo import clipped, shown

__all__ = [
    "IPv4Cidr",
    "IPv6Cidr",
    "EnvBool",
    "EnvInt",
    "parse_ipv4_cidr",
    "parse_ipv6_cidr",
    "REGION_PATTERN",
    "AZ_PATTERN",
]

REGION_PATTERN = re.compile(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d+")
AZ_PATTERN = re.compile(r"([a-z]{2}(?:-gov|-iso[a-z]?)?-[a-z]+-\d+)([a-z])")


def _parse_network(value: object, version: int):
    cls = ipaddress.IPv4Network if version == 4 else ipaddress.IPv6Network
    if isinstance(value, cls):
        return value
    if not isinstance(value, str):
        raise ValueError(f"{shown(value)} is not an IPv{version} CIDR (expected text such as "
                         f"{'10.0.0.0/16' if version == 4 else '2600:1f18:ab00::/56'})")
    text = value.strip()
    if "/" not in text:
        raise ValueError(f"{shown(value)} is not an IPv{version} CIDR: the prefix length is missing "
                         f"(e.g. {shown(text + '/24')})")
    try:
        return cls(text, strict=True)
    except ValueError as exc:
        try:
            loose = cls(text, strict=False)
        except ValueError:
            raise ValueError(f"{shown(value)} is not a valid IPv{version} CIDR ({clipped(str(exc), 120)})") from None
        raise ValueError(f"{shown(value)} has host bits set (did you mean '{loose}'?)") from None


def parse_ipv4_cidr(value: object) -> ipaddress.IPv4Network:
    """An IPv4 network in CIDR form; host bits must be zero (``strict=True``)."""
    return _parse_network(value, 4)


def parse_ipv6_cidr(value: object) -> ipaddress.IPv6Network:
    """An IPv6 network in CIDR form; host bits must be zero."""
    return _parse_network(value, 6)


def _parse_env_bool(value: object) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ValueError(f"{shown(value)} is not true or false")


def _parse_env_int(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{shown(value)} is not a whole number")
    if isinstance(value, int):
        return value
    if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        if len(value.strip().lstrip("-")) > 18:
            raise ValueError(f"{shown(value)} is out of range (at most 18 digits)")
        return int(value)
    raise ValueError(f"{shown(value)} is not a whole number")


IPv4Cidr = Annotated[ipaddress.IPv4Network, BeforeValidator(parse_ipv4_cidr), PlainSerializer(str)]
IPv6Cidr = Annotated[ipaddress.IPv6Network, BeforeValidator(parse_ipv6_cidr), PlainSerializer(str)]
#: aws-node settings are environment variables: ``true``/``"true"`` and ``3``/``"3"`` are both accepted.
EnvBool = Annotated[bool, BeforeValidator(_parse_env_bool)]
EnvInt = Annotated[int, BeforeValidator(_parse_env_int)]
