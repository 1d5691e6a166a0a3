#!/usr/bin/env bash
# Starts and stops a throwaway Kubernetes control plane on 127.0.0.1: the one place that owns its
# processes, so every suite that needs a real API server uses this script.
#
#   control-plane.sh up   STATE_DIR   builds (cached) if needed, starts, waits until ready; prints
#                                      the env file to source (KUBECONFIG, KUBECTL, KUBE_* paths)
#   control-plane.sh down STATE_DIR   stops every process it started (by PID) and deletes STATE_DIR
#
# What runs: etcd; kube-apiserver with a self-signed CA, RBAC + Node authorization, the default
# admission plugins (PodSecurity included), a service-account issuer and an audit log of every
# request (Metadata level: user, verb, resource, response code, Pod Security annotations);
# kube-controller-manager with the controllers a Job needs (job, ttl-after-finished, garbage
# collector, service accounts and their tokens, namespaces, root CA publisher) and NOT the node
# lifecycle controller, so that a fake Node object keeps the taints a test gives it (also the
# deployment, replica set, disruption and resource quota controllers); kube-scheduler.
# No kubelet: pods are scheduled but their containers never start.
#
# Every wait is bounded; a port clash or a component that exits early is one line naming it and
# its log. STATE_DIR holds the PKI, the etcd data, the logs and the PIDs.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cmd=${1:-} state=${2:-}
if [ -z "$cmd" ] || [ -z "$state" ]; then
  echo "usage: control-plane.sh up|down STATE_DIR" >&2
  exit 2
fi
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler)
READY_TIMEOUT_S=${KUBE_READY_TIMEOUT_S:-90}
STOP_TIMEOUT_S=15

stop_all() {
  # Reverse start order, each bounded: the API server shuts down cleanly only while etcd still runs.
  local i p pid deadline
  for ((i = ${#COMPONENTS[@]} - 1; i >= 0; i--)); do
    p="$state/${COMPONENTS[$i]}.pid"
    [ -f "$p" ] || continue
    pid=$(cat "$p")
    kill "$pid" 2>/dev/null || true
    deadline=$((SECONDS + STOP_TIMEOUT_S))
    while kill -0 "$pid" 2>/dev/null && ((SECONDS < deadline)); do sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$p"
  done
}

case $cmd in
down)
  [ -d "$state" ] || exit 0
  stop_all
  rm -rf "$state"
  exit 0
  ;;
up) ;;
*)
  echo "control-plane.sh: unknown command '$cmd'; use up or down" >&2
  exit 2
  ;;
esac

bin=$(bash "$here/build.sh")
if [ -e "$state/kube-apiserver.pid" ]; then
  echo "control-plane: $state already holds a running control plane; run 'down' first" >&2
  exit 1
fi
mkdir -p "$state/pki" "$state/logs" "$state/etcd"
chmod 700 "$state"

# Throwaway PKI, valid for one day: CA, API server serving cert, client certs for the admin
# (system:masters) and the two controllers, and the service-account signing key.
pki() { openssl "$@" >/dev/null 2>&1; }
(
  cd "$state/pki"
  pki req -x509 -newkey rsa:2048 -nodes -keyout ca.key -out ca.crt -days 1 -subj "/CN=zenml-spark-eks throwaway CA"
  printf 'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:kubernetes.default.svc\n' >apiserver.ext
  cert() { # name subject [extfile]
    pki req -newkey rsa:2048 -nodes -keyout "$1.key" -out "$1.csr" -subj "$2"
    pki x509 -req -in "$1.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -out "$1.crt" -days 1 ${3:+-extfile "$3"}
  }
  cert apiserver "/CN=kube-apiserver" apiserver.ext
  cert admin "/O=system:masters/CN=zenml-spark-eks-test-admin"
  cert controller-manager "/CN=system:kube-controller-manager"
  cert scheduler "/CN=system:kube-scheduler"
  pki genrsa -out service-accounts.key 2048
  pki rsa -in service-accounts.key -pubout -out service-accounts.pub
)

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
etcd_port=$(free_port)
etcd_peer_port=$(free_port)
api_port=$(free_port)
server="https://127.0.0.1:$api_port"

start() { # name args...
  local name=$1
  shift
  "$bin/$name" "$@" >"$state/logs/$name.log" 2>&1 &
  echo $! >"$state/$name.pid"
}
fail() {
  echo "control-plane: $1; last lines of $state/logs/$2.log:" >&2
  tail -n 5 "$state/logs/$2.log" >&2 || true
  stop_all
  exit 1
}
alive() { kill -0 "$(cat "$state/$1.pid")" 2>/dev/null; }

cat >"$state/audit-policy.yaml" <<'EOF'
apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: [RequestReceived]
rules:
  - level: Metadata
EOF

