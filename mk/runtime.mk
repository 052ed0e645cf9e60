# The model runtime (runtime/): serve, bench, the serving benchmark and the runtime demo.
APT_PACKAGES += prometheus curl procps

RUNTIME_BIN := runtime/bin/$(CONFIGURATION)/net10.0/model-runtime
# The sample models come from mk/samplemodels.mk (target sample-models, folder SAMPLE_MODELS_DIR).
BENCH_DURATION ?= 2
BENCH_ROUNDS ?= 5

.PHONY: runtime-build demo-runtime bench-runtime

runtime-build:
	$(DOTNET) build runtime -c $(CONFIGURATION) -nologo -clp:ErrorsOnly

## demo-runtime    serve a sample model, send real JSON and binary requests, print answers and timings, stop
demo-runtime: deps runtime-build sample-models
	RUNTIME_BIN=$(RUNTIME_BIN) MODELS=$(SAMPLE_MODELS_DIR) bash scripts/demo-runtime.sh

## bench-runtime   serving benchmark: raw, noop, limit, served binary/JSON ratios (small and 27,648-float inputs), batching gain on deep-mlp and mlp (same as make bench)
bench-runtime: runtime-build sample-models
	$(RUNTIME_BIN) bench-serving --model $(SAMPLE_MODELS_DIR)/mnist-cnn.onnx --tiny-model $(SAMPLE_MODELS_DIR)/deep-mlp.onnx \
	  --tiny-model $(SAMPLE_MODELS_DIR)/mlp.onnx --large-input-model $(SAMPLE_MODELS_DIR)/text-line-cnn.onnx \
	  --clients 8 --batch-clients 32 --duration $(BENCH_DURATION) --rounds $(BENCH_ROUNDS) --log $(SAMPLE_MODELS_DIR)/bench-serve.log

