"""``eksplan discover``: a spec and the observed state per running cluster, from AWS or captures."""

from __future__ import annotations

import argparse
import sys
import time


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "discover", help="write a spec and the observed state for each running cluster (AWS or captures)",
        description="Discover EKS clusters from a live account (read-only AWS calls) or from folders of captures "
                    "(the JSON the AWS CLI and kubectl print), and write DIR/<cluster>.yaml (valid for "
                    "'eksplan validate', each value commented with its source) and DIR/<cluster>.observed.json. "
                    "Exit status 0 when every cluster was written, 1 when some were not, 2 on bad input.")
    source = p.add_mutually_exclusive_group(required=True)
    source.add_argument("--region", action="append", default=[], metavar="REGION",
                        help="discover this region of the live account (repeatable)")
    source.add_argument("--from-dir", action="append", default=[], metavar="DIR",
                        help="a folder of captures, one account and region (repeatable; docs/discover.md)")
    p.add_argument("--profile", metavar="NAME", help="AWS profile (default: boto3's standard credential chain)")
    p.add_argument("--cluster", action="append", default=[], metavar="NAME",
                   help="only this cluster (repeatable; default: every cluster)")
    p.add_argument("--kubectl-dir", metavar="DIR",
                   help="with --region: what kubectl printed, as DIR/<cluster>/nodes.json, pods.json, aws-node.json, "
                        "eniconfigs.json")
    p.add_argument("--save-captures", metavar="DIR",
                   help="with --region: also write what was read, as a captures folder per region (DIR/<region>)")
    p.add_argument("--allow-unknown", action="store_true",
                   help="write specs whose required values no capture gave, as placeholders marked UNKNOWN")
    p.add_argument("-o", "--output", required=True, metavar="DIR", help="where the specs and observed states go")
    p.add_argument("--catalog", metavar="PATH")
    p.set_defaults(run=run)


def _regions(args):
    from pathlib import Path

    from ..discover import read_captures, read_kubectl, write_captures
    from ..discover.aws import fetch_region

    if args.from_dir:
        for folder in args.from_dir:
            start = time.perf_counter()
            yield folder, read_captures(folder, tuple(args.cluster)), start
        return
    for region in args.region:
        start = time.perf_counter()
        captures = fetch_region(region, tuple(args.cluster), profile=args.profile)
        for name, cluster in captures.clusters.items():
            if args.kubectl_dir:
                read_kubectl(Path(args.kubectl_dir) / name, cluster)
            else:
                cluster.unknown["kubectl"] = "live discovery reads AWS APIs only (give --kubectl-dir)"
        if args.save_captures:
            write_captures(captures, Path(args.save_captures) / region)
        yield region, captures, start


def run(args: argparse.Namespace) -> int:
    from ..catalog import load_catalog
    from ..discover import discover_region, write_outcome
    from ..errors import EksplanError

    if (args.kubectl_dir or args.save_captures or args.profile) and args.from_dir:
        raise EksplanError("--profile, --kubectl-dir and --save-captures go with --region, not --from-dir")
    catalog = load_catalog(args.catalog)
    written = failed = 0
    seen: dict[str, str] = {}
    for where, captures, start in _regions(args):
        for outcome in discover_region(captures, catalog, allow_unknown=args.allow_unknown):
            if outcome.name in seen:
                print(f"{where}: {outcome.name}: not written: a cluster of that name came from {seen[outcome.name]} "
                      "(run each account into its own folder)", file=sys.stderr)
                failed += 1
                continue
            seen[outcome.name] = where
            if not outcome.ok:
                failed += 1
                for problem in outcome.problems:
                    print(f"{where}: {outcome.name}: {problem}", file=sys.stderr)
                continue
            spec, observed = write_outcome(outcome, args.output)
            written += 1
            unknown = len(outcome.found.observed.unknown)
            print(f"{spec} (and {observed.name})" + (f": {unknown} thing(s) unknown, listed there" if unknown else ""))
        print(f"{where}: {len(captures.clusters)} cluster(s) in {time.perf_counter() - start:.2f} s", file=sys.stderr)
    print(f"{written} cluster(s) written, {failed} not", file=sys.stderr)
    return 1 if failed else 0
