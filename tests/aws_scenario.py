"""An AWS account with two EKS clusters, built in moto by the discovery tests.

``build(region)`` creates (through boto3, so in moto's in-process mock or its server alike) a VPC
with node, cluster, public and pod subnets in two zones, a managed node group's, a Karpenter
NodePool's and a self-managed node's instances with their interfaces, a Fargate profile, a prefix
CIDR reservation; and a second cluster whose managed node group names an AMI. ``kubectl(...)``
returns what kubectl would print for the first cluster's nodes, pods and aws-node.
"""

from __future__ import annotations

import boto3

ROLE = "arn:aws:iam::123456789012:role/eks"
#: moto's stock AMI (present in every region of its mock).
AMI = "ami-12c6146b"
CNI_IMAGE = "602401143452.dkr.ecr.us-east-1.amazonaws.com/amazon-k8s-cni:v1.19.2-eksbuild.1"


def _tags(**tags):
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _instance(ec2, subnet, instance_type, tags, secondary):
    reservation = ec2.run_instances(ImageId=AMI, MinCount=1, MaxCount=1, InstanceType=instance_type, SubnetId=subnet,
                                    TagSpecifications=[{"ResourceType": "instance", "Tags": _tags(**tags)}])
    instance = reservation["Instances"][0]["InstanceId"]
    if secondary:
        eni = ec2.create_network_interface(SubnetId=subnet, SecondaryPrivateIpAddressCount=secondary)
        ec2.attach_network_interface(NetworkInterfaceId=eni["NetworkInterface"]["NetworkInterfaceId"],
                                     InstanceId=instance, DeviceIndex=1)
    return instance


def build(region: str = "us-east-1") -> dict:
    """Create the account's resources; returns the ids the tests refer to."""
    ec2 = boto3.client("ec2", region_name=region)
    eks = boto3.client("eks", region_name=region)
    a, b = f"{region}a", f"{region}b"
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    ec2.associate_vpc_cidr_block(VpcId=vpc, CidrBlock="100.64.0.0/16")

    def subnet(cidr, az, **tags):
        created = ec2.create_subnet(VpcId=vpc, CidrBlock=cidr, AvailabilityZone=az,
                                    TagSpecifications=[{"ResourceType": "subnet", "Tags": _tags(**tags)}] if tags else [])
        return created["Subnet"]["SubnetId"]

    ids = {
        "vpc": vpc,
        "nodes_a": subnet("10.0.0.0/20", a, Name="nodes-a"), "nodes_b": subnet("10.0.16.0/20", b, Name="nodes-b"),
        "cluster_a": subnet("10.0.255.0/28", a), "cluster_b": subnet("10.0.255.16/28", b),
        "public_a": subnet("10.0.100.0/24", a, **{"kubernetes.io/role/elb": "1"}),
        "pods_a": subnet("100.64.0.0/18", a, **{"kubernetes.io/role/cni": "1"}),
        "dev_a": subnet("10.0.32.0/24", a), "dev_b": subnet("10.0.33.0/24", b),
    }
    ec2.create_subnet_cidr_reservation(SubnetId=ids["nodes_a"], Cidr="10.0.15.0/24", ReservationType="prefix")
    ec2.create_subnet_cidr_reservation(SubnetId=ids["nodes_b"], Cidr="10.0.31.240/28", ReservationType="explicit")
    eks.create_cluster(name="shop", version="1.31", roleArn=ROLE, resourcesVpcConfig={
        "subnetIds": [ids["cluster_a"], ids["cluster_b"], ids["public_a"]],
        "endpointPublicAccess": True, "endpointPrivateAccess": True, "publicAccessCidrs": ["192.0.2.0/24"]})
    eks.create_nodegroup(clusterName="shop", nodegroupName="web", nodeRole=ROLE, instanceTypes=["m5.large"],
                         scalingConfig={"minSize": 1, "desiredSize": 2, "maxSize": 6},
                         subnets=[ids["nodes_a"], ids["nodes_b"]], amiType="AL2023_x86_64_STANDARD")
    eks.create_fargate_profile(clusterName="shop", fargateProfileName="jobs", podExecutionRoleArn=ROLE,
                               subnets=[ids["nodes_a"]], selectors=[{"namespace": "jobs"}])
    owned = {"kubernetes.io/cluster/shop": "owned"}
    ids["web_1"] = _instance(ec2, ids["nodes_a"], "m5.large", {**owned, "eks:nodegroup-name": "web",
                                                              "eks:cluster-name": "shop"}, secondary=9)
    ids["web_2"] = _instance(ec2, ids["nodes_b"], "m5.large", {**owned, "eks:nodegroup-name": "web",
                                                              "eks:cluster-name": "shop"}, secondary=0)
    ids["batch_1"] = _instance(ec2, ids["nodes_a"], "c6i.xlarge", {**owned, "karpenter.sh/nodepool": "batch"},
                               secondary=14)
    ids["legacy_1"] = _instance(ec2, ids["nodes_b"], "m5.xlarge", {**owned, "aws:autoscaling:groupName": "legacy"},
                                secondary=0)
    eks.create_cluster(name="dev", version="1.30", roleArn=ROLE,
                       resourcesVpcConfig={"subnetIds": [ids["dev_a"], ids["dev_b"]]})
    eks.create_nodegroup(clusterName="dev", nodegroupName="tools", nodeRole=ROLE, instanceTypes=["t3.large"],
                         scalingConfig={"minSize": 0, "desiredSize": 0, "maxSize": 3}, subnets=[ids["dev_a"], ids["dev_b"]],
                         amiType="CUSTOM")
    return ids


