"""Every numeric claim of the networking guide eksplan builds on, recomputed, with a verdict.

The claims are paraphrased (section named); each is checked by the same code that computes
eksplan's own figures, against the bundled instance-type catalog.
"""

from __future__ import annotations

import ipaddress
import statistics
from dataclasses import asdict, dataclass

from .catalog import Catalog, load_catalog
from .ipamd import simulate_node
from .maxpods import max_pods
from .multus import RACE_FIXED

__all__ = ["Claim", "fact_check", "VERDICTS"]

VERDICTS = ("correct", "wrong", "misleading", "unverifiable")


@dataclass(frozen=True)
class Claim:
    id: str
    section: str
    claim: str
    recomputed: str
    verdict: str
    explanation: str

    def to_dict(self) -> dict:
        return asdict(self)


def _secondary_formula(c: Catalog) -> Claim:
    m5x = c["m5.xlarge"]
    guide = m5x.enis * m5x.ipv4_per_eni - 1
    right = max_pods(m5x, show_max_allowed=True).value
    agree = sum(1 for it in c if it.enis * it.ipv4_per_eni - 1 == max_pods(it, show_max_allowed=True).value)
    return Claim(
        "secondary-ip-formula", "Secondary IP Mode (Default)",
        "max pods per node = (ENIs x IPs per ENI) - 1",
        f"m5.xlarge: the guide's formula gives {guide}, AWS's {m5x.enis} x ({m5x.ipv4_per_eni} - 1) + 2 = {right}; "
        f"the two agree on {agree} of {len(c)} instance types",
        "wrong",
        "Each ENI's primary address is not given to pods, and two host-network pods need none: "
        "ENIs x (IPv4 per ENI - 1) + 2.")


def _m5_large_prefix(c: Catalog) -> Claim:
    value = max_pods("m5.large", cni_version="1.9.0", prefix_delegation=True, catalog=c).value
    base = max_pods("m5.large", cni_version="1.9.0", catalog=c).value
    return Claim("m5-large-prefix", "Prefix Delegation Mode",
                 "m5.large with prefix delegation (CNI 1.9.0): 110 max pods, against 29 in secondary-IP mode",
                 f"{value} with prefixes (434 by the formula, capped at 110), {base} without",
                 "correct" if (value, base) == (110, 29) else "wrong", "Matches max-pods-calculator.sh.")


def _m5_large_custom(c: Catalog) -> Claim:
    plain = max_pods("m5.large", custom_networking=True, catalog=c).value
    pd = max_pods("m5.large", custom_networking=True, prefix_delegation=True, show_max_allowed=True, catalog=c).value
    ok = (plain, pd) == (20, 290)
    return Claim("m5-large-custom-networking", "Custom Networking",
                 "m5.large with custom networking: (3 - 1) x (10 - 1) + 2 = 20; with prefixes (3 - 1) x ((10 - 1) x 16) + 2 = 290",
                 f"{plain} and {pd} (110 with the recommended ceiling)", "correct" if ok else "wrong",
                 "The primary ENI carries no pod addresses with custom networking.")


def _warm_pool(c: Catalog) -> Claim:
    nodes = [simulate_node("c5.large", pods, catalog=c) for pods in (1, 1, 0)]
    used, warm = sum(n.subnet_ips for n in nodes), sum(n.unused_ips for n in nodes)
    return Claim("warm-pool-43", "VPC CNI Configuration Tuning",
                 "a 3-node cluster with WARM_ENI_TARGET=1 can hold 43+ addresses in warm pools before application pods",
                 f"three c5.large nodes running two CoreDNS pods: {used} addresses taken, {warm} of them warm",
                 "correct" if warm == 43 else "wrong",
                 "Each node keeps a whole ENI (9 addresses on c5.large) free; a node with one pod attaches a second ENI.")


def _branch_enis(c: Catalog) -> Claim:
    it = c["m5.large"]
    secondary = it.enis * (it.ipv4_per_eni - 1)
    return Claim("m5-large-branch-enis", "Security Groups for Pods — Operational Requirements",
                 "m5.large supports 9 branch ENIs in addition to its 29 secondary IPs",
                 f"m5.large has {it.enis} x ({it.ipv4_per_eni} - 1) = {secondary} secondary IPv4 addresses; "
                 f"29 is its max pods; branch-ENI limits are not in EC2's API",
                 "wrong", f"The secondary-IP count is {secondary}, not 29. The 9 branch ENIs cannot be checked "
                 "against EC2 data (the VPC resource controller keeps that table).")


def _ipv6_434(c: Catalog) -> Claim:
    eks = max_pods("m5.large", ip_family="ipv6", catalog=c).value
    return Claim("ipv6-max-pods-434", "IPv4 vs IPv6 — IPv6 Operational Considerations",
                 "IPv6 max pods for m5.large: (3 x 9 x 16) + 2 = 434",
                 f"434 is m5.large's IPv4 prefix-delegation formula; in IPv6 addresses do not limit pods (a /80 per node) "
                 f"and EKS sets {eks}",
                 "misleading", "The arithmetic is right, but the figure is not an IPv6 limit.")


