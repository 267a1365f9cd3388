"""eksplan's own corpus of hostile and malformed inputs, and what each must give.

Every case is run by tests/test_hostile_inputs.py as a command in a fresh folder holding its
``files`` (after ``setup``, for what a file's text cannot hold: links, pipes, large files),
under resource limits. It must end with ``status``, print ``first`` as the first line (of
stderr, or of stdout when the status is 0), print no traceback, never reach the CLI's
internal-error line, and stay within ``cpu_seconds`` of CPU time and ``memory_mb`` of peak
resident memory.
"""

from __future__ import annotations

import gzip
import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

MB = 2**20


@dataclass(frozen=True)
class Case:
    id: str
    argv: tuple[str, ...]
    first: str
    status: int = 2
    files: dict = field(default_factory=dict)  # name -> text or bytes
    setup: Callable[[Path], None] | None = None
    cpu_seconds: int = 3  # RLIMIT_CPU: past it the child is killed (SIGXCPU)
    memory_mb: int = 200  # peak resident memory allowed


# -- building blocks ---------------------------------------------------------------------------------
CLUSTER = """\
region: us-east-1
availability_zones: [us-east-1a]
vpc: {cidrs: [10.0.0.0/16]}
node_groups:
  - {name: ng, instance_types: [m5.large], min_size: 1, max_size: 3, pods_per_node: 10}
vpc_cni: {version: 1.18.3}
"""


def spec(name: str = "c", extra: str = "", cluster: str = CLUSTER) -> str:
    """A valid one-cluster spec named ``name``, with ``extra`` lines appended (later keys win nothing: duplicates fail)."""
    return f"name: {name}\n{cluster}{extra}"


def replace(text: str, old: str, new: str) -> str:
    assert old in text, old
    return text.replace(old, new)


