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

.PHONY: bench-pack
BENCH_PACK_MODELS ?= wide-mlp mnist-cnn mlp deep-mlp
## bench-pack       per sample model: int8 and fp16 size ratio, speed ratio (same run, this machine's CPU) and drift
bench-pack: runtime-build sample-models
	@out=$$(mktemp -d); trap 'rm -rf "$$out"' EXIT; \
	if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then gpu="a GPU is present, but pack measures speed on the CPU"; else gpu="no GPU here"; fi; \
	echo "bench-pack: speed ratio = float32 time / variant time on this machine's CPU, same run; fp16 speed matters on GPU nodes ($$gpu)"; \
	for m in $(BENCH_PACK_MODELS); do for variant in "--quantize int8" "--fp16"; do \
	  echo "== $$m $$variant"; \
	  $(RUNTIME_BIN) pack $(SAMPLE_MODELS_DIR)/$$m.onnx --name $$m --version bench $$variant -o "$$out/$$m-$${variant##* }" \
	    | grep -E '^  (size|speed|output|left float)' || exit 1; \
	done; done