def _multus(c: Catalog) -> Claim:
    return Claim("multus-fix-version", "Multus CNI — Enabling Multus",
                 "the thick plugin's pod-lookup race is fixed in v4.1.1 and later",
                 f"the fix (a live API lookup on a cache miss, multus-cni PR #1332) first shipped in {RACE_FIXED}; "
                 "thick v4.1.0 to v4.1.4 are affected",
                 "wrong", "Upgrade the thick plugin to v4.2.0 or later, or use the thin plugin.")


def _ipv6_prefix(c: Catalog) -> Claim:
    addresses = ipaddress.IPv6Network("2001:db8::/80").num_addresses
    return Claim("ipv6-80-prefix", "IPv4 vs IPv6 — Decision Guide",
                 "a /80 prefix per node holds about 10^14 addresses",
                 f"2^48 = {addresses:,} (about 2.8 x 10^14)", "correct", "")


def _egress_range(c: Catalog) -> Claim:
    size = ipaddress.IPv4Network("169.254.172.0/22").num_addresses
    return Claim("ipv4-egress-range", "IPv4 vs IPv6 — IPv4 Egress from IPv6 Pods",
                 "IPv6 pods get a node-unique IPv4 address from 169.254.172.0/22, up to 1024 addresses",
                 f"a /22 holds {size} addresses", "correct" if size == 1024 else "wrong", "")


def _subnet_layout(c: Catalog) -> Claim:
    bad = []
    try:
        ipaddress.IPv4Network("10.0.1.0/20")
    except ValueError:
        bad.append("10.0.1.0/20 has host bits set (the /20 is 10.0.0.0/20)")
    if ipaddress.IPv4Network("10.0.0.0/20").overlaps(ipaddress.IPv4Network("10.0.0.0/28")):
        bad.append("10.0.0.0/20 would overlap the /28 cluster subnets 10.0.0.0/28 to 10.0.0.32/28")
    return Claim("subnet-layout", "Subnet Planning — Recommended Subnet Architecture",
                 "public subnet 10.0.1.0/20 (4,096 IPs) beside cluster subnets 10.0.0.0/28, 10.0.0.16/28, 10.0.0.32/28",
                 "; ".join(bad) + "; a free /20 would be e.g. 10.0.48.0/20", "wrong",
                 "The other blocks (10.0.16.0/20, 10.0.32.0/20, the /18s) are valid; AWS keeps 5 addresses of every "
                 "subnet, so a /28 leaves 11.")


def _prefix_gain(c: Catalog) -> Claim:
    nitro = [it for it in c if it.nitro_based]
    raw = [(it.enis * (it.ipv4_per_eni - 1) * 16 + 2) / (it.enis * (it.ipv4_per_eni - 1) + 2) for it in nitro]
    below = []
    for it in nitro:
        before = max_pods(it)
        if before.value < before.ceiling:
            below.append(max_pods(it, prefix_delegation=True).value / before.value)
    at_ceiling = len(nitro) - len(below)
    return Claim("prefix-gain", "Mode Decision Matrix",
                 "prefix delegation gives about 4 to 16 times more pods per node",
                 f"in addresses up to {max(raw):.1f}x; but {at_ceiling} of {len(nitro)} Nitro-based types already reach "
                 f"the 110/250 ceiling without prefixes (no gain), and for the other {len(below)} the gain is "
                 f"{min(below):.1f}x to {max(below):.1f}x (median {statistics.median(below):.1f}x)",
                 "misleading", "Addresses grow almost 16 times, but the recommended ceilings cap max pods, so the "
                 "usable gain is smaller, and nil on large instances.")


def _warm_prefix_default(c: Catalog) -> Claim:
    return Claim("warm-prefix-default", "VPC CNI Configuration Tuning",
                 "WARM_PREFIX_TARGET defaults to 1",
                 "the aws-node manifest, Helm chart and managed add-on set 1; ipamd's own default when unset is 0",
                 "correct", "Removing the variable from the DaemonSet leaves ipamd at 0, which with prefix "
                 "delegation and no IP targets is unsupported.")


CHECKS = (_secondary_formula, _m5_large_prefix, _m5_large_custom, _warm_pool, _branch_enis, _ipv6_434,
          _multus, _ipv6_prefix, _egress_range, _subnet_layout, _prefix_gain, _warm_prefix_default)


def fact_check(catalog: Catalog | None = None) -> tuple[Claim, ...]:
    """Each claim of the guide with the figure eksplan computes and a verdict."""
    catalog = catalog or load_catalog()
    return tuple(check(catalog) for check in CHECKS)
