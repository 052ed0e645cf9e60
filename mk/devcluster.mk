# The dev cluster (devcluster/DevCluster): simulated GPU nodes, a scheduler, Deployment/ReplicaSet/endpoints
# controllers, the kubelet running runtime pods as processes, Services on loopback cluster IPs, and the operator.
APT_PACKAGES += prometheus

PROMETHEUS ?= 1
DEVCLUSTER_BIN := devcluster/DevCluster/bin/$(CONFIGURATION)/net10.0/dev-cluster
OPERATOR_BIN := operator/bin/$(CONFIGURATION)/net10.0/model-operator

.PHONY: dev-cluster devcluster-build
## dev-cluster      run a local cluster in the foreground (nodes, scheduler, controllers, kubelet, operator, Prometheus); writes .devcluster/kubeconfig when ready; Ctrl-C stops it all (PROMETHEUS=0: no Prometheus; NODES=file.yaml: your nodes)
dev-cluster: deps kubectl devcluster-build
	@exec $(DEVCLUSTER_BIN) --state $(CURDIR)/.devcluster --crds $(CURDIR)/crds --operator $(CURDIR)/$(OPERATOR_BIN) \
	  $(if $(filter 0,$(PROMETHEUS)),,--prometheus /usr/bin/prometheus) $(if $(NODES),--nodes $(NODES))

devcluster-build:
	$(DOTNET) build runtime -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	$(DOTNET) build operator -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	$(DOTNET) build devcluster/DevCluster -c $(CONFIGURATION) -nologo -clp:ErrorsOnly

.PHONY: bench-devcluster
## bench-devcluster seconds from kubectl apply to Ready pods (1 pod, and BENCH_PODS=20 over the nodes) and one runtime pod's RSS; figures only
BENCH_PODS ?= 20
bench-devcluster: deps kubectl devcluster-build sample-models
	scripts/bench-devcluster.sh $(DEVCLUSTER_BIN) $(CURDIR)/$(OPERATOR_BIN) $(BENCH_PODS)
