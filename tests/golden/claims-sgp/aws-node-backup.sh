kubectl get daemonset aws-node -n kube-system -o yaml > aws-k8s-cni-backup.yaml
