# make demo: the seven-act story on the dev cluster (scripts/demo.sh), and its shortened guard for make test.
APT_PACKAGES += hey docker-registry curl python3

.PHONY: demo-check demo-build
demo-build: devcluster-build sample-models

## demo-check       the demo's first three acts (pack, push, dev cluster, deploy, serve) as a guard; about 1-2 min on 2 cores
demo-check: deps kubectl demo-build
	CONFIGURATION=$(CONFIGURATION) MODELS=$(SAMPLE_MODELS_DIR) DEMO_ACTS="1 2 3" bash scripts/demo.sh
# make test runs the shortened demo first: it guards that the demo still works end to end (about 2 minutes on 2 cores).
TEST_DEPS += demo-check
