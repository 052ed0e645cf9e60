#!/usr/bin/env bash
# End-to-end on a REAL Kubernetes cluster made by kind (needs docker, kind, kubectl and helm on PATH).
# Not run by `make test` or CI: there is no container engine there. Builds both images, loads them into a
# kind cluster, installs the chart, applies a ModelDeployment of a sample model served from a file baked into
# the runtime image, and waits until it reports Ready. GPU scheduling needs a GPU node; this script runs the
# model on CPU (gpu.count: 0, device: cpu).
set -euo pipefail
cd "$(dirname "$0")/.."
CLUSTER=${KIND_CLUSTER:-modeloperator-e2e}
TAG=e2e
for tool in docker kind kubectl helm; do
  command -v "$tool" >/dev/null || { echo "e2e-kind: '$tool' is required on PATH" >&2; exit 2; }
done

if ! kind get clusters | grep -qx "$CLUSTER"; then kind create cluster --name "$CLUSTER" --wait 120s; fi
kubectl config use-context "kind-$CLUSTER"

# The runtime image gets the sample models so the e2e needs no registry.
dotnet run --project tests/SampleModels -c Release -- .artifacts/e2e-models
# kind nodes have no GPU: the CPU variant of the runtime image.
docker build -f runtime/Dockerfile.cpu -t model-runtime:$TAG .
# The Dockerfile comes from stdin and the repository root is the context, so COPY finds the models.
docker build -t model-runtime:$TAG-models -f - . <<DOCKERFILE
FROM model-runtime:$TAG
COPY --chown=65532:65532 .artifacts/e2e-models /models
DOCKERFILE
docker build -f operator/Dockerfile -t model-operator:$TAG .
docker build -f activator/Dockerfile -t model-activator:$TAG .
kind load docker-image --name "$CLUSTER" model-runtime:$TAG-models model-operator:$TAG model-activator:$TAG

helm upgrade --install model-operator charts/model-operator --namespace model-operator --create-namespace \
  --set image.repository=model-operator --set image.tag=$TAG --set image.pullPolicy=Never \
  --set activator.image.repository=model-activator --set activator.image.tag=$TAG --set activator.image.pullPolicy=Never \
  --set runtimeImage.repository=model-runtime --set runtimeImage.tag=$TAG-models --wait --timeout 180s

kubectl apply -f - <<YAML
apiVersion: serving.modeloperator.io/v1alpha1
kind: ModelDeployment
metadata: {name: mnist, namespace: default}
spec:
  model: {uri: "file:///models/mnist-cnn.onnx", format: onnx}
  runtime: {device: cpu}
  gpu: {count: 0}
  replicas: {min: 1, max: 2}
YAML
kubectl wait modeldeployment/mnist --for=condition=Ready --timeout=300s
kubectl get modeldeployment mnist -o wide
kubectl port-forward svc/mnist 18080:8080 >/dev/null & pf=$!
trap 'kill $pf 2>/dev/null || true' EXIT
for _ in $(seq 30); do curl -fsS localhost:18080/v2/health/ready >/dev/null 2>&1 && break; sleep 1; done
curl -fsS localhost:18080/v2/models/mnist | head -c 600; echo
echo "e2e-kind: ModelDeployment mnist is Ready and serving"
