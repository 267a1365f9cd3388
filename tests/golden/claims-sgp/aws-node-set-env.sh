kubectl set env daemonset aws-node -n kube-system AWS_VPC_K8S_CNI_EXTERNALSNAT=true ENABLE_POD_ENI=true ENABLE_PREFIX_DELEGATION=false POD_SECURITY_GROUP_ENFORCING_MODE=standard
