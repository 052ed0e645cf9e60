# The model runtime (runtime/): serve, bench, the serving benchmark and the runtime demo.
APT_PACKAGES += prometheus curl

RUNTIME_BIN := runtime/bin/$(CONFIGURATION)/net10.0/model-runtime
SAMPLE_MODELS_DLL := tests/SampleModels/bin/$(CONFIGURATION)/net10.0/sample-models.dll
SAMPLE_MODELS_DIR ?= .artifacts/models
BENCH_DURATION ?= 5

.PHONY: runtime-build sample-models demo-runtime bench-runtime

runtime-build:
	$(DOTNET) build runtime -c $(CONFIGURATION) -nologo -clp:ErrorsOnly
	$(DOTNET) build tests/SampleModels -c $(CONFIGURATION) -nologo -clp:ErrorsOnly

## sample-models   write the sample ONNX models (built by code) into .artifacts/models/
sample-models: runtime-build
	$(DOTNET) $(SAMPLE_MODELS_DLL) $(SAMPLE_MODELS_DIR)

## demo-runtime    serve a sample model, send real JSON and binary requests, print answers and timings, stop
demo-runtime: deps sample-models
	RUNTIME_BIN=$(RUNTIME_BIN) MODELS=$(SAMPLE_MODELS_DIR) bash mk/runtime-demo.sh

## bench-runtime   serving benchmark: raw, noop, limit, served binary/JSON ratios, batching gain (same as make bench)
bench-runtime: sample-models
	$(RUNTIME_BIN) bench-serving --model $(SAMPLE_MODELS_DIR)/mnist-cnn.onnx --tiny-model $(SAMPLE_MODELS_DIR)/mlp.onnx \
	  --clients 8 --batch-clients 32 --duration $(BENCH_DURATION) --log $(SAMPLE_MODELS_DIR)/bench-serve.log

demo: demo-runtime
bench: bench-runtime
