#!/usr/bin/env bash
# Dev cluster benchmark: seconds from `kubectl apply` of a ModelDeployment (small sample model, file:// URI, CPU) to
# Ready pods, for 1 pod and for N pods spread over the nodes, and the resident memory of one runtime pod, for each
# kubelet mode in one run (processes: pods as host processes; containers: pods as podman+runc containers of the images
# `make images` pushed), then containers against processes as ratios. Prints figures; asserts nothing.
# Usage: scripts/bench-devcluster.sh DEV_CLUSTER_BIN PODS "MODES" OPERATOR_FLAGS...
# (MODES: "processes containers" or one of them; OPERATOR_FLAGS: the dev cluster's flags for the operator, as
# `make dev-cluster` passes them: the chart and helm, or --crds and --operator).
set -euo pipefail
devcluster=$1; pods=$2; modes=$3; shift 3
operator_flags=("$@")
root=$(cd "$(dirname "$0")/.." && pwd)
kubectl="$root/.tools/bin/kubectl"
model="$root/.artifacts/sample-models/mlp.onnx"

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

k() { "$kubectl" --kubeconfig "$state/kubeconfig" "$@"; }

start_cluster() { # mode
  state=$(mktemp -d /tmp/bench-devcluster.XXXXXX)
  local extra=()
  [ "$1" = containers ] && extra=(--containers on)
  "$devcluster" --state "$state" "${operator_flags[@]}" "${extra[@]}" >"$state/dev-cluster.log" 2>&1 &
  cluster=$!
  for _ in $(seq 1 2400); do [ -f "$state/kubeconfig" ] && break; sleep 0.1; done
  [ -f "$state/kubeconfig" ] || { echo "bench-devcluster: the dev cluster ($1) did not start; see $state/dev-cluster.log" >&2; exit 1; }
  if [ "$1" = containers ] && grep -q "pods run as processes instead" "$state/dev-cluster.log"; then
    echo "bench-devcluster: the dev cluster could not run containers here: $(grep -m1 "pods run as processes instead" "$state/dev-cluster.log")" >&2; exit 1
  fi
}

stop_cluster() {
  [ -n "${cluster:-}" ] || return 0
  kill -TERM "$cluster" 2>/dev/null; wait "$cluster" 2>/dev/null || true
  rm -rf "$state"; cluster=
}
trap stop_cluster EXIT

# The runtime's resident memory: the process itself, or the container's main process (podman inspect gives its PID).
pod_rss_kib() { # pod
  local id pid
  id=$(k get pod "$1" -o jsonpath='{.status.containerStatuses[0].containerID}')
  case "$id" in
    podman://*) pid=$(CONTAINERS_CONF="$root/images/containers.conf" podman inspect -f '{{.State.Pid}}' "${id#podman://}") ;;
    *) pid=${id#devcluster://} ;;
  esac
  awk '/^VmRSS:/ {print $2}' "/proc/$pid/status"
}

measure() { # mode: sets result[mode] to "one many rss_mib nodes"
  start_cluster "$1"
  local one many pod rss nodes
  one=$(apply_and_wait bench-one 1)
  pod=$(k get pods -l serving.modeloperator.io/name=bench-one -o jsonpath='{.items[0].metadata.name}')
  rss=$(awk -v k="$(pod_rss_kib "$pod")" 'BEGIN { printf "%.0f", k / 1024 }')
  k delete mdep bench-one --wait=true >/dev/null
  many=$(apply_and_wait bench-many "$pods")
  nodes=$(k get pods -l serving.modeloperator.io/name=bench-many -o jsonpath='{range .items[*]}{.spec.nodeName}{"\n"}{end}' | sort | uniq -c | awk '{printf "%s%s=%s", sep, $2, $1; sep=","}')
  stop_cluster
  result[$1]="$one $many $rss $nodes"
}

declare -A result
for mode in $modes; do
  case "$mode" in processes|containers) ;; *) echo "bench-devcluster: a mode is processes or containers, got '$mode'" >&2; exit 2 ;; esac
  echo "bench-devcluster: measuring $mode ..." >&2
  measure "$mode"
done

echo "bench-devcluster (mlp.onnx, CPU, benchmark 20 iterations at batch 1; this machine: $(nproc) CPUs, load $(cut -d' ' -f1 /proc/loadavg))"
printf '  %-12s %18s %20s %22s   %s\n' mode "apply->1 Ready (s)" "apply->$pods Ready (s)" "runtime pod RSS (MiB)" "pods per node"
for mode in $modes; do
  read -r one many rss nodes <<<"${result[$mode]}"
  printf '  %-12s %18.1f %20.1f %22s   %s\n' "$mode" "$one" "$many" "$rss" "$nodes"
done
if [ -n "${result[processes]:-}" ] && [ -n "${result[containers]:-}" ]; then
  read -r p1 pn pr _ <<<"${result[processes]}"; read -r c1 cn cr _ <<<"${result[containers]}"
  awk -v p1="$p1" -v pn="$pn" -v pr="$pr" -v c1="$c1" -v cn="$cn" -v cr="$cr" -v n="$pods" 'BEGIN {
    printf "  containers / processes: %.2fx to 1 Ready, %.2fx to %d Ready, %.2fx memory (target: within 1.5x)\n", c1 / p1, cn / pn, n, cr / pr }'
fi
