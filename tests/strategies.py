"""Hypothesis strategies shared by the property tests."""

from __future__ import annotations

from hypothesis import strategies as st

from eksplan.catalog import load_catalog

_TYPES = sorted(load_catalog().types.values(), key=lambda t: t.name)


def instance_types():
    """Any instance type of the bundled catalog."""
    return st.sampled_from(_TYPES)


def cni_versions():
    """CNI versions around the feature boundaries (1.7 ... 1.20), or None."""
    return st.none() | st.builds(
        lambda minor, patch: f"1.{minor}.{patch}", st.integers(7, 20), st.integers(0, 5)
    )


@st.composite
def cni_options(draw):
    """A consistent set of max-pods keyword arguments."""
    ipv6 = draw(st.booleans())
    return dict(
        cni_version=draw(cni_versions()),
        prefix_delegation=draw(st.booleans()),
        custom_networking=False if ipv6 else draw(st.booleans()),
        max_eni=draw(st.none() | st.integers(1, 20)),
        security_groups_for_pods=draw(st.booleans()),
        ip_family="ipv6" if ipv6 else "ipv4",
        show_max_allowed=draw(st.booleans()),
    )


@st.composite
def ipamd_settings(draw):
    """Warm-pool settings ipamd accepts (custom networking and IPv6 kept apart)."""
    from eksplan.cni import CniConfig

    prefix = draw(st.booleans())
    wit = draw(st.none() | st.integers(0, 40))
    mit = draw(st.none() | st.integers(0, 60))
    return CniConfig(
        prefix_delegation=prefix,
        warm_eni_target=draw(st.integers(0, 3)),
        warm_ip_target=wit,
        minimum_ip_target=mit,
        warm_prefix_target=draw(st.integers(1 if prefix else 0, 3)),
        max_eni=draw(st.none() | st.integers(2, 10)),
        custom_networking=draw(st.booleans()),
        pod_eni=draw(st.booleans()),
    )


@st.composite
def planner_specs(draw):
    """Small random clusters for the planner: VPC size, AZs, node groups, on-prem ranges."""
    import ipaddress

    from eksplan.spec import ClusterSpec

    prefix = draw(st.integers(16, 22))
    base = draw(st.integers(0, 255)) << 24 | draw(st.integers(0, 255)) << 16
    vpc = ipaddress.ip_network((base, prefix), strict=False)
    zones = ["us-east-1a", "us-east-1b", "us-east-1c"][: draw(st.integers(1, 3))]
    on_prem = [str(n) for n in draw(st.lists(st.sampled_from(list(vpc.subnets(new_prefix=prefix + 2))), max_size=2))]
    groups = [
        {"name": f"g{i}", "instance_types": [draw(st.sampled_from(["m5.large", "c5.xlarge", "t3.medium", "m6i.4xlarge"]))],
         "min_size": 0, "max_size": draw(st.integers(1, 60)), "pods_per_node": draw(st.integers(0, 60))}
        for i in range(draw(st.integers(1, 2)))
    ]
    custom = draw(st.booleans())
    return ClusterSpec.model_validate({
        "name": "p", "region": "us-east-1", "availability_zones": zones, "vpc": {"cidrs": [str(vpc)]},
        "node_groups": groups,
        "vpc_cni": {"version": "1.18.0", "settings": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": custom,
                                                       "ENABLE_PREFIX_DELEGATION": draw(st.booleans())}},
        "requirements": {"on_prem_cidrs": on_prem},
        "planning": {"headroom": draw(st.sampled_from([1.0, 1.5, 2.0]))},
    })


