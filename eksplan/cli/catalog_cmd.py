"""``eksplan instance-types``: show a record, or regenerate the snapshot."""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import re
import shlex
import sys
from pathlib import Path

from ..catalog import BUNDLED_SNAPSHOT, load_catalog
from ..echo import shown
from ..errors import CatalogError, EksplanError

MOTO_CAPTURE = "ec2/resources/instance_types.json.gz"


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("instance-types", help="the EC2 instance-type catalog",
                            description="Show instance types, or regenerate the catalog snapshot.")
    sub = p.add_subparsers(dest="action", metavar="ACTION", parser_class=type(p))
    sub.required = True

    show = sub.add_parser("show", help="print one instance type's record")
    show.add_argument("instance_type", metavar="TYPE")
    show.add_argument("--format", choices=("text", "json"), default="text")
    show.add_argument("--catalog", metavar="PATH", help="an instance-type snapshot (default: the bundled one)")
    show.set_defaults(run=run_show)

    refresh = sub.add_parser(
        "refresh",
        help="regenerate the snapshot from EC2 DescribeInstanceTypes",
        description=(
            "Read EC2 DescribeInstanceTypes (through boto3, all pages, every --region merged) or "
            "saved captures, and write an instance-type snapshot."
        ),
    )
    source = refresh.add_mutually_exclusive_group(required=True)
    source.add_argument("--region", action="append", metavar="REGION", help="EC2 region to read (repeatable)")
    source.add_argument("--from-file", action="append", metavar="FILE", type=Path,
                        help="output of 'aws ec2 describe-instance-types --output json' (.json or .json.gz; repeatable)")
    source.add_argument("--from-moto", action="store_true",
                        help="the capture of EC2 data shipped in the installed moto package")
    refresh.add_argument("--output", type=Path, default=BUNDLED_SNAPSHOT,
                         help="where to write the snapshot (default: the one bundled with eksplan)")
    refresh.add_argument("--captured", metavar="YYYY-MM-DD",
                         help="capture date (default: today for --region, the file's date for --from-file; "
                              "required with --from-moto)")
    refresh.add_argument("--source", metavar="TEXT", help="where the data comes from, recorded in the snapshot")
    refresh.set_defaults(run=run_refresh)

    branch = sub.add_parser(
        "refresh-branch-enis",
        help="regenerate the branch-ENI snapshot from the VPC resource controller's limits.go",
        description=(
            "Read aws/amazon-vpc-resource-controller-k8s's generated pkg/aws/vpc/limits.go and write the "
            "trunking flag and branch-ENI count of every instance type (security groups for pods)."
        ),
    )
    branch.add_argument("--from-limits-go", required=True, type=Path, metavar="FILE",
                        help="a copy of pkg/aws/vpc/limits.go")
    branch.add_argument("--commit", required=True, metavar="SHA", help="the upstream commit the file comes from")
    branch.add_argument("--output", type=Path, help="where to write the snapshot (default: the one bundled with eksplan)")
    branch.set_defaults(run=run_refresh_branch)

    bottlerocket = sub.add_parser(
        "refresh-bottlerocket",
        help="regenerate the snapshot of Bottlerocket's max-pods table",
        description=("Read bottlerocket-os/bottlerocket-core-kit's packages/os/eni-max-pods (the table a Bottlerocket "
                     "node looks its instance type up in) and write it as eksplan's snapshot."),
    )
    bottlerocket.add_argument("--from-file", required=True, type=Path, metavar="FILE", help="a copy of eni-max-pods")
    bottlerocket.add_argument("--commit", required=True, metavar="SHA", help="the upstream commit the file comes from")
    bottlerocket.add_argument("--output", type=Path, help="where to write it (default: the one bundled with eksplan)")
    bottlerocket.set_defaults(run=run_refresh_bottlerocket)


