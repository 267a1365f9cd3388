kubectl set env daemonset aws-node -n kube-system ENABLE_PREFIX_DELEGATION=false
