#!/usr/bin/env bash
# A real Kubernetes API server for the cluster tests (make test-kube).
#
#   .ci/kube.sh bin     build kube-apiserver and etcd once (cached by version) and print their directory
#
# Both are built from the Go module proxy through the module in .ci/kube/ (its own go.mod, so that
# gitopscfg's go.mod never names Kubernetes) into ${XDG_CACHE_HOME:-$HOME/.cache}/gitopscfg/kube-$KUBE_VERSION/.
# Only the first run on a machine pays for the build (about 10 minutes and 3 GB of build cache on two
# cores, which is deleted afterwards); the tests start the binaries themselves (platforms/kube/kubetest).
set -euo pipefail

KUBE_VERSION="${KUBE_VERSION:-1.37.2}"
CACHE="${XDG_CACHE_HOME:-$HOME/.cache}/gitopscfg/kube-$KUBE_VERSION"
HERE="$(cd "$(dirname "$0")" && pwd)"

die() { echo "kube.sh: $*" >&2; exit 1; }

have() { [ -x "$CACHE/kube-apiserver" ] && [ -x "$CACHE/etcd" ]; }

build() {
  have && return 0
  command -v go >/dev/null || die "go is not installed"
  mkdir -p "$CACHE"
  # One build at a time: a second caller waits for the first.
  exec 9>"$CACHE/.lock"
  if command -v flock >/dev/null; then flock 9; fi
  have && return 0
  grep -q "k8s.io/kubernetes v$KUBE_VERSION\$" "$HERE/kube/go.mod" ||
    die "$HERE/kube/go.mod does not require k8s.io/kubernetes v$KUBE_VERSION"
  echo "kube.sh: building kube-apiserver and etcd $KUBE_VERSION once into $CACHE (about 10 minutes)" >&2
  local start
  start=$(date +%s)
  # A build cache of its own: about 3 GB that nothing else reuses, removed once the binaries exist
  # (or the build failed).
  gocache=$(mktemp -d "${TMPDIR:-/tmp}/gitopscfg-kube-gocache.XXXXXX")
  trap 'rm -rf "${gocache:-/nonexistent}"' EXIT
  (
    cd "$HERE/kube"
    export GOCACHE="$gocache" GOTOOLCHAIN=local CGO_ENABLED=0 GOFLAGS=-mod=mod
    go build -trimpath -o "$CACHE/kube-apiserver.tmp" \
      -ldflags "-s -w -X k8s.io/component-base/version.gitVersion=v$KUBE_VERSION" \
      k8s.io/kubernetes/cmd/kube-apiserver
    go build -trimpath -ldflags "-s -w" -o "$CACHE/etcd.tmp" ./etcd
  )
  mv "$CACHE/kube-apiserver.tmp" "$CACHE/kube-apiserver"
  mv "$CACHE/etcd.tmp" "$CACHE/etcd"
  echo "kube.sh: built in $(( $(date +%s) - start )) s" >&2
}

cmd="${1:-}"
case "$cmd" in
  bin) build; echo "$CACHE" ;;
  *) die "usage: $0 bin" ;;
esac
