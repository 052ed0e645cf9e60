# make demo: the seven-act story on the dev cluster (scripts/demo.sh), and its shortened guard for make test.
APT_PACKAGES += hey docker-registry curl python3

.PHONY: demo-check demo-build
demo-build: devcluster-build sample-models

## demo-check       the demo's first three acts (pack, push, dev cluster, deploy, serve) as a guard; about 1-2 min on 2 cores
demo-check: deps kubectl demo-build
	CONFIGURATION=$(CONFIGURATION) MODELS=$(SAMPLE_MODELS_DIR) DEMO_ACTS="1 2 3" bash scripts/demo.sh
# Not in TEST_DEPS yet: act 5 still loses a request or two at promotion on a busy machine, and a flaky guard
# would stop every CI run before its tests. Run it by hand: make demo-check.
