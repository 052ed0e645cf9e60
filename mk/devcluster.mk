# The dev cluster (devcluster/DevCluster): simulated GPU nodes, a scheduler, Deployment/ReplicaSet/endpoints
# controllers, the kubelet running runtime pods as processes, Services on loopback cluster IPs, and the operator.
APT_PACKAGES += prometheus

PROMETHEUS ?= 1
# helm: `helm install` of charts/model-operator, the operator running as the chart's pods (the kubelet maps its image
# to the built operator); process: the built operator as a host process with the CRDs of crds/ applied first.
OPERATOR ?= helm
DEVCLUSTER_BIN := devcluster/DevCluster/bin/$(CONFIGURATION)/net10.0/dev-cluster
OPERATOR_BIN := operator/bin/$(CONFIGURATION)/net10.0/model-operator
DEVCLUSTER_OPERATOR_FLAGS_helm = --operator-chart $(CURDIR)/charts/model-operator --helm $(CURDIR)/$(TOOLS_DIR)/bin/helm
DEVCLUSTER_OPERATOR_FLAGS_process := --crds $(CURDIR)/crds --operator $(CURDIR)/$(OPERATOR_BIN)

.PHONY: dev-cluster devcluster-build
## dev-cluster      run a local cluster in the foreground (nodes, scheduler, controllers, kubelet, the operator installed with helm, Prometheus); writes .devcluster/kubeconfig once the operator pod leads; Ctrl-C stops it all (OPERATOR=process: operator as a host process; PROMETHEUS=0: no Prometheus; NODES=file.yaml: your nodes; CONTAINERS=1: pods as podman containers of the images `make images` pushed, opt-in)
dev-cluster: deps kubectl devcluster-build
	@$(if $(DEVCLUSTER_OPERATOR_FLAGS_$(OPERATOR)),,echo "OPERATOR must be helm or process, got '$(OPERATOR)'" >&2; exit 2;) \
	exec $(DEVCLUSTER_BIN) --state $(CURDIR)/.devcluster $(DEVCLUSTER_OPERATOR_FLAGS_$(OPERATOR)) \
	  $(if $(filter 0,$(PROMETHEUS)),,--prometheus /usr/bin/prometheus) $(if $(NODES),--nodes $(NODES)) \
	  $(if $(filter 1,$(CONTAINERS)),--containers on)

devcluster-build:
	$(DOTNET) build runtime -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	$(DOTNET) build operator -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	$(DOTNET) build activator -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	$(DOTNET) build devcluster/DevCluster -c $(CONFIGURATION) -nologo -clp:ErrorsOnly

.PHONY: bench-devcluster
## bench-devcluster seconds from kubectl apply to Ready pods (1 pod, and BENCH_PODS=20 over the nodes) and one runtime pod's RSS, for pods as processes and as containers (images from make images) in one run, with containers/processes ratios (target 1.5x); the operator installed as dev-cluster installs it (OPERATOR=helm|process; BENCH_MODES="processes containers" or one)
BENCH_PODS ?= 20
BENCH_MODES ?= processes containers
bench-devcluster: deps kubectl devcluster-build sample-models $(if $(filter containers,$(BENCH_MODES)),images)
	scripts/bench-devcluster.sh $(DEVCLUSTER_BIN) $(BENCH_PODS) "$(BENCH_MODES)" $(DEVCLUSTER_OPERATOR_FLAGS_$(OPERATOR))