# -- documents for the spec loader ----------------------------------------------------------------------
#: Text that reaches eksplan's validators: valid values of every kind, near misses, and hostile text.
SPEC_TEXT = ["", " ", "us-east-1", "us-east-1a", "eu-west-1b", "10.0.0.0/16", "10.0.1.0/24", "10.0.0.0/33",
             "2600:1f18:ab00::/56", "::/0", "m5.large", "m5.lrage", "t3.small", "1.18.3", "v1.19.2-eksbuild.1", "1.x",
             "nodes", "pods", "cluster", "public", "ipv6", "true", "false", "yes", "2024-01-05", "2024-13-45",
             "1e3", "inf", ".nan", "linux", "windows", "karpenter", "thick", "v4.1.0", "\x1b[31mred", "a\nb", "a\0b",
             "\u202eevil", "x" * 300, "subnet-1", "<<", "*"]
#: Keys of the spec at every level, so that generated mappings reach deep into the model.
SPEC_KEYS = ["name", "description", "region", "availability_zones", "kubernetes_version", "auto_mode", "vpc", "cidrs",
             "ipv6_cidr", "subnets", "id", "availability_zone", "cidr", "role", "available_ips", "tags",
             "cidr_reservations", "dns64", "plan_subnets", "node_groups", "instance_types", "min_size",
             "desired_size", "max_size", "pods_per_node", "security_group_pods_per_node", "os", "kind", "launcher",
             "max_pods", "karpenter", "reserved_enis", "api_clients", "network",
             "fargate_profiles", "pods", "vpc_cni", "version", "managed_addon", "iam", "settings",
             "ENABLE_PREFIX_DELEGATION", "WARM_IP_TARGET", "MINIMUM_IP_TARGET", "WARM_PREFIX_TARGET", "MAX_ENI",
             "ENABLE_IPv6", "ENABLE_POD_ENI", "AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG", "requirements", "ip_family",
             "growth", "nodes_per_month", "percent_per_month", "multus", "plugin", "extra_enis", "count",
             "planning", "headroom", "horizon_months", "pod_cidr", "clusters", "describe_subnets"]


def yaml_scalars():
    """Any scalar YAML can hold: null, booleans, whole numbers of any size, floats (infinities and
    NaN too), text (control characters too), and the spec's own words."""
    return st.one_of(
        st.none(), st.booleans(), st.integers(), st.integers(-(2**70), 2**70), st.floats(),
        st.text(max_size=20), st.sampled_from(SPEC_TEXT),
    )


def yaml_values(max_leaves: int = 12):
    """Scalars, lists and maps (keys from the spec's vocabulary or anything), nested."""
    keys = st.sampled_from(SPEC_KEYS) | st.text(max_size=10) | st.integers(-5, 5) | st.booleans() | st.none()
    return st.recursive(
        yaml_scalars(),
        lambda children: st.lists(children, max_size=4) | st.dictionaries(keys, children, max_size=4),
        max_leaves=max_leaves,
    )


def _paths(value, prefix=()):
    """Every path to a node of ``value`` (keys and indexes)."""
    yield prefix
    if isinstance(value, dict):
        for key, child in value.items():
            yield from _paths(child, prefix + (key,))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _paths(child, prefix + (index,))


def _passes_through(document, path, value) -> bool:
    """Whether the nodes on the way to ``path`` (its end excluded) include ``value`` itself."""
    node = document
    for part in path[:-1]:
        node = node[part]
        if node is value:
            return True
    return False


@st.composite
def spec_documents(draw, base: dict):
    """``base`` (a valid spec) with one to three nodes replaced, removed or given an extra key,
    sometimes wrapped as a fleet; a value used twice is written once with an anchor and aliases."""
    import copy

    document = copy.deepcopy(base)
    for _ in range(draw(st.integers(1, 3))):
        path = draw(st.sampled_from(list(_paths(document))))
        value = draw(yaml_values())
        if not path:
            document = value
            continue
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "remove", "add", "twice"]))
        if action == "remove":
            del parent[path[-1]]
        elif action == "add" and isinstance(parent[path[-1]], dict):
            parent[path[-1]][draw(st.sampled_from(SPEC_KEYS))] = value
        else:
            parent[path[-1]] = value
            if action == "twice":  # the same object in a second place: written as an anchor and an alias
                # Not a place inside the value itself (reachable through an earlier alias): that would be a cycle.
                others = [p for p in _paths(document) if p and p[:len(path)] != path
                          and not _passes_through(document, p, value)]
                if others:
                    other = draw(st.sampled_from(others))
                    target = document
                    for part in other[:-1]:
                        target = target[part]
                    target[other[-1]] = value
    if draw(st.booleans()):
        document = {"clusters": [document, copy.deepcopy(base)]}
    return document


