# Sample ONNX models built by code (tests/SampleModels); no model binaries live in the repo.
SAMPLE_MODELS_DIR ?= .artifacts/sample-models

.PHONY: sample-models
## sample-models   write every sample ONNX model as <name>.onnx to .artifacts/sample-models (or SAMPLE_MODELS_DIR=…)
sample-models:
	$(DOTNET) run --project tests/SampleModels -c $(CONFIGURATION) -- $(SAMPLE_MODELS_DIR)
# The operator and dev-cluster end-to-end tests serve these files from disk.
TEST_DEPS += sample-models
