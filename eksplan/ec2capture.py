"""EC2 as the AWS CLI prints it: network interfaces, subnet CIDR reservations, VPCs and instances.

Each reader takes the parsed JSON of one command (``aws ec2 describe-network-interfaces
--output json`` and so on, or the same response from boto3) and returns plain values; an entry
that is not what the command prints raises :class:`CaptureError` naming the file and the entry,
e.g. ``enis.json: NetworkInterfaces[3]: missing SubnetId``. Subnets come from
:mod:`eksplan.subnetfile` (``describe-subnets``).
"""

from __future__ import annotations

import ipaddress
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from .errors import EksplanError
from .inputs import LIMITS, InputError, load_json, read_text

__all__ = [
    "CaptureError", "ObservedEni", "CidrReservation", "ObservedVpc", "ObservedInstance",
    "read_json", "network_interfaces", "cidr_reservations", "vpcs", "instances", "tags_of",
]


class CaptureError(EksplanError):
    """A capture (the JSON an AWS CLI or kubectl command printed) that cannot be used."""


def read_json(path: str | Path, command: str) -> object:
    """The parsed JSON of one capture file, read under the input contract (:mod:`eksplan.inputs`).

    Errors name the file, the place and the command whose output was expected.
    """
    label = str(path)
    try:
        return load_json(read_text(path, label, LIMITS["ec2-capture"].max_bytes), label, LIMITS["ec2-capture"])
    except InputError as exc:
        raise CaptureError(f"{exc}; expected the output of '{command}'") from None


@contextmanager
def _entry(problems: list[str], where: str):
    """Read one entry: a missing key or a value of the wrong kind is noted for ``where``, and reading goes on."""
    try:
        yield
    except KeyError as exc:
        problems.append(f"{where}: missing {exc.args[0]}")
    except (TypeError, AttributeError, ValueError) as exc:
        problems.append(f"{where}: unreadable entry ({exc})")


def _check(problems: list[str]) -> None:
    if problems:
        raise CaptureError("\n".join(problems))


def _items(document: object, key: str, label: str, command: str) -> list:
    items = document.get(key) if isinstance(document, dict) else None
    if not isinstance(items, list):
        raise CaptureError(f"{label}: expected {{\"{key}\": [...]}} as '{command}' prints")
    return items


def tags_of(entry: dict, key: str = "Tags") -> dict[str, str]:
    """``[{"Key": k, "Value": v}]`` as a mapping (``TagSet`` on network interfaces)."""
    return {t["Key"]: t.get("Value", "") for t in entry.get(key) or () if isinstance(t, dict) and "Key" in t}


@dataclass(frozen=True)
class ObservedEni:
    """One network interface: its subnet, the addresses and /28 prefixes it holds, what it is attached to."""

    id: str
    subnet_id: str
    addresses: tuple[ipaddress.IPv4Address, ...]
    prefixes: tuple[ipaddress.IPv4Network, ...]
    instance_id: str | None = None
    device_index: int | None = None
    interface_type: str = "interface"
    description: str = ""
    requester_managed: bool = False
    tags: dict = field(default_factory=dict)

    @property
    def primary(self) -> ipaddress.IPv4Address | None:
        return self.addresses[0] if self.addresses else None

    @property
    def addresses_held(self) -> int:
        """Addresses the interface takes from its subnet: its private IPs and 16 per /28 prefix."""
        return len(self.addresses) + sum(p.num_addresses for p in self.prefixes)


NETWORK_INTERFACES = "aws ec2 describe-network-interfaces --output json"


def network_interfaces(document: object, label: str = "describe-network-interfaces") -> tuple[ObservedEni, ...]:
    """Every interface of a ``describe-network-interfaces`` document (addresses deduplicated, primary first)."""
    out, problems = [], []
    for i, entry in enumerate(_items(document, "NetworkInterfaces", label, NETWORK_INTERFACES)):
        with _entry(problems, f"{label}: NetworkInterfaces[{i}]"):
            primary = entry.get("PrivateIpAddress")
            listed = [a["PrivateIpAddress"] for a in entry.get("PrivateIpAddresses") or ()]
            ordered = list(dict.fromkeys(([primary] if primary else []) + listed))
            attachment = entry.get("Attachment") or {}
            out.append(ObservedEni(
                id=entry["NetworkInterfaceId"],
                subnet_id=entry["SubnetId"],
                addresses=tuple(ipaddress.IPv4Address(a) for a in ordered),
                prefixes=tuple(ipaddress.IPv4Network(p["Ipv4Prefix"]) for p in entry.get("Ipv4Prefixes") or ()),
                instance_id=attachment.get("InstanceId"),
                device_index=attachment.get("DeviceIndex"),
                interface_type=entry.get("InterfaceType") or "interface",
                description=entry.get("Description") or "",
                requester_managed=bool(entry.get("RequesterManaged", False)),
                tags=tags_of(entry, "TagSet"),
            ))
    _check(problems)
    return tuple(out)


