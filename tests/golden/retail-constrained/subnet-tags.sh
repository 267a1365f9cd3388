aws ec2 create-tags --resources subnet-0b2d000000000c001 --tags Key=kubernetes.io/cluster/retail-constrained,Value=shared
aws ec2 create-tags --resources subnet-0b2d000000000c002 --tags Key=kubernetes.io/cluster/retail-constrained,Value=shared
aws ec2 create-tags --resources subnet-0b2d000000000c003 --tags Key=kubernetes.io/cluster/retail-constrained,Value=shared
aws ec2 create-tags --resources subnet-0b2d000000000b001 --tags Key=kubernetes.io/cluster/retail-constrained,Value=shared Key=kubernetes.io/role/elb,Value=1
aws ec2 create-tags --resources subnet-0b2d000000000b002 --tags Key=kubernetes.io/cluster/retail-constrained,Value=shared Key=kubernetes.io/role/elb,Value=1
aws ec2 create-tags --resources subnet-0b2d000000000b003 --tags Key=kubernetes.io/cluster/retail-constrained,Value=shared Key=kubernetes.io/role/elb,Value=1
aws ec2 create-tags --resources subnet-0b2d000000000a001 --tags Key=kubernetes.io/cluster/retail-constrained,Value=shared Key=kubernetes.io/role/internal-elb,Value=1
aws ec2 create-tags --resources subnet-0b2d000000000a002 --tags Key=kubernetes.io/cluster/retail-constrained,Value=shared Key=kubernetes.io/role/internal-elb,Value=1
aws ec2 create-tags --resources subnet-0b2d000000000a003 --tags Key=kubernetes.io/cluster/retail-constrained,Value=shared Key=kubernetes.io/role/internal-elb,Value=1
aws ec2 create-tags --resources subnet-0b2d000000000d001 --tags Key=kubernetes.io/cluster/retail-constrained,Value=shared
aws ec2 create-tags --resources subnet-0b2d000000000d002 --tags Key=kubernetes.io/cluster/retail-constrained,Value=shared
aws ec2 create-tags --resources subnet-0b2d000000000d003 --tags Key=kubernetes.io/cluster/retail-constrained,Value=shared
