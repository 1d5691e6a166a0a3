"""Where the step pods run: the Spark pool of the cluster's two node pools.

The Spark pool's nodes are tainted and labelled (lib/settings/scheduling.ts owns the values): a step's
driver pod and its executors must tolerate the taint and select the pool, or they stay Pending or land
on the system pool; and they carry the autoscaler's not-safe-to-evict annotation, so scaling down never
removes a node under a running step. The literals are this package's own (the image ships it without
spark/); pipeline/tests/test_placement.py holds them to spark/zenml_spark_steps/contract.json, which
scripts/generate/spark-contract.ts writes from the TypeScript, so a change on one side fails a test.
"""

from __future__ import annotations

import copy
from typing import Any, Dict

POOL_LABEL = "zenml-spark-eks/pool"
SPARK_NODE_SELECTOR = {POOL_LABEL: "spark"}
SPARK_TOLERATION = {"key": POOL_LABEL, "operator": "Equal", "value": "spark", "effect": "NoSchedule"}
SPARK_POD_ANNOTATIONS = {"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"}


def with_spark_placement(pod: Dict[str, Any]) -> Dict[str, Any]:
    """A copy of a Pod manifest or pod template (camelCase dict) placed on the Spark pool.

    Keeps what the pod already has (other node selectors, tolerations, annotations, e.g. from the
    step's pod_settings); the pool's selector and annotation win over a conflicting value, and the
    toleration is added once.
    """
    out = copy.deepcopy(pod)
    metadata = out.setdefault("metadata", {})
    metadata["annotations"] = {**(metadata.get("annotations") or {}), **SPARK_POD_ANNOTATIONS}
    spec = out.setdefault("spec", {})
    spec["nodeSelector"] = {**(spec.get("nodeSelector") or {}), **SPARK_NODE_SELECTOR}
    tolerations = list(spec.get("tolerations") or [])
    if SPARK_TOLERATION not in tolerations:
        tolerations.append(dict(SPARK_TOLERATION))
    spec["tolerations"] = tolerations
    return out