def kubectl(ids: dict, region: str = "us-east-1") -> dict:
    """What kubectl prints for cluster 'shop': nodes, pods and the aws-node DaemonSet (as -o json)."""
    a, b = f"{region}a", f"{region}b"

    def node(name, instance, instance_type, zone, max_pods, labels, os_image="Amazon Linux 2023.6.20250123"):
        return {"apiVersion": "v1", "kind": "Node",
                "metadata": {"name": name, "labels": {"node.kubernetes.io/instance-type": instance_type,
                                                      "topology.kubernetes.io/zone": zone, **labels}},
                "spec": {"providerID": f"aws:///{zone}/{instance}"},
                "status": {"capacity": {"pods": str(max_pods)}, "nodeInfo": {"osImage": os_image}}}

    nodes = {"apiVersion": "v1", "kind": "List", "items": [
        node("web-1", ids["web_1"], "m5.large", a, 29, {"eks.amazonaws.com/nodegroup": "web"}),
        node("web-2", ids["web_2"], "m5.large", b, 29, {"eks.amazonaws.com/nodegroup": "web"}),
        node("batch-1", ids["batch_1"], "c6i.xlarge", a, 110, {"karpenter.sh/nodepool": "batch"}),
        node("legacy-1", ids["legacy_1"], "m5.xlarge", b, 58, {}, os_image="Bottlerocket OS 1.29.0 (aws-k8s-1.31)"),
    ]}

    def pod(name, node_name, host=False, phase="Running", labels=None):
        return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default",
                                                                "labels": labels or {}},
                "spec": {"nodeName": node_name, "hostNetwork": host}, "status": {"phase": phase}}

    items = [pod(f"w1-{i}", "web-1") for i in range(8)] + [pod(f"w2-{i}", "web-2") for i in range(5)]
    items += [pod(f"b-{i}", "batch-1") for i in range(30)] + [pod("done", "batch-1", phase="Succeeded")]
    items += [pod(f"aws-node-{n}", n, host=True) for n in ("web-1", "web-2", "batch-1", "legacy-1")]
    items += [pod(f"job-{i}", f"fargate-ip-10-0-1-{i}", labels={"eks.amazonaws.com/fargate-profile": "jobs"})
              for i in range(3)]
    pods = {"apiVersion": "v1", "kind": "List", "items": items}
    env = [{"name": "WARM_ENI_TARGET", "value": "1"}, {"name": "ENABLE_PREFIX_DELEGATION", "value": "false"},
           {"name": "AWS_VPC_K8S_CNI_LOGLEVEL", "value": "DEBUG"}, {"name": "VPC_CNI_VERSION", "value": "v1.19.2"},
           {"name": "MY_NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}]
    daemonset = {"apiVersion": "apps/v1", "kind": "DaemonSet",
                 "metadata": {"name": "aws-node", "namespace": "kube-system"},
                 "spec": {"template": {"spec": {"containers": [{"name": "aws-node", "image": CNI_IMAGE, "env": env}]}}}}
    return {"nodes": nodes, "pods": pods, "aws-node": daemonset}
