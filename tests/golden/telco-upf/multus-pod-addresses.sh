aws ec2 assign-private-ip-addresses --network-interface-id '<eth1 ENI id of the node running the pod>' --private-ip-addresses '<Multus address of the pod>' --allow-reassignment
