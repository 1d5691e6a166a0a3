"""Creates the ZenML server's IAM database user on RDS MySQL, idempotently (zenmlDatabaseAuth=iam).

Runs once per deploy as a Kubernetes Job in the zenml namespace, with the server image's Python
(stdlib, boto3 and PyMySQL are in it) and its own service account, whose Pod Identity role may read
only the RDS master secret. It reads that secret at run time, connects as the master user over TLS
verified against the RDS root (chain and host name; it refuses, before sending the password, a
server that offers no TLS), and runs:

  CREATE USER IF NOT EXISTS '<user>'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL
  GRANT ALL PRIVILEGES ON `<database>`.* TO '<user>'@'%'

A user of that name that exists with another authentication plugin is left alone and reported
(exit 3): changing how an existing account logs in is a decision for a person. Every other failure
is one line naming the cause, exit 2. No secret value is ever printed.

Environment: ZENML_BOOTSTRAP_DB_SECRET_ID, ZENML_BOOTSTRAP_DB_HOST, ZENML_BOOTSTRAP_DB_PORT,
ZENML_BOOTSTRAP_DB_NAME, ZENML_BOOTSTRAP_DB_USER, ZENML_BOOTSTRAP_CA_FILE, AWS_REGION.
"""

from __future__ import annotations

import json
import os
import re
import ssl
import sys
from typing import Any, Callable, Mapping

IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]{0,31}$")
IAM_PLUGIN = "AWSAuthenticationPlugin"
CONNECT_TIMEOUT_S = 10
READ_TIMEOUT_S = 30


class BootstrapError(Exception):
    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


def check_identifier(kind: str, value: str) -> str:
    """MySQL user and database names go into SQL text: only plain identifiers are accepted."""
    if not IDENTIFIER.match(value):
        raise BootstrapError(f"{kind} '{value}' is not a plain identifier (a letter, then up to 31 of A-Z a-z 0-9 _)")
    return value


def bootstrap_statements(user: str, database: str) -> list[str]:
    """The SQL that makes `user` an RDS IAM user with every privilege on `database` (and nothing else)."""
    user = check_identifier("user", user)
    database = check_identifier("database", database)
    return [
        f"CREATE USER IF NOT EXISTS '{user}'@'%' IDENTIFIED WITH {IAM_PLUGIN} AS 'RDS' REQUIRE SSL",
        # ZenML runs DDL during its migrations (create, alter, drop, index, references).
        f"GRANT ALL PRIVILEGES ON `{database}`.* TO '{user}'@'%'",
    ]


def existing_plugin_query(user: str) -> tuple[str, tuple[str, ...]]:
    return "SELECT plugin FROM mysql.user WHERE user = %s AND host = '%%'", (check_identifier("user", user),)


def tls_context(ca_file: str) -> ssl.SSLContext:
    """Chain and host name verified against the given roots only."""
    try:
        ctx = ssl.create_default_context(cafile=ca_file)
    except (OSError, ssl.SSLError) as e:
        raise BootstrapError(f"cannot load the CA file {ca_file}: {e}") from None
    ctx.check_hostname = True
    ctx.verify_mode = ssl.CERT_REQUIRED
    return ctx


def tls_required_connection_class() -> Any:
    import pymysql
    from pymysql.constants import CLIENT

    class TLSRequiredConnection(pymysql.connections.Connection):
        """Never sends the password unless the server negotiated TLS (PyMySQL would fall back to plain text)."""

        def _request_authentication(self) -> Any:
            if not (self.ssl and self.server_capabilities & CLIENT.SSL):
                raise BootstrapError(
                    "the database server offered no TLS; refusing to send the master password in plain text"
                )
            return super()._request_authentication()

    return TLSRequiredConnection


def read_master_credentials(read_secret: Callable[[str], str], secret_id: str) -> tuple[str, str]:
    try:
        value = json.loads(read_secret(secret_id))
    except ValueError:
        raise BootstrapError(f"secret {secret_id} is not JSON") from None
    username, password = value.get("username"), value.get("password")
    if not isinstance(username, str) or not username or not isinstance(password, str) or not password:
        raise BootstrapError(f"secret {secret_id} lacks a non-empty username and password")
    return username, password


def run(env: Mapping[str, str], read_secret: Callable[[str], str], log: Callable[[str], None]) -> None:
    import pymysql

    def need(name: str) -> str:
        value = env.get(name, "").strip()
        if not value:
            raise BootstrapError(f"{name} is not set")
        return value

    secret_id = need("ZENML_BOOTSTRAP_DB_SECRET_ID")
    host, port = need("ZENML_BOOTSTRAP_DB_HOST"), need("ZENML_BOOTSTRAP_DB_PORT")
    database = check_identifier("database", need("ZENML_BOOTSTRAP_DB_NAME"))
    user = check_identifier("user", need("ZENML_BOOTSTRAP_DB_USER"))
    ctx = tls_context(need("ZENML_BOOTSTRAP_CA_FILE"))
    master, password = read_master_credentials(read_secret, secret_id)
    log(f"master credentials of '{master}' read from {secret_id}")

    try:
        conn = tls_required_connection_class()(
            host=host,
            port=int(port),
            user=master,
            password=password,
            ssl=ctx,
            connect_timeout=CONNECT_TIMEOUT_S,
            read_timeout=READ_TIMEOUT_S,
            write_timeout=READ_TIMEOUT_S,
            autocommit=True,
        )
    except pymysql.err.OperationalError as e:
        raise BootstrapError(f"cannot connect to {host}:{port} as '{master}': {e}") from None
    try:
        with conn.cursor() as cur:
            cur.execute("SHOW SESSION STATUS LIKE 'Ssl_version'")
            row = cur.fetchone()
            log(f"connected to {host}:{port} as '{master}' over {row[1] if row else 'TLS'}, certificate verified")
            cur.execute(*existing_plugin_query(user))
            existing = cur.fetchone()
            if existing and existing[0] != IAM_PLUGIN:
                raise BootstrapError(
                    f"user '{user}'@'%' exists with plugin {existing[0]}, not {IAM_PLUGIN}; left unchanged. "
                    f"Drop it (DROP USER '{user}'@'%') to let this Job recreate it for IAM login",
                    exit_code=3,
                )
            for statement in bootstrap_statements(user, database):
                try:
                    cur.execute(statement)
                except pymysql.err.MySQLError as e:
                    raise BootstrapError(f"'{statement}' failed: {e}") from None
            log(
                f"user '{user}'@'%' {'already existed' if existing else 'created'} "
                f"({IAM_PLUGIN}, REQUIRE SSL); ALL PRIVILEGES on `{database}`.*"
            )
    finally:
        conn.close()


def main() -> None:
    def log(line: str) -> None:
        print(f"zenml-db-bootstrap: {line}", file=sys.stderr, flush=True)

    try:
        # The reader is shared with the server's launcher (same ConfigMap, same directory).
        sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
        from launcher import LauncherError, secrets_manager_reader

        reader = secrets_manager_reader(os.environ.get("AWS_REGION") or os.environ.get("AWS_DEFAULT_REGION"))

        def read(secret_id: str) -> str:
            try:
                return reader(secret_id)
            except LauncherError as e:
                raise BootstrapError(str(e)) from None

        run(os.environ, read, log)
    except BootstrapError as e:
        log(str(e))
        sys.exit(e.exit_code)


if __name__ == "__main__":
    main()