def laughs(levels: int = 9, key: str = "name") -> str:
    """A "billion laughs": ``levels`` anchors of nine aliases each under ``key`` (9**9 'lol's)."""
    lines = ["  - &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    lines += [f"  - &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return f"{key}:\n" + "\n".join(lines) + "\n"


BOMB = laughs() + CLUSTER  # 780 bytes, as in the report
BOMB_LINE = "line 7, column 10: aliases expand to more than 100,000 values (eksplan reads at most 100,000 from one file)"

WITH_SUBNETS = """\
region: us-east-1
availability_zones: [us-east-1a]
vpc: {cidrs: [10.0.0.0/16]}
subnets:
  - {id: subnet-a, availability_zone: us-east-1a, cidr: 10.0.0.0/20, role: nodes}
node_groups:
  - {name: ng, instance_types: [m5.large], min_size: 1, max_size: 3, pods_per_node: 10}
vpc_cni: {version: 1.18.3}
"""


def observed(reference: str) -> str:
    """A spec with one subnet whose available addresses come from the capture ``reference``."""
    return spec("obs", f"describe_subnets: {json.dumps(reference)}\n", WITH_SUBNETS)


def capture(entry: dict | None = None, **fields) -> str:
    subnet = {"SubnetId": "subnet-a", "CidrBlock": "10.0.0.0/20", "AvailabilityZone": "us-east-1a",
              "AvailableIpAddressCount": 4000, "Tags": [{"Key": "Name", "Value": "nodes-a"}], **fields}
    return json.dumps({"Subnets": [entry if entry is not None else subnet]})


DAEMONSET = """\
apiVersion: apps/v1
kind: DaemonSet
metadata: {name: aws-node, namespace: kube-system}
spec:
  template:
    spec:
      containers:
        - name: aws-node
          image: 602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.18.3-eksbuild.1
          env:
            - {name: WARM_ENI_TARGET, value: "1"}
            - {name: MY_NODE_NAME, valueFrom: {fieldRef: {fieldPath: spec.nodeName}}}
          livenessProbe: {timeoutSeconds: 10}
"""
AUDIT = ("audit", "--daemonset", "ds.yaml")


def snapshot(**changes) -> str:
    """A one-type instance-type snapshot (m5.large's figures), with ``changes`` to its record."""
    record = {"enis": 3, "total_enis": 3, "network_cards": 1, "ipv4_per_eni": 10, "ipv6_per_eni": 10,
              "ipv6_supported": True, "efa_interfaces": 0, "efa_only": False, "vcpus": 2, "memory_mib": 8192,
              "hypervisor": "nitro", "bare_metal": False, "architectures": ["x86_64"], **changes}
    return json.dumps({"schema": 1, "source": "test", "captured": "2026-01-01", "command": "test", "regions": [],
                       "instance_types": {"m5.large": record}})


MAX_PODS = ("max-pods", "--instance-type", "m5.large", "--catalog", "types.json")


# -- set-ups for what file text cannot express ----------------------------------------------------------
def fifo(name: str) -> Callable[[Path], None]:
    return lambda folder: os.mkfifo(folder / name)


def link(name: str, target: str) -> Callable[[Path], None]:
    return lambda folder: os.symlink(target, folder / name)


def outside_link(name: str, text: str) -> Callable[[Path], None]:
    """``name`` links to a file beside the case's folder (outside it)."""
    def make(folder: Path) -> None:
        outside = folder.parent / f"{folder.name}-outside.yaml"
        outside.write_text(text)
        os.symlink(outside, folder / name)
    return make


def large(name: str, size: int) -> Callable[[Path], None]:
    """``name``: ``size`` bytes of YAML comments."""
    line = "# " + "x" * 77 + "\n"
    return lambda folder: (folder / name).write_text((line * (size // len(line) + 1))[:size])


def folders(*names: str) -> Callable[[Path], None]:
    return lambda folder: [(folder / n).mkdir() for n in names]


def gzip_bomb(name: str) -> Callable[[Path], None]:
    """A 200 KB file that expands to 200 MB."""
    return lambda folder: (folder / name).write_bytes(gzip.compress(b"[" + b" " * (200 * MB) + b"]", 9))


# -- the corpus ------------------------------------------------------------------------------------------------
CASES = [
    # Bounded work: aliases, nesting, size, numbers --------------------------------------------------------
    Case("billion-laughs-validate", ("validate", "spec.yaml"), f"spec.yaml: {BOMB_LINE}",
         files={"spec.yaml": BOMB}, cpu_seconds=1),
    Case("billion-laughs-plan", ("plan", "spec.yaml"), f"eksplan plan: error: spec.yaml: {BOMB_LINE}",
         files={"spec.yaml": BOMB}, cpu_seconds=1),
    Case("billion-laughs-subnets", ("subnets", "spec.yaml"), f"eksplan subnets: error: spec.yaml: {BOMB_LINE}",
         files={"spec.yaml": BOMB}, cpu_seconds=1),
    Case("billion-laughs-audit-spec", AUDIT + ("--spec", "spec.yaml"), f"eksplan audit: error: spec.yaml: {BOMB_LINE}",
         files={"spec.yaml": BOMB, "ds.yaml": DAEMONSET}, cpu_seconds=1),
    Case("billion-laughs-daemonset", AUDIT,
         "eksplan audit: error: ds.yaml: line 7, column 10: aliases expand to more than 100,000 values "
         "(eksplan reads at most 100,000 from one file)",
         files={"ds.yaml": laughs(key="bomb") + DAEMONSET}, cpu_seconds=1),
    # report renders an index page of the failures: its templates and charts cost their own time and memory
    Case("billion-laughs-report", ("report", "spec.yaml", "-o", "out"), f"spec.yaml: {BOMB_LINE}", status=1,
         files={"spec.yaml": BOMB}, cpu_seconds=6, memory_mb=400),
    Case("billion-laughs-beside-a-good-spec", ("validate", "."), f"bomb.yaml: {BOMB_LINE}",
         files={"bomb.yaml": BOMB, "good.yaml": spec("good")}, cpu_seconds=1),
    Case("alias-inside-its-anchor", ("validate", "spec.yaml"),
         "spec.yaml: line 1, column 18: the alias *a is inside its own anchor (a recursive structure)",
         files={"spec.yaml": "name: &a [x, [y, *a]]\n" + CLUSTER}),
    Case("nesting-20000-deep", ("validate", "spec.yaml"), "spec.yaml: line 1, column 70: nests deeper than 64 levels",
         files={"spec.yaml": "name: " + "[" * 20_000 + "]" * 20_000 + "\n" + CLUSTER}),
    Case("nesting-deep-mappings", ("validate", "spec.yaml"), "spec.yaml: line 64, column 127: nests deeper than 64 levels",
         files={"spec.yaml": "".join("  " * i + f"k{i}:\n" for i in range(80)) + "  " * 80 + "x\n"}),
    Case("nesting-deep-through-aliases", ("validate", "spec.yaml"),
         "spec.yaml: line 3, column 34: nests deeper than 64 levels",
         files={"spec.yaml": "a: &a " + "[" * 30 + "]" * 30 + "\nb: &b " + "[" * 30 + "*a" + "]" * 30
                + "\nc: " + "[" * 30 + "*b" + "]" * 30 + "\n"}),
    Case("more-values-than-the-limit", ("validate", "spec.yaml"),
         "spec.yaml: line 101, column 2994: more than 100,000 values (eksplan reads at most 100,000 from one file: "
         "split it into several files)",
         files={"spec.yaml": "x:\n" + ("  - [" + ", ".join(["1"] * 999) + "]\n") * 110},
         cpu_seconds=8),  # the most work a file can ask for: 100,000 values read before the limit
    Case("list-longer-than-the-limit", ("validate", "spec.yaml"),
         "spec.yaml: line 1, column 21: a list of 1,001 entries; eksplan reads at most 1,000 in one list or mapping",
         files={"spec.yaml": "availability_zones: [" + ", ".join(["us-east-1a"] * 1001) + "]\n"}),
    Case("file-larger-than-the-limit", ("validate", "spec.yaml"),
         "spec.yaml: is 2,097,232 bytes; eksplan reads at most 2 MiB from one file",
         setup=large("spec.yaml", 2 * MB + 80)),
    Case("integer-of-5001-digits", ("validate", "spec.yaml"),
         "spec.yaml: line 1, column 7: '999999999999999999999999999...9999999999999999999999999999' (5,001 characters) "
         "is out of range (whole numbers are read up to 64 bits: -9,223,372,036,854,775,808 to 9,223,372,036,854,775,807)",
         files={"spec.yaml": "name: " + "9" * 5001 + "\n" + CLUSTER}),
    Case("integer-beyond-64-bits", ("validate", "spec.yaml"),
         "spec.yaml: line 6, column 67: '9223372036854775808' is out of range (whole numbers are read up to 64 bits: "
         "-9,223,372,036,854,775,808 to 9,223,372,036,854,775,807)",
         files={"spec.yaml": spec(cluster=replace(CLUSTER, "max_size: 3", "max_size: 9223372036854775808"))}),
    Case("hexadecimal-integer-beyond-64-bits", ("validate", "spec.yaml"),
         "spec.yaml: line 6, column 67: '0x10000000000000000' is out of range (whole numbers are read up to 64 bits: "
         "-9,223,372,036,854,775,808 to 9,223,372,036,854,775,807)",
         files={"spec.yaml": spec(cluster=replace(CLUSTER, "max_size: 3", "max_size: 0x10000000000000000"))}),
    # YAML types and tags -------------------------------------------------------------------------------------
    Case("impossible-date-is-text", ("validate", "spec.yaml"), "ok: 1 cluster(s) valid (2024-13-45)", status=0,
         files={"spec.yaml": spec("2024-13-45")}),
    Case("date-is-text", ("validate", "spec.yaml"), "ok: 1 cluster(s) valid (2024-01-05)", status=0,
         files={"spec.yaml": spec("2024-01-05")}),
    Case("int-tag-on-a-word", ("validate", "spec.yaml"), "spec.yaml: line 1, column 7: 'four' is not a valid !!int",
         files={"spec.yaml": spec("!!int four")}),
    Case("timestamp-tag-on-a-word", ("validate", "spec.yaml"),
         "spec.yaml: line 1, column 7: 'x' is not a valid !!timestamp", files={"spec.yaml": spec("!!timestamp x")}),
    Case("float-tag-on-a-word", ("validate", "spec.yaml"), "spec.yaml: line 1, column 7: 'abc' is not a valid !!float",
         files={"spec.yaml": spec("!!float abc")}),
    Case("python-tag", ("validate", "spec.yaml"),
         "spec.yaml: line 1, column 7: the tag '!!python/object/apply:os.system' is not allowed (eksplan reads plain "
         "data: mappings, lists, text, numbers, true and false)",
         files={"spec.yaml": spec("!!python/object/apply:os.system [id]")}),
    Case("local-tag", ("validate", "spec.yaml"),
         "spec.yaml: line 1, column 7: the tag '!Ref' is not allowed (eksplan reads plain data: mappings, lists, "
         "text, numbers, true and false)", files={"spec.yaml": spec("!Ref ClusterName")}),
    Case("binary-name", ("validate", "spec.yaml"), "spec.yaml: name: b'eks' is not text",
         files={"spec.yaml": spec("!!binary ZWtz")}),
    Case("set-for-a-list", ("validate", "spec.yaml"),
         "spec.yaml: availability_zones (cluster 'c'): expected a list, got {'us-east-1a'}",
         files={"spec.yaml": spec(cluster=replace(CLUSTER, "[us-east-1a]", "!!set {us-east-1a}"))}),
    Case("unhashable-key", ("validate", "spec.yaml"), "spec.yaml: line 1, column 3: YAML syntax error: found unhashable key",
         files={"spec.yaml": "? [a, b]\n: 1\n"}),
    Case("duplicate-key", ("validate", "spec.yaml"), "spec.yaml: line 2, column 1: YAML syntax error: duplicate key 'name'",
         files={"spec.yaml": "name: a\nname: b\n" + CLUSTER}),
    Case("merge-key-with-override", ("validate", "fleet.yaml"), "ok: 2 cluster(s) valid (one, two)", status=0,
         files={"fleet.yaml": "clusters:\n  - &base\n    name: one\n" + "".join(f"    {line}\n" for line in CLUSTER.splitlines())
                + "  - <<: *base\n    name: two\n"}),
    # earlier mappings in a merged list override later ones: c takes its node group's zone from *east
    Case("merge-list-earlier-wins", ("validate", "fleet.yaml"), "ok: 3 cluster(s) valid (a, b, c)", status=0,
         files={"fleet.yaml": "clusters:\n" + "".join(
             f"  - name: {name}\n    region: {region}\n    availability_zones: [{region}a]\n"
             f"    vpc: {{cidrs: [10.0.0.0/16]}}\n    vpc_cni: {{version: 1.18.3}}\n    node_groups:\n      - {group}\n"
             for name, region, group in (
                 ("a", "us-east-1", "&east {name: ng, instance_types: [m5.large], min_size: 1, max_size: 3, "
                                    "pods_per_node: 10, availability_zones: [us-east-1a]}"),
                 ("b", "us-west-2", "&west {name: ng, instance_types: [m5.large], min_size: 1, max_size: 3, "
                                    "pods_per_node: 10, availability_zones: [us-west-2a]}"),
                 ("c", "us-east-1", "<<: [*east, *west]")))}),
    Case("merge-of-a-number", ("validate", "spec.yaml"),
         "spec.yaml: line 1, column 5: YAML syntax error: expected a mapping or a list of mappings to merge, found a scalar",
         files={"spec.yaml": "<<: 5\n" + spec()}),
    Case("two-merge-keys", ("validate", "spec.yaml"),
         "spec.yaml: line 4, column 3: YAML syntax error: duplicate key '<<' (merge several mappings with <<: [*a, *b])",
         files={"spec.yaml": "x: &a {k: 1}\ny:\n  <<: *a\n  <<: *a\n"}),
    Case("undefined-alias", ("validate", "spec.yaml"), "spec.yaml: line 1, column 7: YAML syntax error: found undefined alias 'nobody'",
         files={"spec.yaml": spec("*nobody")}),
    Case("tab-indentation", ("validate", "spec.yaml"),
         "spec.yaml: line 2, column 1: YAML syntax error: found character '\\t' that cannot start any token",
         files={"spec.yaml": "name: c\n\tregion: us-east-1\n"}),
    Case("raw-nul-byte", ("validate", "spec.yaml"),
         "spec.yaml: line 1, column 9: YAML does not allow the character #x00 here (write it as an escape in double quotes)",
         files={"spec.yaml": "name: ab\0c\n" + CLUSTER}),
    Case("raw-escape-character", ("validate", "spec.yaml"),
         "spec.yaml: line 1, column 7: YAML does not allow the character #x1b here (write it as an escape in double quotes)",
         files={"spec.yaml": "name: \x1b[31mred\n" + CLUSTER}),
    Case("not-utf8", ("validate", "spec.yaml"), "spec.yaml: is not UTF-8 text (byte 0xe9 at offset 8)",
         files={"spec.yaml": "name: ca\xe9\n".encode("latin-1") + CLUSTER.encode()}),
    Case("utf16-from-powershell", ("validate", "spec.yaml"),
         "spec.yaml: is UTF-16 text (as Windows PowerShell's '>' writes it); save it as UTF-8",
         files={"spec.yaml": spec().encode("utf-16")}),
    Case("utf8-byte-order-mark", ("validate", "spec.yaml"), "ok: 1 cluster(s) valid (c)", status=0,
         files={"spec.yaml": spec().encode("utf-8-sig")}),
    Case("empty-file", ("validate", "spec.yaml"),
         "spec.yaml: the file is empty (expected a cluster, or 'clusters:' with a list)", files={"spec.yaml": ""}),
    Case("only-comments", ("validate", "spec.yaml"),
         "spec.yaml: the file is empty (expected a cluster, or 'clusters:' with a list)",
         files={"spec.yaml": "# nothing here\n# nor here\n"}),
    Case("two-documents", ("validate", "spec.yaml"),
         "spec.yaml: line 8, column 1: YAML syntax error: but found another document",
         files={"spec.yaml": spec() + "---\n" + spec("d")}),
    Case("top-level-list", ("validate", "spec.yaml"),
         "spec.yaml: expected a cluster (a mapping with name, region, vpc...), or 'clusters:' with a list of them, got ['a', 'b']",
         files={"spec.yaml": "- a\n- b\n"}),
    Case("top-level-text", ("validate", "spec.yaml"),
         "spec.yaml: expected a cluster (a mapping with name, region, vpc...), or 'clusters:' with a list of them, got 'hello'",
         files={"spec.yaml": "hello\n"}),
    Case("clusters-is-a-number", ("validate", "spec.yaml"), "spec.yaml: clusters: expected a non-empty list of clusters, got 5",
         files={"spec.yaml": "clusters: 5\n"}),
    Case("clusters-beside-a-number-key", ("validate", "spec.yaml"),
         "spec.yaml: [1]: unknown key 1 beside 'clusters' (a fleet file holds only 'clusters')",
         files={"spec.yaml": "1: x\nclusters:\n  - name: c\n" + "".join(f"    {line}\n" for line in CLUSTER.splitlines())}),
    # Files and paths --------------------------------------------------------------------------------------------
    Case("device-as-spec", ("validate", "/dev/zero"), "/dev/zero: is not a regular file (a character device)"),
    Case("named-pipe-as-spec", ("validate", "spec.yaml"), "spec.yaml: is not a regular file (a named pipe)",
         setup=fifo("spec.yaml")),
    Case("folder-without-specs", ("validate", "empty"), "empty: no *.yaml or *.yml file in this directory",
         setup=folders("empty")),
    Case("current-folder", ("validate", "."), "ok: 1 cluster(s) valid (c)", status=0, files={"spec.yaml": spec()}),
    Case("empty-folder-beside-a-prefix-sibling", ("validate", "a", "ab"), "a: no *.yaml or *.yml file in this directory",
         files={"ab/spec.yaml": spec()}, setup=folders("a")),
    Case("missing-file", ("validate", "nowhere.yaml"), "nowhere.yaml: no such file"),
    Case("link-out-of-a-folder", ("validate", "specs"),
         "specs/leak.yaml: is a link that leads outside its folder; name the file it leads to on the command line to read it",
         files={"specs/good.yaml": spec()}, setup=outside_link("specs/leak.yaml", spec("outside"))),
    Case("capture-is-a-device", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): '/dev/zero' is an absolute path; name a file in the spec's "
         "folder, relative to the spec", files={"spec.yaml": observed("/dev/zero")}),
    Case("capture-climbs-out", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): '../../../../../../etc/passwd' leads outside the spec's folder; "
         "name a file in the spec's folder, relative to the spec",
         files={"spec.yaml": observed("../../../../../../etc/passwd")}),
    Case("capture-links-out", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): 'subnets.json' leads outside the spec's folder; name a file in "
         "the spec's folder, relative to the spec",
         files={"spec.yaml": observed("subnets.json")}, setup=link("subnets.json", "/etc/hostname")),
    Case("capture-is-a-named-pipe", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): subnets.json: is not a regular file (a named pipe)",
         files={"spec.yaml": observed("subnets.json")}, setup=fifo("subnets.json")),
    Case("capture-nul-in-name", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): 'a\\x00b' is not a valid file name",
         files={"spec.yaml": observed("a\0b")}),
    Case("capture-missing", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): nowhere.json: no such file", files={"spec.yaml": observed("nowhere.json")}),
    Case("capture-infinity", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): subnets.json: Infinity is not a number (JSON has no NaN or "
         "Infinity; Python's json module would accept it)",
         files={"spec.yaml": observed("subnets.json"),
                "subnets.json": capture().replace('"AvailableIpAddressCount": 4000', '"AvailableIpAddressCount": Infinity')}),
    Case("capture-count-as-text", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): subnets.json: Subnets[0].AvailableIpAddressCount: '4000' is not "
         "a whole number", files={"spec.yaml": observed("subnets.json"), "subnets.json": capture(AvailableIpAddressCount="4000")}),
    Case("capture-count-beyond-the-subnet", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): subnets.json: Subnets[0]: AvailableIpAddressCount 5,000 is more "
         "than a /20 can offer (4,091)",
         files={"spec.yaml": observed("subnets.json"), "subnets.json": capture(AvailableIpAddressCount=5000)}),
    Case("capture-deep-json", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): subnets.json: nests deeper than 64 levels",
         files={"spec.yaml": observed("subnets.json"), "subnets.json": "[" * 100_000 + "]" * 100_000}),
    Case("capture-subnets-not-a-list", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): subnets.json: expected {\"Subnets\": [...]} as "
         "'aws ec2 describe-subnets --output json' prints",
         files={"spec.yaml": observed("subnets.json"), "subnets.json": '{"Subnets": 5}'}),
    Case("capture-entry-not-an-object", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): subnets.json: Subnets[0]: expected an object, got 'subnet-a'",
         files={"spec.yaml": observed("subnets.json"), "subnets.json": '{"Subnets": ["subnet-a"]}'}),
    Case("capture-duplicate-key", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): subnets.json: duplicate key 'Subnets'",
         files={"spec.yaml": observed("subnets.json"), "subnets.json": '{"Subnets": [], "Subnets": []}'}),
    Case("capture-not-utf8", ("validate", "spec.yaml"),
         "spec.yaml: describe_subnets (cluster 'obs'): subnets.json: is not UTF-8 text (byte 0xff at offset 0)",
         files={"spec.yaml": observed("subnets.json"), "subnets.json": b"\xff{}"}),
    # Values that validate must be computable ---------------------------------------------------------------------
    Case("max-size-true", ("validate", "spec.yaml"),
         "spec.yaml: node_groups[0].max_size (cluster 'c'): true is not a whole number",
         files={"spec.yaml": spec(cluster=replace(CLUSTER, "max_size: 3", "max_size: true"))}),
    Case("max-size-fraction", ("validate", "spec.yaml"),
         "spec.yaml: node_groups[0].max_size (cluster 'c'): 3.5 is not a whole number",
         files={"spec.yaml": spec(cluster=replace(CLUSTER, "max_size: 3", "max_size: 3.5"))}),
    Case("probe-timeout-true", ("validate", "spec.yaml"),
         "spec.yaml: vpc_cni.probe_timeout_seconds (cluster 'c'): true is not a whole number",
         files={"spec.yaml": spec(cluster=replace(CLUSTER, "{version: 1.18.3}", "{version: 1.18.3, probe_timeout_seconds: true}"))}),
    Case("headroom-nan", ("validate", "spec.yaml"), "spec.yaml: planning.headroom (cluster 'c'): nan is not a finite number",
         files={"spec.yaml": spec(extra="planning: {headroom: .nan}\n")}),
    Case("growth-infinite", ("plan", "spec.yaml"),
         "eksplan plan: error: spec.yaml: requirements.growth.nodes_per_month (cluster 'c'): inf is not a finite number",
         files={"spec.yaml": spec(extra="requirements: {growth: {nodes_per_month: .inf}}\n")}),
    Case("growth-percent-overflows", ("subnets", "spec.yaml"),
         "eksplan subnets: error: spec.yaml: requirements.growth.percent_per_month (cluster 'c'): 81 cannot be computed: "
         "over 1,200 months (as far as runway looks ahead) the node count grows beyond the range of a floating-point "
         "number; at most 80 for these node groups",
         files={"spec.yaml": spec(extra="requirements: {growth: {percent_per_month: 81}}\n")}),
    Case("growth-nodes-overflow", ("validate", "spec.yaml"),
         "spec.yaml: requirements.growth.nodes_per_month (cluster 'c'): 1e+306 cannot be computed: over 1,200 months "
         "(as far as runway looks ahead) the node count grows beyond the range of a floating-point number; at most "
         "4.99e+304 for these node groups",
         files={"spec.yaml": spec(extra="requirements: {growth: {nodes_per_month: 1.0e+306}}\n")}),
    Case("growth-exponent-without-sign", ("validate", "spec.yaml"),
         "spec.yaml: requirements.growth.nodes_per_month (cluster 'c'): '1e3' is text, not a number (YAML 1.1 reads "
         "an exponent as a number only with a dot and a sign: write 1.0e+3, not 1e3)",
         files={"spec.yaml": spec(extra="requirements: {growth: {nodes_per_month: 1e3}}\n")}),
    Case("vpc-ipv6-everything", ("validate", "spec.yaml"),
         "spec.yaml: vpc.ipv6_cidr (cluster 'c'): '::/0' is a /0; a VPC's IPv6 CIDR is a /56 (Amazon-provided) or a "
         "/44 to /60 in steps of /4 (from an IPAM pool)",
         files={"spec.yaml": spec(cluster=replace(CLUSTER, "{cidrs: [10.0.0.0/16]}", "{cidrs: [10.0.0.0/16], ipv6_cidr: '::/0'}"))}),
    Case("long-name", ("validate", "spec.yaml"), "spec.yaml: name: is longer than 100 characters",
         files={"spec.yaml": spec("x" * 100_000)}),
    Case("long-instance-type", ("validate", "spec.yaml"),
         "spec.yaml: node_groups[0].instance_types[0] (cluster 'c'): 'm5.largeeeeeeeeeeeeeeeeeeee...eeeeeeeeeeeeeeeeeeeeeeeeeeee' "
         "(100,008 characters) is not a known instance type",
         files={"spec.yaml": spec(cluster=replace(CLUSTER, "[m5.large]", "[m5.large" + "e" * 100_000 + "]"))}),
    Case("long-unknown-key", ("validate", "spec.yaml"),
         "spec.yaml: ['kkkkkkkkkkkkkkkkkkkkkkkkkkk...kkkkkkkkkkkkkkkkkkkkkkkkkkkk' (50,000 characters)] (cluster 'c'): "
         "unknown key 'kkkkkkkkkkkkkkkkkkkkkkkkkkk...kkkkkkkkkkkkkkkkkkkkkkkkkkkk' (50,000 characters) (expected one of: "
         "name, description, region, availability_zones, kubernetes_version, auto_mode, vpc, subnets, plan_subnets, "
         "node_groups, fargate_profiles, vpc_cni, karpenter, requirements, planning, describe_subnets, observed)",
         files={"spec.yaml": spec(extra="? " + "k" * 50_000 + "\n: 1\n")}),  # YAML's simple keys stop at 1,024
    Case("nested-list-as-name", ("validate", "spec.yaml"),
         "spec.yaml: name: [['lol', 'lol', 'lol', 'lol', ...], [['lol', 'lol', 'lol', '..., 'lol', ...], ...]] (2 items) "
         "is not text",
         files={"spec.yaml": laughs(levels=2) + CLUSTER}),
    Case("escape-sequences-in-a-name", ("validate", "spec.yaml"), "ok: 1 cluster(s) valid (\\x1b[31mred\\x1b[0m)",
         status=0, files={"spec.yaml": spec('"\\e[31mred\\e[0m"')}),
    Case("newline-in-a-name", ("validate", "spec.yaml"), "ok: 1 cluster(s) valid (two\\nlines)", status=0,
         files={"spec.yaml": spec('"two\\nlines"')}),
    Case("bidirectional-override-in-a-name", ("validate", "spec.yaml"), "ok: 1 cluster(s) valid (abc\\u202edef)",
         status=0, files={"spec.yaml": spec('"abc\\u202Edef"')}),
    Case("nul-in-an-unknown-key", ("validate", "spec.yaml"),
         "spec.yaml: ['a\\x00b\\nc'] (cluster 'c'): unknown key 'a\\x00b\\nc' (expected one of: name, description, "
         "region, availability_zones, kubernetes_version, auto_mode, vpc, subnets, plan_subnets, node_groups, "
         "fargate_profiles, vpc_cni, karpenter, requirements, planning, describe_subnets, observed)",
         files={"spec.yaml": spec(extra='"a\\0b\\nc": 1\n')}),
    Case("hundreds-of-errors-in-one-cluster", ("validate", "spec.yaml"),
         "spec.yaml: availability_zones[0] (cluster 'c'): 'zone-0' is not an availability zone name (expected e.g. 'us-east-1a')",
         files={"spec.yaml": spec(cluster=replace(CLUSTER, "[us-east-1a]", "[" + ", ".join(f"zone-{i}" for i in range(500)) + "]"))}),
    Case("one-bad-cluster-among-good-ones", ("validate", "fleet.yaml"),
         "fleet.yaml: clusters[1].node_groups[0].instance_types[0] (cluster 'b'): 'm5.lrage' is not a known instance "
         "type (did you mean 'm5.large'?)",
         files={"fleet.yaml": "clusters:\n" + "".join(
             "  - name: " + n + "\n" + "".join(f"    {line}\n" for line in (replace(CLUSTER, "m5.large", "m5.lrage") if n == "b" else CLUSTER).splitlines())
             for n in "abc")}),
    # audit --daemonset --------------------------------------------------------------------------------------
    Case("daemonset-items-a-number", AUDIT, "eksplan audit: error: ds.yaml: items: expected a list, got 5",
         files={"ds.yaml": "kind: List\nitems: 5\n"}),
    Case("daemonset-spec-text", AUDIT, "eksplan audit: error: ds.yaml: spec: expected a mapping, got 'oops'",
         files={"ds.yaml": "kind: DaemonSet\nmetadata: {name: aws-node}\nspec: oops\n"}),
    Case("daemonset-metadata-a-number", AUDIT, "eksplan audit: error: ds.yaml: metadata: expected a mapping, got 5",
         files={"ds.yaml": "kind: DaemonSet\nmetadata: 5\n"}),
    Case("daemonset-containers-a-mapping", AUDIT,
         "eksplan audit: error: ds.yaml: spec.template.spec.containers: expected a list, got {'name': 'aws-node'}",
         files={"ds.yaml": replace(DAEMONSET, "containers:\n        - name: aws-node", "containers:\n          name: aws-node")
                .split("          image")[0]}),
    Case("daemonset-env-without-name", AUDIT,
         "eksplan audit: error: ds.yaml: spec.template.spec.containers[0].env[0].name: required, but missing",
         files={"ds.yaml": replace(DAEMONSET, "{name: WARM_ENI_TARGET, value: \"1\"}", "{value: \"1\"}")}),
    Case("daemonset-image-a-number", AUDIT,
         "eksplan audit: error: ds.yaml: spec.template.spec.containers[0].image: 5 is not text",
         files={"ds.yaml": replace(DAEMONSET, "image: 602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.18.3-eksbuild.1",
                                   "image: 5")}),
    Case("daemonset-env-value-a-list", AUDIT,
         "eksplan audit: error: ds.yaml: spec.template.spec.containers[0].env[0].value (WARM_ENI_TARGET): [1, 2] is not "
         "text (Kubernetes environment values are strings: quote it)",
         files={"ds.yaml": replace(DAEMONSET, 'value: "1"', "value: [1, 2]")}),
    Case("daemonset-warm-ip-target-abc", AUDIT,
         "eksplan audit: error: ds.yaml: spec.template.spec.containers[0].env[0].value (WARM_IP_TARGET): 'abc' is not "
         "a whole number",
         files={"ds.yaml": replace(DAEMONSET, '{name: WARM_ENI_TARGET, value: "1"}', '{name: WARM_IP_TARGET, value: abc}')}),
    Case("daemonset-probe-timeout-text", AUDIT,
         "eksplan audit: error: ds.yaml: spec.template.spec.containers[0].livenessProbe.timeoutSeconds: '10' is not a "
         "whole number", files={"ds.yaml": replace(DAEMONSET, "timeoutSeconds: 10", "timeoutSeconds: '10'")}),
    Case("daemonset-not-utf8", AUDIT, "eksplan audit: error: ds.yaml: is not UTF-8 text (byte 0xff at offset 0)",
         files={"ds.yaml": b"\xff" + DAEMONSET.encode()}),
    Case("daemonset-is-a-folder", ("audit", "--daemonset", "."), "eksplan audit: error: .: is a folder, not a file"),
    # --catalog and instance-types refresh ---------------------------------------------------------------------
    Case("catalog-not-utf8", MAX_PODS, "eksplan max-pods: error: 'types.json': is not UTF-8 text (byte 0x80 at offset 0)",
         files={"types.json": b"\x80" + snapshot().encode()}),
    Case("catalog-field-of-the-wrong-type", MAX_PODS,
         "eksplan max-pods: error: 'types.json': instance_types: m5.large: enis: 'x' is not a whole number from 1 to "
         "1,099,511,627,776", files={"types.json": snapshot(enis="x")}),
    Case("catalog-nan", MAX_PODS,
         "eksplan max-pods: error: 'types.json': NaN is not a number (JSON has no NaN or Infinity; Python's json module "
         "would accept it)", files={"types.json": snapshot().replace('"vcpus": 2', '"vcpus": NaN')}),
    Case("catalog-not-a-snapshot", MAX_PODS,
         "eksplan max-pods: error: 'types.json': not an eksplan instance-type snapshot (expected schema 1, made by "
         "'eksplan instance-types refresh')", files={"types.json": "[]"}),
    Case("catalog-works", MAX_PODS, "29", status=0, files={"types.json": snapshot()}),
    Case("capture-gzip-bomb", ("instance-types", "refresh", "--from-file", "capture.json.gz", "--output", "out.json",
                               "--captured", "2026-01-01"),
         "eksplan instance-types: error: 'capture.json.gz': decompresses to more than the 64 MiB eksplan reads from one file",
         setup=gzip_bomb("capture.json.gz")),
    Case("capture-records-of-the-wrong-shape", ("instance-types", "refresh", "--from-file", "capture.json", "--output",
                                                "out.json", "--captured", "2026-01-01"),
         "eksplan instance-types: error: no instance type with ENI limits found in the input",
         files={"capture.json": json.dumps({"InstanceTypes": [{"InstanceType": "m5.large", "NetworkInfo": "x"},
                                                               {"InstanceType": ["x"], "NetworkInfo": {"NetworkCards": [5]}}]})}),
    Case("addon-schema-from-a-device", ("addon-schema", "refresh", "--from-file", "/dev/zero", "--source", "x",
                                        "--output", "out.json"),
         "eksplan addon-schema: error: /dev/zero: is not a regular file (a character device)"),
    Case("addon-schema-property-a-number", ("addon-schema", "refresh", "--from-file", "schema.json", "--source", "x",
                                            "--output", "out.json"),
         "eksplan addon-schema: error: add-on schema: no definitions.VpcCni.properties (expected the output of "
         "'aws eks describe-addon-configuration' decoded)",
         files={"schema.json": '{"definitions": {"VpcCni": {"properties": {"env": 5}}}}'}),
    Case("addon-schema-deep-json", ("addon-schema", "refresh", "--from-file", "schema.json", "--source", "x",
                                    "--output", "out.json"),
         "eksplan addon-schema: error: add-on schema: nests deeper than 64 levels",
         files={"schema.json": "[" * 50_000 + "]" * 50_000}),
    Case("bottlerocket-table-from-a-pipe", ("instance-types", "refresh-bottlerocket", "--from-file", "eni-max-pods",
                                            "--commit", "abcdef1", "--output", "out.json"),
         "eksplan instance-types: error: eni-max-pods: is not a regular file (a named pipe)", setup=fifo("eni-max-pods")),
    Case("branch-limits-commit-with-escapes", ("instance-types", "refresh-branch-enis", "--from-limits-go", "limits.go",
                                               "--commit", "\x1b[31m", "--output", "out.json"),
         "eksplan instance-types: error: --commit: '\\x1b[31m' is not a git commit (expected 7 to 40 hex digits)",
         files={"limits.go": "package vpc\n"}),
    # Command-line arguments and report outputs ------------------------------------------------------------------
    Case("output-is-a-file", ("report", "spec.yaml", "-o", "spec.yaml"),
         "eksplan report: error: -o 'spec.yaml': is a file, not a folder", files={"spec.yaml": spec()}),
    Case("output-under-a-file", ("report", "spec.yaml", "-o", "spec.yaml/reports"),
         "eksplan report: error: -o 'spec.yaml/reports': 'spec.yaml' is a file, not a folder", files={"spec.yaml": spec()}),
    Case("output-cannot-be-made", ("report", "spec.yaml", "-o", "/proc/eksplan-reports"),
         "eksplan report: error: -o '/proc/eksplan-reports': cannot be made (No such file or directory)",
         files={"spec.yaml": spec()}),
    Case("output-empty", ("report", "spec.yaml", "-o", ""),
         "eksplan report: error: -o '': empty; name the folder to write the reports in (e.g. -o reports)",
         files={"spec.yaml": spec()}),
    Case("cluster-option-with-escapes", ("plan", "fleet.yaml", "--cluster", "\x1b[2Jx"),
         "eksplan plan: error: fleet.yaml: no cluster named '\\x1b[2Jx' (clusters: 'a', 'b')",
         files={"fleet.yaml": "clusters:\n" + "".join("  - name: " + n + "\n" + "".join(f"    {line}\n" for line in CLUSTER.splitlines())
                                                    for n in "ab")}),
    Case("long-instance-type-argument", ("max-pods", "--instance-type", "m" * 100_000),
         "eksplan max-pods: error: 'mmmmmmmmmmmmmmmmmmmmmmmmmmm...mmmmmmmmmmmmmmmmmmmmmmmmmmmm' (100,000 characters) is not a "
         "known instance type"),
    Case("pods-of-5001-digits", ("simulate-node", "--instance-type", "m5.large", "--pods", "9" * 5001),
         "eksplan simulate-node: error: argument --pods: '999999999999999999999999999...9999999999999999999999999999' "
         "(5,001 characters) is out of range (at most 18 digits)"),
    Case("cni-version-with-escapes", ("max-pods", "--instance-type", "m5.large", "--cni-version", "\x1b]0;title\x07"),
         "eksplan max-pods: error: argument --cni-version: '\\x1b]0;title\\x07' is not a VPC CNI version (expected "
         "MAJOR.MINOR[.PATCH], e.g. 1.18.3 or v1.18.3-eksbuild.1)"),
    Case("unknown-option-with-escapes", ("validate", "spec.yaml", "--\x1b[31mx"),
         "eksplan: error: unrecognized arguments: --\\x1b[31mx", files={"spec.yaml": spec()}),
]
