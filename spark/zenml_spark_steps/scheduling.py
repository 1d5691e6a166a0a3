"""Where Spark pods run: the placement of the cluster's two node pools, for Python code that makes pods.

The Spark pool's nodes are tainted; a Spark driver or executor pod must tolerate that taint and
select the pool (or it stays Pending, or lands on the system pool), and carries
``cluster-autoscaler.kubernetes.io/safe-to-evict: "false"`` so the cluster autoscaler never removes
the node under a running step. The TypeScript side (lib/settings/scheduling.ts) owns these values;
tests/test_contract.py holds the literals below to contract.json, which is generated from it.

A step operator that launches Spark pods applies them with :func:`apply_spark_placement` (a pod
manifest or a pod template, e.g. ``spark.kubernetes.{driver,executor}.podTemplateFile``) or, where
only spark-submit configuration is at hand, :func:`spark_submit_placement_conf` (which cannot carry
the toleration: that needs a pod template).
"""

from __future__ import annotations

import copy
from typing import Any

POOL_LABEL = "zenml-spark-eks/pool"
POOLS = {"system": "system", "spark": "spark"}

SPARK_TOLERATION = {"key": POOL_LABEL, "operator": "Equal", "value": "spark", "effect": "NoSchedule"}
SPARK_NODE_SELECTOR = {POOL_LABEL: "spark"}
SYSTEM_NODE_SELECTOR = {POOL_LABEL: "system"}
SPARK_POD_ANNOTATIONS = {"cluster-autoscaler.kubernetes.io/safe-to-evict": "false"}


def apply_spark_placement(pod: dict[str, Any]) -> dict[str, Any]:
    """A copy of a Pod manifest or pod template with the Spark pool's placement merged in.

    Keeps what the pod already has (other selectors, tolerations, annotations); the Spark pool's
    selector and annotation win over a conflicting value, and the toleration is added once.
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


def spark_submit_placement_conf() -> dict[str, str]:
    """The spark-submit --conf pairs that select the Spark pool and mark driver and executors not evictable.

    Tolerations have no spark-submit setting: give the pods a template (apply_spark_placement).
    """
    conf = {f"spark.kubernetes.node.selector.{key}": value for key, value in SPARK_NODE_SELECTOR.items()}
    for role in ("driver", "executor"):
        for key, value in SPARK_POD_ANNOTATIONS.items():
            conf[f"spark.kubernetes.{role}.annotation.{key}"] = value
    return conf
