aws ec2 create-tags --resources subnet-0d4f000000000a001 --tags Key=kubernetes.io/cluster/telco-upf,Value=shared Key=kubernetes.io/role/internal-elb,Value=1
aws ec2 create-tags --resources subnet-0d4f000000000a002 --tags Key=kubernetes.io/cluster/telco-upf,Value=shared Key=kubernetes.io/role/internal-elb,Value=1
aws ec2 create-tags --resources subnet-0d4f000000000b001 --tags Key=kubernetes.io/cluster/telco-upf,Value=shared Key=kubernetes.io/role/elb,Value=1
aws ec2 create-tags --resources subnet-0d4f000000000b002 --tags Key=kubernetes.io/cluster/telco-upf,Value=shared Key=kubernetes.io/role/elb,Value=1
aws ec2 create-tags --resources subnet-0d4f000000000e001 --tags Key=kubernetes.io/cluster/telco-upf,Value=shared
aws ec2 create-tags --resources subnet-0d4f000000000e002 --tags Key=kubernetes.io/cluster/telco-upf,Value=shared
