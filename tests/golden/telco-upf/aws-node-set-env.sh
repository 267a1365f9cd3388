kubectl set env daemonset aws-node -n kube-system WARM_IP_TARGET=4 WARM_ENI_TARGET-
