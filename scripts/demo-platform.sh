#!/usr/bin/env bash
# The platform demo, after the runtime demo: pack a model, push it to a real OCI registry (Debian's docker-registry),
# serve it from the registry, then let the operator turn a ModelDeployment into a Deployment and a Service.
# The Kubernetes API here is the in-repo double (no cluster exists on this machine): the operator and a stock
# kubectl talk to it exactly as to a real API server, but no pods run (there is no kubelet), so the
# ModelDeployment stays Progressing. scripts/e2e-kind.sh runs the same flow on a real kind cluster.
set -euo pipefail
cd "$(dirname "$0")/.."
CONFIGURATION=${CONFIGURATION:-Release}
RT=runtime/bin/$CONFIGURATION/net10.0/model-runtime
OP=operator/bin/$CONFIGURATION/net10.0/model-operator
KD=devcluster/KubeDouble/bin/$CONFIGURATION/net10.0/kube-double
KUBECTL=${KUBECTL:-$PWD/.tools/bin/kubectl}
MODELS=${MODELS:-.artifacts/models}
WORK=$(mktemp -d /tmp/modeloperator-demo.XXXXXX)
export XDG_CACHE_HOME=$WORK/cache
pids=()
cleanup() { for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT
step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
wait_for() { # wait_for <what> <seconds> <command…>
  local what=$1 secs=$2; shift 2
  for _ in $(seq $((secs * 10))); do "$@" >/dev/null 2>&1 && return 0; sleep 0.1; done
  echo "timed out after ${secs}s waiting for $what" >&2; return 1
}

step "A real OCI registry (Debian docker-registry) on loopback"
RP=$(free_port)
mkdir -p "$WORK/registry"
printf 'version: 0.1\nlog: {level: warn}\nstorage: {filesystem: {rootdirectory: %s}}\nhttp: {addr: 127.0.0.1:%s}\n' "$WORK/registry" "$RP" > "$WORK/registry.yml"
/usr/bin/docker-registry serve "$WORK/registry.yml" >"$WORK/registry.log" 2>&1 & pids+=($!)
wait_for "the registry" 30 curl -fs "http://127.0.0.1:$RP/v2/"
echo "registry at 127.0.0.1:$RP"

step "model-runtime pack (ONNX Runtime offline optimisation, signature read from the model)"
"$RT" pack "$MODELS/mnist-cnn.onnx" --name mnist --version 1.0 --license MIT --label task=digits --optimize -o "$WORK/pkg"
step "model-runtime push"
REF=$("$RT" push "$WORK/pkg" "127.0.0.1:$RP/models/mnist:1.0" --plain-http | tail -1)
echo "pushed: $REF"
step "model-runtime inspect (reads the config from the registry, not the model)"
"$RT" inspect "127.0.0.1:$RP/models/mnist:1.0" --plain-http

step "model-runtime serve --model oci://… (pulled, verified by digest, cached, benchmarked, served)"
SP=$(free_port)
"$RT" serve --model "oci://$REF" --plain-http --name mnist --host 127.0.0.1 --port "$SP" --bench-batch 1 --bench-iterations 50 >"$WORK/serve.log" 2>&1 & pids+=($!)
wait_for "the runtime to turn ready" 120 curl -fs "http://127.0.0.1:$SP/v2/health/ready"
curl -s "http://127.0.0.1:$SP/v2/models/mnist"; echo
"$RT" infer --url "http://127.0.0.1:$SP" --name mnist --requests 50 | tail -4

step "The operator, against the Kubernetes API double"
"$KD" --kubeconfig "$WORK/kubeconfig" >"$WORK/kube-double.log" 2>&1 & pids+=($!)
wait_for "the API double" 30 test -s "$WORK/kubeconfig"
export KUBECONFIG=$WORK/kubeconfig
"$KUBECTL" apply -f crds/
"$KUBECTL" wait --for=condition=Established crd/modeldeployments.serving.modeloperator.io --timeout=30s
"$OP" run --kubeconfig "$KUBECONFIG" --no-leader-election --http-address "http://127.0.0.1:$(free_port)" >"$WORK/operator.log" 2>&1 & pids+=($!)

step "kubectl apply a ModelDeployment that serves the pushed package, pinned by digest"
cat > "$WORK/mnist.yaml" <<YAML
apiVersion: serving.modeloperator.io/v1alpha1
kind: ModelDeployment
metadata: {name: mnist, namespace: default}
spec:
  model: {uri: "oci://$REF", format: onnx}
  runtime: {device: auto, batching: {maxBatchSize: 8, maxDelayMs: 2}}
  gpu: {count: 1}
  replicas: {min: 2, max: 4}
YAML
cat "$WORK/mnist.yaml"
"$KUBECTL" apply -f "$WORK/mnist.yaml"
wait_for "the operator to create the Deployment" 60 sh -c "\"$KUBECTL\" get deploy -l serving.modeloperator.io/name=mnist -o name | grep -q ."
"$KUBECTL" get mdep mnist
"$KUBECTL" get deploy,svc -l serving.modeloperator.io/name=mnist
echo "runtime container args:"; "$KUBECTL" get deploy -l serving.modeloperator.io/name=mnist -o jsonpath='{.items[0].spec.template.spec.containers[0].args}'; echo
echo "GPU limit:"; "$KUBECTL" get deploy -l serving.modeloperator.io/name=mnist -o jsonpath='{.items[0].spec.template.spec.containers[0].resources.limits}'; echo
echo "status conditions:"; "$KUBECTL" get mdep mnist -o jsonpath='{range .status.conditions[*]}{.type}={.status} ({.reason}): {.message}{"\n"}{end}'

step "A bad spec is refused by the CRD's validation (replicas.min > replicas.max)"
"$KUBECTL" patch mdep mnist --type merge -p '{"spec":{"replicas":{"min":5,"max":2}}}' || true

step "kubectl delete: the finalizer removes the children"
"$KUBECTL" delete mdep mnist --timeout=60s
"$KUBECTL" get deploy,svc -l serving.modeloperator.io/name=mnist
echo; echo "Demo complete. Logs were in $WORK (removed on exit)."
