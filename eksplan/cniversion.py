"""Versions of the Amazon VPC CNI, and the features that arrive with them.

The CNI is published as ``v1.18.3`` on GitHub and as ``v1.18.3-eksbuild.1`` by the EKS managed
add-on; both forms (with or without the ``v``, with or without a build suffix) are accepted.
Only the numeric part takes part in comparisons.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .echo import shown
from .errors import CniVersionError

__all__ = [
    "CniVersion",
    "parse_cni_version",
    "PREFIX_DELEGATION",
    "PREFIX_DELEGATION_BARE_METAL",
    "IPV6",
    "SUBNET_DISCOVERY",
    "SUBNET_DISCOVERY_EXCLUSION",
    "TRUNK_SLOT_TRUNKING_ONLY",
    "MULTI_NIC",
]

_VERSION = re.compile(r"v?(\d+)\.(\d+)(?:\.(\d+))?(?:[-+]([0-9A-Za-z][0-9A-Za-z.+-]*))?")


@dataclass(frozen=True, order=True)
class CniVersion:
    """A VPC CNI version such as ``1.18.3`` (build suffix kept for display, not compared)."""

    major: int
    minor: int
    patch: int = 0
    suffix: str = field(default="", compare=False)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        return f"{text}-{self.suffix}" if self.suffix else text

    @property
    def minor_line(self) -> tuple[int, int]:
        """``(major, minor)``, the unit in which the CNI should be upgraded."""
        return (self.major, self.minor)


def parse_cni_version(text: str | CniVersion) -> CniVersion:
    """Parse ``1.9.0``, ``v1.18.3`` or ``v1.18.3-eksbuild.1``; a missing patch counts as 0.

    Raises
    ------
    CniVersionError
        When the text is not a version, e.g. ``'1.x'`` or ``'abc'``.
    """
    if isinstance(text, CniVersion):
        return text
    match = _VERSION.fullmatch(str(text).strip())
    if match is None:
        raise CniVersionError(
            f"{shown(text)} is not a VPC CNI version "
            "(expected MAJOR.MINOR[.PATCH], e.g. 1.18.3 or v1.18.3-eksbuild.1)"
        ) from None
    major, minor, patch, suffix = match.groups()
    return CniVersion(int(major), int(minor), int(patch or 0), suffix or "")


#: Prefix delegation (``ENABLE_PREFIX_DELEGATION``) on Nitro instances.
PREFIX_DELEGATION = CniVersion(1, 9, 0)
#: Prefix delegation on bare-metal instances (ipamd treats them like Nitro from this release).
PREFIX_DELEGATION_BARE_METAL = CniVersion(1, 11, 0)
#: IPv6 clusters.
IPV6 = CniVersion(1, 10, 0)
#: Enhanced Subnet Discovery (``ENABLE_SUBNET_DISCOVERY``, default true): secondary ENIs in subnets
#: tagged ``kubernetes.io/role/cni`` (aws/amazon-vpc-cni-k8s 58336b7d7, #2714).
SUBNET_DISCOVERY = CniVersion(1, 18, 0)
#: Subnet discovery as it runs today: ``kubernetes.io/role/cni=0`` excludes a subnet (the node's
#: own included), and ``cni.networking.k8s.aws/cluster/<name>`` keeps a subnet to one cluster
#: (aws/amazon-vpc-cni-k8s ed77a09d017c, #3647, the first documented release carrying #3463).
SUBNET_DISCOVERY_EXCLUSION = CniVersion(1, 22, 1)
#: ipamd keeps an ENI slot for the trunk ENI only on trunking-compatible types (before: on every
#: type) -- aws/amazon-vpc-cni-k8s a637a528f175, #3250, ``hasRoomForEni`` in pkg/ipamd/ipamd.go.
TRUNK_SLOT_TRUNKING_ONLY = CniVersion(1, 20, 4)
#: ``ENABLE_MULTI_NIC``: ENIs and warm pools on every network card (aws/amazon-vpc-cni-k8s 76931664d3).
MULTI_NIC = CniVersion(1, 20, 0)
