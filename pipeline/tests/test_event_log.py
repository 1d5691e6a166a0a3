"""The operator's event-log settings are the TypeScript's (lib/settings/spark-history.ts), through
spark/zenml_spark_steps/contract.json, and every driver it submits with an event_log_dir carries them."""

from __future__ import annotations

import json

import pytest
from conftest import ROOT
from test_manifests import config, render

from zenml_spark_eks import event_log
from zenml_spark_eks.session import spark_conf_from_env

EVENT_LOG = json.loads((ROOT / "spark" / "zenml_spark_steps" / "contract.json").read_text(encoding="utf-8"))["eventLog"]
DIR = "s3a://zenml-spark-artifacts-1a2b/spark-events/"


def test_the_literals_are_the_contracts():
    expected = {k: v.replace(EVENT_LOG["dirToken"], DIR) for k, v in EVENT_LOG["applicationConf"].items()}
    assert event_log.event_log_conf(DIR) == expected
    assert event_log.HISTORY_PORT == EVENT_LOG["historyPort"]


def test_a_driver_with_an_event_log_dir_writes_rolling_event_logs_there():
    conf = render(event_log_dir=DIR).spark_conf
    assert {k: conf[k] for k in event_log.event_log_conf(DIR)} == event_log.event_log_conf(DIR)
    assert "spark.eventLog.enabled" not in render().spark_conf


@pytest.mark.parametrize("bad", ["s3://b/spark-events/", "s3a://b/spark-events", "s3a://bucket/", "s3a://bucket/a/../"])
def test_event_log_dir_is_validated(bad):
    with pytest.raises(ValueError, match="event_log_dir="):
        config(event_log_dir=bad)


def test_on_kubernetes_the_application_id_is_the_driver_pods_name():
    env = {
        "SPARK_EKS_CONF": json.dumps({"spark.master": "k8s://https://kubernetes.default.svc"}),
        "SPARK_DRIVER_POD_NAME": "zenml-step-abc-x1y2z",
        "SPARK_DRIVER_POD_IP": "10.0.0.7",
    }
    assert spark_conf_from_env(env)["spark.app.id"] == "zenml-step-abc-x1y2z"
    assert "spark.app.id" not in spark_conf_from_env({})
