"""From EC2 ``DescribeInstanceTypes`` records to catalog entries (pure functions, no I/O)."""

from __future__ import annotations

from typing import Iterable, Mapping

from ..errors import CatalogError
from .model import InstanceType, record_problem

__all__ = ["instance_type_from_ec2", "records_from_document", "merge_regions"]


def _default_card_enis(network: Mapping) -> int:
    """ENIs on the default network card, as the VPC CNI's eni-max-pods generator counts them.

    Multi-card types (p5.48xlarge, c6in.32xlarge...) spread their interfaces over several cards,
    but the CNI only uses the default card, so ``MaximumNetworkInterfaces`` would overstate it.
    """
    cards = network.get("NetworkCards") or []
    default_index = network.get("DefaultNetworkCardIndex", 0) or 0
    for card in cards:
        if card.get("NetworkCardIndex", 0) == default_index:
            return int(card["MaximumNetworkInterfaces"])
    return int(network["MaximumNetworkInterfaces"])


def instance_type_from_ec2(record: Mapping) -> InstanceType | None:
    """One catalog entry from one ``InstanceTypes[]`` item; None when EC2 gives no ENI limits.

    The VPC CNI's generator skips such records too (``eniLimit > 0 && ipv4Limit > 0``).
    """
    try:
        name = record["InstanceType"]
        network = record["NetworkInfo"]
        enis = _default_card_enis(network)
        ipv4 = int(network.get("Ipv4AddressesPerInterface") or 0)
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if not name or enis <= 0 or ipv4 <= 0:
        return None
    cards = network.get("NetworkCards") or []
    efa_only = any("efa-only" in (card.get("InterfaceTypes") or ()) for card in cards)
    return InstanceType(
        name=name,
        enis=enis,
        total_enis=int(network.get("MaximumNetworkInterfaces") or enis),
        network_cards=int(network.get("MaximumNetworkCards") or 1),
        ipv4_per_eni=ipv4,
        ipv6_per_eni=int(network.get("Ipv6AddressesPerInterface") or 0),
        ipv6_supported=bool(network.get("Ipv6Supported", False)),
        efa_interfaces=int((network.get("EfaInfo") or {}).get("MaximumEfaInterfaces") or 0),
        efa_only=efa_only,
        vcpus=int(record.get("VCpuInfo", {}).get("DefaultVCpus") or 0),
        memory_mib=int(record.get("MemoryInfo", {}).get("SizeInMiB") or 0),
        hypervisor=record.get("Hypervisor") or "none",
        bare_metal=bool(record.get("BareMetal", False)),
        architectures=tuple(record.get("ProcessorInfo", {}).get("SupportedArchitectures") or ()),
    )


def records_from_document(document: object, origin: str) -> list[Mapping]:
    """The instance-type records in a parsed JSON document.

    Accepts what ``aws ec2 describe-instance-types --output json`` prints
    (``{"InstanceTypes": [...]}``), a bare list of records, or a mapping of name to record
    (the shape of moto's ``instance_types.json.gz``).
    """
    if isinstance(document, Mapping) and "InstanceTypes" in document:
        records = document["InstanceTypes"]
    elif isinstance(document, Mapping):
        records = list(document.values())
    else:
        records = document
    if not isinstance(records, list) or not all(isinstance(r, Mapping) for r in records):
        raise CatalogError(
            f"{origin}: expected the JSON that 'aws ec2 describe-instance-types --output json' "
            "prints ({\"InstanceTypes\": [...]})"
        )
    return records


def merge_regions(per_origin: Iterable[tuple[str, Iterable[Mapping]]]) -> tuple[dict[str, InstanceType], int]:
    """Merge records from several regions or files into one catalog.

    A type seen twice must have the same limits everywhere (the CNI's generator stops on a
    disagreement too); returns the entries and the number of records skipped for lack of limits.
    """
    merged: dict[str, InstanceType] = {}
    seen_in: dict[str, str] = {}
    skipped = 0
    for origin, records in per_origin:
        for record in records:
            try:
                entry = instance_type_from_ec2(record)
            except (TypeError, ValueError, AttributeError):
                entry = None  # a record EC2 would not print: treated as one without limits
            if entry is None:
                skipped += 1
                continue
            problem = record_problem(entry.name, entry.to_dict())
            if problem:
                raise CatalogError(f"{origin}: {problem}")
            previous = merged.get(entry.name)
            if previous is not None and previous != entry:
                raise CatalogError(
                    f"{entry.name}: {seen_in[entry.name]} and {origin} report different limits "
                    f"({_difference(previous, entry)})"
                )
            merged[entry.name] = entry
            seen_in.setdefault(entry.name, origin)
    return dict(sorted(merged.items())), skipped


def _difference(a: InstanceType, b: InstanceType) -> str:
    left, right = a.to_dict(), b.to_dict()
    return ", ".join(f"{key} {left[key]!r} != {right[key]!r}" for key in left if left[key] != right[key])
