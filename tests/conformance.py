"""Validators of generated configuration against the upstream schemas (``reference/upstream/``).

Each ``check_*`` function is pure: it takes a generated value and the upstream facts it must
conform to, and returns human-readable violations (empty when valid), each naming the object and
the JSON path. :func:`load_upstream` reads the upstream folder once; :func:`check_artifacts`
walks eksplan's artifacts and dispatches every object in them to the right check.

What each check encodes, and what it does not:

* Kubernetes objects of a kind with a CRD in the folder: JSON Schema over the CRD version's
  ``openAPIV3Schema``, converted so that unknown fields are rejected as kubectl's strict field
  validation rejects them (``additionalProperties: false`` on every object schema with
  ``properties``, unless ``x-kubernetes-preserve-unknown-fields: true``). CEL rules
  (``x-kubernetes-validations``) are NOT evaluated, nor are ``format``s (int32, byte, date-time).
* core ``v1`` Service and ``networking.k8s.io/v1`` Ingress (no CRD): a small hand-written check of
  what the API server's validation requires (kubernetes/kubernetes
  ``pkg/apis/core/validation/validation.go`` ``ValidateService``,
  ``pkg/apis/networking/validation/validation.go`` ``validateIngressSpec``).
* ``metadata`` of every object sent to the API server: ``ValidateObjectMeta``'s name rules and
  string maps, and no fields outside ObjectMeta.
* The EKS add-on's ``configurationValues``: the published JSON Schema (draft 6), its custom
  ``boolean``/``integer`` string formats checked as their names say.
* aws-node variables: name, type, closed set of values and the version that added (or
  deprecated) each, as the VPC CNI README lists them.
* Karpenter Helm values: every key exists in the chart's ``values.yaml``, with the default's type.
"""

from __future__ import annotations

import copy
import difflib
import json
import posixpath
import re
import shlex
import tomllib
from dataclasses import dataclass
from pathlib import Path

import yaml
from jsonschema import Draft7Validator, FormatChecker, validators

__all__ = [
    "Upstream", "Variable", "Word", "load_upstream", "load_crds", "parse_readme_variables", "structural",
    "check_object", "check_metadata", "check_service", "check_ingress", "check_network_attachment",
    "addon_schema_for", "check_addon_configuration", "check_aws_node_env", "check_set_env", "check_helm_values",
    "shell_words", "check_quoted", "check_artifacts",
]

ADDON_SCHEMA = "vpc-cni-addon-configuration.v1.15.1-eksbuild.1.schema.json"
CNI_README = "amazon-vpc-cni-k8s.README.md"
KARPENTER_VALUES = "karpenter.values.v1.14.1.yaml"
AWS_NODE = "aws-node.daemonset.yaml"


# -- the upstream folder ----------------------------------------------------------------------


@dataclass(frozen=True)
class Variable:
    """One aws-node variable of the VPC CNI README."""

    name: str
    type: str  # "boolean", "integer" or "string"
    since: tuple[int, ...] | None = None
    deprecated: tuple[int, ...] | None = None
    values: tuple[str, ...] | None = None  # a closed set of valid values, if the README gives one
    ignore_case: bool = False


class Upstream:
    """The upstream facts, read once (a plain class: test reports show its short repr)."""

    def __init__(self, crds: dict, addon_schema: dict, variables: dict, karpenter_values: dict, aws_node: dict):
        self.crds = crds  # (group, kind) -> CRD document
        self.addon_schema = addon_schema
        self.variables = variables  # name -> Variable
        self.karpenter_values = karpenter_values
        self.aws_node = aws_node  # the aws-node DaemonSet

    def __repr__(self) -> str:
        return f"Upstream({len(self.crds)} CRDs, {len(self.variables)} aws-node variables)"


def load_upstream(folder: Path) -> Upstream:
    return Upstream(
        crds=load_crds(folder),
        addon_schema=json.loads((folder / ADDON_SCHEMA).read_text()),
        variables=parse_readme_variables((folder / CNI_README).read_text()),
        karpenter_values=yaml.safe_load((folder / KARPENTER_VALUES).read_text()),
        aws_node=yaml.safe_load((folder / AWS_NODE).read_text()),
    )


