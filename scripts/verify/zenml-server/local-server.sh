#!/usr/bin/env bash
# A throwaway real ZenML server on 127.0.0.1, for suites that need one (pipeline, kubernetes): the
# server of requirements/zenml-server.txt (zenml[server] 0.98.0, what the in-cluster deployment runs)
# on a throwaway MariaDB (MySQL-compatible, like the RDS store), random free ports.
#
#   local-server.sh up   STATE_DIR   starts MariaDB and the server, waits until the server answers;
#                                    prints the env file to source (ZENML_STORE_URL, _USERNAME, _PASSWORD)
#   local-server.sh down STATE_DIR   stops both (by PID, bounded) and deletes STATE_DIR
#
# The server's own ZenML config, the database and the logs live in STATE_DIR. Clients log in as the
# server's admin user `default` with a random password (in the env file). Every wait is bounded.
set -euo pipefail
root=$(cd "$(dirname "$0")/../../.." && pwd)
cmd=${1:-} state=${2:-}
if [ -z "$cmd" ] || [ -z "$state" ]; then
  echo "usage: local-server.sh up|down STATE_DIR" >&2
  exit 2
fi
READY_TIMEOUT_S=${ZENML_SERVER_READY_TIMEOUT_S:-180}

stop_all() {
  local name pid
  for name in zenml-server mariadb; do
    [ -f "$state/$name.pid" ] || continue
    pid=$(cat "$state/$name.pid")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$pid" 2>/dev/null || true
    rm -f "$state/$name.pid"
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
  echo "local-server.sh: unknown command '$cmd'; use up or down" >&2
  exit 2
  ;;
esac

export PATH="/usr/sbin:$PATH"
if ! command -v mariadbd >/dev/null 2>&1; then
  echo "local-server: mariadbd not found (apt-get install mariadb-server)" >&2
  exit 1
fi
venv=$(bash "$root/scripts/verify/venv.sh" zenml-server requirements/zenml-server.txt)
mkdir -p "$state/db" "$state/logs" "$state/config"
chmod 700 "$state"
free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
fail() {
  echo "local-server: $1; last lines of $state/logs/$2.log:" >&2
  tail -n 20 "$state/logs/$2.log" >&2 || true
  stop_all
  exit 1
}
t0=$SECONDS

db_port=$(free_port)
timeout 120 mariadb-install-db --no-defaults --datadir="$state/db/data" --user="$(id -un)" \
  --auth-root-authentication-method=normal --skip-test-db >"$state/logs/mariadb-install.log" 2>&1 ||
  fail "mariadb-install-db failed" mariadb-install
mariadbd --no-defaults --datadir="$state/db/data" --socket="$state/db/sock" --port="$db_port" \
  --bind-address=127.0.0.1 --user="$(id -un)" --skip-name-resolve --skip-ssl --log-error="$state/logs/mariadb.log" \
  --character-set-server=utf8mb4 --collation-server=utf8mb4_unicode_ci >/dev/null 2>&1 &
echo $! >"$state/mariadb.pid"
until mariadb-admin --no-defaults --socket="$state/db/sock" -uroot ping >/dev/null 2>&1; do
  kill -0 "$(cat "$state/mariadb.pid")" 2>/dev/null || fail "mariadbd exited (port $db_port taken?)" mariadb
  ((SECONDS - t0 < READY_TIMEOUT_S)) || fail "MariaDB not ready after ${READY_TIMEOUT_S}s" mariadb
  sleep 0.3
done
db_password=$(openssl rand -hex 16)
mariadb --no-defaults --socket="$state/db/sock" -uroot <<SQL
CREATE DATABASE zenml CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;
CREATE USER 'zenml'@'127.0.0.1' IDENTIFIED BY '$db_password';
GRANT ALL PRIVILEGES ON zenml.* TO 'zenml'@'127.0.0.1';
FLUSH PRIVILEGES;
SQL

server_port=$(free_port)
user_password=$(openssl rand -hex 16)
(
  cd "$state"
  # The server's environment only: the database credentials never reach a client. Activated at
  # start with its admin user, as the in-cluster deployment's launcher does.
  env -i PATH="$PATH" HOME="$state" ZENML_CONFIG_PATH="$state/config" ZENML_ANALYTICS_OPT_IN=false \
    ZENML_STORE_TYPE=sql ZENML_STORE_URL="mysql://127.0.0.1:$db_port/zenml" ZENML_STORE_USERNAME=zenml \
    ZENML_STORE_PASSWORD="$db_password" ZENML_SERVER_DEPLOYMENT_TYPE=other ZENML_LOGGING_COLORS_DISABLED=true \
    ZENML_SERVER_AUTO_ACTIVATE=true ZENML_DEFAULT_USER_NAME=default ZENML_DEFAULT_USER_PASSWORD="$user_password" \
    "$venv/bin/uvicorn" zenml.zen_server.zen_server_api:app --host 127.0.0.1 --port "$server_port" \
    >"$state/logs/zenml-server.log" 2>&1 &
  echo $! >"$state/zenml-server.pid"
)
url="http://127.0.0.1:$server_port"
until curl -fsS "$url/health" >/dev/null 2>&1; do
  kill -0 "$(cat "$state/zenml-server.pid")" 2>/dev/null || fail "the ZenML server exited" zenml-server
  ((SECONDS - t0 < READY_TIMEOUT_S)) || fail "the ZenML server did not answer $url/health after ${READY_TIMEOUT_S}s" zenml-server
  sleep 0.5
done

cat >"$state/env" <<EOF
export ZENML_STORE_URL='$url'
export ZENML_STORE_USERNAME=default
export ZENML_STORE_PASSWORD='$user_password'
export ZENML_TEST_SERVER_LOG='$state/logs/zenml-server.log'
EOF
echo "local-server: ZenML $("$venv/bin/python" -c 'import zenml; print(zenml.__version__)') at $url on MariaDB :$db_port, ready in $((SECONDS - t0))s" >&2
echo "$state/env"
