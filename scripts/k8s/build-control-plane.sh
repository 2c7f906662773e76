#!/usr/bin/env bash
# Builds a real Kubernetes v1.20.2 control plane (kube-apiserver + kube-controller-manager)
# offline from Debian bookworm's `kubernetes` source package, once, into a cache outside
# the repository. etcd comes from Debian's etcd-server package (/usr/bin/etcd).
#
#   scripts/k8s/build-control-plane.sh          # no-op (exit 0) when the binaries exist
#
# Environment:
#   BERTH_K8S_CACHE          cache dir (default: $HOME/.cache/berth/k8s-v1.20.2)
#   BERTH_K8S_BUILD_KUBECTL  1 (default) also builds a matching kubectl v1.20.2 into the cache; 0 skips it
#   BERTH_K8S_KEEP_SOURCES   set to 0 to delete the source tree and Go build cache after a build
#
# Everything (apt lists, source packages, GOPATH, Go build cache, log, binaries) lives in the
# cache dir; the system's apt sources are not touched (a private apt configuration is used).
set -euo pipefail

K8S_VERSION=v1.20.2
K8S_DEB_VERSION="1.20.5+really1.20.2-1.1+deb12u1"
CACHE="${BERTH_K8S_CACHE:-$HOME/.cache/berth/k8s-v1.20.2}"
BIN="$CACHE/bin"

have_binaries() {
  [[ -x "$BIN/kube-apiserver" && -x "$BIN/kube-controller-manager" ]] &&
    { [[ "${BERTH_K8S_BUILD_KUBECTL:-1}" != 1 ]] || [[ -x "$BIN/kubectl" ]]; }
}

if have_binaries; then
  echo "k8s control plane $K8S_VERSION already built in $BIN"
  exit 0
fi

mkdir -p "$CACHE"
# One build at a time (a second caller waits, then finds the binaries).
exec 9>"$CACHE/.build.lock"
if ! flock -n 9; then
  echo "Another build is running in $CACHE; waiting for it…"
  flock 9
fi
if have_binaries; then
  echo "k8s control plane $K8S_VERSION already built in $BIN"
  exit 0
fi

LOG="$CACHE/build.log"
echo "##### $(date -u +%FT%TZ) build-control-plane.sh (cache $CACHE)" >>"$LOG"
T0=$SECONDS
SUMMARY=()

# step <label> <command…>: runs the command with its output appended to the log and prints
# the label with its duration; on failure prints the end of the log and exits.
step() {
  local label=$1; shift
  local t=$SECONDS
  printf '▸ %-44s' "$label"
  echo "=== $(date -u +%FT%TZ) $label: $*" >>"$LOG"
  # A subshell with its own errexit: `set -e` would be ignored inside an `if` condition.
  local rc=0
  set +e
  (set -e; "$@") >>"$LOG" 2>&1
  rc=$?
  set -e
  if ((rc == 0)); then
    local d=$((SECONDS - t))
    printf '%4ds\n' "$d"
    SUMMARY+=("$(printf '%-44s %4ds' "$label" "$d")")
  else
    printf 'FAILED (exit %d)\n' "$rc"
    echo "---- last lines of $LOG ----" >&2
    tail -n 40 "$LOG" >&2
    exit "$rc"
  fi
}

# --- Debian packages -------------------------------------------------------------------------
SUDO=()
if [[ $(id -u) != 0 ]]; then
  if command -v sudo >/dev/null; then SUDO=(sudo); fi
fi