def load_crds(folder: Path) -> dict:
    """Every CustomResourceDefinition of the folder's YAML files, by (group, kind)."""
    crds = {}
    for path in sorted(folder.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if isinstance(doc, dict) and doc.get("kind") == "CustomResourceDefinition":
                crds[(doc["spec"]["group"], doc["spec"]["names"]["kind"])] = doc
    return crds


def _version(text: str) -> tuple[int, ...]:
    return tuple(int(part) for part in re.match(r"v?(\d+(?:\.\d+)*)", text).group(1).split("."))


_TYPES = {"Boolean as a String": "boolean", "Integer as a String": "integer", "Integer": "integer", "String": "string"}
_HEADING = re.compile(r"#### `(?P<name>[A-Za-z0-9_]+)`(?: \((?P<note>[^)]*)\))?\s*")


def parse_readme_variables(text: str) -> dict[str, Variable]:
    """The README's "CNI Configuration Variables" section: ``#### `NAME` (v1.9.0+)`` headings,
    each followed by ``Type:``, ``Default:`` and sometimes ``Valid Values:`` lines."""
    section = text.split("## CNI Configuration Variables", 1)[1].split("\n## ", 1)[0]
    out: dict[str, Variable] = {}
    for block in re.split(r"\n(?=#### )", section)[1:]:
        heading, _, body = block.partition("\n")
        match = _HEADING.fullmatch(heading)
        if match is None:
            raise ValueError(f"unexpected variable heading {heading!r}")
        note = match["note"] or ""
        since = re.search(r"(?:^|introduced in )(v\d+\.\d+\.\d+)", note)
        deprecated = re.search(r"deprecated (?:in )?(v\d+\.\d+\.\d+)", note)
        kind = re.search(r"^Type: (.+?)\s*$", body, re.M)
        if kind is None or kind[1] not in _TYPES:
            raise ValueError(f"{match['name']}: no known 'Type:' line ({kind[1] if kind else None!r})")
        values = re.search(r"^Valid Values: (.+)$", body, re.M)
        closed = None
        if values:
            rest = re.sub(r"`[^`]*`", "", values[1]).replace("(Not case sensitive)", "")
            closed = tuple(re.findall(r"`([^`]*)`", values[1])) if not re.sub(r"[\s,.]", "", rest) else None
        out[match["name"]] = Variable(match["name"], _TYPES[kind[1]], since and _version(since[1]),
                                      deprecated and _version(deprecated[1]), closed,
                                      bool(values) and "Not case sensitive" in values[1])
    return out


# -- JSON paths and messages --------------------------------------------------------------------


def _path(parts) -> str:
    out = ""
    for part in parts:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(root)"


def _join(path: str, key) -> str:
    if path == "(root)":
        return _path([key])
    return path + (f"[{key}]" if isinstance(key, int) else f".{key}")


def _suggest(name: str, known) -> str:
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.8)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _schema_errors(validator, instance, where: str) -> list[str]:
    out = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: (list(map(str, e.absolute_path)), e.message)):
        path = _path(error.absolute_path)
        if error.validator == "additionalProperties" and error.validator_value is False:
            known = error.schema.get("properties", {})
            patterns = error.schema.get("patternProperties", {})
            for key in error.instance:
                if key not in known and not any(re.search(p, key) for p in patterns):
                    out.append(f"{where}: {_join(path, key)}: unknown field{_suggest(key, known)}")
        elif error.validator == "required":
            missing = re.match(r"'(.*)' is a required property", error.message)
            out.append(f"{where}: {_join(path, missing[1]) if missing else path}: required field missing")
        else:
            out.append(f"{where}: {path}: {error.message}")
    return out


# -- Kubernetes objects ----------------------------------------------------------------------


def structural(schema: dict, *, raw_extensions: bool = False) -> dict:
    """An ``openAPIV3Schema`` as JSON Schema that rejects unknown fields, as strict validation does.

    ``raw_extensions``: a schema of ``type: object`` with preserved unknown fields and no
    properties (how controller-gen renders ``runtime.RawExtension``) accepts any JSON value, as Go
    decoding does -- for objects that a program, not the API server, reads (nodeadm's NodeConfig).
    """
    # CEL rules (x-kubernetes-validations) are dropped, not evaluated: plain JSON Schema has no CEL.
    # A null stays an error where the schema is not nullable (the API server would prune it):
    # a generated null is a value the generator failed to fill in.
    node = {k: v for k, v in schema.items() if k not in ("description", "x-kubernetes-validations")}
    preserve = node.pop("x-kubernetes-preserve-unknown-fields", False)
    if raw_extensions and preserve and node.get("type") == "object" and "properties" not in node:
        return {}
    if node.pop("x-kubernetes-int-or-string", False):
        node.pop("anyOf", None)
        node["type"] = ["integer", "string"]
    if node.pop("nullable", False) and "type" in node:
        node["type"] = [*(node["type"] if isinstance(node["type"], list) else [node["type"]]), "null"]
        if "enum" in node:
            node["enum"] = [*node["enum"], None]
    for key in ("properties", "patternProperties"):
        if key in node:
            node[key] = {name: structural(sub, raw_extensions=raw_extensions) for name, sub in node[key].items()}
    for key in ("additionalProperties", "items", "not"):
        if isinstance(node.get(key), dict):
            node[key] = structural(node[key], raw_extensions=raw_extensions)
    for key in ("anyOf", "allOf", "oneOf"):
        if key in node:
            node[key] = [structural(sub, raw_extensions=raw_extensions) for sub in node[key]]
    if "properties" in node and "additionalProperties" not in node and not preserve:
        node["additionalProperties"] = False
    return node


