aws ec2 create-tags --resources subnet-0a1c000000000a003 --tags Key=kubernetes.io/role/internal-elb,Value=1
