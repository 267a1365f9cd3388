"""``eksplan max-pods``: flag-compatible with amazon-eks-ami's ``max-pods-calculator.sh``."""

from __future__ import annotations

import argparse
import json

from .._table import render_rows
from ..catalog import load_catalog
from ..echo import shown
from ..errors import EksplanError
from ._args import as_type, whole_number
from ..cniversion import parse_cni_version
from ..capacity import node_capacity
from ..cni import CniConfig
from ..launchers import LAUNCHERS, launcher_max_pods
from ..maxpods import check_max_eni, max_pods, node_group_max_pods

COLUMNS = (
    "instance_type",
    "max_pods",
    "mode",
    "limited_by",
    "formula_value",
    "ceiling",
    "enis_for_pods",
    "ipv4_per_eni",
    "vcpus",
    "kube_reserved_memory_mib",
    "fallback",
)


def _max_eni(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise EksplanError(f"{shown(text)} is not a valid MAX_ENI (expected a whole number >= 1)") from None
    return check_max_eni(value)


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser(
        "max-pods",
        help="max pods per node for instance types and CNI settings",
        description=(
            "Max pods per node as EKS sets it. Takes max-pods-calculator.sh's flags and prints the "
            "bare number as it does; --explain shows the working."
        ),
    )
    p.add_argument("--instance-type", action="append", default=[], metavar="TYPE",
                   help="instance type; repeat for a node group (its max pods is the lowest)")
    p.add_argument("--instance-family", action="append", default=[], metavar="FAMILY",
                   help="every size of a family, e.g. m5 (prints a table)")
    p.add_argument("--all", action="store_true", help="every instance type in the catalog (prints a table)")
    p.add_argument("--cni-version", metavar="VERSION", type=as_type(parse_cni_version), help="VPC CNI version, e.g. 1.18.3 (default: a current release)")
    p.add_argument("--cni-custom-networking-enabled", action="store_true", help="AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG=true")
    p.add_argument("--cni-prefix-delegation-enabled", action="store_true", help="ENABLE_PREFIX_DELEGATION=true")
    p.add_argument("--cni-max-eni", type=as_type(_max_eni), metavar="N", help="MAX_ENI: ENIs the CNI may use")
    p.add_argument("--show-max-allowed", action="store_true", help="drop the recommended 110/250 ceiling")
    p.add_argument("--ip-family", choices=("ipv4", "ipv6"), default="ipv4", help="cluster IP family (default ipv4)")
    p.add_argument("--security-groups-for-pods", action="store_true",
                   help="ENABLE_POD_ENI=true: the trunk ENI takes one ENI slot")
    p.add_argument("--reserved-enis", type=whole_number(0), default=0, metavar="N",
                   help="further ENI slots not used by the CNI (with --launcher karpenter: its RESERVED_ENIS)")
    p.add_argument("--launcher", choices=LAUNCHERS,
                   help="print the max pods this launcher gives the kubelet by default (flags it ignores are "
                        "accepted and ignored, as it does; --explain says which)")
    p.add_argument("--custom-ami", action="store_true",
                   help="with --launcher managed: the launch template names an AMI, so EKS sets no max pods")
    p.add_argument("--explain", action="store_true", help="print the derivation")
    p.add_argument("--format", choices=("text", "csv", "json"), default="text")
    p.add_argument("--catalog", metavar="PATH", help="an instance-type snapshot (default: the bundled one)")
    p.set_defaults(run=run)


def _options(args: argparse.Namespace) -> dict:
    return dict(
        cni_version=args.cni_version,
        prefix_delegation=args.cni_prefix_delegation_enabled,
        custom_networking=args.cni_custom_networking_enabled,
        max_eni=args.cni_max_eni,
        security_groups_for_pods=args.security_groups_for_pods,
        reserved_enis=args.reserved_enis,
        ip_family=args.ip_family,
        show_max_allowed=args.show_max_allowed,
    )


def _row(result) -> dict:
    row = result.to_dict()
    row["max_pods"] = row.pop("value")
    return row


LAUNCHER_COLUMNS = ("instance_type", "launcher", "max_pods", "addressable_pods", "ignored")


def _cni(args: argparse.Namespace) -> CniConfig:
    return CniConfig(version=args.cni_version, prefix_delegation=args.cni_prefix_delegation_enabled or None,
                     custom_networking=args.cni_custom_networking_enabled or None, max_eni=args.cni_max_eni,
                     pod_eni=args.security_groups_for_pods or None, ipv6=args.ip_family == "ipv6",
                     source="command line")


def _launcher_row(it, args, cni) -> tuple[dict, str]:
    result = launcher_max_pods(it, args.launcher, cni, reserved_enis=args.reserved_enis, custom_ami=args.custom_ami)
    own = CniConfig(ipv6=cni.ipv6, auto_mode=True) if args.launcher == "auto-mode" else cni
    capacity = node_capacity(it, own)
    row = {"instance_type": it.name, "launcher": args.launcher, "max_pods": result.value,
           "addressable_pods": capacity.addressable, "ignored": "; ".join(result.ignored),
           "derivation": list(result.derivation), "addressable_derivation": list(capacity.derivation)}
    explain = "\n".join(result.derivation + ("what ipamd can address (for comparison):",)
                        + tuple(f"  {line}" for line in capacity.derivation))
    return row, explain


def _run_launcher(args: argparse.Namespace, catalog) -> int:
    if args.show_max_allowed:
        raise EksplanError("--show-max-allowed applies to max-pods-calculator.sh's figure, not to --launcher")
    cni = _cni(args)
    if args.all:
        types = list(catalog)
    else:
        types = [t for family in args.instance_family for t in catalog.family(family)]
    types += [catalog.get(name) for name in args.instance_type]
    if not types:
        raise EksplanError("give --instance-type TYPE, --instance-family FAMILY or --all")
    rows = [_launcher_row(it, args, cni) for it in types]
    if args.format == "json":
        print(json.dumps([row for row, _ in rows] if len(rows) > 1 else rows[0][0], indent=2))
    elif args.format == "csv" or len(rows) > 1 and not args.explain:
        print(render_rows([row for row, _ in rows], LAUNCHER_COLUMNS, args.format), end="")
    elif args.explain:
        print("\n\n".join(explain for _, explain in rows))
    else:
        print(rows[0][0]["max_pods"])
    return 0


def run(args: argparse.Namespace) -> int:
    catalog = load_catalog(args.catalog)
    if args.launcher:
        return _run_launcher(args, catalog)
    if args.custom_ami:
        raise EksplanError("--custom-ami applies with --launcher managed")
    options = _options(args)
    if args.all or args.instance_family:
        if args.all:
            types = list(catalog)
        else:
            types = [t for family in args.instance_family for t in catalog.family(family)]
        types += [catalog.get(name) for name in args.instance_type]
        rows = [_row(max_pods(t, **options)) for t in types]
        if args.explain and args.format == "text":
            for row in rows:
                print("\n".join(row["derivation"] + [f"note: {n}" for n in row["notes"]]), end="\n\n")
        print(render_rows(rows, COLUMNS, args.format), end="")
        return 0
    if not args.instance_type:
        raise EksplanError("give --instance-type TYPE, --instance-family FAMILY or --all")
    if len(args.instance_type) > 1:
        group = node_group_max_pods(args.instance_type, catalog=catalog, **options)
        if args.format == "json":
            print(json.dumps({"max_pods": group.value, "limiting_instance_type": group.limiting_instance_type,
                              "members": [_row(m) for m in group.members],
                              "derivation": list(group.derivation)}, indent=2))
        elif args.format == "csv":
            print(render_rows([_row(m) for m in group.members], COLUMNS, "csv"), end="")
        elif args.explain:
            for member in group.members:
                print(member.explain(), end="\n\n")
            print(group.explain())
        else:
            print(group.value)
        return 0
    result = max_pods(args.instance_type[0], catalog=catalog, **options)
    if args.format == "json":
        print(json.dumps(_row(result), indent=2))
    elif args.format == "csv":
        print(render_rows([_row(result)], COLUMNS, "csv"), end="")
    elif args.explain:
        print(result.explain())
    else:
        print(result.value)
    return 0

