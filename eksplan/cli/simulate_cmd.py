"""``eksplan simulate-node``: what ipamd holds on one node for a pod count and settings."""

from __future__ import annotations

import argparse
import json

from ._args import as_type, whole_number
from .maxpods_cmd import _max_eni
from ..cniversion import parse_cni_version


def register(commands: argparse._SubParsersAction) -> None:
    p = commands.add_parser("simulate-node", help="ENIs, addresses and prefixes ipamd holds on one node",
                            description="Simulate ipamd's warm pool on one node with N non-hostNetwork pods.")
    count = whole_number(0)
    p.add_argument("--instance-type", required=True, metavar="TYPE")
    p.add_argument("--pods", required=True, type=count, metavar="N", help="non-hostNetwork pods on the node")
    p.add_argument("--warm-eni-target", type=count, default=1, metavar="N")
    p.add_argument("--warm-ip-target", type=count, metavar="N")
    p.add_argument("--minimum-ip-target", type=count, metavar="N")
    p.add_argument("--warm-prefix-target", type=count, default=1, metavar="N")
    p.add_argument("--max-eni", type=as_type(_max_eni), metavar="N")
    p.add_argument("--max-pods", type=whole_number(1), metavar="N", help="the kubelet's max pods (default: what EKS sets)")
    p.add_argument("--prefix-delegation", action="store_true")
    p.add_argument("--custom-networking", action="store_true")
    p.add_argument("--security-group-pods", type=count, default=0, metavar="N",
                   help="pods with security groups (branch ENIs; turns on ENABLE_POD_ENI)")
    p.add_argument("--ipv6", action="store_true")
    p.add_argument("--cni-version", type=as_type(parse_cni_version), metavar="VERSION")
    p.add_argument("--format", choices=("text", "json"), default="text")
    p.add_argument("--catalog", metavar="PATH")
    p.set_defaults(run=run)


def run(args: argparse.Namespace) -> int:
    from ..catalog import load_catalog
    from ..cni import CniConfig
    from ..ipamd import simulate_node

    cni = CniConfig(
        version=args.cni_version,
        prefix_delegation=args.prefix_delegation,
        warm_eni_target=args.warm_eni_target,
        warm_ip_target=args.warm_ip_target,
        minimum_ip_target=args.minimum_ip_target,
        warm_prefix_target=args.warm_prefix_target,
        max_eni=args.max_eni,
        custom_networking=args.custom_networking,
        pod_eni=args.security_group_pods > 0,
        ipv6=args.ipv6,
        source="command line",
    )
    result = simulate_node(
        args.instance_type, args.pods, cni, max_pods=args.max_pods,
        security_group_pods=args.security_group_pods, catalog=load_catalog(args.catalog),
    )
    if args.format == "json":
        print(json.dumps(result.to_dict(), indent=2))
    else:
        print(result.explain())
        print(f"enis={result.enis} ips={result.ips} prefixes={result.prefixes} unused_ips={result.unused_ips} "
              f"node_subnet_ips={result.node_subnet_ips} pod_subnet_ips={result.pod_subnet_ips} "
              f"subnet_ips={result.subnet_ips}")
    return 0
