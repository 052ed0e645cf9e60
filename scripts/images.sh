#!/usr/bin/env bash
# make images: builds the operator image (operator/Dockerfile), the activator image (activator/Dockerfile) and the CPU
# runtime image (runtime/Dockerfile.cpu) with podman (no Docker daemon), and the GPU runtime image (runtime/Dockerfile)
# where its base can be pulled; tags each with the chart's appVersion and appVersion-commit, pushes them to REGISTRY
# and prints their size and layers.
#
#   REGISTRY=host:port[/path]  where to push (default: the dev registry, 127.0.0.1:$DEV_REGISTRY_PORT, started here
#                              from Debian's docker-registry if nothing answers there; storage .devcluster/registry)
#   PUSH=0                     build and tag only
#   BASES=auto|public|debian   auto (default): the Dockerfiles' own public bases where they can be pulled, else
#                              stand-ins: a minimal Debian bookworm made by mmdebstrap (cached in .artifacts/images)
#                              with this machine's .NET (runtime for the operator, SDK for the build stages)
#   IMAGES_SUMMARY=FILE        also write "name<TAB>reference<TAB>bytes<TAB>digest" lines there (the image test reads it)
#
# The stand-ins reach the Dockerfiles through their build arguments (SDK_IMAGE, BASE_IMAGE): the Dockerfiles are the
# ones a real build uses. podman runs with the project's images/containers.conf (runc, no default ulimits).
set -euo pipefail
cd "$(dirname "$0")/.."
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/images/containers.conf}

say() { printf '%s\n' "$*" >&2; }
fail() { say "make images: $*"; exit 2; }

command -v podman >/dev/null || fail "podman is not installed (make deps installs podman, runc and mmdebstrap)"
podman info >/dev/null 2>&1 || fail "podman cannot run here: $(podman info 2>&1 | tail -1)"

APP_VERSION=$(sed -n 's/^appVersion: *"*\([^"]*\)"*.*$/\1/p' charts/model-operator/Chart.yaml)
[ -n "$APP_VERSION" ] || fail "no appVersion in charts/model-operator/Chart.yaml"
COMMIT=$(git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
git diff --quiet HEAD -- 2>/dev/null || COMMIT="$COMMIT-dirty"
DEV_REGISTRY_PORT=${DEV_REGISTRY_PORT:-5000}
REGISTRY=${REGISTRY:-}
PUSH=${PUSH:-1}
BASES=${BASES:-auto}
CACHE=.artifacts/images
mkdir -p "$CACHE"

# A registry on loopback speaks plain HTTP (Debian's docker-registry); any other is reached with TLS verified.
tls_verify() { case "$1" in 127.*|localhost|localhost:*) echo false ;; *) echo true ;; esac; }

start_dev_registry() {
  REGISTRY=127.0.0.1:$DEV_REGISTRY_PORT
  curl -fs "http://$REGISTRY/v2/" >/dev/null 2>&1 && return
  command -v docker-registry >/dev/null || fail "no registry answers at $REGISTRY and docker-registry is not installed (make deps)"
  mkdir -p .devcluster/registry/data
  printf 'version: 0.1\nlog: {level: warn}\nstorage: {filesystem: {rootdirectory: %s}, delete: {enabled: true}}\nhttp: {addr: %s}\n' \
    "$PWD/.devcluster/registry/data" "$REGISTRY" > .devcluster/registry/config.yml
  setsid docker-registry serve .devcluster/registry/config.yml > .devcluster/registry/registry.log 2>&1 < /dev/null &
  echo $! > .devcluster/registry/pid
  for _ in $(seq 1 50); do curl -fs "http://$REGISTRY/v2/" >/dev/null 2>&1 && break; sleep 0.2; done
  curl -fs "http://$REGISTRY/v2/" >/dev/null 2>&1 || fail "the dev registry did not start at $REGISTRY: $(tail -3 .devcluster/registry/registry.log)"
  say "Dev registry started at $REGISTRY (storage .devcluster/registry/data; stop it: kill \$(cat .devcluster/registry/pid))"
}

# Whether an image can be pulled (or is here already); the reason it cannot on stdout otherwise.
pullable() {
  podman image exists "$1" && return 0
  local out; out=$(podman pull -q "$1" 2>&1) && return 0
  printf '%s' "$out" | tail -1; return 1
}

