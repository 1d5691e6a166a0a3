"""Does one step (its Spark driver plus all its executors) fit on ONE Spark node? Python port of lib/settings/sizing.ts.

The TypeScript module (re-exported by k8s/spark-sizing.ts) sizes the project's step Jobs; this port
lets the step operator refuse an oversized ZenML step before it creates anything in the cluster,
with the same numbers.
pipeline/tests/test_sizing.py holds every result here to pipeline/tests/sizing-contract.json, which
scripts/generate/sizing-contract.ts writes from the TypeScript (and a jest test keeps current), so
the two cannot drift. The constants are literals on purpose: the contract compares results, not a
shared source.

Units: CPU in millicores, memory in MiB (2**20 bytes). Node side (EKS AL2023 AMI, nodeadm):

    capacity     = vCPUs x 1000; memory x (1 - 7.5%)   (Karpenter's default VM overhead)
    kube-reserved: CPU 60m for core 1, 10m core 2, 5m cores 3-4, 2.5m each further core;
                   memory 11 x maxPods + 255
    allocatable  = capacity - kube-reserved - eviction-hard (100 MiB)
    for Spark    = allocatable - the DaemonSet pods every node runs (DAEMONSET_PODS): a Spark node
                   is tainted, so nothing else but one step's driver and executors runs there

Pod side: memory = heap + max(384, ceil(0.4 x heap)) (PySpark's overhead rule, set explicitly by the
operator); CPU = cores x 1000; requests equal limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

VM_MEMORY_OVERHEAD_FRACTION = 0.075
EVICTION_HARD_MEMORY_MIB = 100
PYSPARK_MEMORY_OVERHEAD_FACTOR = 0.4
MIN_MEMORY_OVERHEAD_MIB = 384
DEFAULT_NODE_INSTANCE_TYPE = "t3a.xlarge"


@dataclass(frozen=True)
class NodeShape:
    """An EC2 instance type as the scheduler sees it: vCPUs, memory in MiB, pods per node (ENI limit)."""

    instance_type: str
    vcpus: int
    memory_mib: int
    max_pods: int


def _shape(instance_type: str, vcpus: int, memory_gib: int, max_pods: int) -> NodeShape:
    return NodeShape(instance_type, vcpus, memory_gib * 1024, max_pods)


# Same table as lib/settings/node-shapes.ts NODE_SHAPES (maxPods from amazon-eks-ami eni-max-pods.txt).
NODE_SHAPES: dict[str, NodeShape] = {
    s.instance_type: s
    for s in (
        _shape("t3a.small", 2, 2, 8),
        _shape("t3a.medium", 2, 4, 17),
        _shape("t3.medium", 2, 4, 17),
        _shape("m5.large", 2, 8, 29),
        _shape("t3a.large", 2, 8, 35),
        _shape("t3a.xlarge", 4, 16, 58),
        _shape("t3a.2xlarge", 8, 32, 58),
        _shape("t3.xlarge", 4, 16, 58),
        _shape("t3.2xlarge", 8, 32, 58),
        _shape("m5.xlarge", 4, 16, 58),
        _shape("m5.2xlarge", 8, 32, 58),
        _shape("m6a.xlarge", 4, 16, 58),
        _shape("m6a.2xlarge", 8, 32, 58),
        _shape("m6i.xlarge", 4, 16, 58),
        _shape("m6i.2xlarge", 8, 32, 58),
        _shape("m7i.xlarge", 4, 16, 58),
        _shape("r5.xlarge", 4, 32, 58),
        _shape("r6i.xlarge", 4, 32, 58),
    )
}


@dataclass(frozen=True)
class Resources:
    """CPU in millicores and memory in MiB."""

    cpu_millis: int
    memory_mib: int

    def __add__(self, other: "Resources") -> "Resources":
        return Resources(self.cpu_millis + other.cpu_millis, self.memory_mib + other.memory_mib)

    def __sub__(self, other: "Resources") -> "Resources":
        return Resources(self.cpu_millis - other.cpu_millis, self.memory_mib - other.memory_mib)


# The DaemonSet pods on every node of both pools (sizing.ts DAEMONSET_PODS): published requests, or
# a budget where an add-on sets none. CoreDNS, the autoscaler and the ZenML server run on the system
# pool: the Spark pool's taint keeps them off a Spark node.
DAEMONSET_PODS: dict[str, Resources] = {
    "aws-node": Resources(50, 64),
    "kube-proxy": Resources(100, 32),
    "eks-pod-identity-agent": Resources(25, 32),
}


def kube_reserved_cpu_millis(vcpus: int) -> int:
    """nodeadm's kube-reserved CPU in millicores for ``vcpus`` cores (rounded up)."""
    millis = 0.0
    for core in range(1, vcpus + 1):
        millis += 60 if core == 1 else 10 if core == 2 else 5 if core <= 4 else 2.5
    return math.ceil(millis)


def kube_reserved_memory_mib(max_pods: int) -> int:
    """nodeadm's kube-reserved memory in MiB: 11 MiB per pod slot + 255 MiB."""
    return 11 * max_pods + 255


def node_shape(instance_type: str) -> NodeShape:
    """The shape of ``instance_type``.

    Raises:
        ValueError: the type has no sizing data (naming the known types).
    """
    try:
        return NODE_SHAPES[instance_type]
    except KeyError:
        raise ValueError(
            f"node_instance_type={instance_type!r}: no sizing data; known: {', '.join(NODE_SHAPES)}"
        ) from None