start etcd --name default --data-dir "$state/etcd" --log-level warn \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer_port" \
  --initial-cluster "default=http://127.0.0.1:$etcd_peer_port" --listen-metrics-urls ""

start kube-apiserver --etcd-servers "http://127.0.0.1:$etcd_port" \
  --bind-address 127.0.0.1 --advertise-address 127.0.0.1 --secure-port "$api_port" \
  --tls-cert-file "$state/pki/apiserver.crt" --tls-private-key-file "$state/pki/apiserver.key" \
  --client-ca-file "$state/pki/ca.crt" \
  --service-account-issuer https://kubernetes.default.svc \
  --service-account-key-file "$state/pki/service-accounts.pub" \
  --service-account-signing-key-file "$state/pki/service-accounts.key" \
  --authorization-mode Node,RBAC --service-cluster-ip-range 10.96.0.0/16 \
  --endpoint-reconciler-type none \
  --audit-log-path "$state/logs/audit.log" --audit-policy-file "$state/audit-policy.yaml" \
  --audit-log-mode blocking

kubeconfig() { # name cert
  local k="$state/$1.kubeconfig"
  "$bin/kubectl" config --kubeconfig "$k" set-cluster local --server "$server" \
    --certificate-authority "$state/pki/ca.crt" --embed-certs >/dev/null
  "$bin/kubectl" config --kubeconfig "$k" set-credentials "$1" --client-certificate "$state/pki/$2.crt" \
    --client-key "$state/pki/$2.key" --embed-certs >/dev/null
  "$bin/kubectl" config --kubeconfig "$k" set-context local --cluster local --user "$1" >/dev/null
  "$bin/kubectl" config --kubeconfig "$k" use-context local >/dev/null
}
kubeconfig admin admin
kubeconfig controller-manager controller-manager
kubeconfig scheduler scheduler

t0=$SECONDS
until "$bin/kubectl" --kubeconfig "$state/admin.kubeconfig" get --raw /readyz >/dev/null 2>&1; do
  alive etcd || fail "etcd exited (port $etcd_port or $etcd_peer_port taken?)" etcd
  alive kube-apiserver || fail "kube-apiserver exited (port $api_port taken?)" kube-apiserver
  ((SECONDS - t0 < READY_TIMEOUT_S)) || fail "kube-apiserver not ready after ${READY_TIMEOUT_S}s" kube-apiserver
  sleep 0.5
done

start kube-controller-manager --kubeconfig "$state/controller-manager.kubeconfig" \
  --authentication-kubeconfig "$state/controller-manager.kubeconfig" \
  --authorization-kubeconfig "$state/controller-manager.kubeconfig" \
  --service-account-private-key-file "$state/pki/service-accounts.key" --root-ca-file "$state/pki/ca.crt" \
  --use-service-account-credentials --leader-elect=false --bind-address 127.0.0.1 --secure-port 0 \
  --controllers 'job-controller,ttl-after-finished-controller,garbage-collector-controller,serviceaccount-controller,serviceaccount-token-controller,namespace-controller,root-ca-certificate-publisher-controller,deployment-controller,replicaset-controller,disruption-controller,resourcequota-controller'
start kube-scheduler --kubeconfig "$state/scheduler.kubeconfig" \
  --authentication-kubeconfig "$state/scheduler.kubeconfig" \
  --authorization-kubeconfig "$state/scheduler.kubeconfig" \
  --leader-elect=false --bind-address 127.0.0.1 --secure-port 0

# Ready when the default service account exists (the controller-manager works) and the
# scheduler is still running a moment after it started.
until "$bin/kubectl" --kubeconfig "$state/admin.kubeconfig" get serviceaccount default -n default >/dev/null 2>&1; do
  alive kube-controller-manager || fail "kube-controller-manager exited" kube-controller-manager
  ((SECONDS - t0 < READY_TIMEOUT_S)) || fail "no default service account after ${READY_TIMEOUT_S}s" kube-controller-manager
  sleep 0.5
done
alive kube-scheduler || fail "kube-scheduler exited" kube-scheduler

cat >"$state/env" <<EOF
export KUBECONFIG='$state/admin.kubeconfig'
export KUBECTL='$bin/kubectl'
export KUBE_BIN='$bin'
export KUBE_SERVER='$server'
export KUBE_CA_FILE='$state/pki/ca.crt'
export KUBE_AUDIT_LOG='$state/logs/audit.log'
export KUBE_STATE_DIR='$state'
EOF
echo "control-plane: $("$bin/kubectl" --kubeconfig "$state/admin.kubeconfig" version -o json | python3 -c 'import json,sys; print(json.load(sys.stdin)["serverVersion"]["gitVersion"])') ready at $server in $((SECONDS - t0))s" >&2
echo "$state/env"
