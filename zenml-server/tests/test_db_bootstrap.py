"""The bootstrap Job's SQL and input checks (run against MariaDB by the zenml-server suite's jest tests)."""

import pytest

from db_bootstrap import BootstrapError, bootstrap_statements, check_identifier, existing_plugin_query, tls_context


def test_statements_create_an_iam_user_that_needs_tls_with_privileges_on_one_database():
    assert bootstrap_statements("zenml_server", "zenml") == [
        "CREATE USER IF NOT EXISTS 'zenml_server'@'%' IDENTIFIED WITH AWSAuthenticationPlugin AS 'RDS' REQUIRE SSL",
        "GRANT ALL PRIVILEGES ON `zenml`.* TO 'zenml_server'@'%'",
    ]


@pytest.mark.parametrize("bad", ["", "1abc", "a'b", "a`b", "a b", "x" * 33, "zenml; DROP USER root", "a-b"])
def test_names_that_are_not_plain_identifiers_never_reach_sql(bad):
    with pytest.raises(BootstrapError, match="is not a plain identifier"):
        bootstrap_statements(bad, "zenml")
    with pytest.raises(BootstrapError, match="is not a plain identifier"):
        bootstrap_statements("zenml_server", bad)


def test_the_existing_user_lookup_is_parameterised():
    sql, args = existing_plugin_query("zenml_server")
    assert "%s" in sql and args == ("zenml_server",)
    assert check_identifier("user", "A_1") == "A_1"


def test_tls_context_verifies_chain_and_host_name_and_names_a_bad_file(tmp_path):
    ctx = tls_context("/etc/ssl/certs/ca-certificates.crt")
    assert ctx.check_hostname is True
    with pytest.raises(BootstrapError, match="cannot load the CA file"):
        tls_context(str(tmp_path / "missing.pem"))
