kubectl set env daemonset aws-node -n kube-system ENABLE_IPv4=false ENABLE_IPv6=true ENABLE_PREFIX_DELEGATION=true