#: Objects that a program reads rather than the API server: nodeadm decodes NodeConfig itself
#: (``kubelet.config`` values are ``runtime.RawExtension``: any JSON) and ignores its metadata.
NOT_API_OBJECTS = {("node.eks.aws", "NodeConfig")}
OBJECT_META = {"name", "generateName", "namespace", "labels", "annotations", "ownerReferences", "finalizers", "uid",
               "resourceVersion", "generation", "creationTimestamp", "deletionTimestamp",
               "deletionGracePeriodSeconds", "managedFields", "selfLink"}
DNS_SUBDOMAIN = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*")
DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]*[a-z0-9])?")
DNS_1035_LABEL = re.compile(r"[a-z]([-a-z0-9]*[a-z0-9])?")
QUALIFIED_NAME = re.compile(r"([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]")
LABEL_VALUE = re.compile(r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?")


def _key(key) -> bool:
    """A qualified name: an optional DNS-subdomain prefix and ``/``, then a name of 63 characters."""
    if not isinstance(key, str):
        return False
    prefix, _, name = key.rpartition("/")
    return (not prefix or (len(prefix) <= 253 and bool(DNS_SUBDOMAIN.fullmatch(prefix)))) and \
        len(name) <= 63 and bool(QUALIFIED_NAME.fullmatch(name))


def check_metadata(obj: dict, where: str) -> list[str]:
    """``ValidateObjectMeta``: a name (DNS-1123 subdomain; DNS-1035 label for a Service), string maps."""
    meta = obj.get("metadata")
    if not isinstance(meta, dict):
        return [f"{where}: metadata: required object missing"]
    out = [f"{where}: metadata.{key}: unknown field" for key in meta if key not in OBJECT_META]
    name = meta.get("name")
    service = obj.get("kind") == "Service" and obj.get("apiVersion") == "v1"
    pattern, limit, rule = ((DNS_1035_LABEL, 63, "a DNS-1035 label") if service
                            else (DNS_SUBDOMAIN, 253, "a DNS-1123 subdomain"))
    if name is None and not meta.get("generateName"):
        out.append(f"{where}: metadata.name: required field missing")
    elif name is not None and not (isinstance(name, str) and len(name) <= limit and pattern.fullmatch(name)):
        out.append(f"{where}: metadata.name: {name!r} is not {rule} (lower-case letters, digits, '-'; at most {limit})")
    namespace = meta.get("namespace")
    if namespace is not None and not (isinstance(namespace, str) and DNS_LABEL.fullmatch(namespace)):
        out.append(f"{where}: metadata.namespace: {namespace!r} is not a DNS-1123 label")
    for field in ("labels", "annotations"):
        values = meta.get(field, {})
        if not isinstance(values, dict):
            out.append(f"{where}: metadata.{field}: {values!r} is not a map of strings")
            continue
        for key, value in values.items():
            if not _key(key):
                out.append(f"{where}: metadata.{field}[{key!r}]: not a qualified name ([prefix/]name)")
            if not isinstance(value, str):
                out.append(f"{where}: metadata.{field}[{key!r}]: {value!r} is not a string")
            elif field == "labels" and not (len(value) <= 63 and LABEL_VALUE.fullmatch(value)):
                out.append(f"{where}: metadata.labels[{key!r}]: {value!r} is not a valid label value")
    return out


def _group_version(api_version: str) -> tuple[str, str]:
    group, _, version = api_version.rpartition("/")
    return group, version


def check_object(obj: dict, crds: dict, where: str) -> list[str]:
    """A Kubernetes object against its CRD (or the built-in checks for Service and Ingress)."""
    api_version, kind = obj.get("apiVersion"), obj.get("kind")
    if not isinstance(api_version, str) or not isinstance(kind, str):
        return [f"{where}: apiVersion and kind must both be strings (got {api_version!r}, {kind!r})"]
    group, version = _group_version(api_version)
    out = [] if (group, kind) in NOT_API_OBJECTS else check_metadata(obj, where)
    if (api_version, kind) in BUILT_IN:
        return out + BUILT_IN[(api_version, kind)](obj, where)
    crd = crds.get((group, kind))
    if crd is None:
        return out + [f"{where}: no schema for {kind} in {api_version}: no CRD of the upstream folder defines it"]
    served = {v["name"]: v for v in crd["spec"]["versions"]}
    if version not in served or not served[version].get("served", True):
        return out + [f"{where}: apiVersion: {api_version!r} is not served by the {kind} CRD "
                      f"(versions: {', '.join(n for n, v in served.items() if v.get('served', True))})"]
    schema = structural(served[version]["schema"]["openAPIV3Schema"], raw_extensions=(group, kind) in NOT_API_OBJECTS)
    schema.setdefault("properties", {})["metadata"] = {"type": "object"}
    return out + _schema_errors(Draft7Validator(schema), obj, where)


def _fields(spec: dict, known: set, where: str, path: str) -> list[str]:
    return [f"{where}: {path}.{key}: unknown field{_suggest(key, known)}" for key in spec if key not in known]


TOP_LEVEL = {"apiVersion", "kind", "metadata", "spec", "status"}
SERVICE_SPEC = {"allocateLoadBalancerNodePorts", "clusterIP", "clusterIPs", "externalIPs", "externalName",
                "externalTrafficPolicy", "healthCheckNodePort", "internalTrafficPolicy", "ipFamilies", "ipFamilyPolicy",
                "loadBalancerClass", "loadBalancerIP", "loadBalancerSourceRanges", "ports", "publishNotReadyAddresses",
                "selector", "sessionAffinity", "sessionAffinityConfig", "trafficDistribution", "type"}
SERVICE_PORT = {"appProtocol", "name", "nodePort", "port", "protocol", "targetPort"}


def check_service(obj: dict, where: str) -> list[str]:
    """What ``ValidateService`` requires of a v1 Service (type, ports, IP families)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [f"{where}: spec: required object missing"]
    out = [f"{where}: {key}: unknown field" for key in obj if key not in TOP_LEVEL]
    out += _fields(spec, SERVICE_SPEC, where, "spec")
    kind = spec.get("type", "ClusterIP")
    if kind not in ("ClusterIP", "NodePort", "LoadBalancer", "ExternalName"):
        out.append(f"{where}: spec.type: {kind!r} is not one of ClusterIP, NodePort, LoadBalancer, ExternalName")
    headless = spec.get("clusterIP") == "None"
    if kind == "LoadBalancer" and headless:
        out.append(f"{where}: spec.clusterIP: may not be 'None' for a LoadBalancer Service")
    if kind == "ExternalName" and not spec.get("externalName"):
        out.append(f"{where}: spec.externalName: required for an ExternalName Service")
    ports = spec.get("ports") or []
    if not ports and kind != "ExternalName" and not headless:
        out.append(f"{where}: spec.ports: required: a {kind} Service needs at least one port")
    for i, port in enumerate(ports):
        at = f"spec.ports[{i}]"
        if not isinstance(port, dict):
            out.append(f"{where}: {at}: {port!r} is not an object")
            continue
        out += _fields(port, SERVICE_PORT, where, at)
        number = port.get("port")
        if not (isinstance(number, int) and not isinstance(number, bool) and 1 <= number <= 65535):
            out.append(f"{where}: {at}.port: {number!r} must be an integer between 1 and 65535")
        if port.get("protocol", "TCP") not in ("TCP", "UDP", "SCTP"):
            out.append(f"{where}: {at}.protocol: {port['protocol']!r} is not one of TCP, UDP, SCTP")
        if len(ports) > 1 and not port.get("name"):
            out.append(f"{where}: {at}.name: required when a Service has more than one port")
    policy = spec.get("ipFamilyPolicy")
    if policy is not None and policy not in ("SingleStack", "PreferDualStack", "RequireDualStack"):
        out.append(f"{where}: spec.ipFamilyPolicy: {policy!r} is not one of SingleStack, PreferDualStack, RequireDualStack")
    for i, family in enumerate(spec.get("ipFamilies") or []):
        if family not in ("IPv4", "IPv6"):
            out.append(f"{where}: spec.ipFamilies[{i}]: {family!r} is not one of IPv4, IPv6")
    return out


def _backend(backend, where: str, at: str) -> list[str]:
    if not isinstance(backend, dict) or ("service" in backend) == ("resource" in backend):
        return [f"{where}: {at}: exactly one of service or resource is required"]
    service = backend.get("service")
    if service is None:
        return []
    out = [] if service.get("name") else [f"{where}: {at}.service.name: required field missing"]
    port = service.get("port") or {}
    if ("name" in port) == ("number" in port):
        out.append(f"{where}: {at}.service.port: exactly one of name or number is required")
    elif "number" in port and not (isinstance(port["number"], int) and 1 <= port["number"] <= 65535):
        out.append(f"{where}: {at}.service.port.number: {port['number']!r} must be between 1 and 65535")
    return out


def check_ingress(obj: dict, where: str) -> list[str]:
    """What ``validateIngressSpec`` requires of a networking.k8s.io/v1 Ingress (rules or a default backend)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [f"{where}: spec: required object missing"]
    out = [f"{where}: {key}: unknown field" for key in obj if key not in TOP_LEVEL]
    out += _fields(spec, {"defaultBackend", "ingressClassName", "rules", "tls"}, where, "spec")
    rules = spec.get("rules") or []
    if not rules and "defaultBackend" not in spec:
        out.append(f"{where}: spec: either defaultBackend or rules must be specified")
    if "defaultBackend" in spec:
        out += _backend(spec["defaultBackend"], where, "spec.defaultBackend")
    for i, rule in enumerate(rules):
        http = rule.get("http") if isinstance(rule, dict) else None
        if http is None:
            continue
        paths = http.get("paths") or []
        if not paths:
            out.append(f"{where}: spec.rules[{i}].http.paths: required: at least one path")
        for j, path in enumerate(paths):
            at = f"spec.rules[{i}].http.paths[{j}]"
            kind = path.get("pathType")
            if kind not in ("Exact", "Prefix", "ImplementationSpecific"):
                out.append(f"{where}: {at}.pathType: {kind!r} is not one of Exact, Prefix, ImplementationSpecific")
            if kind in ("Exact", "Prefix") and not str(path.get("path", "")).startswith("/"):
                out.append(f"{where}: {at}.path: {path.get('path')!r} must be an absolute path")
            out += _backend(path.get("backend"), where, f"{at}.backend")
    return out


BUILT_IN = {("v1", "Service"): check_service, ("networking.k8s.io/v1", "Ingress"): check_ingress}


def check_network_attachment(obj: dict, where: str) -> list[str]:
    """The CNI configuration inside a NetworkAttachmentDefinition (its CRD types it only as a string).

    The CNI spec (containernetworking/cni SPEC.md, "Configuration format") requires ``cniVersion``
    and ``type`` (or a ``plugins`` list). Beyond the schema, AWS's documented pattern for Multus
    on EKS (EKS User Guide "Multiple network interfaces for Pods"; AWS for Industries blog
    "Automated IP address management for Multus workers and pods"): the secondary interface is
    ``ipvlan`` or ``host-device`` -- ipvlan shares the ENI's MAC address, whereas each macvlan pod
    gets a MAC the ENI does not own, whose frames EC2 does not deliver -- and the addresses come
    from cluster-wide IPAM: ``host-local`` keeps its allocations on each node, so every node hands
    out the same addresses from one range.
    """
    text = (obj.get("spec") or {}).get("config")
    try:
        config = json.loads(text) if isinstance(text, str) else None
    except json.JSONDecodeError as error:
        return [f"{where}: spec.config: not JSON ({error.msg} at character {error.pos})"]
    if not isinstance(config, dict):
        return [f"{where}: spec.config: {text!r} is not a CNI configuration object"]
    out = [] if "cniVersion" in config else [f"{where}: spec.config.cniVersion: required field missing"]
    plugins = config.get("plugins") if "plugins" in config else [config]
    if not isinstance(plugins, list) or not plugins:
        return out + [f"{where}: spec.config.plugins: {plugins!r} is not a non-empty list"]
    for i, plugin in enumerate(plugins):
        at = "spec.config" + (f".plugins[{i}]" if "plugins" in config else "")
        if not isinstance(plugin, dict) or "type" not in plugin:
            out.append(f"{where}: {at}.type: required field missing")
            continue
        if i == 0 and plugin["type"] not in ("ipvlan", "host-device"):
            out.append(f"{where}: {at}.type: {plugin['type']!r}: EKS documents ipvlan or host-device for Multus "
                       "interfaces (a macvlan pod's MAC address is not the ENI's, so EC2 does not deliver its frames)")
        ipam = (plugin.get("ipam") or {}).get("type")
        if ipam == "host-local":
            out.append(f"{where}: {at}.ipam.type: 'host-local' allocates on each node independently: every node "
                       "hands out the same addresses of the range; use cluster-wide IPAM (e.g. whereabouts)")
    return out


# -- the EKS add-on's configurationValues ---------------------------------------------------------


def _format_checker() -> FormatChecker:
    checker = FormatChecker(())
    checker.checks("boolean")(lambda v: not isinstance(v, str) or v in ("true", "false"))
    checker.checks("integer")(lambda v: not isinstance(v, str) or re.fullmatch(r"-?[0-9]+", v) is not None)
    return checker


def addon_schema_for(schema: dict, variables: dict, cni_version: str | None) -> dict:
    """The published schema, with the env variables the README dates after the schema's version
    added when the cluster's CNI has them: the schema of v1.15.1 cannot judge v1.18's variables."""
    published = _version(re.search(r"schema (v\d+\.\d+\.\d+)", schema["$comment"])[1])
    running = _version(cni_version) if cni_version else None
    out = copy.deepcopy(schema)
    env = out["definitions"]["Env"]["properties"]
    for var in variables.values():
        if var.since and var.since > published and var.name not in env and (running is None or running >= var.since):
            env[var.name] = {"type": "string"} | ({"format": var.type} if var.type != "string" else {})
    return out


def check_addon_configuration(config, schema: dict, variables: dict, where: str,
                              cni_version: str | None = None) -> list[str]:
    """``configurationValues`` against the add-on schema, and its env against the README."""
    full = addon_schema_for(schema, variables, cni_version)
    validator = validators.validator_for(full)(full, format_checker=_format_checker())
    out = _schema_errors(validator, config, where)
    if isinstance(config, dict):
        for part, env in (("env", config.get("env")), ("init.env", (config.get("init") or {}).get("env"))):
            if isinstance(env, dict):
                out += check_aws_node_env(env, variables, f"{where}: {part}", cni_version)
    return out


# -- aws-node variables ---------------------------------------------------------------------------


def _show(version: tuple[int, ...]) -> str:
    return "v" + ".".join(map(str, version))


def check_aws_node_env(env: dict, variables: dict, where: str, cni_version: str | None = None,
                       removed: tuple[str, ...] = ()) -> list[str]:
    """Each variable exists in the README, has a value of its type, and exists in the cluster's CNI."""
    out = []
    running = _version(cni_version) if cni_version else None
    for name in [*env, *removed]:
        var = variables.get(name)
        if var is None:
            out.append(f"{where}: {name}: not an aws-node variable of the VPC CNI README{_suggest(name, variables)}")
            continue
        if running and var.since and running < var.since:
            out.append(f"{where}: {name}: added in VPC CNI {_show(var.since)}, the cluster runs {cni_version}")
        if running and var.deprecated and running >= var.deprecated:
            out.append(f"{where}: {name}: deprecated since VPC CNI {_show(var.deprecated)} (the cluster runs {cni_version})")
        if name in removed:
            continue
        value = env[name]
        if not isinstance(value, str):
            out.append(f"{where}: {name}: {value!r} is not a string (environment values are strings)")
        elif var.type == "boolean" and value not in ("true", "false"):
            out.append(f"{where}: {name}={value!r}: the README types it Boolean as a String ('true' or 'false')")
        elif var.type == "integer" and not re.fullmatch(r"-?[0-9]+", value):
            out.append(f"{where}: {name}={value!r}: the README types it Integer")
        elif var.values and (value.upper() if var.ignore_case else value) not in var.values:
            out.append(f"{where}: {name}={value!r}: not one of the README's valid values ({', '.join(var.values)})")
    return out


_ASSIGNMENT = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)=(.*)", re.S)
_REMOVAL = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)-")
#: ``kubectl set env`` flags that take a value (kubectl's ``set env --help``).
_VALUE_FLAGS = {"-c", "--containers", "-e", "--env", "-f", "--filename", "--field-manager", "--from", "--keys", "-l",
                "--selector", "-n", "--namespace", "-o", "--output", "--prefix", "--template"}


