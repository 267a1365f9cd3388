"""Max pods to set on each node group, as the object its launcher reads.

For each Linux node group: what its launcher will give the kubelet under the proposed VPC CNI
configuration, what the nodes should run (what ipamd can address, within AWS's 110/250
ceiling), and -- where the two differ -- the setting that closes the gap, as one complete object
for that launcher:

* nodeadm (and a managed node group whose launch template names an AMI): a ``NodeConfig`` with
  ``spec.kubelet.maxPodsExpression``, a CEL expression over nodeadm's ``default_enis`` and
  ``ips_per_eni`` (awslabs/amazon-eks-ami ``nodeadm/internal/kubelet/eni_max_pods.go``, PR #2446).
  The expression, not ``kubelet.config.maxPods``, because nodeadm then also computes the kubelet's
  memory reservation from it (``config.go`` L274-288), and because the NodeConfig CRD types each
  ``kubelet.config`` value as an object, so a number there does not validate against its schema.
  CEL in nodeadm has no ``min``/``max``: caps are ternaries.
* Karpenter: an ``EC2NodeClass`` (``karpenter.k8s.aws/v1``) with ``spec.kubelet.maxPods``, or, in
  secondary-IP mode, its Helm value ``settings.reservedENIs``, which Karpenter subtracts per
  instance type.
* Bottlerocket: ``settings.kubernetes.max-pods`` in its TOML user data.
* A managed node group without a custom AMI and Auto Mode take no max-pods setting: EKS computes it.
"""

from __future__ import annotations

from dataclasses import dataclass

from .capacity import node_capacity
from .catalog import Catalog, InstanceType
from .cni import CniConfig
from .launchers import LAUNCHER_NAMES, group_max_pods, max_pods_setting
from .maxpods import HOST_NETWORK_PODS, IPS_PER_PREFIX, recommended_ceiling

__all__ = ["MaxPodsPlan", "max_pods_plans", "max_pods_gap", "nodeadm_expression", "expression_value", "NODEADM_API"]

NODEADM_API = "node.eks.aws/v1alpha1"
KARPENTER_API = "karpenter.k8s.aws/v1"


@dataclass(frozen=True)
class MaxPodsPlan:
    """One node group's max pods: the launcher's, the one to run, and how to set it."""

    group: str
    launcher: str
    instance_types: tuple[str, ...]
    launcher_value: int
    recommended: int
    set_value: int | None
    how: str
    objects: tuple  # (kind, content) pairs: "yaml" documents or "toml" tables
    derivation: tuple[str, ...]

    def to_dict(self) -> dict:
        return {"group": self.group, "launcher": self.launcher, "instance_types": list(self.instance_types),
                "launcher_value": self.launcher_value, "recommended": self.recommended, "set_value": self.set_value,
                "how": self.how, "derivation": list(self.derivation)}


def max_pods_gap(kubelet: int, addressable: int | None, ceiling: int, needed: int, ordinary: int,
                 security_group_pods_fit: bool = True) -> str | None:
    """How a launcher's max pods misses the node: ``"above"``, ``"held-back"`` or None.

    ``"above"``: the kubelet admits more pods than ipamd can address (``kubelet > addressable``),
    so a node packed to its max pods leaves pods in ContainerCreating. ``"held-back"``: pods that
    the node could address (``ordinary <= addressable``, within the ``ceiling``) wait in Pending
    because ``kubelet < needed``. ``needed`` counts every pod of a node, the host-network ones
    included; ``ordinary``, those that need an address from ipamd (and the host-network ones).
    """
    if addressable is not None and kubelet > addressable:
        return "above"
    fits = addressable is None or ordinary <= addressable
    if kubelet < needed <= ceiling and fits and security_group_pods_fit:
        return "held-back"
    return None


def _cap(types: list[InstanceType]) -> int:
    """One ceiling for a group: 250 only if every type has more than 30 vCPUs."""
    return min(recommended_ceiling(it.vcpus) for it in types)


