# Delivery: the platform demo, the Helm chart into a cluster, and the end-to-end run on a real kind cluster.
APT_PACKAGES += lua5.4 openssl
.PHONY: demo-platform deploy e2e-kind
HELM ?= $(if $(wildcard .tools/bin/helm),$(CURDIR)/.tools/bin/helm,helm)

## demo-platform   pack → push to a real registry → serve from it → the operator reconciling a ModelDeployment (API double)
demo-platform: deps build kubectl sample-models
	CONFIGURATION=$(CONFIGURATION) MODELS=$(SAMPLE_MODELS_DIR) bash scripts/demo-platform.sh

## deploy           install or upgrade the Helm chart into the current kube context (namespace model-operator)
deploy:
	$(HELM) upgrade --install model-operator charts/model-operator --namespace model-operator --create-namespace

## e2e-kind         build the images, install the chart on a kind cluster and serve a model (needs docker, kind, kubectl, helm)
e2e-kind:
	bash scripts/e2e-kind.sh
