#!/usr/bin/env bash
# The runtime demo: serve the MNIST-shaped sample CNN, show health, metadata and the on-node benchmark, send real JSON and
# binary inference requests, show the metrics, then stop the server gracefully (SIGTERM drains in-flight requests).
set -euo pipefail
RUNTIME_BIN=${RUNTIME_BIN:?} MODELS=${MODELS:?}
PORT=${PORT:-18080}
URL=http://127.0.0.1:$PORT
LOG=$MODELS/demo-serve.log

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }

step "Starting: model-runtime serve --model $MODELS/mnist-cnn.onnx --port $PORT --max-batch 8 --batch-delay-ms 2 --bench-batch 1,8 --bench-iterations 200"
NODE_NAME=${NODE_NAME:-$(hostname)} "$RUNTIME_BIN" serve --model "$MODELS/mnist-cnn.onnx" --host 127.0.0.1 --port "$PORT" \
  --max-batch 8 --batch-delay-ms 2 --bench-batch 1,8 --bench-iterations 200 >"$LOG" 2>&1 &
SERVER=$!
trap 'kill -TERM $SERVER 2>/dev/null || true; wait $SERVER 2>/dev/null || true' EXIT

for _ in $(seq 1 600); do
  if ! kill -0 $SERVER 2>/dev/null; then echo "the server exited; its log:"; cat "$LOG"; exit 1; fi
  code=$(curl -s -o /dev/null -w '%{http_code}' "$URL/v2/health/ready" || true)
  [ "$code" = 200 ] && break
  sleep 0.1
done
[ "$code" = 200 ] || { echo "the server did not turn ready in 60 s; its log:"; cat "$LOG"; exit 1; }

step "GET /v2/health/ready"; curl -s "$URL/v2/health/ready"; echo
step "GET /v2/models/mnist-cnn (metadata: inputs, outputs, execution provider and why)"; curl -s "$URL/v2/models/mnist-cnn"; echo
step "GET /v2/models/mnist-cnn/benchmark (measured on this node before turning ready)"; curl -s "$URL/v2/models/mnist-cnn/benchmark"; echo
step "model-runtime infer: one JSON and one binary request, then 200 timed requests of each"
"$RUNTIME_BIN" infer --url "$URL" --name mnist-cnn --requests 200
step "A bad request gets a 400 that names the problem"
curl -s -X POST "$URL/v2/models/mnist-cnn/infer" -H 'Content-Type: application/json' \
  -d '{"inputs":[{"name":"input","shape":[1,1,28,28],"datatype":"FP32","data":[1,2,3]}]}'; echo
step "GET /metrics (runtime series)"
curl -s "$URL/metrics" | grep -E '^modelruntime_(requests_total|execution_provider_info|model_load_seconds|benchmark_latency_seconds\{[^}]*batch_size="1",percentile="p95")' || true
step "Stopping the server (SIGTERM: stops accepting, drains in-flight requests, exits)"
kill -TERM $SERVER; wait $SERVER || true; trap - EXIT
echo "Stopped. Server log: $LOG"