def nodeadm_expression(cni: CniConfig, *, excluded: bool, trunk: bool, cap: int) -> str:
    """A nodeadm ``maxPodsExpression`` for ``cni``: ipamd's addressable pods, capped at ``cap``.

    ``excluded``: the primary ENI carries no pod addresses; ``trunk``: one ENI slot is the trunk's.
    """
    if cni.ipv6:
        return str(cap)
    enis = "default_enis"
    if cni.max_eni:
        enis = f"(default_enis < {cni.max_eni} ? default_enis : {cni.max_eni})"
    less = (1 if excluded else 0) + (1 if trunk else 0)
    per_eni = f"((ips_per_eni - 1) * {IPS_PER_PREFIX})" if cni.prefix_mode else "(ips_per_eni - 1)"
    usable = f"({enis} - {less})" if less else enis
    pods = f"{usable} * {per_eni} + {HOST_NETWORK_PODS}"
    capped = f"{pods} < {cap} ? {pods} : {cap}"
    if less:  # no ENI left for pods: only the host-network pods run
        return f"{enis} > {less} ? ({capped}) : {HOST_NETWORK_PODS}"
    return capped


def expression_value(it: InstanceType, cni: CniConfig, *, excluded: bool, trunk: bool, cap: int) -> int:
    """What :func:`nodeadm_expression` evaluates to on ``it``, computed from eksplan's own model."""
    if cni.ipv6:
        return cap
    capacity = node_capacity(it, cni, primary_excluded=excluded)
    ip_enis = capacity.ip_enis + (1 if capacity.trunk_slot else 0) - (1 if trunk else 0)
    per_eni = (it.ipv4_per_eni - 1) * (IPS_PER_PREFIX if cni.prefix_mode else 1)
    return min(ip_enis * per_eni + HOST_NETWORK_PODS, cap)


def _recommended(it: InstanceType, cni: CniConfig, excluded: bool) -> int:
    capacity = node_capacity(it, cni, primary_excluded=excluded)
    ceiling = recommended_ceiling(it.vcpus)
    return ceiling if capacity.addressable is None else min(capacity.addressable, ceiling)


def _nodeconfig(spec, group, expression: str) -> dict:
    """A complete NodeConfig: a node launched from its own AMI gets no cluster details from EKS."""
    return {"apiVersion": NODEADM_API, "kind": "NodeConfig", "metadata": {"name": group.name},
            "spec": {"cluster": {"name": spec.name,
                                 "apiServerEndpoint": "<aws eks describe-cluster --query cluster.endpoint>",
                                 "certificateAuthority": "<aws eks describe-cluster --query "
                                                         "cluster.certificateAuthority.data>",
                                 "cidr": "<aws eks describe-cluster --query "
                                         "cluster.kubernetesNetworkConfig.serviceIpv4Cidr>"},
                     "kubelet": {"maxPodsExpression": expression}}}


def _nodeclass(spec, group, value: int) -> dict:
    def discovery():
        return [{"tags": {"karpenter.sh/discovery": spec.name}}]

    return {"apiVersion": KARPENTER_API, "kind": "EC2NodeClass", "metadata": {"name": group.name},
            "spec": {"role": "<node IAM role name>", "amiSelectorTerms": [{"alias": "al2023@latest"}],
                     "subnetSelectorTerms": discovery(), "securityGroupSelectorTerms": discovery(),
                     "kubelet": {"maxPods": value}}}


