# Model packages (issue 3): pack/push/pull/inspect against the real CNCF distribution registry.
APT_PACKAGES += docker-registry apache2-utils

.PHONY: test-packaging registry
## test-packaging   run the packaging tests against a real docker-registry on loopback
test-packaging: deps
	$(DOTNET) test tests/Packaging.Tests -c $(CONFIGURATION) -nologo

REGISTRY_PORT ?= 5055
## registry         start a throwaway docker-registry on 127.0.0.1:$(REGISTRY_PORT) in the foreground (Ctrl-C stops it)
registry: deps
	@dir=$$(mktemp -d); printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:$(REGISTRY_PORT)\n' "$$dir" > "$$dir/config.yml"; \
	echo "docker-registry on 127.0.0.1:$(REGISTRY_PORT), storage in $$dir"; exec /usr/bin/docker-registry serve "$$dir/config.yml"
