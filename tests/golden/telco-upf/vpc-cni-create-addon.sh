aws eks create-addon --cluster-name telco-upf --addon-name vpc-cni --addon-version 'v1.16.4-eksbuild.<n>' --configuration-values file://vpc-cni-configuration.json --resolve-conflicts OVERWRITE