def max_pods_plans(spec, proposed: CniConfig, catalog: Catalog, *, excluded_of=None) -> tuple[MaxPodsPlan, ...]:
    """The max-pods plan of every Linux node group of ``spec`` under the ``proposed`` CNI configuration.

    ``excluded_of(group, cni)`` says whether a group's primary ENI carries no pod addresses
    (default: custom networking only).
    """
    out = []
    for group in spec.node_groups:
        if group.os == "windows":
            continue
        launcher = spec.launcher(group)
        cni = CniConfig(ipv6=spec.ipv6, auto_mode=True) if launcher == "auto-mode" else proposed
        excluded = excluded_of(group, cni) if excluded_of else cni.custom_networking_in_force
        types = [catalog.get(name) for name in group.instance_types]
        kubelet = group_max_pods(group.instance_types, launcher, cni, override=group.max_pods,
                                 reserved_enis=spec.karpenter.reserved_enis, custom_ami=group.custom_ami,
                                 catalog=catalog)
        launcher_value = min(m.value for m in kubelet.values())
        smallest = min(types, key=lambda it: (_recommended(it, cni, excluded), it.name))
        recommended = _recommended(smallest, cni, excluded)
        capacity = node_capacity(smallest, cni, primary_excluded=excluded)
        needed = group.pods_per_node + group.security_group_pods_per_node + HOST_NETWORK_PODS
        sg_fit = group.security_group_pods_per_node <= capacity.branch_enis or not group.security_group_pods_per_node
        gap = max_pods_gap(launcher_value, capacity.addressable, recommended_ceiling(smallest.vcpus), needed,
                           group.pods_per_node + HOST_NETWORK_PODS, sg_fit)
        steps = [f"{LAUNCHER_NAMES[launcher]} gives the kubelet {launcher_value} "
                 f"({', '.join(f'{n} {m.value}' for n, m in kubelet.items())})",
                 f"the nodes should run at most {recommended}: what ipamd can address, within the 110/250 ceiling"
                 + (f", on the group's smallest type ({smallest.name})" if len(types) > 1 else "")]
        objects: tuple = ()
        set_value = None
        if gap is None:
            how = f"nothing to set: {LAUNCHER_NAMES[launcher]} sets {launcher_value}, which the nodes' pods fit"
        elif launcher == "auto-mode":
            how = max_pods_setting(launcher, recommended)
        else:
            set_value = recommended
            how, objects = _setting(spec, group, launcher, cni, types, excluded, recommended)
            how = ("lower max pods to what ipamd can address: " if gap == "above" else
                   f"raise max pods for the {needed} pods each node needs: ") + how
        steps.append(how)
        out.append(MaxPodsPlan(group.name, launcher, tuple(group.instance_types), launcher_value, recommended,
                               set_value, how, objects, tuple(steps)))
    return tuple(out)


def _setting(spec, group, launcher, cni, types, excluded, recommended) -> tuple[str, tuple]:
    if launcher in ("managed", "nodeadm"):
        trunks = {node_capacity(it, cni, primary_excluded=excluded).trunk_slot for it in types}
        cap = _cap(types)
        if len(trunks) == 1:
            expression = nodeadm_expression(cni, excluded=excluded, trunk=trunks.pop(), cap=cap)
        else:
            expression = str(recommended)  # a mix of trunk-capable types: one safe number
        how = (f"nodeadm maxPodsExpression {expression!r} (evaluates to {recommended} on "
               f"{min(types, key=lambda t: t.ipv4_per_eni * t.enis).name})")
        if launcher == "managed":
            how += "; in the launch template of a managed node group with an AMI ID"
        return how, (("yaml", _nodeconfig(spec, group, expression)),)
    if launcher == "karpenter":
        reserved = _reserved_enis(types, cni, excluded)
        if reserved is not None and reserved != spec.karpenter.reserved_enis:
            return (f"Karpenter's Helm value settings.reservedENIs: \"{reserved}\" (each type's ENIs minus {reserved}; "
                    "it applies to every NodePool)", (("yaml", {"settings": {"reservedENIs": str(reserved)}}),))
        return max_pods_setting(launcher, recommended), (("yaml", _nodeclass(spec, group, recommended)),)
    # bottlerocket
    return max_pods_setting(launcher, recommended), (("toml", {"settings": {"kubernetes": {"max-pods": recommended}}}),)


def _reserved_enis(types, cni: CniConfig, excluded: bool) -> int | None:
    """Karpenter's RESERVED_ENIS that gives every type exactly what ipamd addresses (secondary IP only)."""
    if cni.prefix_mode or cni.ipv6:
        return None
    wanted = set()
    for it in types:
        capacity = node_capacity(it, cni, primary_excluded=excluded)
        if capacity.addressable is None or capacity.addressable > recommended_ceiling(it.vcpus):
            return None  # the 110/250 ceiling, not the ENIs, sets the figure
        wanted.add(it.enis - capacity.ip_enis)
    return wanted.pop() if len(wanted) == 1 else None