#: Numbers a spec's numeric fields may be given: the edges of what they accept, and far beyond.
EXTREME_NUMBERS = [0, 1, 2, 3, 15, 16, 28, 110, 250, 10**6, 10**9, 2**31, 2**53, 2**63 - 1, 0.5, 1.0, 1.5, 9.99, 10.0,
                   80.0, 81.0, 1e18, 1e300, 1.7e308]
NUMERIC_FIELDS = [("node_groups", 0, "min_size"), ("node_groups", 0, "desired_size"), ("node_groups", 0, "max_size"),
                  ("node_groups", 0, "pods_per_node"), ("node_groups", 0, "max_pods"),
                  ("node_groups", 0, "security_group_pods_per_node"), ("requirements", "growth", "nodes_per_month"),
                  ("requirements", "growth", "percent_per_month"), ("planning", "headroom"),
                  ("planning", "horizon_months"), ("planning", "public_subnet_addresses"),
                  ("vpc_cni", "settings", "WARM_IP_TARGET"), ("vpc_cni", "settings", "MINIMUM_IP_TARGET"),
                  ("vpc_cni", "settings", "WARM_ENI_TARGET"), ("vpc_cni", "settings", "WARM_PREFIX_TARGET"),
                  ("vpc_cni", "settings", "MAX_ENI"), ("vpc_cni", "probe_timeout_seconds"),
                  ("requirements", "termination_grace_period_seconds"), ("subnets", 4, "available_ips")]


@st.composite
def numeric_extremes(draw, base: dict):
    """``base`` with one or two numeric fields set to values from :data:`EXTREME_NUMBERS`."""
    import copy

    document = copy.deepcopy(base)
    for path in draw(st.lists(st.sampled_from(NUMERIC_FIELDS), min_size=1, max_size=2, unique=True)):
        target = document
        for part in path[:-1]:
            target = target.setdefault(part, {}) if isinstance(part, str) else target[part]
        if path[-1] in ("nodes_per_month", "percent_per_month"):
            target.clear()
        target[path[-1]] = draw(st.sampled_from(EXTREME_NUMBERS))
    return document

#: Nitro and Xen, Intel and Graviton, small and large, with and without trunk ENIs.
SPEC_TYPES = ["m5.large", "m5.xlarge", "t3.medium", "t3.large", "c5n.4xlarge", "c6i.4xlarge", "m6i.4xlarge",
              "r6g.4xlarge", "m4.xlarge"]


