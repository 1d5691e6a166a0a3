"""event_log.ensure_log_dir: the event-log directory exists before a session that logs to it starts
(Spark refuses to start otherwise), made with the application's own spark.hadoop.* settings."""

from __future__ import annotations

import stat

from zenml_spark_steps.event_log import ensure_log_dir


def mode_of(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_makes_the_directory_when_event_logs_are_enabled(spark, tmp_path):
    events = tmp_path / "spark-events"
    ensure_log_dir({"spark.eventLog.enabled": "true", "spark.eventLog.dir": events.as_uri() + "/"})
    assert events.is_dir()


def test_makes_nothing_unless_enabled_with_a_directory(spark, tmp_path):
    events = tmp_path / "spark-events"
    for conf in (
        {"spark.eventLog.dir": events.as_uri() + "/"},
        {"spark.eventLog.enabled": "false", "spark.eventLog.dir": events.as_uri() + "/"},
        {"spark.eventLog.enabled": "true"},
        {"spark.eventLog.enabled": "true", "spark.eventLog.dir": ""},
    ):
        ensure_log_dir(conf)
        assert not events.exists(), conf


def test_the_filesystem_gets_the_spark_hadoop_settings(spark, tmp_path):
    # On S3 these are the endpoint and credentials provider; here a umask shows they arrived. The
    # local filesystem is cached from the session's own use, so the cache is switched off the same way.
    plain, masked = tmp_path / "plain", tmp_path / "masked"
    ensure_log_dir({"spark.eventLog.enabled": "true", "spark.eventLog.dir": plain.as_uri() + "/"})
    ensure_log_dir(
        {
            "spark.eventLog.enabled": "true",
            "spark.eventLog.dir": masked.as_uri() + "/",
            "spark.hadoop.fs.file.impl.disable.cache": "true",
            "spark.hadoop.fs.permissions.umask-mode": "077",
        }
    )
    assert mode_of(plain) == 0o755
    assert mode_of(masked) == 0o700