def _set_env_args(argv: list[str]) -> tuple[dict, list, dict]:
    """``kubectl set env`` arguments: the flags with their values, the assignments (and removals), the rest."""
    flags, env, removed, rest = {}, {}, [], []
    args = iter(argv[3:])
    for arg in args:
        flag, equals, value = arg.partition("=")
        if arg.startswith("-") and flag in _VALUE_FLAGS:
            value = value if equals else next(args, "")
            if flag in ("-e", "--env") and (match := _ASSIGNMENT.fullmatch(value)):
                env[match[1]] = match[2]
            flags[{"-n": "--namespace", "-c": "--containers"}.get(flag, flag)] = value
        elif arg.startswith("-"):
            continue
        elif match := _ASSIGNMENT.fullmatch(arg):
            env[match[1]] = match[2]
        elif match := _REMOVAL.fullmatch(arg):
            removed.append(match[1])
        else:
            rest.append(arg)
    return env, removed, {**flags, "target": "/".join(rest)}


def check_set_env(argv: list[str], variables: dict, daemonset: dict, where: str,
                  cni_version: str | None = None) -> list[str]:
    """A ``kubectl set env`` command: it targets the aws-node DaemonSet, and sets README variables."""
    env, removed, flags = _set_env_args(argv)
    name, namespace = daemonset["metadata"]["name"], daemonset["metadata"]["namespace"]
    out = []
    if flags["target"] not in (f"daemonset/{name}", f"daemonsets/{name}", f"ds/{name}"):
        out.append(f"{where}: targets {flags['target']!r}, not daemonset/{name}")
    if flags.get("--namespace") != namespace:
        out.append(f"{where}: namespace {flags.get('--namespace')!r}, not {namespace!r}")
    spec = daemonset["spec"]["template"]["spec"]
    names = [c["name"] for c in spec.get("initContainers", []) + spec["containers"]]
    for container in flags.get("--containers", "*").split(","):
        if container != "*" and container not in names:
            out.append(f"{where}: container {container!r} is not in the aws-node DaemonSet ({', '.join(names)})")
    return out + check_aws_node_env(env, variables, where, cni_version, tuple(removed))


