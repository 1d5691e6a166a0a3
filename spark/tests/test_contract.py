"""The constants common.py and scheduling.py share with the TypeScript side, held to contract.json.

spark/zenml_spark_steps/contract.json is generated from lib/settings/pipeline.ts, names.ts and
scheduling.ts by scripts/generate/spark-contract.ts, and a jest test holds it to those constants;
this test holds the Python literals to the file, so a step, run-id rule or placement changed on one
side only fails a test.
"""

from __future__ import annotations

import json
import re

from conftest import SPARK_DIR
from zenml_spark_steps import scheduling
from zenml_spark_steps.common import RUN_ID_PATTERN, STEPS

CONTRACT = json.loads((SPARK_DIR / "zenml_spark_steps" / "contract.json").read_text(encoding="utf-8"))


def test_steps_are_the_typescript_pipeline_steps_in_order():
    assert list(STEPS) == CONTRACT["steps"]


def test_run_id_rule_is_the_typescript_rule():
    assert RUN_ID_PATTERN.pattern == CONTRACT["runIdPattern"]
    # No flags beyond re.UNICODE, Python's default for a str pattern (the JavaScript rule has none).
    assert (RUN_ID_PATTERN.flags & ~re.UNICODE) == 0


def test_scheduling_is_the_typescript_placement_policy():
    contract = CONTRACT["scheduling"]
    assert scheduling.POOL_LABEL == contract["poolLabel"]
    assert scheduling.POOLS == contract["pools"]
    assert scheduling.SPARK_NODE_SELECTOR == contract["sparkPod"]["nodeSelector"]
    assert [scheduling.SPARK_TOLERATION] == contract["sparkPod"]["tolerations"]
    assert scheduling.SPARK_POD_ANNOTATIONS == contract["sparkPod"]["annotations"]
    assert scheduling.SYSTEM_NODE_SELECTOR == contract["systemNodeSelector"]


def test_apply_spark_placement_merges_and_is_idempotent():
    pod = {
        "metadata": {"annotations": {"keep": "me"}},
        "spec": {"nodeSelector": {"kubernetes.io/arch": "amd64"}, "tolerations": [{"key": "other", "operator": "Exists"}]},
    }
    placed = scheduling.apply_spark_placement(pod)
    assert placed["metadata"]["annotations"] == {"keep": "me", **CONTRACT["scheduling"]["sparkPod"]["annotations"]}
    assert placed["spec"]["nodeSelector"] == {"kubernetes.io/arch": "amd64", "zenml-spark-eks/pool": "spark"}
    assert placed["spec"]["tolerations"] == [{"key": "other", "operator": "Exists"}, scheduling.SPARK_TOLERATION]
    assert scheduling.apply_spark_placement(placed) == placed
    assert pod["spec"]["tolerations"] == [{"key": "other", "operator": "Exists"}]  # the input is not changed


def test_spark_submit_conf_selects_the_pool_and_marks_both_roles():
    assert scheduling.spark_submit_placement_conf() == {
        "spark.kubernetes.node.selector.zenml-spark-eks/pool": "spark",
        "spark.kubernetes.driver.annotation.cluster-autoscaler.kubernetes.io/safe-to-evict": "false",
        "spark.kubernetes.executor.annotation.cluster-autoscaler.kubernetes.io/safe-to-evict": "false",
    }


def test_event_log_settings_come_from_the_contract():
    from zenml_spark_steps import event_log

    contract = CONTRACT["eventLog"]
    conf = event_log.event_log_conf("s3a://bucket/spark-events/")
    assert conf == {k: v.replace(contract["dirToken"], "s3a://bucket/spark-events/") for k, v in contract["applicationConf"].items()}
    assert conf["spark.eventLog.enabled"] == "true" and conf["spark.eventLog.rolling.enabled"] == "true"
    assert event_log.history_server_conf("s3a://b/p/")["spark.history.fs.logDirectory"] == "s3a://b/p/"
    assert event_log.history_link("app-1") == f"http://localhost:{contract['historyPort']}/history/app-1"
    import pytest

    with pytest.raises(ValueError, match="event-log directory 's3a://bucket/no-slash': a URI ending with '/'"):
        event_log.event_log_conf("s3a://bucket/no-slash")
    with pytest.raises(ValueError, match="event-log directory 'bucket/spark-events/'"):
        event_log.history_server_conf("bucket/spark-events/")


def test_apply_spark_placement_on_an_empty_or_conflicting_pod():
    """Missing or null sections are created; the Spark pool's selector and annotation win a conflict."""
    expected_annotations = CONTRACT["scheduling"]["sparkPod"]["annotations"]
    for pod in (
        {},
        {"metadata": {}, "spec": {}},
        {"metadata": {"annotations": None}, "spec": {"nodeSelector": None, "tolerations": None}},
    ):
        placed = scheduling.apply_spark_placement(pod)
        assert placed == {
            "metadata": {"annotations": expected_annotations},
            "spec": {"nodeSelector": {"zenml-spark-eks/pool": "spark"}, "tolerations": [scheduling.SPARK_TOLERATION]},
        }
    conflicting = {
        "metadata": {"annotations": {"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"}},
        "spec": {"nodeSelector": {"zenml-spark-eks/pool": "system"}},
    }
    placed = scheduling.apply_spark_placement(conflicting)
    assert placed["metadata"]["annotations"] == expected_annotations
    assert placed["spec"]["nodeSelector"] == {"zenml-spark-eks/pool": "spark"}
    # The input is a deep copy's source, not changed, and the added toleration is not the shared constant.
    assert conflicting["metadata"]["annotations"] == {"cluster-autoscaler.kubernetes.io/safe-to-evict": "true"}
    assert conflicting["spec"] == {"nodeSelector": {"zenml-spark-eks/pool": "system"}}
    assert placed["spec"]["tolerations"][0] is not scheduling.SPARK_TOLERATION
