"""The launcher's logic on real files, with secrets from a dict (the Secrets Manager path is run
against moto by the zenml-server suite's jest tests)."""

import json
import os
import subprocess
import sys

import pytest

import launcher
from launcher import LauncherError, server_environment, uvicorn_argv

HERE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SYSTEM_CA = "/etc/ssl/certs/ca-certificates.crt"


@pytest.fixture()
def ca_files(tmp_path):
    # Any real self-signed certificate will do as "the RDS root": take one from the system store.
    with open(SYSTEM_CA) as f:
        text = f.read()
    first = text[: text.index("-----END CERTIFICATE-----") + len("-----END CERTIFICATE-----")] + "\n"
    rds = tmp_path / "rds.pem"
    rds.write_text(first[first.index("-----BEGIN") :])
    return {"rds": str(rds), "bundle": str(tmp_path / "bundle.pem")}


SECRETS = {
    "arn:admin": json.dumps({"username": "admin", "password": "p" * 24}),
    "arn:jwt": "k" * 64,
    "arn:db": json.dumps({"username": "zenml", "password": "d" * 24, "host": "h", "port": 3306}),
}


def base_env(ca_files, **extra):
    env = {
        "ZENML_STORE_TYPE": "sql",
        "ZENML_STORE_URL": "mysql://db.example:3306/zenml",
        "ZENML_STORE_SSL": "true",
        "ZENML_STORE_SSL_VERIFY_SERVER_CERT": "true",
        "ZENML_LAUNCHER_ADMIN_SECRET_ID": "arn:admin",
        "ZENML_LAUNCHER_JWT_SECRET_ID": "arn:jwt",
        "ZENML_LAUNCHER_RDS_CA_FILE": ca_files["rds"],
        "ZENML_LAUNCHER_SYSTEM_CA_FILE": SYSTEM_CA,
        "ZENML_LAUNCHER_CA_BUNDLE_FILE": ca_files["bundle"],
        "ZENML_LAUNCHER_HOST": "0.0.0.0",
        "ZENML_LAUNCHER_PORT": "8080",
    }
    env.update(extra)
    return {k: v for k, v in env.items() if v is not None}


def iam_env(ca_files, **extra):
    return base_env(
        ca_files,
        ZENML_STORE_AUTH_MODE="aws_rds_iam",
        ZENML_STORE_USERNAME="zenml_server",
        ZENML_STORE_AWS_REGION="eu-west-1",
        **extra,
    )


def password_env(ca_files, **extra):
    return base_env(ca_files, **{"ZENML_STORE_SSL_CA": ca_files["rds"], "ZENML_LAUNCHER_DB_SECRET_ID": "arn:db", **extra})


def test_iam_mode_sets_the_bootstrap_admin_jwt_key_and_trust_store(ca_files):
    env, notes = server_environment(iam_env(ca_files), SECRETS.__getitem__)
    assert env["ZENML_SERVER_AUTO_ACTIVATE"] == "true"
    assert env["ZENML_DEFAULT_USER_NAME"] == "admin"
    assert env["ZENML_DEFAULT_USER_PASSWORD"] == "p" * 24
    assert env["ZENML_SERVER_JWT_SECRET_KEY"] == "k" * 64
    assert "ZENML_STORE_PASSWORD" not in env and "ZENML_STORE_SSL_CA" not in env
    assert env["SSL_CERT_FILE"] == ca_files["bundle"]
    assert not [k for k in env if k.startswith("ZENML_LAUNCHER_")]
    # The bundle is the system store plus the RDS root, and it loads.
    bundle = open(ca_files["bundle"]).read()
    assert bundle.count("BEGIN CERTIFICATE") == open(SYSTEM_CA).read().count("BEGIN CERTIFICATE") + 1
    # The log names secrets and the user, never a value.
    text = "\n".join(notes)
    assert "arn:admin" in text and "'admin'" in text
    for value in ("p" * 24, "k" * 64):
        assert value not in text


def test_password_mode_adds_the_database_credentials(ca_files):
    env, notes = server_environment(password_env(ca_files), SECRETS.__getitem__)
    assert (env["ZENML_STORE_USERNAME"], env["ZENML_STORE_PASSWORD"]) == ("zenml", "d" * 24)
    assert "d" * 24 not in "\n".join(notes)


