#!/usr/bin/env bash
# The zenml-server suite: the in-cluster ZenML server's configuration met by a real ZenML 0.98.0
# server. Installs what it needs (idempotently): Debian's mariadb-server when mariadbd is missing,
# the zenml-server venv (requirements/zenml-server.txt) and the moto venv. Then, on 127.0.0.1 and
# random ports, it starts a throwaway MariaDB with TLS from a throwaway CA (and a second one
# without TLS), a moto server and a stand-in for the EKS Pod Identity agent, runs the launcher and
# bootstrap unit tests (pytest) and the *.zenml-server.test.ts files (jest), and stops everything
# and deletes its state however the suite ends. Every wait is bounded.
#   scripts/verify/test-zenml-server.sh [jest args...]     e.g. -t 'wrong CA'
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
started=$SECONDS
unset AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN AWS_DEFAULT_PROFILE AWS_ENDPOINT_URL
unset ZENML_STORE_URL ZENML_STORE_TYPE ZENML_CONFIG_PATH SSL_CERT_FILE
export AWS_EC2_METADATA_DISABLED=true AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null
export AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=true ZENML_ANALYTICS_OPT_IN=false

# --- install (idempotent) ---------------------------------------------------------------------
if ! command -v mariadbd >/dev/null 2>&1 && [ ! -x /usr/sbin/mariadbd ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "test-zenml-server: installing Debian's mariadb-server (apt-get)" >&2
    timeout 300 apt-get update -qq >&2
    DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends mariadb-server >&2
  else
    echo "test-zenml-server: mariadbd not found and cannot install it (needs root and apt-get): apt-get install mariadb-server" >&2
    exit 1
  fi
fi
export PATH="/usr/sbin:$PATH"
ZENML_SERVER_VENV=$(bash scripts/verify/venv.sh zenml-server requirements/zenml-server.txt)
MOTO_VENV=$(bash scripts/verify/venv.sh moto requirements/moto.txt)
export ZENML_SERVER_VENV MOTO_VENV

# --- throwaway services -----------------------------------------------------------------------
state=$(mktemp -d "${TMPDIR:-/tmp}/zenml-server-suite-XXXXXX")
chmod 700 "$state"
pids=()
cleanup() {
  local pid
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    for _ in $(seq 1 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
  done
  rm -rf "$state"
}
trap cleanup EXIT
trap 'exit 130' INT TERM
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
wait_for() { # description seconds command...
  local what=$1 limit=$2; shift 2
  local deadline=$((SECONDS + limit))
  until "$@" >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then echo "test-zenml-server: $what not ready after ${limit}s" >&2; return 1; fi
    sleep 0.2
  done
}

# TLS: a CA, a server certificate for 127.0.0.1/localhost, and an unrelated CA for the wrong-CA cases.
tls=$state/tls
mkdir -p "$tls"
(
  cd "$tls"
  umask 077
  mkca() {
    openssl req -x509 -newkey rsa:2048 -nodes -sha256 -days 1 -keyout "$1-key.pem" -out "$1.pem" \
      -subj "/CN=zenml-server suite $1" -addext basicConstraints=critical,CA:TRUE \
      -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  }
  mkca ca
  mkca wrong-ca
  openssl req -newkey rsa:2048 -nodes -sha256 -keyout server-key.pem -out server.csr -subj "/CN=127.0.0.1" 2>/dev/null
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1,DNS:localhost\n' >server.ext
  openssl x509 -req -in server.csr -CA ca.pem -CAkey ca-key.pem -CAcreateserial -days 1 -sha256 \
    -extfile server.ext -out server-cert.pem 2>/dev/null
  chmod 644 ca.pem wrong-ca.pem server-cert.pem
)

start_mariadb() { # name port [extra mariadbd args...]
  local name=$1 port=$2; shift 2
  local dir=$state/$name
  mkdir -p "$dir"
  timeout 120 mariadb-install-db --no-defaults --datadir="$dir/data" --user=root \
    --auth-root-authentication-method=normal --skip-test-db >"$dir/install.log" 2>&1
  mariadbd --no-defaults --datadir="$dir/data" --socket="$dir/sock" --pid-file="$dir/pid" --port="$port" \
    --bind-address=127.0.0.1 --user=root --skip-name-resolve --log-error="$dir/error.log" \
    --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci "$@" >"$dir/out.log" 2>&1 &
  pids+=($!)
  wait_for "mariadb $name" 60 mariadb-admin --no-defaults --socket="$dir/sock" -uroot ping
}

db_port=$(free_port)
notls_port=$(free_port)
master_password=$(openssl rand -hex 16)
start_mariadb db "$db_port" --ssl-ca="$tls/ca.pem" --ssl-cert="$tls/server-cert.pem" \
  --ssl-key="$tls/server-key.pem" --tls-version=TLSv1.2,TLSv1.3
start_mariadb notls "$notls_port" --skip-ssl
# As RDS makes it: database `zenml` (CDK's databaseName) and a master user `zenml` with broad
# privileges (RDS masters may create users and grant on any database), here TLS-only.
for name in db notls; do
  require=$([ "$name" = db ] && echo "REQUIRE SSL" || echo "")
  mariadb --no-defaults --socket="$state/$name/sock" -uroot <<SQL
CREATE DATABASE zenml CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'zenml'@'127.0.0.1' IDENTIFIED BY '$master_password' $require;
GRANT ALL PRIVILEGES ON *.* TO 'zenml'@'127.0.0.1' WITH GRANT OPTION;
FLUSH PRIVILEGES;
SQL
done

moto_port=$(free_port)
agent_port=$(free_port)
mkdir -p "$state/aws"
# The recorder file would hold request bodies (secret values): it stays in the state dir, deleted at the end.
MOTO_RECORDER_FILEPATH="$state/aws/moto-recording" "$MOTO_VENV/bin/moto_server" -H 127.0.0.1 -p "$moto_port" \
  >"$state/aws/moto.log" 2>&1 &
pids+=($!)
(umask 077 && printf %s "$(openssl rand -hex 24)" >"$state/aws/pod-identity-token")
python3 scripts/verify/zenml-server/fake_pod_identity_agent.py "$agent_port" "$state/aws/pod-identity-token" \
  "$state/aws/agent.log" >"$state/aws/agent.out" 2>&1 &
pids+=($!)
wait_for moto 60 curl -fsS "http://127.0.0.1:$moto_port/moto-api/"

cat >"$state/env" <<EOF
export ZENML_SERVER_SUITE_STATE='$state'
export ZENML_SERVER_SUITE_DB_PORT='$db_port'
export ZENML_SERVER_SUITE_NOTLS_PORT='$notls_port'
export ZENML_SERVER_SUITE_MASTER_PASSWORD='$master_password'
export ZENML_SERVER_SUITE_CA='$tls/ca.pem'
export ZENML_SERVER_SUITE_WRONG_CA='$tls/wrong-ca.pem'
export ZENML_SERVER_SUITE_MOTO_URL='http://127.0.0.1:$moto_port'
export ZENML_SERVER_SUITE_POD_IDENTITY_URI='http://127.0.0.1:$agent_port/v1/credentials'
export ZENML_SERVER_SUITE_POD_IDENTITY_TOKEN_FILE='$state/aws/pod-identity-token'
export ZENML_SERVER_SUITE_AGENT_LOG='$state/aws/agent.log'
EOF
# shellcheck disable=SC1091
source "$state/env"
echo "test-zenml-server: MariaDB (TLS) :$db_port, MariaDB (no TLS) :$notls_port, moto :$moto_port, Pod Identity stand-in :$agent_port ready in $((SECONDS - started))s" >&2

set +e
(cd zenml-server && "$ZENML_SERVER_VENV/bin/python" -m pytest -q -p no:cacheprovider --basetemp "$state/pytest")
py_rc=$?
"$root/node_modules/.bin/jest" --testMatch '**/*.zenml-server.test.ts' --testPathIgnorePatterns '/node_modules/' \
  --runInBand --testTimeout 300000 "$@"
rc=$?
set -e
[ "$py_rc" -ne 0 ] && rc=$py_rc
echo "test-zenml-server: exit $rc, $((SECONDS - started))s in total (install and start included)"
exit $rc