# The stand-in bases: a minimal Debian (what mcr.microsoft.com/dotnet/runtime-deps carries: ca-certificates, ICU,
# OpenSSL, tzdata, zlib), then this machine's .NET shared runtimes (aspnet) and its SDK on top (sdk).
DEBIAN_PACKAGES=ca-certificates,libicu72,libssl3,tzdata,zlib1g
DEBIAN_KEY=$(printf '%s' "bookworm minbase $DEBIAN_PACKAGES" | sha256sum | cut -c1-12)
DEBIAN_IMAGE=localhost/modeloperator-base/debian:bookworm-$DEBIAN_KEY
debian_base() {
  podman image exists "$DEBIAN_IMAGE" && return
  local tar=$CACHE/debian-bookworm-$DEBIAN_KEY.tar
  if [ ! -s "$tar" ]; then
    command -v mmdebstrap >/dev/null || fail "the public bases cannot be pulled and mmdebstrap is not installed (make deps)"
    say "Building a minimal Debian bookworm root filesystem with mmdebstrap (cached in $tar)"
    local start=$SECONDS
    mmdebstrap --quiet --variant=minbase --include="$DEBIAN_PACKAGES" \
      --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-exclude=/usr/share/locale/*' --dpkgopt='path-include=/usr/share/locale/locale.alias' \
      bookworm "${tar%.tar}.partial.tar" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >&2
    mv "${tar%.tar}.partial.tar" "$tar"
    say "  mmdebstrap took $((SECONDS - start)) s"
  fi
  podman import -q "$tar" "$DEBIAN_IMAGE" >/dev/null
}

DOTNET_HOME=$(dirname "$(readlink -f "$(command -v dotnet)")")
# standin aspnet|sdk: sets STANDIN to the stand-in image's reference, building it first where it does not exist.
# (Functions here set variables rather than print them: set -e does not reach into a command substitution's callee.)
standin() {
  local kind=$1 runtime sdk ref
  runtime=$(ls "$DOTNET_HOME/shared/Microsoft.AspNetCore.App" | sort -V | tail -1)
  sdk=$(dotnet --version)
  if [ "$kind" = aspnet ]; then ref=localhost/modeloperator-base/aspnet:$runtime-$DEBIAN_KEY; else ref=localhost/modeloperator-base/sdk:$sdk-$DEBIAN_KEY; fi
  if ! podman image exists "$ref"; then
    if [ "$kind" = aspnet ]; then
      debian_base
      say "Building the stand-in for mcr.microsoft.com/dotnet/aspnet:10.0: Debian + this machine's .NET $runtime runtimes"
      podman build -q -t "$ref" -f - "$DOTNET_HOME" >/dev/null <<CONTAINERFILE
FROM $DEBIAN_IMAGE
COPY dotnet LICENSE.txt ThirdPartyNotices.txt /usr/share/dotnet/
COPY host /usr/share/dotnet/host
COPY shared /usr/share/dotnet/shared
RUN ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet
ENV DOTNET_ROOT=/usr/share/dotnet DOTNET_RUNNING_IN_CONTAINER=true APP_UID=65532
CONTAINERFILE
    else
      standin aspnet
      say "Building the stand-in for mcr.microsoft.com/dotnet/sdk:10.0: the aspnet stand-in + this machine's .NET SDK $sdk"
      podman build -q -t "$ref" -f - "$DOTNET_HOME" >/dev/null <<CONTAINERFILE
FROM $STANDIN
COPY sdk /usr/share/dotnet/sdk
COPY sdk-manifests /usr/share/dotnet/sdk-manifests
COPY packs /usr/share/dotnet/packs
COPY templates /usr/share/dotnet/templates
ENV DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1
CONTAINERFILE
    fi
  fi
  STANDIN=$ref
}

# bases_for DOCKERFILE debian|aspnet|none: sets HOW (PUBLIC, STANDIN or SKIP), SDK and BASE (the build arguments), or
# WHY it is skipped. The Dockerfile's own ARG defaults are the public images.
default_arg() { sed -n "s/^ARG $2=//p" "$1"; }
bases_for() {
  local dockerfile=$1 standin_kind=$2
  SDK=$(default_arg "$dockerfile" SDK_IMAGE); BASE=$(default_arg "$dockerfile" BASE_IMAGE); WHY=${BASES:+BASES=$BASES}
  if [ "$BASES" != debian ]; then
    if WHY=$(pullable "$BASE") && WHY=$(pullable "$SDK"); then HOW=PUBLIC; return; fi
  fi
  if [ "$BASES" = public ] || [ "$standin_kind" = none ]; then
    local none=""; [ "$standin_kind" = none ] && none=" and has no stand-in"
    HOW=SKIP; WHY="its base $BASE cannot be pulled here$none ($WHY)"; return
  fi
  if [ "$standin_kind" = debian ]; then debian_base; BASE=$DEBIAN_IMAGE; else standin aspnet; BASE=$STANDIN; fi
  standin sdk; SDK=$STANDIN; HOW=STANDIN
}

[ "$PUSH" = 1 ] && [ -z "$REGISTRY" ] && start_dev_registry
REGISTRY=${REGISTRY:-127.0.0.1:$DEV_REGISTRY_PORT}
NUGET_CACHE=${NUGET_PACKAGES:-$HOME/.nuget/packages}
summary=${IMAGES_SUMMARY:-}
[ -n "$summary" ] && : > "$summary"

build() { # build NAME TAG_SUFFIX DOCKERFILE STANDIN_KIND
  local name=$1 suffix=$2 dockerfile=$3 kind=$4
  bases_for "$dockerfile" "$kind"
  if [ "$HOW" = SKIP ]; then say "make images: $dockerfile skipped: $WHY"; return; fi
  local sdk=$SDK base=$BASE
  local ref=$REGISTRY/$name:$APP_VERSION$suffix
  # Build-time mounts only (RUN steps see them, the image does not carry them): this machine's NuGet cache, and its CA
  # store, so that restore trusts what this machine trusts (an egress proxy's CA, say).
  local extra=(); [ -d "$NUGET_CACHE" ] && extra+=(--volume "$NUGET_CACHE:/root/.nuget/packages")
  local certs; for certs in /etc/ssl/certs /usr/local/share/ca-certificates; do [ -d $certs ] && extra+=(--volume "$certs:$certs:ro"); done
  say "== $dockerfile -> $ref (and :$APP_VERSION$suffix-$COMMIT), SDK_IMAGE=$sdk BASE_IMAGE=$base"
  local start=$SECONDS
  podman build --network host "${extra[@]}" --build-arg "SDK_IMAGE=$sdk" --build-arg "BASE_IMAGE=$base" \
    --label "org.opencontainers.image.revision=$COMMIT" --label "org.opencontainers.image.version=$APP_VERSION" \
    --label "org.opencontainers.image.base.name=$base" \
    -f "$dockerfile" -t "$ref" -t "$REGISTRY/$name:$APP_VERSION$suffix-$COMMIT" . >&2
  local took=$((SECONDS - start)) bytes digest=""
  bytes=$(podman image inspect --format '{{.Size}}' "$ref")
  say "$ref: $((bytes / 1000000)) MB, built in $took s; layers (newest first):"
  podman history --no-trunc --format '{{printf "%10s" .Size}}  {{.CreatedBy}}' "$ref" | cut -c1-160 >&2
  if [ "$PUSH" = 1 ]; then
    local tls; tls=$(tls_verify "${REGISTRY%%/*}")
    podman push -q --tls-verify="$tls" --digestfile "$CACHE/$name$suffix.digest" "$ref" >&2
    podman push -q --tls-verify="$tls" "$REGISTRY/$name:$APP_VERSION$suffix-$COMMIT" >&2
    digest=$(cat "$CACHE/$name$suffix.digest")
    say "pushed $ref@$digest"
  fi
  [ -n "$summary" ] && printf '%s\t%s\t%s\t%s\n' "$name$suffix" "$ref" "$bytes" "$digest" >> "$summary"
  return 0
}

build model-operator "" operator/Dockerfile aspnet
build model-activator "" activator/Dockerfile aspnet
build model-runtime "" runtime/Dockerfile.cpu debian
build model-runtime -gpu runtime/Dockerfile none
