"""Regenerate the instance-type snapshot from EC2 (through boto3) or from saved captures.

This is the only place that talks to AWS; boto3 is imported when it is needed.
"""

from __future__ import annotations

import datetime as _dt
import json
import zlib
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from .._io import atomic_write_text
from ..echo import shown
from ..inputs import LIMITS, InputError, load_json, read_bytes
from ..inputs.files import decode
from ..errors import CatalogError
from .ec2 import merge_regions, records_from_document
from .model import SNAPSHOT_SCHEMA, InstanceType

__all__ = ["fetch_regions", "read_capture", "build_snapshot", "write_snapshot"]


def fetch_region(region: str, client=None) -> list[Mapping]:
    """Every ``DescribeInstanceTypes`` record of one region, all pages."""
    if client is None:
        try:
            import boto3
        except ImportError:
            raise CatalogError(
                "reading EC2 needs boto3: pip install 'eksplan[aws]' (or use --from-file)"
            ) from None
        client = boto3.client("ec2", region_name=region)
    records: list[Mapping] = []
    for page in client.get_paginator("describe_instance_types").paginate():
        records.extend(page.get("InstanceTypes", []))
    return records


def fetch_regions(regions: Sequence[str], client_factory=None) -> list[tuple[str, list[Mapping]]]:
    """Records per region; ``client_factory(region)`` may supply the EC2 clients."""
    out = []
    for region in regions:
        client = client_factory(region) if client_factory else None
        try:
            out.append((region, fetch_region(region, client)))
        except CatalogError:
            raise
        except Exception as exc:  # botocore errors: no credentials, access denied, throttling
            raise CatalogError(f"region {region}: DescribeInstanceTypes failed: {exc}") from None
    return out


def _gunzip(raw: bytes, label: str, limit: int) -> bytes:
    """gzip data, decompressed to at most ``limit`` bytes (a small file can expand a thousandfold)."""
    parts, size, rest = [], 0, raw
    while rest:  # a gzip file may hold several members, one after the other
        stream = zlib.decompressobj(wbits=16 + zlib.MAX_WBITS)
        try:
            part = stream.decompress(rest, limit + 1 - size)
        except zlib.error as exc:
            raise CatalogError(f"{label}: not gzip data ({exc})") from None
        parts.append(part)
        size += len(part)
        if size > limit or stream.unconsumed_tail:
            raise CatalogError(f"{label}: decompresses to more than the {limit // 2**20} MiB eksplan reads from one file")
        if not stream.eof:
            raise CatalogError(f"{label}: not gzip data (it ends too early)")
        rest = stream.unused_data
    return b"".join(parts)


def read_capture(path: str | Path) -> tuple[str, list[Mapping]]:
    """Records from a saved capture (``.json`` or ``.json.gz``), read under the input contract."""
    source = Path(path)
    label = shown(str(path))
    limit = LIMITS["ec2-capture"].max_bytes
    try:
        raw = read_bytes(source, label, limit)
        if raw[:2] == b"\x1f\x8b":
            raw = _gunzip(raw, label, limit)
        document = load_json(decode(raw, label), label, LIMITS["ec2-capture"])
    except InputError as exc:
        message = exc.message if exc.message == "no such file" else \
            f"not a JSON capture of DescribeInstanceTypes ({exc.message})"
        raise CatalogError(f"{label}: {message}") from None
    return source.name, records_from_document(document, label)


def build_snapshot(
    per_origin: Iterable[tuple[str, Iterable[Mapping]]],
    *,
    source: str,
    captured: str | None = None,
    command: str,
    regions: Sequence[str] = (),
    via: str | None = None,
) -> dict:
    """The snapshot document: provenance first, then one record per type, sorted by name."""
    types, skipped = merge_regions(per_origin)
    if not types:
        raise CatalogError("no instance type with ENI limits found in the input")
    return {
        "schema": SNAPSHOT_SCHEMA,
        "source": source,
        **({"via": via} if via else {}),
        "captured": captured or _dt.date.today().isoformat(),
        "command": command,
        "regions": list(regions),
        "count": len(types),
        "skipped_without_limits": skipped,
        "instance_types": {name: _record(entry) for name, entry in types.items()},
    }


def _record(entry: InstanceType) -> dict:
    record = entry.to_dict()
    del record["name"]
    return record


def dumps_snapshot(document: dict) -> str:
    """JSON with one instance type per line, so that a refresh diffs line by line."""
    head = {key: value for key, value in document.items() if key != "instance_types"}
    lines = ["{"]
    for key, value in head.items():
        lines.append(f"  {json.dumps(key)}: {json.dumps(value)},")
    lines.append('  "instance_types": {')
    rows = [
        f"    {json.dumps(name)}: {json.dumps(record, separators=(', ', ': '))}"
        for name, record in document["instance_types"].items()
    ]
    lines.append(",\n".join(rows))
    lines.append("  }")
    lines.append("}")
    return "\n".join(lines) + "\n"


def write_snapshot(document: dict, path: str | Path) -> Path:
    """Write the snapshot atomically."""
    return atomic_write_text(path, dumps_snapshot(document))