@dataclass(frozen=True)
class NodeBudget:
    """Every term of the node arithmetic (see the module docstring); ``for_spark`` is what one step may
    use, ``pod_slots`` how many pods the node takes besides its DaemonSets."""

    shape: NodeShape
    capacity: Resources
    kube_reserved: Resources
    eviction_hard_memory_mib: int
    allocatable: Resources
    daemon_sets: Resources
    for_spark: Resources
    pod_slots: int


def node_budget(instance_type: str = DEFAULT_NODE_INSTANCE_TYPE) -> NodeBudget:
    """What one Spark node of ``instance_type`` leaves for one step's driver and executors.

    Raises:
        ValueError: unknown instance type.
    """
    shape = node_shape(instance_type)
    capacity = Resources(shape.vcpus * 1000, math.floor(shape.memory_mib * (1 - VM_MEMORY_OVERHEAD_FRACTION)))
    kube_reserved = Resources(kube_reserved_cpu_millis(shape.vcpus), kube_reserved_memory_mib(shape.max_pods))
    allocatable = capacity - kube_reserved - Resources(0, EVICTION_HARD_MEMORY_MIB)
    daemon_sets = sum(DAEMONSET_PODS.values(), Resources(0, 0))
    return NodeBudget(
        shape=shape,
        capacity=capacity,
        kube_reserved=kube_reserved,
        eviction_hard_memory_mib=EVICTION_HARD_MEMORY_MIB,
        allocatable=allocatable,
        daemon_sets=daemon_sets,
        for_spark=allocatable - daemon_sets,
        pod_slots=shape.max_pods - len(DAEMONSET_PODS),
    )


def memory_overhead_mib(heap_mib: int) -> int:
    """PySpark's memory overhead for a JVM heap of ``heap_mib`` MiB: max(384, ceil(0.4 x heap)) MiB."""
    return max(MIN_MEMORY_OVERHEAD_MIB, math.ceil(PYSPARK_MEMORY_OVERHEAD_FACTOR * heap_mib))


@dataclass(frozen=True)
class StepResources:
    """What one step asks Spark for: whole cores (a task slot is a core) and JVM heaps in MiB."""

    driver_cores: int = 1
    driver_memory_mib: int = 2048
    executor_instances: int = 2
    executor_cores: int = 1
    executor_memory_mib: int = 3072


@dataclass(frozen=True)
class StepPods:
    """The pods of one step: the driver (the Job's pod), one executor, how many executors, and the sum."""

    driver: Resources
    executor: Resources
    executor_instances: int

    @property
    def total(self) -> Resources:
        n = self.executor_instances
        return Resources(
            self.driver.cpu_millis + n * self.executor.cpu_millis,
            self.driver.memory_mib + n * self.executor.memory_mib,
        )


def step_pods(r: StepResources) -> StepPods:
    """Pod requests (= limits) of a step: cores x 1000 millicores, heap + memory_overhead_mib(heap) MiB."""
    return StepPods(
        driver=Resources(r.driver_cores * 1000, r.driver_memory_mib + memory_overhead_mib(r.driver_memory_mib)),
        executor=Resources(
            r.executor_cores * 1000, r.executor_memory_mib + memory_overhead_mib(r.executor_memory_mib)
        ),
        executor_instances=r.executor_instances,
    )


@dataclass(frozen=True)
class Fit:
    """Whether a step fits; ``spare`` is negative in the dimension(s) where it does not."""

    fits: bool
    pods: StepPods
    budget: NodeBudget
    spare: Resources


def fit_on_one_node(r: StepResources, instance_type: str = DEFAULT_NODE_INSTANCE_TYPE) -> Fit:
    """Does the step fit on one node of ``instance_type``?

    Raises:
        ValueError: unknown instance type.
    """
    pods = step_pods(r)
    budget = node_budget(instance_type)
    spare = budget.for_spark - pods.total
    return Fit(spare.cpu_millis >= 0 and spare.memory_mib >= 0, pods, budget, spare)


def check_fits(r: StepResources, instance_type: str, what: str) -> StepPods:
    """The step's pods, or an error naming ``what`` (e.g. "step `trainer`") and the numbers.

    Raises:
        ValueError: the step does not fit on one node, or the instance type is unknown.
    """
    fit = fit_on_one_node(r, instance_type)
    if not fit.fits:
        total, left = fit.pods.total, fit.budget.for_spark
        raise ValueError(
            f"{what}: driver + {fit.pods.executor_instances} executors need {total.cpu_millis}m CPU / "
            f"{total.memory_mib}Mi, but one {instance_type} leaves {left.cpu_millis}m / {left.memory_mib}Mi "
            f"for Spark (driver {r.driver_cores} core(s) {r.driver_memory_mib}m heap, executors "
            f"{r.executor_instances} x {r.executor_cores} core(s) {r.executor_memory_mib}m heap; "
            "see lib/settings/sizing.ts)"
        )
    return fit.pods


# The pipeline's step sizes (sizing.ts STEP_RESOURCES): every step 3 of a t3a.xlarge's 3.7 free
# cores; tree training holds the binned features of every partition in executor memory.
STANDARD_STEP = StepResources()
STEP_RESOURCES: dict[str, StepResources] = {
    "importer": STANDARD_STEP,
    "statistics": STANDARD_STEP,
    "splitter": STANDARD_STEP,
    "transformer": STANDARD_STEP,
    "trainer": StepResources(executor_memory_mib=3584),
}
