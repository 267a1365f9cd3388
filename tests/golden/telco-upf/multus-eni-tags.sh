aws ec2 create-tags --resources '<eth1 ENI id of every node>' --tags Key=node.k8s.amazonaws.com/no_manage,Value=true
