#!/usr/bin/env bash
# Dev cluster benchmark: seconds from `kubectl apply` of a ModelDeployment (small sample model, file:// URI, CPU) to
# Ready pods, for 1 pod and for N pods spread over the nodes, and the resident memory of one runtime pod.
# Prints figures; asserts nothing. Usage: scripts/bench-devcluster.sh DEV_CLUSTER_BIN PODS OPERATOR_FLAGS...
# (the dev cluster's flags for the operator, as `make dev-cluster` passes them: the chart and helm, or --crds and --operator).
set -euo pipefail
devcluster=$1; pods=$2; shift 2
root=$(cd "$(dirname "$0")/.." && pwd)
kubectl="$root/.tools/bin/kubectl"
model="$root/.artifacts/sample-models/mlp.onnx"
state=$(mktemp -d /tmp/bench-devcluster.XXXXXX)
"$devcluster" --state "$state" "$@" >"$state/dev-cluster.log" 2>&1 &
cluster=$!
trap 'kill -TERM $cluster 2>/dev/null; wait $cluster 2>/dev/null; rm -rf "$state"' EXIT
for _ in $(seq 1 600); do [ -f "$state/kubeconfig" ] && break; sleep 0.1; done
[ -f "$state/kubeconfig" ] || { echo "bench-devcluster: the dev cluster did not start; see $state/dev-cluster.log" >&2; exit 1; }
k() { "$kubectl" --kubeconfig "$state/kubeconfig" "$@"; }

manifest() { # name replicas
  cat <<YAML
apiVersion: serving.modeloperator.io/v1alpha1
kind: ModelDeployment
metadata: {name: $1}
spec:
  model: {uri: "file://$model"}
  gpu:
    count: 0
    # CPU pods may also use the GPU nodes, so that N pods spread over all three nodes.
    tolerations: [{key: nvidia.com/gpu, operator: Exists, effect: NoSchedule}]
  runtime:
    resources: {requests: {cpu: 10m, memory: 64Mi}}
  replicas: {min: $2, max: $2}
  benchmark: {batchSizes: [1], iterations: 20}
YAML
}

ready_count() { # name
  k get pods -l "serving.modeloperator.io/name=$1" \
    -o jsonpath='{range .items[*]}{.status.conditions[?(@.type=="Ready")].status}{"\n"}{end}' | grep -c '^True$' || true
}

apply_and_wait() { # name replicas → seconds to all Ready
  local start end
  start=$(date +%s.%N)
  manifest "$1" "$2" | k apply -f - >/dev/null
  for _ in $(seq 1 6000); do
    [ "$(ready_count "$1")" -ge "$2" ] && break
    sleep 0.1
  done
  end=$(date +%s.%N)
  [ "$(ready_count "$1")" -ge "$2" ] || { echo "bench-devcluster: $1 did not get $2 Ready pods within 10 minutes" >&2; exit 1; }
  awk -v a="$start" -v b="$end" 'BEGIN { printf "%.3f", b - a }'
}

one=$(apply_and_wait bench-one 1)
pod=$(k get pods -l serving.modeloperator.io/name=bench-one -o jsonpath='{.items[0].metadata.name}')
pid=$(k get pod "$pod" -o jsonpath='{.status.containerStatuses[0].containerID}' | sed 's|devcluster://||')
rss_kib=$(awk '/^VmRSS:/ {print $2}' "/proc/$pid/status")
k delete mdep bench-one --wait=true >/dev/null
many=$(apply_and_wait bench-many "$pods")
nodes=$(k get pods -l serving.modeloperator.io/name=bench-many -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort | uniq -c | awk '{printf "%s%s=%s", sep, $2, $1; sep=" "}')

cpus=$(nproc)
echo "bench-devcluster (mlp.onnx, CPU, benchmark 20 iterations at batch 1; this machine: $cpus CPUs)"
printf '  apply -> 1 Ready pod:           %6.1f s\n' "$one"
printf '  apply -> %d Ready pods:         %6.1f s   (%s)\n' "$pods" "$many" "$nodes"
printf '  resident memory of one pod:     %6.0f MiB (VmRSS of the model-runtime process)\n' "$(awk -v k="$rss_kib" 'BEGIN { print k / 1024 }')"
