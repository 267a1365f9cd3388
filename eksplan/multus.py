"""Multus CNI versions and the known thick-plugin pod-lookup race.

The thick plugin's daemon looks pods up in an informer cache; from v4.1.0 a cache miss could
fail pod creation on the node (k8snetworkplumbingwg/multus-cni#1221 and related reports). The
fix, a live API lookup when the cache misses (k8snetworkplumbingwg/multus-cni PR #1332), first
shipped in v4.2.0 -- not v4.1.1 as some guides say. The thin plugin has no daemon cache and is
not affected.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .echo import shown
from .errors import EksplanError

__all__ = ["MultusVersion", "parse_multus_version", "pod_lookup_race", "RACE_FIRST", "RACE_FIXED"]

_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:-(thick|thin))?")


@dataclass(frozen=True, order=True)
class MultusVersion:
    major: int
    minor: int
    patch: int = 0

    def __str__(self) -> str:
        return f"v{self.major}.{self.minor}.{self.patch}"


def parse_multus_version(text: str) -> MultusVersion:
    """``v4.1.0``, ``4.1.0`` or an image tag such as ``v4.1.0-thick``."""
    match = _VERSION.fullmatch(str(text).strip())
    if not match:
        raise EksplanError(f"{shown(text)} is not a Multus version (expected e.g. v4.2.0 or v4.2.0-thick)")
    major, minor, patch, _variant = match.groups()
    return MultusVersion(int(major), int(minor), int(patch or 0))


RACE_FIRST = MultusVersion(4, 1, 0)
RACE_FIXED = MultusVersion(4, 2, 0)


def pod_lookup_race(version: str | MultusVersion, plugin: str) -> bool:
    """True when this Multus deployment has the thick-plugin pod-lookup race."""
    parsed = version if isinstance(version, MultusVersion) else parse_multus_version(version)
    return plugin == "thick" and RACE_FIRST <= parsed < RACE_FIXED
