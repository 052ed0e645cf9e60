# ModelOperator build entry points. Each area keeps its own targets in mk/<area>.mk;
# this file holds what they share: the .NET build, dependency installation and the test run.
SHELL := /bin/bash
.DEFAULT_GOAL := help
DOTNET ?= dotnet
CONFIGURATION ?= Release
export DOTNET_CLI_TELEMETRY_OPTOUT := 1
export DOTNET_NOLOGO := 1
export DOTNET_SKIP_FIRST_TIME_EXPERIENCE := 1

# Debian packages the tests need; each mk/*.mk adds its own with APT_PACKAGES += …
APT_PACKAGES :=
# Extra steps before tests run (e.g. fetching kubectl); each mk/*.mk may add targets with TEST_DEPS += …
TEST_DEPS :=

include $(sort $(wildcard mk/*.mk))

.PHONY: help deps build test bench demo
# The acts on the dev cluster (scripts/demo.sh); demo-runtime and demo-platform remain as the smaller pieces.
demo: deps kubectl demo-build dev-images
	CONTAINERS=$(CONTAINERS) CONFIGURATION=$(CONFIGURATION) MODELS=$(SAMPLE_MODELS_DIR) bash scripts/demo.sh
bench: bench-runtime
help:
	@echo "make demo            install what is needed and show ModelOperator working: nine acts on the dev cluster (about 6 min)"
	@echo "make test            install what is needed and run every test"
	@echo "make bench           runtime benchmarks (ratios against a baseline measured in the same run)"
	@grep -hE '^## ' mk/*.mk 2>/dev/null | sed 's/^## /make /' || true

# Installs the Debian packages the tests and demo need, only when one is missing.
deps:
	@command -v $(DOTNET) >/dev/null || { echo "The .NET 10 SDK is needed (not a Debian package): see https://learn.microsoft.com/dotnet/core/install/linux-debian" >&2; exit 1; }
	@missing=""; for p in $(APT_PACKAGES); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "Installing Debian packages:$$missing"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends $$missing >/dev/null; \
	fi

build:
	$(DOTNET) build ModelOperator.sln -c $(CONFIGURATION) -nologo -clp:ErrorsOnly

# Runs every test project, one at a time (-m:1: the end-to-end tests run real processes and are timing-sensitive on
# 2 cores when projects run side by side), then the whole demo as the guard that `make demo` still tells its story
# (scripts/demo.sh, about 4 minutes; its output in .artifacts/demo.log). The last lines sum them up as
# "tests: N passed, N failed, N skipped" (and how many test runs aborted, if any) and "demo: passed|failed …", after
# each failed test's name and the start of its error, or an aborted test host's (CI shows only the tail of the output). DEMO=0 leaves the demo out.
DEMO ?= 1
test: deps build $(TEST_DEPS) kubectl demo-build dev-images
	@mkdir -p .artifacts; set -o pipefail; \
	$(DOTNET) test ModelOperator.sln -c $(CONFIGURATION) --no-build -nologo -m:1 --logger "console;verbosity=normal" \
	  -- RunConfiguration.TestSessionTimeout=3000000 2>&1 | tee .artifacts/test.log; status=$$?; \
	demo=skipped; if [ "$(DEMO)" != 0 ]; then \
	  echo "Running the demo as a test (output in .artifacts/demo.log)"; \
	  if CONTAINERS=$(CONTAINERS) CONFIGURATION=$(CONFIGURATION) MODELS=$(SAMPLE_MODELS_DIR) bash scripts/demo.sh > .artifacts/demo.log 2>&1; then demo=passed; \
	  else demo=failed; status=1; fi; \
	  sed -n '/=== Act [0-9]*\/[0-9]*: Summary ===/,$$p' .artifacts/demo.log; \
	fi; \
	awk '/^ +Failed [A-Za-z_][A-Za-z0-9_.]+/{n=8} /^Testhost process for source/{n=4} n>0{print "  " $$0; n--}' .artifacts/test.log | cut -c1-300; \
	awk '/^ +Passed: [0-9]+$$/{p+=$$2} /^ +Failed: [0-9]+$$/{f+=$$2} /^ +Skipped: [0-9]+$$/{s+=$$2} /^Test Run Aborted/{a++} \
	  END{printf "tests: %d passed, %d failed, %d skipped%s\n", p, f, s, a ? sprintf(", %d test runs aborted", a) : ""}' .artifacts/test.log; echo "demo: $$demo"; exit $$status