# -- Helm values ------------------------------------------------------------------------------------


def check_helm_values(values, defaults, where: str, path: str = "(root)") -> list[str]:
    """Every key exists in the chart's values.yaml, and each value has its default's type."""
    if not isinstance(values, dict):
        return [f"{where}: {path}: {values!r} is not a map of values"]
    out = []
    for key, value in values.items():
        at = _join(path, key)
        if not isinstance(defaults, dict) or key not in defaults:
            known = defaults if isinstance(defaults, dict) else {}
            out.append(f"{where}: {at}: not a value of the chart{_suggest(key, known)}")
            continue
        default = defaults[key]
        if isinstance(default, dict) and default:
            out += check_helm_values(value, default, where, at)
        elif default is not None and type(value) is not type(default):
            out.append(f"{where}: {at}: {value!r} is a {type(value).__name__}; "
                       f"the chart's default {default!r} is a {type(default).__name__}")
    return out


# -- shell quoting ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Word:
    """A word of a POSIX shell command line; ``live``: it holds a ``$`` or a backquote that the shell expands."""

    text: str
    live: bool = False


_OPERATORS = set(";&|<>()")


def shell_words(line: str) -> list[Word]:
    """Split ``line`` as a POSIX shell would (quotes, backslashes, operators, comments).

    Unlike :func:`shlex.split`, unquoted ``;&|<>()`` end a word (and are words of their own), an
    unquoted ``#`` at the start of a word ends the line, and a word remembers whether it carries an
    expansion outside single quotes. Enough to tell whether a value stays one inert argument.
    """
    words: list[Word] = []
    text, live, started, quote, i = [], False, False, None, 0
    while i < len(line):
        char = line[i]
        if quote == "'":
            quote = None if char == "'" else quote
            text += [] if char == "'" else [char]
        elif quote == '"':
            if char == '"':
                quote = None
            elif char == "\\" and i + 1 < len(line) and line[i + 1] in '$`"\\':
                i += 1
                text.append(line[i])
            else:
                live |= char in "$`"
                text.append(char)
        elif char in "'\"":
            quote, started = char, True
        elif char == "\\" and i + 1 < len(line):
            i += 1
            text.append(line[i])
        elif char.isspace() or char in _OPERATORS or (char == "#" and not started and not text):
            if text or started:
                words.append(Word("".join(text), live))
            text, live, started = [], False, False
            if char == "#":
                break
            if char in _OPERATORS:
                words.append(Word(char, True))
        else:
            live |= char in "$`"
            text.append(char)
        i += 1
    if quote:
        raise ValueError(f"unterminated {quote} quote")
    if text or started:
        words.append(Word("".join(text), live))
    return words


