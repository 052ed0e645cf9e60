# Delivery: the platform demo, the Helm chart into a cluster, and the end-to-end run on a real kind cluster.
APT_PACKAGES += lua5.4 openssl
.PHONY: demo-platform deploy e2e-kind images
IMAGE_TAG ?= dev
HELM ?= $(if $(wildcard .tools/bin/helm),$(CURDIR)/.tools/bin/helm,helm)

## demo-platform   pack → push to a real registry → serve from it → the operator reconciling a ModelDeployment (API double)
demo-platform: deps build kubectl sample-models
	CONFIGURATION=$(CONFIGURATION) MODELS=$(SAMPLE_MODELS_DIR) bash scripts/demo-platform.sh

## deploy           install or upgrade the Helm chart into the current kube context (namespace model-operator)
deploy:
	$(HELM) upgrade --install model-operator charts/model-operator --namespace model-operator --create-namespace

## images           build the operator image and the runtime's GPU and CPU images (where docker exists)
images:
	@command -v docker >/dev/null || { echo "make images: docker is not installed here; the Dockerfiles are operator/Dockerfile, runtime/Dockerfile (GPU) and runtime/Dockerfile.cpu" >&2; exit 2; }
	docker build -f operator/Dockerfile -t model-operator:$(IMAGE_TAG) .
	docker build -f runtime/Dockerfile -t model-runtime:$(IMAGE_TAG)-gpu .
	docker build -f runtime/Dockerfile.cpu -t model-runtime:$(IMAGE_TAG) .

## e2e-kind         build the images, install the chart on a kind cluster and serve a model (needs docker, kind, kubectl, helm)
e2e-kind:
	bash scripts/e2e-kind.sh
