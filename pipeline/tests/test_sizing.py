"""The Python sizing (zenml_spark_eks/sizing.py) equals the TypeScript one (lib/settings/sizing.ts).

sizing-contract.json is written from the TypeScript by scripts/generate/sizing-contract.ts and a
jest test keeps it current; here every number the Python computes from its own literals is compared
with it, so a change on one side only fails a test.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path

import pytest

from zenml_spark_eks import sizing

CONTRACT = json.loads((Path(__file__).parent / "sizing-contract.json").read_text(encoding="utf-8"))


def res(r: sizing.Resources) -> dict:
    return {"cpuMillis": r.cpu_millis, "memoryMiB": r.memory_mib}


def step_resources(d: dict) -> sizing.StepResources:
    return sizing.StepResources(
        driver_cores=d["driverCores"],
        driver_memory_mib=d["driverMemoryMiB"],
        executor_instances=d["executorInstances"],
        executor_cores=d["executorCores"],
        executor_memory_mib=d["executorMemoryMiB"],
    )


def test_same_node_shapes_and_default():
    assert sizing.DEFAULT_NODE_INSTANCE_TYPE == CONTRACT["defaultNodeInstanceType"]
    ours = {
        t: {"instanceType": s.instance_type, "vcpus": s.vcpus, "memoryMiB": s.memory_mib, "maxPods": s.max_pods}
        for t, s in sizing.NODE_SHAPES.items()
    }
    assert ours == CONTRACT["nodeShapes"]


@pytest.mark.parametrize("instance_type", list(CONTRACT["nodeBudgets"]))
def test_node_budget_matches_every_term(instance_type):
    b = sizing.node_budget(instance_type)
    assert {
        "capacity": res(b.capacity),
        "kubeReserved": res(b.kube_reserved),
        "evictionHardMemoryMiB": b.eviction_hard_memory_mib,
        "allocatable": res(b.allocatable),
        "daemonSets": res(b.daemon_sets),
        "forSpark": res(b.for_spark),
        "podSlots": b.pod_slots,
    } == CONTRACT["nodeBudgets"][instance_type]


def test_memory_overhead_rule():
    assert {str(h): sizing.memory_overhead_mib(int(h)) for h in CONTRACT["memoryOverheadMiB"]} == CONTRACT[
        "memoryOverheadMiB"
    ]


def test_pipeline_step_sizes_are_the_jobs_sizes():
    assert {k: step_resources(v) for k, v in CONTRACT["stepResources"].items()} == sizing.STEP_RESOURCES


@pytest.mark.parametrize("name", list(CONTRACT["steps"]))
def test_step_pods_and_fit_on_every_node_type(name):
    expected = CONTRACT["steps"][name]
    r = step_resources(expected["resources"])
    pods = sizing.step_pods(r)
    assert {
        "driver": res(pods.driver),
        "executor": res(pods.executor),
        "executorInstances": pods.executor_instances,
        "total": res(pods.total),
    } == expected["pods"]
    for instance_type, (cpu, mem) in expected["spare"].items():
        fit = sizing.fit_on_one_node(r, instance_type)
        assert (fit.spare.cpu_millis, fit.spare.memory_mib) == (cpu, mem), instance_type
        assert fit.fits == (cpu >= 0 and mem >= 0)


def test_docs_table_numbers():
    # docs/spark-pipeline.md: a t3a.xlarge Spark node leaves 3745m / 14034 MiB; the standard step takes 3000m / 11470 MiB.
    assert sizing.node_budget("t3a.xlarge").for_spark == sizing.Resources(3745, 14034)
    assert sizing.step_pods(sizing.STANDARD_STEP).total == sizing.Resources(3000, 11470)


def test_refusal_names_the_step_and_the_numbers():
    three = sizing.StepResources(executor_instances=3)
    with pytest.raises(ValueError) as err:
        sizing.check_fits(three, "t3a.xlarge", "step `importer`")
    message = str(err.value)
    assert message.startswith("step `importer`: driver + 3 executors need 4000m CPU / 15771Mi")
    assert "one t3a.xlarge leaves 3745m / 14034Mi" in message
    assert sizing.check_fits(three, "t3a.2xlarge", "step `importer`").total == sizing.Resources(4000, 15771)


def test_unknown_instance_type_is_named():
    with pytest.raises(ValueError, match="node_instance_type='x9.huge': no sizing data; known: t3a.small"):
        sizing.node_budget("x9.huge")


def test_resources_are_plain_data():
    assert asdict(sizing.Resources(1, 2)) == {"cpu_millis": 1, "memory_mib": 2}
