#!/usr/bin/env bash
# Checks model-runtime's CUDA path on a machine with an NVIDIA GPU and CUDA 13 + cuDNN 9 libraries:
# serves the sample CNN on --device cuda, cpu and auto, checks the provider each reports, compares the
# outputs of the same request, and runs `model-runtime bench` on CUDA.
# Usage: scripts/cuda-check.sh [PUBLISHED_RUNTIME_DIR]   (without it: a self-contained publish is made first)
# Not part of `make test`: CI machines have no GPU. The results of a run on an H200 are in docs/gpu.md.
set -euo pipefail
cd "$(dirname "$0")/.."
APP=${1:-.artifacts/runtime-linux-x64}
OUT=${OUT:-.artifacts/cuda-check}
mkdir -p "$OUT"
if [ ! -x "$APP/model-runtime" ]; then
  dotnet publish runtime -c Release -r linux-x64 --self-contained -o "$APP" -nologo -clp:ErrorsOnly
fi
MODELS="$APP/models"
[ -f "$MODELS/mnist-cnn.onnx" ] || dotnet run --project tests/SampleModels -c Release -- "$MODELS"
nvidia-smi -L
# CUDA libraries may come from a CUDA install or from Python wheels (nvidia-*-cu13); find them if not on the path.
if [ -z "${MODEL_RUNTIME_SKIP_LIB_SEARCH:-}" ]; then
  LIBS=$(find / -xdev \( -name 'libcudart.so.13*' -o -name 'libcublas.so.13*' -o -name 'libcudnn.so.9*' \) -printf '%h\n' 2>/dev/null | sort -u | paste -sd:)
  export LD_LIBRARY_PATH=${LIBS}${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}
fi
pids=()
trap 'kill "${pids[@]}" 2>/dev/null || true' EXIT
serve() { "$APP/model-runtime" serve --model "$MODELS/mnist-cnn.onnx" --name mnist --host 127.0.0.1 --port "$1" --device "$2" --bench-batch 1,8,32 --bench-iterations 200 >"$OUT/serve-$2.log" 2>&1 & pids+=($!); }
serve 18080 cuda; serve 18081 cpu; serve 18082 auto
for p in 18080 18081 18082; do
  for _ in $(seq 180); do curl -fs "127.0.0.1:$p/v2/health/ready" >/dev/null && break; sleep 1; done
  curl -fs "127.0.0.1:$p/v2/models/mnist" | python3 -c 'import json,sys; p=json.load(sys.stdin)["parameters"]; print(p["execution_provider"], "|", p["device"], "|", p["execution_provider_reason"])'
done
curl -fs 127.0.0.1:18080/v2/models/mnist/benchmark; echo
python3 - <<'PY'
import json, random, sys, urllib.request
random.seed(7)
body = json.dumps({"inputs": [{"name": "input", "shape": [4, 1, 28, 28], "datatype": "FP32",
                               "data": [random.random() for _ in range(4 * 784)]}]}).encode()
def infer(port):
    req = urllib.request.Request(f"http://127.0.0.1:{port}/v2/models/mnist/infer", data=body, headers={"Content-Type": "application/json"})
    return json.loads(urllib.request.urlopen(req).read())["outputs"][0]["data"]
cuda, cpu = infer(18080), infer(18081)
diff = max(abs(a - b) for a, b in zip(cuda, cpu))
print(f"max |cuda - cpu| = {diff:.2e}")
sys.exit(0 if diff < 1e-3 else 1)
PY
"$APP/model-runtime" bench --model "$MODELS/mnist-cnn.onnx" --device cuda --batch 1,8,32,128 --concurrency 4 --duration 3 --json "$OUT/bench-cuda.json"
echo "cuda-check: CUDA provider loaded, outputs match CPU, benchmark in $OUT/bench-cuda.json"