@st.composite
def cluster_specs(draw):
    """Spec data around ``rule_cases.BASE``: launcher, IP mode, custom networking, security groups
    for pods, IPv6, Multus, instance types, warm-pool settings and how the CNI is run."""
    from .rule_cases import BASE, POD_SUBNETS, spec

    ipv6 = draw(st.booleans())
    custom = not ipv6 and draw(st.booleans())
    sgp = draw(st.booleans())
    settings = {"ENABLE_PREFIX_DELEGATION": True} if ipv6 else {"ENABLE_PREFIX_DELEGATION": draw(st.booleans())}
    settings |= draw(st.sampled_from([{}, {"WARM_IP_TARGET": 2, "MINIMUM_IP_TARGET": 10}, {"WARM_ENI_TARGET": 1},
                                      {"WARM_PREFIX_TARGET": 1}]))
    changes = {
        "node_groups": [{"name": f"ng{i}", "instance_types": draw(st.lists(st.sampled_from(SPEC_TYPES), min_size=1,
                                                                             max_size=2, unique=True)),
                         "min_size": 1, "max_size": draw(st.integers(2, 30)), "pods_per_node": draw(st.integers(5, 120)),
                         "launcher": draw(st.sampled_from([None, "managed", "nodeadm", "karpenter", "bottlerocket"])),
                         "custom_ami": draw(st.booleans()),
                         "max_pods": draw(st.one_of(st.none(), st.sampled_from([20, 58, 110, 250]))),
                         "security_group_pods_per_node": draw(st.integers(0, 6)) if sgp else 0}
                        for i in range(draw(st.integers(1, 2)))],
        "vpc_cni.version": draw(st.sampled_from(["1.16.4", "1.18.3", "1.20.4"])),
        "vpc_cni.managed_addon": draw(st.booleans()),
        "vpc_cni.probe_timeout_seconds": draw(st.sampled_from([10, 30])),
        "karpenter.reserved_enis": draw(st.integers(0, 1)),
        "requirements.network_policies": draw(st.booleans()),
    }
    if ipv6:
        settings |= {"ENABLE_IPv6": True}
        changes |= {"requirements.ip_family": "ipv6", "vpc.ipv6_cidr": "2600:1f18:aaaa:bb00::/56"}
    subnets = [dict(s) for s in BASE["subnets"]]
    if draw(st.booleans()):  # node subnets of a /24: too small for the pods, so the pod-address record acts
        for subnet, cidr in zip((s for s in subnets if s["role"] == "nodes"), ("10.0.0.0/24", "10.0.16.0/24")):
            subnet["cidr"] = cidr
    if custom:
        settings |= {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": True}
        changes |= {"vpc.cidrs": ["10.0.0.0/16", "100.64.0.0/16"]}
        subnets += POD_SUBNETS
    changes["subnets"] = subnets
    if sgp:
        settings |= {"ENABLE_POD_ENI": True, "AWS_VPC_K8S_CNI_EXTERNALSNAT": True,
                     "POD_SECURITY_GROUP_ENFORCING_MODE": draw(st.sampled_from(["standard", "strict"]))}
        changes |= {"requirements.security_groups_for_pods": True}
    if draw(st.booleans()):
        changes |= {"requirements.multus": {"version": draw(st.sampled_from(["v4.1.4-thick", "v4.2.0-thick", "v4.0.2"])),
                                            "plugin": draw(st.sampled_from(["thick", "thin"])),
                                            "secondary_cidrs": draw(st.sampled_from([[], ["10.10.0.0/16"]]))}}
    return spec(**changes, **{"vpc_cni.settings": settings})


@st.composite
def subnet_usage(draw):
    """A subnet (/20 to /28) with interface addresses, assigned /28 prefixes and CIDR reservations in it."""
    import ipaddress

    from eksplan.ec2capture import CidrReservation, ObservedEni

    prefixlen = draw(st.integers(20, 28))
    network = ipaddress.IPv4Network((10 << 24 | draw(st.integers(0, 255)) << 16, prefixlen), strict=False)
    size, base = network.num_addresses, int(network.network_address)
    blocks = size // 16
    singles = draw(st.lists(st.integers(4, size - 2), max_size=40, unique=True))
    prefixes = draw(st.lists(st.integers(0, blocks - 1), max_size=6, unique=True))
    prefixes = [b for b in prefixes if not any(b * 16 <= a < b * 16 + 16 for a in singles)]
    enis = [ObservedEni("eni-a", "subnet-x", tuple(ipaddress.IPv4Address(base + a) for a in singles),
                        tuple(ipaddress.IPv4Network((base + b * 16, 28)) for b in prefixes))]
    reservations = []
    for _ in range(draw(st.integers(0, 2))):
        length = draw(st.integers(prefixlen, 28))
        start = draw(st.integers(0, 2 ** (length - prefixlen) - 1))
        cidr = ipaddress.IPv4Network((base + start * 2 ** (32 - length), length))
        if not any(cidr.overlaps(r.cidr) for r in reservations):
            reservations.append(CidrReservation("scr", "subnet-x", cidr, draw(st.sampled_from(["prefix", "explicit"]))))
    return network, enis, reservations
