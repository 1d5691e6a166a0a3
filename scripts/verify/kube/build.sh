#!/usr/bin/env bash
# Builds (once per version) the local Kubernetes control plane the `kubernetes` suite runs:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kubectl, from their Go modules
# at the versions pinned in this folder's go.mod files (k8s.io/kubernetes at the minor of the
# project's default kubernetesVersion; a jest test keeps the two in step).
#
#   bash scripts/verify/kube/build.sh        prints the bin directory on stdout; progress on stderr
#
# Why from source: no Debian package ships kube-apiserver or kube-controller-manager, Debian's etcd
# (3.4) is too old, and the Go module proxy is the registry this machine reaches. `go install
# k8s.io/kubernetes/cmd/...@v` is refused (its go.mod has replace directives), so the module here
# requires k8s.io/kubernetes and replaces each staging module with its published v0.x twin.
#
# Cache: ${XDG_CACHE_HOME:-~/.cache}/zenml-spark-eks/kube/<version>-<hash of go.mod/go.sum>/bin.
# Cold: ~10-14 min on 2 cores (kube-apiserver dominates), ~2 GB of modules + several GB of Go
# build cache; warm: nothing to do. A failed build prints one line naming the component and the
# log to read, and exits 1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${XDG_CACHE_HOME:-$HOME/.cache}/zenml-spark-eks/kube

if ! command -v go >/dev/null 2>&1; then
  echo "kube build: go not found on PATH; the control plane is built from Go modules (Go >= 1.26)" >&2
  exit 1
fi

version=$(awk '$1 == "require" && $2 == "k8s.io/kubernetes" { print $3 }' "$here/go.mod")
etcd_version=$(awk '$1 == "require" && $2 == "go.etcd.io/etcd/server/v3" { print $3 }' "$here/etcd/go.mod")
: "${version:?go.mod must require k8s.io/kubernetes}" "${etcd_version:?etcd/go.mod must require etcd server}"
hash=$(cat "$here/go.mod" "$here/go.sum" "$here/etcd/go.mod" "$here/etcd/go.sum" "$0" | sha256sum | cut -c1-12)
dir="$cache/$version-$hash"
bin="$dir/bin"
if [ -f "$dir/.complete" ]; then
  echo "$bin"
  exit 0
fi

mkdir -p "$bin" "$dir/logs"
export CGO_ENABLED=0 GOFLAGS=-mod=readonly
# Without these the binaries report v0.0.0, and kubectl warns about version skew on every call.
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=$version -X k8s.io/client-go/pkg/version.gitVersion=$version"
started=$SECONDS
build() {
  local name=$1 module_dir=$2 pkg=$3 flags=$4 t=$SECONDS
  echo "kube build: $name ($pkg) ..." >&2
  if ! (cd "$module_dir" && go build -trimpath -ldflags "$flags" -o "$bin/$name" "$pkg") >"$dir/logs/$name.log" 2>&1; then
    echo "kube build: $name failed; last lines of $dir/logs/$name.log:" >&2
    tail -n 5 "$dir/logs/$name.log" >&2
    exit 1
  fi
  echo "kube build: $name done in $((SECONDS - t))s" >&2
}
build etcd "$here/etcd" go.etcd.io/etcd/server/v3 "-s -w"
for cmd in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
  build "$cmd" "$here" "k8s.io/kubernetes/cmd/$cmd" "$ldflags"
done
touch "$dir/.complete"
echo "kube build: Kubernetes $version and etcd $etcd_version built in $((SECONDS - started))s into $bin" >&2
echo "$bin"