def run_show(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    record = catalog.get(args.instance_type).to_dict()
    if args.format == "json":
        print(json.dumps({**record, "source": catalog.provenance()}, indent=2))
        return 0
    width = max(len(key) for key in record)
    for key, value in record.items():
        shown = ", ".join(value) if isinstance(value, list) else value
        print(f"{key.ljust(width)}  {shown}")
    print(f"{'source'.ljust(width)}  {catalog.provenance()}")
    return 0


def _file_date(path: Path) -> str:
    stamp = path.stat().st_mtime
    return _dt.datetime.fromtimestamp(stamp, _dt.timezone.utc).date().isoformat()


def _check_date(text: str) -> str:
    try:
        return _dt.date.fromisoformat(text).isoformat()
    except ValueError:
        raise EksplanError(f"--captured: {shown(text)} is not a date (expected YYYY-MM-DD)") from None


def _moto_capture() -> tuple[Path, str]:
    try:
        import moto
    except ImportError:
        raise CatalogError("--from-moto needs the moto package: pip install 'eksplan[test]'") from None
    path = Path(moto.__file__).parent / MOTO_CAPTURE
    if not path.exists():
        raise CatalogError(f"moto {moto.__version__} has no {MOTO_CAPTURE}")
    return path, moto.__version__


def run_refresh(args: argparse.Namespace) -> int:
    from ..catalog import refresh

    words = ["eksplan", "instance-types", "refresh"]
    via = None
    if args.region:
        per_origin = refresh.fetch_regions(args.region)
        source = args.source or f"EC2 DescribeInstanceTypes in {', '.join(args.region)}"
        captured = args.captured or _dt.date.today().isoformat()
        for region in args.region:
            words += ["--region", region]
        regions = args.region
    else:
        if args.from_moto:
            if not args.captured:
                raise EksplanError(
                    "--from-moto needs --captured YYYY-MM-DD: the date of the moto release's capture "
                    "(an installed file's date is when it was installed, not captured)"
                )
            path, version = _moto_capture()
            files = [path]
            default_source = "EC2 DescribeInstanceTypes"
            via = f"moto {version} (PyPI, {MOTO_CAPTURE})"
            words += ["--from-moto"]
        else:
            files = args.from_file
            default_source = "EC2 DescribeInstanceTypes captures: " + ", ".join(f.name for f in files)
            for f in files:
                words += ["--from-file", f.name]
        per_origin = [refresh.read_capture(f) for f in files]
        source = args.source or default_source
        captured = args.captured or max(_file_date(f) for f in files)
        regions = []
    captured = _check_date(captured)
    words += ["--captured", captured]
    if args.source:
        words += ["--source", args.source]
    document = refresh.build_snapshot(
        per_origin, source=source, captured=captured, command=shlex.join(words), regions=regions, via=via
    )
    written = refresh.write_snapshot(document, args.output)
    print(
        f"wrote {document['count']} instance types to {written} "
        f"({document['skipped_without_limits']} records without ENI limits skipped)",
        file=sys.stderr,
    )
    return 0


def _upstream_text(path: Path, commit: str) -> str:
    """An upstream file's text, read under the input contract (see eksplan.inputs)."""
    from ..inputs import LIMITS, InputError, read_text

    if not re.fullmatch(r"[0-9a-f]{7,40}", commit):
        raise EksplanError(f"--commit: {shown(commit)} is not a git commit (expected 7 to 40 hex digits)")
    try:
        return read_text(path, str(path), LIMITS["json"].max_bytes)
    except InputError as exc:
        raise CatalogError(str(exc)) from None


def run_refresh_branch(args: argparse.Namespace) -> int:
    from ..catalog import branch

    text = _upstream_text(args.from_limits_go, args.commit)
    limits, generated = branch.parse_limits_go(text)
    command = shlex.join(["eksplan", "instance-types", "refresh-branch-enis", "--from-limits-go",
                          args.from_limits_go.name, "--commit", args.commit])
    document = branch.build_branch_snapshot(limits, commit=args.commit, generated=generated, command=command)
    written = branch.write_branch_snapshot(document, args.output or branch.BUNDLED_BRANCH_SNAPSHOT)
    print(f"wrote {document['count']} instance types to {written}", file=sys.stderr)
    return 0


def run_refresh_bottlerocket(args: argparse.Namespace) -> int:
    from ..catalog import bottlerocket

    table = bottlerocket.parse_eni_max_pods(_upstream_text(args.from_file, args.commit))
    command = shlex.join(["eksplan", "instance-types", "refresh-bottlerocket", "--from-file", args.from_file.name,
                          "--commit", args.commit])
    document = bottlerocket.build_bottlerocket_snapshot(table, commit=args.commit, command=command)
    written = bottlerocket.write_bottlerocket_snapshot(document, args.output or bottlerocket.BUNDLED_BOTTLEROCKET_SNAPSHOT)
    print(f"wrote {document['count']} instance types to {written}", file=sys.stderr)
    return 0
