"""Max pods as each node launcher gives it to the kubelet -- not what ipamd can address.

The kubelet's ``maxPods`` is written by whatever launches the node, and each launcher has its
own rule. Read in the launchers' own source and documentation:

``managed`` -- an EKS managed node group with an EKS AMI (no AMI ID in its launch template)
    EKS runs amazon-eks-ami's ``max-pods-calculator.sh`` with the cluster's VPC CNI version,
    prefix delegation and custom networking, and caps the result at 110 (up to 30 vCPUs) or 250;
    one value for the group, the lowest of its types. EKS user guide,
    ``create-managed-node-group.adoc`` and ``eks-networking-add-ons.adoc`` (awsdocs/amazon-eks-user-guide
    @ 4d52b4d05e34): "Managed node groups enforces a maximum number on the value of maxPods ...
    applied whether prefix delegation is enabled or not". The calculator:
    awslabs/amazon-eks-ami @ 0ab842803d82, ``templates/al2/runtime/max-pods-calculator.sh`` L97-162.
    With an AMI ID in the launch template (``custom_ami``), EKS injects nothing and the AMI's own
    bootstrap decides (nodeadm on AL2023).

``nodeadm`` -- a self-managed AL2023 node
    ``ENIs of the default card x (IPv4 per ENI - 1) + 2`` from its instance-info cache, no ceiling,
    nothing from the CNI or the IP family. awslabs/amazon-eks-ami @ 81fec2e89585,
    ``nodeadm/internal/kubelet/eni_max_pods.go`` L54-77 (``CalcMaxPods``) and ``config.go`` L274-288.
    ``spec.kubelet.config.maxPods`` overrides it, and so does ``spec.kubelet.maxPodsExpression``
    (CEL over ``default_enis``, ``ips_per_eni`` and ``max_pods``; no ``min``/``max``).

``karpenter`` -- Karpenter v1 (AL2023 or Bottlerocket AMI families)
    ``(ENIs of the default card - RESERVED_ENIS - EFA-only interfaces) x (IPv4 per ENI - 1) + 2``, no
    ceiling, ignoring prefix delegation, custom networking, security groups for pods and IPv6;
    the EC2NodeClass's ``spec.kubelet.maxPods`` overrides it. aws/karpenter-provider-aws @ v1.14.1
    (bde00654cd31), ``pkg/providers/instancetype/types.go`` L485-505 (``ENILimitedPods``) and
    L576-591 (``pods``); ``RESERVED_ENIS`` in ``pkg/operator/options/options.go`` L60.

``auto-mode`` -- EKS Auto Mode
    "the lower of: 110 pods hard cap; the result of the max pods calculation", whatever the vCPUs
    (EKS user guide ``choosing-instance-type.adoc`` L112-117, ``automode/create-node-class.adoc``
    L104). Auto Mode assigns /28 prefixes (falling back to single addresses), so eksplan takes the
    prefix-delegation figure; AWS does not say which figure it uses, and the derivation says so.

``bottlerocket`` -- a self-managed Bottlerocket node
    its shipped ``eni-max-pods`` table, or the kubelet template's default 110 for a type the table
    lacks (bottlerocket-os/bottlerocket-core-kit ``sources/api/pluto/src/main.rs`` L140-181 and
    ``packages/kubernetes-1.31/kubelet-config`` L151 @ a10182f974ab); ``settings.kubernetes.max-pods``
    overrides it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, replace

from .catalog import Catalog, InstanceType, load_catalog
from .catalog.bottlerocket import load_bottlerocket_table
from .cni import CniConfig
from .errors import MaxPodsError
from .maxpods import CEILING_LOW_CPU, HOST_NETWORK_PODS, max_pods

__all__ = ["LAUNCHERS", "LAUNCHER_NAMES", "LauncherMaxPods", "launcher_max_pods", "group_max_pods", "AUTO_MODE_CAP",
           "secondary_ip_default", "max_pods_setting"]

LAUNCHERS = ("managed", "nodeadm", "karpenter", "auto-mode", "bottlerocket")
LAUNCHER_NAMES = {
    "managed": "EKS managed node group",
    "nodeadm": "nodeadm (self-managed AL2023)",
    "karpenter": "Karpenter",
    "auto-mode": "EKS Auto Mode",
    "bottlerocket": "Bottlerocket (self-managed)",
}
AUTO_MODE_CAP = 110
BOTTLEROCKET_DEFAULT = 110

#: What each launcher does not read from the VPC CNI, by the setting's name.
_IGNORES = {
    "managed": ("security groups for pods",),
    "nodeadm": ("prefix delegation", "custom networking", "security groups for pods", "MAX_ENI", "IPv6"),
    "karpenter": ("prefix delegation", "custom networking", "security groups for pods", "MAX_ENI", "IPv6"),
    "auto-mode": ("every aws-node setting: Auto Mode runs its own VPC CNI",),
    "bottlerocket": ("prefix delegation", "custom networking", "security groups for pods", "MAX_ENI", "IPv6"),
}


@dataclass(frozen=True)
class LauncherMaxPods:
    """The kubelet max pods one launcher sets on one instance type, and how."""

    launcher: str
    instance_type: str
    value: int
    default: int
    override: int | None
    ignored: tuple[str, ...]
    derivation: tuple[str, ...]

    def explain(self) -> str:
        return "\n".join(self.derivation)

    def to_dict(self) -> dict:
        record = asdict(self)
        record["ignored"] = list(self.ignored)
        record["derivation"] = list(self.derivation)
        return record


def secondary_ip_default(it: InstanceType, reserved_enis: int = 0) -> tuple[int, str]:
    """``(ENIs of the default card - reserved) x (IPv4 per ENI - 1) + 2``, as nodeadm and Karpenter compute it."""
    enis = max(it.enis - reserved_enis, 0)
    value = enis * (it.ipv4_per_eni - 1) + HOST_NETWORK_PODS if enis else 0
    head = f"({it.enis} - {reserved_enis} reserved)" if reserved_enis else f"{it.enis}"
    return value, f"{head} x ({it.ipv4_per_eni} - 1) + {HOST_NETWORK_PODS} = {value}"


def _used(cni: CniConfig) -> tuple[str, ...]:
    """The CNI settings in ``cni`` that change what ipamd can address."""
    out = []
    if cni.prefix_delegation and not cni.ipv6:
        out.append("prefix delegation")
    if cni.custom_networking_in_force:
        out.append("custom networking")
    if cni.pod_eni:
        out.append("security groups for pods")
    if cni.max_eni:
        out.append("MAX_ENI")
    if cni.ipv6:
        out.append("IPv6")
    return tuple(out)


def launcher_max_pods(
    instance: InstanceType | str,
    launcher: str,
    cni: CniConfig = CniConfig(),
    *,
    override: int | None = None,
    reserved_enis: int = 0,
    custom_ami: bool = False,
    catalog: Catalog | None = None,
) -> LauncherMaxPods:
    """The max pods ``launcher`` gives the kubelet on ``instance`` by default, or ``override``.

    Parameters
    ----------
    launcher
        One of :data:`LAUNCHERS`.
    cni
        The cluster's VPC CNI configuration (read only by ``managed``).
    override
        A max pods set by the user where the launcher takes one: Karpenter's EC2NodeClass
        ``spec.kubelet.maxPods``, nodeadm's ``kubelet.config.maxPods``, Bottlerocket's
        ``settings.kubernetes.max-pods``, a managed node group's launch template.
    reserved_enis
        Karpenter's ``RESERVED_ENIS`` (``settings.reservedENIs`` in its Helm chart).
    custom_ami
        A managed node group whose launch template names an AMI: EKS sets no max pods, the AMI's
        bootstrap does (nodeadm's rule).
    """
    if launcher not in LAUNCHERS:
        raise MaxPodsError(f"launcher: {launcher!r} must be one of {', '.join(LAUNCHERS)}")
    if override is not None and (isinstance(override, bool) or not isinstance(override, int) or override < 1):
        raise MaxPodsError(f"max pods: {override!r} must be a whole number >= 1")
    it = instance if isinstance(instance, InstanceType) else (catalog or load_catalog()).get(instance)
    name = LAUNCHER_NAMES[launcher]
    steps = [f"{it.name}: {it.enis} ENIs on the default card, {it.ipv4_per_eni} IPv4 addresses per ENI, "
             f"{it.vcpus} vCPU{'s' if it.vcpus != 1 else ''}; launched by {name}"]
    rule = launcher
    if launcher == "managed" and custom_ami:
        steps.append("the launch template names an AMI: EKS sets no max pods, the AMI's nodeadm does")
        rule = "nodeadm"

    if rule == "managed":
        calc = max_pods(it, **{**cni.max_pods_options(), "security_groups_for_pods": False})
        steps.append("EKS runs max-pods-calculator.sh with the cluster's VPC CNI settings:")
        steps.extend(f"  {line}" for line in calc.derivation[1:-1])
        default = calc.value
        if calc.fallback:
            steps.append(f"  ({calc.fallback})")
    elif rule in ("nodeadm", "karpenter"):
        reserved = reserved_enis if rule == "karpenter" else 0
        default, text = secondary_ip_default(it, reserved)
        source = ("Karpenter's ENI-limited pods" + (f" with RESERVED_ENIS={reserved}" if reserved else "")
                  if rule == "karpenter" else "nodeadm's standard max pods")
        steps.append(f"{source}: {text} (no ceiling)")
    elif rule == "auto-mode":
        calc = max_pods(it, prefix_delegation=True, show_max_allowed=True)
        default = min(calc.formula_value, AUTO_MODE_CAP)
        formula = next(line for line in calc.derivation if line.startswith(("prefix delegation:", "secondary IP:")))
        steps.append(f"Auto Mode assigns /28 prefixes, so eksplan takes the prefix figure (AWS does not say which "
                     f"figure it caps): {formula.split(': ', 1)[1]}" if calc.mode == "prefix-delegation" else
                     f"{calc.fallback}: secondary-IP figure {formula.split(': ', 1)[1]}")
        steps.append(f"Auto Mode caps it at {AUTO_MODE_CAP} whatever the vCPUs: min({calc.formula_value}, "
                     f"{AUTO_MODE_CAP}) = {default}")
    else:  # bottlerocket
        table = load_bottlerocket_table()
        listed = table.get(it.name)
        if listed is None:
            default = BOTTLEROCKET_DEFAULT
            steps.append(f"{it.name} is not in Bottlerocket's eni-max-pods table ({table.provenance()}): the "
                         f"kubelet template's default {BOTTLEROCKET_DEFAULT} applies")
        else:
            default = listed
            steps.append(f"Bottlerocket's eni-max-pods table ({table.provenance()}): {listed}")

    ignored = _used(cni) if rule == "auto-mode" else tuple(x for x in _used(cni) if x in _IGNORES[rule])
    if ignored:
        steps.append(f"{name} does not read: {', '.join(ignored)}")
    value = default
    if override is not None:
        if rule == "managed":
            ceiling = max_pods(it).ceiling or CEILING_LOW_CPU
            value = min(override, ceiling)
            steps.append(f"max pods {override} set in the launch template; EKS enforces its cap of {ceiling}: "
                         f"{value}")
        elif rule == "auto-mode":
            raise MaxPodsError("EKS Auto Mode has no max-pods setting (its NodeClass has no kubelet block)")
        else:
            value = override
            steps.append(f"max pods set explicitly: {override} (the default {default} is not used)")
    steps.append(f"kubelet max pods = {value}")
    return LauncherMaxPods(launcher, it.name, value, default, override, ignored, tuple(steps))


#: Launchers that write one max pods for a whole node group (its lowest type's); the others set
#: each node's from its own instance type.
ONE_VALUE_PER_GROUP = ("managed",)


def group_max_pods(instance_types, launcher: str, cni: CniConfig = CniConfig(), *, override: int | None = None,
                   reserved_enis: int = 0, custom_ami: bool = False,
                   catalog: Catalog | None = None) -> dict[str, LauncherMaxPods]:
    """The kubelet max pods of each instance type of a node group, as its launcher sets them.

    A managed node group (without a custom AMI) applies one value to every node, the lowest of
    its types ("the smallest value calculated across all instance types is applied", EKS user
    guide ``create-managed-node-group.adoc``); Karpenter, nodeadm and Bottlerocket compute each
    node's own.
    """
    catalog = catalog or load_catalog()
    members = {name: launcher_max_pods(catalog.get(name), launcher, cni, override=override,
                                       reserved_enis=reserved_enis, custom_ami=custom_ami, catalog=catalog)
               for name in instance_types}
    if launcher in ONE_VALUE_PER_GROUP and not custom_ami and len(members) > 1:
        lowest = min(members.values(), key=lambda m: (m.value, m.instance_type))
        values = ", ".join(f"{m.instance_type} {m.value}" for m in members.values())
        line = f"one value for the node group, its lowest: min({values}) = {lowest.value}"
        members = {name: replace(m, value=lowest.value, derivation=m.derivation[:-1] + (line, f"kubelet max pods = {lowest.value}"))
                   for name, m in members.items()}
    return members


def max_pods_setting(launcher: str, value: int, custom_ami: bool = False) -> str:
    """Where and how to set max pods ``value`` for nodes of ``launcher``, in one phrase."""
    if launcher == "managed" and not custom_ami:
        return (f"give the managed node group a launch template with an AMI ID and a nodeadm NodeConfig whose "
                f"maxPodsExpression gives {value} (EKS sets max pods itself otherwise)")
    if launcher in ("managed", "nodeadm"):
        return f"set spec.kubelet.maxPodsExpression to give {value} in the nodes' nodeadm NodeConfig"
    if launcher == "karpenter":
        return f"set spec.kubelet.maxPods: {value} in the NodePool's EC2NodeClass"
    if launcher == "bottlerocket":
        return f"set settings.kubernetes.max-pods = {value} in the nodes' Bottlerocket user data"
    return "EKS Auto Mode has no max-pods setting: change the instance types or the pods per node"