missing=()
pkg_installed() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q '^install ok installed'; }
for spec in golang-go:/usr/lib/go/bin/go etcd-server:/usr/bin/etcd dpkg-dev:/usr/bin/dpkg-source openssl:/usr/bin/openssl; do
  pkg=${spec%%:*} file=${spec#*:}
  if [[ ! -x $file ]] || ! pkg_installed "$pkg"; then missing+=("$pkg"); fi
done

install_packages() {
  export DEBIAN_FRONTEND=noninteractive
  "${SUDO[@]}" apt-get install -y --no-install-recommends "$@" ||
    { "${SUDO[@]}" apt-get update && "${SUDO[@]}" apt-get install -y --no-install-recommends "$@"; }
}
if ((${#missing[@]})); then
  if [[ $(id -u) != 0 && ${#SUDO[@]} == 0 ]]; then
    echo "Missing Debian packages: ${missing[*]} (run: sudo apt-get install ${missing[*]})" >&2
    exit 1
  fi
  step "apt-get install ${missing[*]}" install_packages "${missing[@]}"
fi

GO=/usr/lib/go/bin/go   # Debian's golang-go (Go 1.19 on bookworm), whatever else is on PATH
GOVERSION=$("$GO" env GOVERSION)

# --- sources, via a private apt configuration ------------------------------------------------
APTDIR="$CACHE/apt"
SRCDIR="$CACHE/src"
mkdir -p "$APTDIR/lists/partial" "$APTDIR/cache/archives/partial" "$SRCDIR"

# Use the mirror the machine already uses for bookworm (deb822 or one-line sources).
mirror_for() { # <path suffix: debian|debian-security> <default>
  local u
  u=$(grep -rhoE "https?://[^ ]+/$1/?( |$)" /etc/apt/sources.list /etc/apt/sources.list.d/ 2>/dev/null |
    head -n1 | tr -d ' ' || true)
  echo "${u%/}" | grep . || echo "$2"
}
MIRROR=$(mirror_for debian http://deb.debian.org/debian)
SECMIRROR=$(mirror_for debian-security http://deb.debian.org/debian-security)
KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
cat >"$APTDIR/sources.list" <<EOF
deb-src [signed-by=$KEYRING] $MIRROR bookworm main
deb-src [signed-by=$KEYRING] $SECMIRROR bookworm-security main
EOF
APT_OPTS=(
  -o "Dir::Etc::sourcelist=$APTDIR/sources.list"
  -o "Dir::Etc::sourceparts=-"
  -o "Dir::State::Lists=$APTDIR/lists"
  -o "Dir::Cache=$APTDIR/cache"
  -o "APT::Sandbox::User=$(id -un)"   # the cache is private to this user; no _apt sandbox
)

GOPATH_DIR="$CACHE/gopath"
KUBE_ROOT="$GOPATH_DIR/src/k8s.io/kubernetes"
STAMPS="$CACHE/stamps"
mkdir -p "$STAMPS"

fetch_sources() {
  apt-get "${APT_OPTS[@]}" update
  cd "$SRCDIR"
  apt-get "${APT_OPTS[@]}" source --download-only \
    "kubernetes=$K8S_DEB_VERSION" golang-github-modern-go-reflect2
}
unpack_kubernetes() {
  rm -rf "$KUBE_ROOT" "$STAMPS/reflect2" "$STAMPS/openapi"
  mkdir -p "$(dirname "$KUBE_ROOT")"
  dpkg-source -x "$SRCDIR/kubernetes_${K8S_DEB_VERSION}.dsc" "$KUBE_ROOT"
}
patch_reflect2() {
  # vendor/github.com/modern-go/reflect2 v1.0.1 corrupts memory with Go >= 1.18
  # (kube-apiserver panics on `kubectl apply`); v1.0.2 fixes it.
  local dsc src=$SRCDIR/reflect2 dst=$KUBE_ROOT/vendor/github.com/modern-go/reflect2
  dsc=$(ls -1 "$SRCDIR"/golang-github-modern-go-reflect2_1.0.2*.dsc | sort -V | tail -n1)
  rm -rf "$src"
  dpkg-source -x "$dsc" "$src"
  rm -rf "$dst"
  mkdir -p "$dst"
  cp "$src"/*.go "$src"/*.s "$src"/LICENSE "$src"/README.md "$dst"/
  rm -f "$dst"/*_test.go
  grep -q 'go_above_118' <(ls "$dst")  # sanity: this is really >= v1.0.2
}

# GOPATH mode, as Kubernetes 1.20's own build; static binaries like upstream's server builds.
export GOPATH="$GOPATH_DIR" GO111MODULE=off GOFLAGS= GOPROXY=off CGO_ENABLED=0 GOCACHE="$CACHE/go-build"
unset GOROOT GOBIN GOTMPDIR

generate_openapi() {
  cd "$KUBE_ROOT"
  local out="$CACHE/build"
  mkdir -p "$out"
  nice -n 10 "$GO" build -o "$out/openapi-gen" k8s.io/kubernetes/vendor/k8s.io/kube-openapi/cmd/openapi-gen
  # The input packages, as build/root/Makefile.generated_files computes KUBE_OPENAPI_DIRS:
  # every Go dir of the project (staging/src/* named as vendor/*, not the rest of vendor/),
  # files with a `// +k8s:` tag and a `+k8s:openapi-gen=` tag, minus code-generator and
  # sample-apiserver.
  find -H . -not \( \( -path './_*' -o -path './.*' -o -path ./vendor -o -path ./debian \) -prune \) \
      -type f -name '*.go' -print0 |
    xargs -0 grep -l --null '^// *+k8s:' |
    xargs -0 grep -l '+k8s:openapi-gen=' |
    sed -e 's|^\./||' -e 's|^staging/src/|vendor/|' |
    grep -vE '^vendor/k8s\.io/(code-generator|sample-apiserver)/' |
    xargs -n1 dirname | LC_ALL=C sort -u >"$out/openapi-input-dirs.txt"
  echo "openapi-gen input packages: $(wc -l <"$out/openapi-input-dirs.txt")"
  local inputs
  inputs=$(sed 's|^|k8s.io/kubernetes/|' "$out/openapi-input-dirs.txt" | paste -sd,)
  rm -f pkg/generated/openapi/zz_generated.openapi.go
  nice -n 10 "$out/openapi-gen" --logtostderr \
    -i "$inputs" \
    -p k8s.io/kubernetes/pkg/generated/openapi \
    -O zz_generated.openapi \
    -o "$GOPATH/src" \
    -h vendor/k8s.io/code-generator/hack/boilerplate.go.txt \
    -r "$out/KUBE_violations.report"
  test -s pkg/generated/openapi/zz_generated.openapi.go
  # Upstream fails the build when the API-rule report differs from the known list; here a
  # difference is only logged (it does not affect the generated code).
  if ! diff "$out/KUBE_violations.report" api/api-rules/violation_exceptions.list; then
    echo "WARNING: API rule violations differ from api/api-rules/violation_exceptions.list"
  fi
}

LDFLAGS="-s -w"
for p in k8s.io/kubernetes/vendor/k8s.io/client-go/pkg/version k8s.io/kubernetes/vendor/k8s.io/component-base/version; do
  LDFLAGS+=" -X $p.gitVersion=$K8S_VERSION -X $p.gitMajor=1 -X $p.gitMinor=20"
  LDFLAGS+=" -X $p.gitTreeState=archive -X $p.buildDate=$(date -u +%Y-%m-%dT%H:%M:%SZ)"
done

build_cmd() { # <name>
  cd "$KUBE_ROOT"
  mkdir -p "$BIN"
  nice -n 10 "$GO" build -trimpath -ldflags "$LDFLAGS" -o "$BIN/.$1.tmp" "k8s.io/kubernetes/cmd/$1"
  mv -f "$BIN/.$1.tmp" "$BIN/$1"
}

echo "Building Kubernetes $K8S_VERSION control plane into $CACHE (log: $LOG)"
if ! ls "$SRCDIR/kubernetes_${K8S_DEB_VERSION}.dsc" "$SRCDIR"/golang-github-modern-go-reflect2_1.0.2*.dsc >/dev/null 2>&1; then
  step "fetch Debian sources (private apt config)" fetch_sources
fi
if [[ ! -f $STAMPS/unpacked ]]; then
  step "unpack kubernetes source (dpkg-source -x)" unpack_kubernetes
  touch "$STAMPS/unpacked"
fi
if [[ ! -f $STAMPS/reflect2 ]]; then
  step "replace vendored reflect2 with v1.0.2" patch_reflect2
  touch "$STAMPS/reflect2"
fi
if [[ ! -f $STAMPS/openapi ]]; then
  step "generate pkg/generated/openapi ($GOVERSION)" generate_openapi
  touch "$STAMPS/openapi"
fi
[[ -x $BIN/kube-apiserver ]] || step "go build kube-apiserver" build_cmd kube-apiserver
[[ -x $BIN/kube-controller-manager ]] || step "go build kube-controller-manager" build_cmd kube-controller-manager
if [[ "${BERTH_K8S_BUILD_KUBECTL:-1}" == 1 && ! -x $BIN/kubectl ]]; then
  step "go build kubectl" build_cmd kubectl
fi
"$BIN/kube-apiserver" --version >>"$LOG" 2>&1

if [[ "${BERTH_K8S_KEEP_SOURCES:-1}" == 0 ]]; then
  rm -rf "$GOPATH_DIR" "$CACHE/go-build" "$SRCDIR/reflect2" "$STAMPS"
fi

echo
echo "Kubernetes $K8S_VERSION control plane built in $((SECONDS - T0))s with $GOVERSION:"
printf '  %s\n' "${SUMMARY[@]}"
ls -1 "$BIN" | sed "s|^|  $BIN/|"
echo "  etcd: $(command -v etcd) ($(etcd --version | head -n1))"
echo "  log:  $LOG"