@pytest.mark.parametrize(
    "mutate, message",
    [
        (lambda e: e.update(ZENML_STORE_SSL_CA="/x.pem"), "ZENML_STORE_SSL_CA must be unset"),
        (lambda e: e.update(ZENML_STORE_PASSWORD="x"), "ZENML_STORE_PASSWORD must be unset"),
        (lambda e: e.update(ZENML_LAUNCHER_DB_SECRET_ID="arn:db"), "DB_SECRET_ID must be unset"),
        (lambda e: e.update(ZENML_STORE_SSL_VERIFY_SERVER_CERT="false"), "must both be true"),
        (lambda e: e.pop("ZENML_LAUNCHER_ADMIN_SECRET_ID"), "ZENML_LAUNCHER_ADMIN_SECRET_ID is not set"),
        (lambda e: e.update(ZENML_LAUNCHER_RDS_CA_FILE="/nonexistent.pem"), "cannot read the RDS CA file"),
    ],
)
def test_iam_mode_refuses_unsafe_or_incomplete_settings(ca_files, mutate, message):
    env = iam_env(ca_files)
    mutate(env)
    with pytest.raises(LauncherError, match=message):
        server_environment(env, SECRETS.__getitem__)


def test_password_mode_needs_its_secret_and_an_existing_ca_file(ca_files):
    env = password_env(ca_files)
    env.pop("ZENML_LAUNCHER_DB_SECRET_ID")
    with pytest.raises(LauncherError, match="DB_SECRET_ID is required"):
        server_environment(env, SECRETS.__getitem__)
    with pytest.raises(LauncherError, match="must name an existing CA file"):
        server_environment(password_env(ca_files, ZENML_STORE_SSL_CA="/nope.pem"), SECRETS.__getitem__)


@pytest.mark.parametrize(
    "secrets, message",
    [
        ({**SECRETS, "arn:admin": "not json"}, "is not JSON"),
        ({**SECRETS, "arn:admin": json.dumps({"username": "admin"})}, "lacks a non-empty username and password"),
        ({**SECRETS, "arn:jwt": "short"}, "shorter than 32"),
    ],
)
def test_malformed_secrets_are_named_without_their_value(ca_files, secrets, message):
    with pytest.raises(LauncherError, match=message) as e:
        server_environment(iam_env(ca_files), secrets.__getitem__)
    assert "arn:" in str(e.value) and "short" not in str(e.value).replace("shorter", "")


def test_an_rds_ca_file_without_certificates_is_refused(ca_files, tmp_path):
    empty = tmp_path / "empty.pem"
    empty.write_text("nothing here\n")
    with pytest.raises(LauncherError, match="holds no PEM certificate"):
        server_environment(iam_env(ca_files, ZENML_LAUNCHER_RDS_CA_FILE=str(empty)), SECRETS.__getitem__)


def test_uvicorn_is_started_as_the_image_does_on_the_given_address():
    argv = uvicorn_argv({"ZENML_LAUNCHER_HOST": "127.0.0.1", "ZENML_LAUNCHER_PORT": "18080"})
    assert argv[0] == sys.executable
    assert argv[1:] == [
        "-m",
        "uvicorn",
        "zenml.zen_server.zen_server_api:app",
        "--no-server-header",
        "--host",
        "127.0.0.1",
        "--port",
        "18080",
    ]
    with pytest.raises(LauncherError, match="is not a port number"):
        uvicorn_argv({"ZENML_LAUNCHER_HOST": "h", "ZENML_LAUNCHER_PORT": "80a"})


def test_a_failure_is_one_line_and_exit_code_2(ca_files):
    env = {k: v for k, v in iam_env(ca_files).items() if k != "ZENML_LAUNCHER_JWT_SECRET_ID"}
    env.update(PATH=os.environ["PATH"], AWS_EC2_METADATA_DISABLED="true")
    # The admin secret read fails first: no AWS credentials and no endpoint reachable here.
    env.update(AWS_ACCESS_KEY_ID="", AWS_SECRET_ACCESS_KEY="", AWS_CONFIG_FILE="/dev/null",
               AWS_SHARED_CREDENTIALS_FILE="/dev/null", AWS_REGION="eu-west-1", AWS_DEFAULT_REGION="eu-west-1")
    r = subprocess.run([sys.executable, os.path.join(HERE, "launcher.py")], env=env, capture_output=True,
                       text=True, timeout=60)
    assert r.returncode == 2
    lines = [line for line in r.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and lines[0].startswith("zenml-server-launcher: reading arn:admin: no AWS credentials")
    assert launcher.PREFIX == "ZENML_LAUNCHER_"
