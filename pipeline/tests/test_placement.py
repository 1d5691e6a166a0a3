"""The step pods' placement (zenml_spark_eks/placement.py) is the TypeScript's (lib/settings/scheduling.ts),
through spark/zenml_spark_steps/contract.json, and every pod the operator submits carries it."""

from __future__ import annotations

import json

from conftest import ROOT
from test_manifests import render

from zenml_spark_eks import placement
from zenml_spark_eks.session import EXECUTOR_TEMPLATE_ENV

SCHEDULING = json.loads((ROOT / "spark" / "zenml_spark_steps" / "contract.json").read_text(encoding="utf-8"))["scheduling"]


def test_the_literals_are_the_contracts():
    spark_pod = SCHEDULING["sparkPod"]
    assert placement.POOL_LABEL == SCHEDULING["poolLabel"]
    assert placement.SPARK_NODE_SELECTOR == spark_pod["nodeSelector"]
    assert [placement.SPARK_TOLERATION] == spark_pod["tolerations"]
    assert placement.SPARK_POD_ANNOTATIONS == spark_pod["annotations"]


def test_the_driver_pod_and_the_executors_run_on_the_spark_pool_and_are_not_evicted():
    sub = render()
    template = sub.job["spec"]["template"]
    executors = json.loads(sub.pod_env[EXECUTOR_TEMPLATE_ENV])
    for pod in (template, executors):
        assert pod["spec"]["nodeSelector"] == SCHEDULING["sparkPod"]["nodeSelector"]
        assert pod["spec"]["tolerations"] == SCHEDULING["sparkPod"]["tolerations"]
        assert pod["metadata"]["annotations"] == SCHEDULING["sparkPod"]["annotations"]
    # The Job itself carries no pod annotation: the autoscaler reads pods.
    assert "cluster-autoscaler.kubernetes.io/safe-to-evict" not in (sub.job["metadata"].get("annotations") or {})


def test_the_placement_keeps_what_the_pod_already_has():
    pod = {"metadata": {"annotations": {"a": "1"}}, "spec": {"nodeSelector": {"zone": "x"}, "tolerations": [{"key": "t", "operator": "Exists"}]}}
    placed = placement.with_spark_placement(pod)
    assert placed["spec"]["nodeSelector"] == {"zone": "x", **placement.SPARK_NODE_SELECTOR}
    assert placed["spec"]["tolerations"] == [{"key": "t", "operator": "Exists"}, placement.SPARK_TOLERATION]
    assert placed["metadata"]["annotations"] == {"a": "1", **placement.SPARK_POD_ANNOTATIONS}
    assert placement.with_spark_placement(placed) == placed  # idempotent
    assert pod["spec"]["tolerations"] == [{"key": "t", "operator": "Exists"}]  # the input is not changed