def check_quoted(line: str, value: str, where: str) -> list[str]:
    """``value``, interpolated into ``line``, stays one inert word (no expansion, no operator)."""
    try:
        words = shell_words(line)
        shlex.split(line)
    except ValueError as error:
        return [f"{where}: {line!r} does not parse as a shell command ({error})"]
    if any(value in w.text and not w.live for w in words):
        return []
    return [f"{where}: {value!r} is not one quoted argument of {line!r} "
            f"(the shell would run: {[w.text for w in words]})"]


# -- artifacts --------------------------------------------------------------------------------------


def _parse(artifact) -> list:
    """The documents (or, for shell, the argument vectors) that ``artifact``'s text holds."""
    text = artifact.text
    if artifact.kind == "yaml":
        return list(yaml.safe_load_all(text))
    if artifact.kind == "json":
        return [json.loads(text)]
    if artifact.kind == "toml":
        return [tomllib.loads(text)]
    if artifact.kind == "shell":
        lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
        commands = [shlex.split(line) for line in lines]
        return [c[:-2] if len(c) > 2 and c[-2] == ">" else c for c in commands]
    raise ValueError(f"unknown artifact kind {artifact.kind!r}")


def _describe(obj: dict) -> str:
    name = (obj.get("metadata") or {}).get("name") if isinstance(obj.get("metadata"), dict) else None
    return f"{obj.get('kind')} {name!r}"


