"""Benchmark: live discovery against moto's threaded server (on 127.0.0.1) for N clusters.

Each cluster has its own VPC with two node subnets, a managed node group and nodes with a second
interface. Prints the time to read the account (every call through HTTP, paginated) and to turn
it into specs. Fake credentials; nothing leaves the machine.

    python benchmarks/bench_discover.py [--clusters N] [--nodes N]
"""

from __future__ import annotations

import argparse
import logging
import os
import tempfile
import time


def build(clusters: int, nodes: int) -> None:
    import boto3

    ec2, eks = boto3.client("ec2"), boto3.client("eks")
    role = "arn:aws:iam::123456789012:role/eks"
    for c in range(clusters):
        vpc = ec2.create_vpc(CidrBlock=f"10.{c}.0.0/16")["Vpc"]["VpcId"]
        subnets = [ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.{c}.{16 * i}.0/20",
                                     AvailabilityZone=f"us-east-1{'ab'[i]}")["Subnet"]["SubnetId"] for i in range(2)]
        name = f"c{c:03d}"
        eks.create_cluster(name=name, roleArn=role, resourcesVpcConfig={"subnetIds": subnets})
        eks.create_nodegroup(clusterName=name, nodegroupName="ng", nodeRole=role, instanceTypes=["m5.large"],
                             scalingConfig={"minSize": 1, "desiredSize": nodes, "maxSize": 10}, subnets=subnets)
        for n in range(nodes):
            tags = [{"Key": "eks:nodegroup-name", "Value": "ng"}, {"Key": "eks:cluster-name", "Value": name}]
            instance = ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1, InstanceType="m5.large",
                                         SubnetId=subnets[n % 2], TagSpecifications=[
                                             {"ResourceType": "instance", "Tags": tags}])["Instances"][0]["InstanceId"]
            eni = ec2.create_network_interface(SubnetId=subnets[n % 2], SecondaryPrivateIpAddressCount=9)
            ec2.attach_network_interface(NetworkInterfaceId=eni["NetworkInterface"]["NetworkInterfaceId"],
                                         InstanceId=instance, DeviceIndex=1)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clusters", type=int, default=20)
    parser.add_argument("--nodes", type=int, default=3)
    args = parser.parse_args()
    folder = tempfile.mkdtemp(prefix="eksplan-bench-discover-")
    os.environ.update(AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing", AWS_DEFAULT_REGION="us-east-1",
                      AWS_CONFIG_FILE=os.path.join(folder, "none"), AWS_SHARED_CREDENTIALS_FILE=os.path.join(folder, "none"),
                      AWS_EC2_METADATA_DISABLED="true")
    os.environ.pop("AWS_PROFILE", None)
    from moto.server import ThreadedMotoServer

    from eksplan.catalog import load_catalog
    from eksplan.discover import discover_region, write_outcome
    from eksplan.discover.aws import fetch_region

    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one log line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    os.environ["AWS_ENDPOINT_URL"] = f"http://{host}:{port}"
    try:
        build(args.clusters, args.nodes)
        catalog = load_catalog()
        start = time.perf_counter()
        captures = fetch_region("us-east-1")
        fetched = time.perf_counter()
        outcomes = discover_region(captures, catalog, allow_unknown=True)
        for outcome in outcomes:
            write_outcome(outcome, folder)
        done = time.perf_counter()
    finally:
        server.stop()
    written = sum(o.ok for o in outcomes)
    print(f"{len(captures.clusters)} clusters, {args.nodes} nodes each: read {fetched - start:.2f} s, "
          f"specs {done - fetched:.2f} s ({written} written), {(done - start) / max(written, 1) * 1000:.0f} ms per cluster")


if __name__ == "__main__":
    main()
