kubectl set env daemonset aws-node -n kube-system ENABLE_PREFIX_DELEGATION=false WARM_IP_TARGET=4 WARM_ENI_TARGET-