def _option(argv: list[str], flag: str) -> str | None:
    for i, arg in enumerate(argv):
        if arg == flag and i + 1 < len(argv):
            return argv[i + 1]
        if arg.startswith(flag + "="):
            return arg[len(flag) + 1:]
    return None


def _addon_values(commands: list[list[str]]) -> tuple[set[str], list]:
    """``--configuration-values`` of vpc-cni create-addon/update-addon: the files named, and inline JSON."""
    files, inline = set(), []
    for argv in commands:
        value = _option(argv, "--configuration-values")
        if argv[:3] in (["aws", "eks", "update-addon"], ["aws", "eks", "create-addon"]) and \
                _option(argv, "--addon-name") == "vpc-cni" and value is not None:
            if value.startswith("file://"):
                files.add(posixpath.normpath(value[len("file://"):]))
            else:
                inline.append(value)
    return files, inline


_IAM_TOP = {"Version", "Id", "Statement"}
_IAM_STATEMENT = {"Sid", "Effect", "Principal", "NotPrincipal", "Action", "NotAction", "Resource", "NotResource",
                  "Condition"}
_IAM_ACTION = re.compile(r"\*|[a-z0-9-]+:[A-Za-z0-9*]+")
_IAM_RESOURCE = re.compile(r"\*|arn:[^:]+:[^:]*:[^:]*:[^:]*:.+")


