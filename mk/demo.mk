# make demo: the nine-act story on the dev cluster (scripts/demo.sh); make test runs it whole after the test projects.
APT_PACKAGES += hey docker-registry curl python3

.PHONY: demo-check demo-build
demo-build: devcluster-build sample-models

## demo-check       the demo's first three acts only (pack, push, dev cluster, deploy, serve); about 1-2 min on 2 cores
demo-check: deps kubectl demo-build dev-images
	CONTAINERS=$(CONTAINERS) CONFIGURATION=$(CONFIGURATION) MODELS=$(SAMPLE_MODELS_DIR) DEMO_ACTS="1 2 3" bash scripts/demo.sh
