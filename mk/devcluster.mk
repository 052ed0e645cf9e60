# The dev cluster (devcluster/DevCluster): simulated GPU nodes, a scheduler, Deployment/ReplicaSet/endpoints
# controllers, the kubelet running runtime pods as processes, Services on loopback cluster IPs, and the operator.
APT_PACKAGES += prometheus

PROMETHEUS ?= 1
# Pods run as podman containers of the images built from the project's Dockerfiles (make images, pushed to the dev
# registry the kubelet pulls from): the default. CONTAINERS=0 runs them as host processes of the built programs.
CONTAINERS ?= 1
DEVCLUSTER_CONTAINERS = --containers $(if $(filter 1,$(CONTAINERS)),on,off)
# helm: `helm install` of charts/model-operator, the operator running as the chart's pods (the kubelet maps its image
# to the built operator); process: the built operator as a host process with the CRDs of crds/ applied first.
OPERATOR ?= helm
DEVCLUSTER_BIN := devcluster/DevCluster/bin/$(CONFIGURATION)/net10.0/dev-cluster
OPERATOR_BIN := operator/bin/$(CONFIGURATION)/net10.0/model-operator
DEVCLUSTER_OPERATOR_FLAGS_helm = --operator-chart $(CURDIR)/charts/model-operator --helm $(CURDIR)/$(TOOLS_DIR)/bin/helm
DEVCLUSTER_OPERATOR_FLAGS_process := --crds $(CURDIR)/crds --operator $(CURDIR)/$(OPERATOR_BIN)

.PHONY: dev-cluster devcluster-build dev-images
## dev-cluster      run a local cluster in the foreground (nodes, scheduler, controllers, kubelet running pods as podman containers of the images built from the Dockerfiles, the operator installed with helm from its image, Prometheus); writes .devcluster/kubeconfig once the operator pod leads; Ctrl-C stops it all (CONTAINERS=0: pods as host processes; OPERATOR=process: operator as a host process; PROMETHEUS=0: no Prometheus; NODES=file.yaml: your nodes)
dev-cluster: deps kubectl devcluster-build dev-images
	@$(if $(DEVCLUSTER_OPERATOR_FLAGS_$(OPERATOR)),,echo "OPERATOR must be helm or process, got '$(OPERATOR)'" >&2; exit 2;) \
	exec $(DEVCLUSTER_BIN) --state $(CURDIR)/.devcluster $(DEVCLUSTER_OPERATOR_FLAGS_$(OPERATOR)) \
	  $(if $(filter 0,$(PROMETHEUS)),,--prometheus /usr/bin/prometheus) $(if $(NODES),--nodes $(NODES)) $(DEVCLUSTER_CONTAINERS)

# The images the dev cluster's containers run, built and pushed to the dev registry (make images) unless CONTAINERS=0;
# where podman cannot run, said here, and the dev cluster says so again as it falls back to processes (under CI=true
# it is a failure instead, as for the tests that need containers).
dev-images: deps
	@if [ "$(CONTAINERS)" = 1 ]; then \
	  if CONTAINERS_CONF=$(CURDIR)/images/containers.conf podman info >/dev/null 2>&1; then mkdir -p .artifacts; \
	    echo "Building the images for the dev cluster's containers (make images; all output in .artifacts/images.log)"; \
	    if bash scripts/images.sh > .artifacts/images.log 2>&1; then grep -E '^(pushed|make images|Dev registry)' .artifacts/images.log; \
	    else tail -30 .artifacts/images.log; exit 1; fi; \
	  elif [ "$$CI" = true ]; then echo "podman cannot run here, and under CI that is a failure: $$(CONTAINERS_CONF=$(CURDIR)/images/containers.conf podman info 2>&1 | tail -1)" >&2; exit 1; \
	  else echo "podman cannot run here: the dev cluster will run pods as processes (make deps installs podman and runc)"; fi; \
	fi

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