@dataclass(frozen=True)
class CidrReservation:
    """A subnet CIDR reservation: ``prefix`` (kept for /28 prefixes) or ``explicit`` (kept for manual assignment)."""

    id: str
    subnet_id: str
    cidr: ipaddress.IPv4Network
    kind: str
    description: str = ""


CIDR_RESERVATIONS = "aws ec2 get-subnet-cidr-reservations --subnet-id SUBNET --output json"


def cidr_reservations(document: object, label: str = "get-subnet-cidr-reservations") -> tuple[CidrReservation, ...]:
    """The IPv4 reservations of one ``get-subnet-cidr-reservations`` document (or a list of them)."""
    documents = document if isinstance(document, list) else [document]
    out, problems = [], []
    for d, doc in enumerate(documents):
        for i, entry in enumerate(_items(doc, "SubnetIpv4CidrReservations", label, CIDR_RESERVATIONS)):
            where = f"{label}: {f'[{d}].' if isinstance(document, list) else ''}SubnetIpv4CidrReservations[{i}]"
            with _entry(problems, where):
                kind = entry["ReservationType"]
                if kind not in ("prefix", "explicit"):
                    raise ValueError(f"ReservationType {kind!r} is not 'prefix' or 'explicit'")
                out.append(CidrReservation(entry.get("SubnetCidrReservationId", ""), entry["SubnetId"],
                                           ipaddress.IPv4Network(entry["Cidr"]), kind, entry.get("Description") or ""))
    _check(problems)
    return tuple(out)


@dataclass(frozen=True)
class ObservedVpc:
    id: str
    cidrs: tuple[ipaddress.IPv4Network, ...]
    ipv6_cidrs: tuple[ipaddress.IPv6Network, ...]


VPCS = "aws ec2 describe-vpcs --output json"


def vpcs(document: object, label: str = "describe-vpcs") -> dict[str, ObservedVpc]:
    """VPCs by id, with their associated IPv4 CIDRs (primary first) and IPv6 CIDRs."""
    out, problems = {}, []
    for i, entry in enumerate(_items(document, "Vpcs", label, VPCS)):
        with _entry(problems, f"{label}: Vpcs[{i}]"):
            primary = ipaddress.IPv4Network(entry["CidrBlock"])
            associated = [ipaddress.IPv4Network(a["CidrBlock"]) for a in entry.get("CidrBlockAssociationSet") or ()
                          if (a.get("CidrBlockState") or {}).get("State", "associated") == "associated"]
            ipv6 = [ipaddress.IPv6Network(a["Ipv6CidrBlock"]) for a in entry.get("Ipv6CidrBlockAssociationSet") or ()
                    if (a.get("Ipv6CidrBlockState") or {}).get("State", "associated") == "associated"]
            cidrs = tuple(dict.fromkeys([primary] + associated))
            out[entry["VpcId"]] = ObservedVpc(entry["VpcId"], cidrs, tuple(ipv6))
    _check(problems)
    return out


@dataclass(frozen=True)
class ObservedInstance:
    id: str
    instance_type: str
    subnet_id: str | None
    availability_zone: str | None
    private_ip: str | None
    image_id: str | None
    state: str
    tags: dict


INSTANCES = "aws ec2 describe-instances --output json"


def instances(document: object, label: str = "describe-instances") -> dict[str, ObservedInstance]:
    """Instances by id from a ``describe-instances`` document (every reservation)."""
    out, problems = {}, []
    for r, reservation in enumerate(_items(document, "Reservations", label, INSTANCES)):
        for i, entry in enumerate((reservation or {}).get("Instances") or ()):
            with _entry(problems, f"{label}: Reservations[{r}].Instances[{i}]"):
                out[entry["InstanceId"]] = ObservedInstance(
                    entry["InstanceId"], entry["InstanceType"], entry.get("SubnetId"),
                    (entry.get("Placement") or {}).get("AvailabilityZone"), entry.get("PrivateIpAddress"),
                    entry.get("ImageId"), (entry.get("State") or {}).get("Name", "running"), tags_of(entry))
    _check(problems)
    return out