def check_iam_policy(doc, where: str) -> list[str]:
    """An IAM identity policy against the IAM JSON policy grammar (AWS IAM User Guide, "Grammar of the IAM
    JSON policy language"): Version, Statement; each statement an Effect, exactly one of Action/NotAction
    and of Resource/NotResource; actions ``service:Name`` (wildcards allowed), resources ARNs or ``*``."""
    if not isinstance(doc, dict):
        return [f"{where}: an IAM policy is a JSON object"]
    out = [f"{where}.{key}: unknown field of an IAM policy" for key in doc if key not in _IAM_TOP]
    if doc.get("Version") not in ("2012-10-17", "2008-10-17"):
        out.append(f"{where}.Version: {doc.get('Version')!r} is not an IAM policy language version")
    statements = doc.get("Statement")
    statements = [statements] if isinstance(statements, dict) else statements
    if not isinstance(statements, list) or not statements:
        return out + [f"{where}.Statement: required, one statement or a list of them"]
    for i, st in enumerate(statements):
        at = f"{where}.Statement[{i}]"
        if not isinstance(st, dict):
            out.append(f"{at}: a statement is a JSON object")
            continue
        out += [f"{at}.{key}: unknown field of a statement" for key in st if key not in _IAM_STATEMENT]
        if st.get("Effect") not in ("Allow", "Deny"):
            out.append(f"{at}.Effect: {st.get('Effect')!r} is not Allow or Deny")
        for field, pattern in (("Action", _IAM_ACTION), ("Resource", _IAM_RESOURCE)):
            present = [k for k in (field, f"Not{field}") if k in st]
            if len(present) != 1:
                out.append(f"{at}: needs exactly one of {field} and Not{field}")
                continue
            values = st[present[0]]
            values = [values] if isinstance(values, str) else values
            if not isinstance(values, list) or not values:
                out.append(f"{at}.{present[0]}: a string or a non-empty list of strings")
                continue
            out += [f"{at}.{present[0]}: {v!r} is not a valid {field.lower()}" for v in values
                    if not isinstance(v, str) or not pattern.fullmatch(v)]
    return out


def _check_document(doc, name: str, kind: str, where: str, upstream: Upstream, files: set, cni_version) -> list[str]:
    if isinstance(doc, dict) and "apiVersion" in doc and "kind" in doc:
        where = f"{where} {_describe(doc)}"
        out = check_object(doc, upstream.crds, where)
        return out + (check_network_attachment(doc, where) if doc["kind"] == "NetworkAttachmentDefinition" else [])
    if kind == "json" and f"{name}.json" in files:
        return check_addon_configuration(doc, upstream.addon_schema, upstream.variables,
                                         f"{where} configurationValues", cni_version)
    if "karpenter" in name:
        return check_helm_values(doc, upstream.karpenter_values, f"{where} Karpenter Helm values")
    if kind == "json" and isinstance(doc, dict) and "Statement" in doc:
        return check_iam_policy(doc, f"{where} IAM policy")
    return [f"{where}: neither a Kubernetes object, the add-on's configurationValues nor Helm values: "
            "no upstream schema to validate it against"]


def check_artifacts(artifacts, upstream: Upstream, *, cni_version: str | None = None,
                    reports: frozenset = frozenset()) -> list[str]:
    """Every object of every artifact, parsed from its text, against its upstream schema.

    ``reports``: names of artifacts that are eksplan's own summaries, applied to nothing. Any
    other document that is neither a Kubernetes object, the add-on's configuration nor Karpenter
    Helm values is a violation: there is nothing to validate it against. Bottlerocket's TOML
    settings are parsed but not validated: no upstream schema of them is in the folder.
    """
    out: list[str] = []
    parsed = {}
    for artifact in artifacts:
        try:
            parsed[artifact.name] = (artifact, _parse(artifact))
        except (ValueError, yaml.YAMLError, tomllib.TOMLDecodeError) as error:  # JSONDecodeError is a ValueError
            out.append(f"{artifact.name}: its text does not parse as {artifact.kind} ({error})")
    files, inline = _addon_values([argv for a, docs in parsed.values() if a.kind == "shell" for argv in docs])
    for i, value in enumerate(inline):
        try:
            config = json.loads(value)
        except json.JSONDecodeError as error:
            out.append(f"--configuration-values[{i}]: not JSON ({error.msg})")
            continue
        out += check_addon_configuration(config, upstream.addon_schema, upstream.variables,
                                         f"--configuration-values[{i}]", cni_version)
    for file in sorted(files - {f"{name}.json" for name, (a, _) in parsed.items() if a.kind == "json"}):
        out.append(f"--configuration-values file://{file}: no json artifact of that name")
    for name, (artifact, docs) in parsed.items():
        if artifact.kind == "shell":
            out += [v for i, argv in enumerate(docs) if argv[:3] == ["kubectl", "set", "env"]
                    for v in check_set_env(argv, upstream.variables, upstream.aws_node, f"{name}[{i}]", cni_version)]
        elif name not in reports and artifact.kind != "toml":
            for i, doc in enumerate(docs):
                out += _check_document(doc, name, artifact.kind, f"{name}[{i}]", upstream, files, cni_version)
    return out
