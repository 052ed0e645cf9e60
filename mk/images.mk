# Container images: the operator, activator and runtime images built from their Dockerfiles with podman (no Docker daemon).
# podman runs with images/containers.conf (runc; no default ulimits); mmdebstrap makes the stand-in Debian base where
# the public base images cannot be pulled; docker-registry is the dev registry images are pushed to by default;
# apache2-utils's htpasswd makes the bcrypt logins of the private registry the kubelet's imagePullSecrets tests pull from.
APT_PACKAGES += podman runc mmdebstrap docker-registry apache2-utils
.PHONY: images

## images           build the operator, activator and CPU runtime images (and the GPU one where its base can be pulled) from their Dockerfiles with podman, tag them appVersion and appVersion-commit, push them to REGISTRY (default: the dev registry on 127.0.0.1:5000, started if needed; PUSH=0: no push; BASES=public|debian|auto); prints sizes, layers, digests
images: deps
	REGISTRY=$(REGISTRY) bash scripts/images.sh
