"""SparkEksStepOperator: ZenML's `kubernetes` step operator, with each step's pod as its Spark driver.

Why this and not ZenML's `spark-kubernetes` flavor (0.98.0): that one runs `spark-submit` on the
user's machine (a JVM there), in cluster mode by default (a failed driver still exits 0,
SPARK-26365), hands ZenML's environment only to executors (the cluster-mode driver, where the step
runs, gets no server URL or token), puts S3 keys and the API token on the spark-submit command line
and into the driver's ConfigMap, cannot work keylessly with the S3 artifact store (it calls a method
the store no longer has, then demands static keys), and its integration pins pyspark 3.2.1.
pipeline/tests/test_upstream_faults.py keeps each of these visible, so an upgrade that fixes them
is noticed.

What this operator does instead (submit_with_allocation):
  1. resolves the step's settings and checks that its driver + executors fit on one node of the
     configured type (sizing.py, the project's arithmetic); a step too big is refused before any
     API call, naming the step and the numbers (the whole pipeline is checked even earlier, in
     get_docker_builds, before the run starts);
  2. renders the step's Secret and Job (step_operators/manifests.py): ZenML's whole step environment,
     token included, goes into the Secret; the pod is a restricted, client-mode Spark driver;
  3. hands them to a launcher: KubernetesJobLauncher (the cluster) or LocalProcessLauncher (tests).
wait() streams the driver's log and returns the Job's outcome; ZenML's own entrypoint in the pod
reports the step's status and error to the ZenML server; cleanup_step_submission() deletes the Secret.

Images: the step image (spark/Dockerfile, target zenml-step) is used as is, for every step. ZenML
builds nothing: each step's build is `DockerSettings(parent_image=<image>, skip_build=True)`, so the
user needs no Docker and no image builder, and ZenML uploads the code to the artifact store.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Dict, List, Optional, Type, cast

from zenml.config.build_configuration import BuildConfiguration
from zenml.config.docker_settings import DockerSettings
from zenml.enums import ExecutionStatus
from zenml.integrations.kubernetes.step_operators.kubernetes_step_operator import (
    KUBERNETES_STEP_OPERATOR_DOCKER_IMAGE_KEY,
    KubernetesStepOperator,
)
from zenml.logger import get_logger
from zenml.stack import StackValidator

from zenml_spark_eks.flavors.spark_eks_step_operator_flavor import (
    SparkEksStepOperatorConfig,
    SparkEksStepOperatorSettings,
)
from zenml_spark_eks.launchers import LocalProcessLauncher, StepLauncher
from zenml_spark_eks.step_operators import manifests
from zenml_spark_eks.step_operators.kubernetes_job_launcher import KubernetesJobLauncher

if TYPE_CHECKING:
    from zenml.config.base_settings import BaseSettings
    from zenml.config.step_run_info import StepRunInfo
    from zenml.models import PipelineSnapshotBase, ResourceRequestResponse, StepRunResponse
    from zenml.stack import Stack

logger = get_logger(__name__)

# The image the local launcher records for its (never pulled) builds.
LOCAL_LAUNCHER_IMAGE = "local.invalid/zenml-spark-eks/local-launcher:no-image"


class SparkEksStepOperator(KubernetesStepOperator):
    """Runs each step in a Job whose pod is the step's Spark driver (client mode); see the module docstring."""

    _launcher: Optional[StepLauncher] = None

    @property
    def config(self) -> SparkEksStepOperatorConfig:
        return cast(SparkEksStepOperatorConfig, self._config)

    @property
    def settings_class(self) -> Optional[Type["BaseSettings"]]:
        return SparkEksStepOperatorSettings

    @property
    def supports_resource_pool_allocation(self) -> bool:
        # Resource pools would override pod resources; the Spark sizing is the one source.
        return False

    @property
    def validator(self) -> Optional[StackValidator]:
        """A remote artifact store for the cluster launcher. No image builder and no container
        registry: ZenML builds nothing (the steps run in the configured image)."""
        if self.config.launcher == "local":
            return None

        def _remote_artifact_store(stack: "Stack") -> "tuple[bool, str]":
            if stack.artifact_store.config.is_local:
                return False, (
                    f"spark-eks runs steps in the cluster: the artifact store `{stack.artifact_store.name}` "
                    "is local; use the stack's S3 artifact store"
                )
            return True, ""

        return StackValidator(required_components=set(), custom_validation_function=_remote_artifact_store)

    @property
    def launcher(self) -> StepLauncher:
        if self._launcher is None:
            if self.config.launcher == "local":
                self._launcher = LocalProcessLauncher(self.config)
            else:
                self._launcher = KubernetesJobLauncher(
                    self.config, core=lambda: self._k8s_core_api, batch=lambda: self._k8s_batch_api
                )
        return self._launcher

    # ------------------------------------------------------------- before the run
    def step_settings(self, step_config: object) -> SparkEksStepOperatorSettings:
        return cast(SparkEksStepOperatorSettings, self.get_settings(step_config))  # type: ignore[arg-type]

    def validate_step_sizes(self, snapshot: "PipelineSnapshotBase") -> None:
        """Every step on this operator must fit on one node.

        Raises:
            ValueError: naming each step that does not fit and its numbers.
        """
        problems = []
        for name, step in snapshot.step_configurations.items():
            if not step.config.uses_step_operator(self.name):
                continue
            s = self.step_settings(step)
            try:
                manifests.sizing.check_fits(manifests.step_resources(s), self.config.node_instance_type, f"step `{name}`")
            except ValueError as e:
                problems.append(str(e))
        if problems:
            raise ValueError("spark-eks refuses the pipeline before it starts: " + "; ".join(problems))

    def step_docker_settings(self, name: str, docker: DockerSettings) -> DockerSettings:
        """The step's DockerSettings as the operator runs it: in its image as is, nothing built.

        A step that already says skip_build with a parent image keeps it; a step with default
        settings gets the config's image; a step that asks for a build (a Dockerfile, requirements,
        integrations, apt packages, another parent image to build on) is refused.

        Raises:
            ValueError: the step asks ZenML to build an image.
        """
        if docker.skip_build and docker.parent_image:
            return docker
        asks_for_build = [
            what
            for what, value in (
                ("dockerfile", docker.dockerfile),
                ("requirements", docker.requirements),
                ("required_integrations", docker.required_integrations),
                ("apt_packages", docker.apt_packages),
                ("parent_image", docker.parent_image if docker.parent_image != self.config.image else None),
            )
            if value
        ]
        if asks_for_build:
            raise ValueError(
                f"step `{name}`: spark-eks runs steps in the step image as is and builds nothing, but its "
                f"DockerSettings ask for a build ({', '.join(asks_for_build)}); add what it needs to "
                "spark/Dockerfile (target zenml-step) and rebuild, or set "
                "DockerSettings(parent_image=<image>, skip_build=True)"
            )
        image = self.config.image or LOCAL_LAUNCHER_IMAGE
        return DockerSettings.model_validate({**docker.model_dump(exclude_unset=True), "parent_image": image, "skip_build": True})

    def get_docker_builds(self, snapshot: "PipelineSnapshotBase") -> List[BuildConfiguration]:
        """One build per step, all `skip_build` (nothing is built). Called once per run, before any
        step starts: the sizes of all steps are checked here first."""
        self.validate_step_sizes(snapshot)
        builds = []
        for name, step in snapshot.step_configurations.items():
            if step.config.uses_step_operator(self.name):
                builds.append(
                    BuildConfiguration(
                        key=KUBERNETES_STEP_OPERATOR_DOCKER_IMAGE_KEY,
                        settings=self.step_docker_settings(name, step.config.docker_settings),
                        step_name=name,
                    )
                )
        return builds

    # ------------------------------------------------------------------ submit
    def render(self, info: "StepRunInfo", entrypoint_command: List[str], environment: Dict[str, str]) -> manifests.StepSubmission:
        """The step's Secret and Job, after the sizing check. No API call.

        Raises:
            ValueError: the step does not fit on one node, or its environment has a name that
                cannot be a Secret key.
        """
        settings = self.step_settings(info)
        identity = manifests.StepIdentity(
            step_run_id=str(info.step_run_id),
            step_name=info.pipeline_step_name,
            run_id=str(info.run_id),
            run_name=str(info.run_name),
            pipeline_name=info.pipeline.name,
            project_id=str(info.snapshot.project_id),
            operator_id=str(self.id),
        )
        image = None if self.config.launcher == "local" else info.get_image(key=KUBERNETES_STEP_OPERATOR_DOCKER_IMAGE_KEY)
        return manifests.render(self.config, settings, identity, image, entrypoint_command, environment)

    def submit_with_allocation(
        self,
        info: "StepRunInfo",
        entrypoint_command: List[str],
        environment: Dict[str, str],
        allocated_resource_request: Optional["ResourceRequestResponse"],
    ) -> None:
        """Renders the step (refusing it before any API call if it does not fit) and launches it."""
        if allocated_resource_request is not None:
            raise ValueError("spark-eks does not take resource-pool allocations: its Spark settings size the pods")
        self.launcher.submit(self.render(info, entrypoint_command, environment))

    # ------------------------------------------------------- status and cleanup
    def get_status(self, step_run: "StepRunResponse") -> ExecutionStatus:
        return self.launcher.status(str(step_run.id))

    def wait(self, step_run: "StepRunResponse") -> ExecutionStatus:
        """Blocks until the step's Job (or local process) finished, streaming the driver log."""
        return self.launcher.wait(str(step_run.id))

    def cancel(self, step_run: "StepRunResponse") -> None:
        self.launcher.cancel(str(step_run.id))

    def cleanup_step_submission(self, step_run: "StepRunResponse") -> None:
        """Deletes the step's Secret (its API token) as soon as the step finished."""
        self.launcher.cleanup(str(step_run.id))
