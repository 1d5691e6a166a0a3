"""Flavor `spark-eks`: ZenML's maintained `kubernetes` step operator, with each step's pod as its Spark driver.

Settings (per step, ``@step(settings={"step_operator": {...}})``) size the step's Spark application
and are checked against the node type before anything is created; the config (``zenml step-operator
register ... --flavor=spark-eks``) says where and how steps run: namespace, service account, image,
region, node type, the in-cluster ZenML server URL. Both extend the `kubernetes` flavor's classes,
so its fields (pod_settings, kubernetes_context, api_request_timeout, ...) keep their meaning,
except the few this flavor refuses (documented on the validators below).

Importable without pyspark or the Kubernetes client: ZenML imports flavor classes to list and
register them; the implementation class is imported lazily.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, ClassVar, Dict, Literal, Optional, Type

from pydantic import Field, PositiveInt, field_validator, model_validator
from zenml.integrations.kubernetes.flavors import (
    KubernetesStepOperatorConfig,
    KubernetesStepOperatorFlavor,
    KubernetesStepOperatorSettings,
)

from zenml_spark_eks import sizing

if TYPE_CHECKING:
    from zenml_spark_eks.step_operators.spark_eks_step_operator import SparkEksStepOperator

SPARK_EKS_STEP_OPERATOR_FLAVOR = "spark-eks"

# The project's names (lib/settings/names.ts; pipeline/tests/test_flavor.py holds them to
# spark/zenml_spark_steps/contract.json) and the in-cluster URL of the ZenML server Service.
SPARK_NAMESPACE = "spark-namespace"
SPARK_SERVICE_ACCOUNT = "spark-service-account"
IN_CLUSTER_SERVER_URL = "http://zenml-server.zenml.svc:8080"
# The apache/spark images' `spark` user and group.
SPARK_UID = 185

# Spark settings the operator owns: it derives them from the fields below, the pod and the stack.
# Changing one through spark_conf would break the design (client mode in the pod, sizing, keyless S3).
MANAGED_SPARK_CONF = (
    "spark.master",
    "spark.submit.deployMode",
    "spark.app.name",
    "spark.driver.host",
    "spark.driver.bindAddress",
    "spark.driver.port",
    "spark.driver.blockManager.port",
    "spark.driver.cores",
    "spark.driver.memory",
    "spark.driver.memoryOverhead",
    "spark.executor.instances",
    "spark.executor.cores",
    "spark.executor.memory",
    "spark.executor.memoryOverhead",
    "spark.dynamicAllocation.enabled",
    "spark.hadoop.fs.s3a.aws.credentials.provider",
    "spark.hadoop.fs.s3a.endpoint.region",
)
MANAGED_SPARK_CONF_PREFIXES = ("spark.kubernetes.",)
# No static key anywhere: S3A keys, session tokens and secret keys are refused in spark_conf.
SECRET_LOOKING_CONF = re.compile(r"(access\.key|secret\.key|session\.token|password|secret)", re.IGNORECASE)

QUANTITY = re.compile(r"^[1-9][0-9]*(Ki|Mi|Gi)$")
DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
REGION = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d$")
# registry/repository:tag or @sha256:digest, no spaces; the tag or digest is required (never `latest` by accident).
IMAGE = re.compile(r"^[a-z0-9]+([._-][a-z0-9]+)*(:[0-9]+)?(/[a-z0-9]+([._/-][a-z0-9]+)*)+(:[\w][\w.-]{0,127}|@sha256:[0-9a-f]{64})$")


_SERVICE_ACCOUNT_FIELD = Field(
    default=SPARK_SERVICE_ACCOUNT,
    description="Service account of driver and executors: the one EKS Pod Identity gives S3 access "
    "and the spark-driver Role binds.",
)
_TTL_FIELD = Field(default=86400, ge=0, description="Seconds a finished Job (and its driver pod and log) is kept.")
_DEADLINE_FIELD = Field(
    default=1800,
    ge=1,
    description="Limit on the step's runtime in seconds (Job activeDeadlineSeconds); a pod that never "
    "starts fails the step after this too.",
)


class SparkEksStepOperatorSettings(KubernetesStepOperatorSettings):
    """Per-step settings: the `kubernetes` operator's, plus the step's Spark application size.

    Defaults are the project's standard step (lib/settings/sizing.ts): a driver of 1 core and 2048 MiB
    heap, 2 executors of 1 core and 3072 MiB heap. Every pod's memory is heap + max(384 MiB,
    ceil(0.4 x heap)), requests = limits; driver + executors must fit on one node of the config's
    `node_instance_type` (checked before anything is created, naming the step and the numbers).

    Refused (ValueError at validation): ``pod_settings.resources`` (set the Spark fields instead),
    ``pod_count`` other than 1 (the pod is the driver), ``privileged``, and keys in ``spark_conf``
    that the operator manages or that look like credentials. Unknown keys (typos) are refused too.
    """

    driver_cores: PositiveInt = Field(
        default=1, le=16, description="CPU cores of the driver pod (the step's own pod), whole cores (request = limit)."
    )
    driver_memory_mib: int = Field(
        default=2048,
        ge=512,
        le=262144,
        description="Driver JVM heap in MiB (spark.driver.memory); the pod gets heap + max(384, ceil(0.4 x heap)) MiB.",
    )
    executor_instances: int = Field(
        default=2, ge=1, le=64, description="Executor pods of the step (spark.executor.instances); no dynamic allocation."
    )
    executor_cores: PositiveInt = Field(
        default=1, le=16, description="CPU cores per executor pod (spark.executor.cores, request = limit)."
    )
    executor_memory_mib: int = Field(
        default=3072,
        ge=512,
        le=262144,
        description="Executor JVM heap in MiB (spark.executor.memory); overhead as for the driver, set explicitly.",
    )
    spark_conf: Dict[str, str] = Field(
        default_factory=dict,
        description="Extra Spark settings for this step (e.g. spark.sql.shuffle.partitions). Visible in the pod "
        "spec: never put a secret here. Keys the operator manages (master, sizing, spark.kubernetes.*, the S3A "
        "credentials provider) are refused.",
    )
    tmp_size_limit: str = Field(
        default="4Gi", description="Size limit of the /tmp emptyDir of driver and executors (Spark's local dirs)."
    )
    work_dir_size_limit: str = Field(
        default="1Gi",
        description="Size limit of the /opt/spark/work-dir emptyDir (the pod's working directory; ZenML extracts "
        "the step's code there).",
    )
    # Overridden defaults of the `kubernetes` operator's fields (repeated on the config class, whose
    # other base would otherwise bring back the `kubernetes` defaults):
    service_account_name: Optional[str] = _SERVICE_ACCOUNT_FIELD
    ttl_seconds_after_finished: Optional[int] = _TTL_FIELD
    active_deadline_seconds: Optional[int] = _DEADLINE_FIELD

    # Keys a step may set besides this class's fields: the config's (ZenML merges the component config
    # into the settings before validating them).
    _CONFIG_KEYS: ClassVar[set] = set()

    @field_validator("tmp_size_limit", "work_dir_size_limit")
    @classmethod
    def _quantity(cls, value: str) -> str:
        if not QUANTITY.match(value):
            raise ValueError(f"{value!r}: a Kubernetes quantity in Ki, Mi or Gi, e.g. 4Gi")
        return value

    @field_validator("spark_conf")
    @classmethod
    def _spark_conf(cls, conf: Dict[str, str]) -> Dict[str, str]:
        problems = []
        for key in conf:
            if not key.startswith("spark."):
                problems.append(f"{key!r} is not a Spark setting (spark.*)")
            elif key in MANAGED_SPARK_CONF or key.startswith(MANAGED_SPARK_CONF_PREFIXES):
                problems.append(f"{key!r} is set by the spark-eks operator (use the sizing fields, or the config)")
            elif SECRET_LOOKING_CONF.search(key):
                problems.append(f"{key!r} looks like a credential: S3 uses EKS Pod Identity, no keys")
        if problems:
            raise ValueError("spark_conf: " + "; ".join(problems))
        return conf

    @field_validator("pod_count")
    @classmethod
    def _one_pod(cls, value: int) -> int:
        if value != 1:
            raise ValueError(f"pod_count={value}: spark-eks runs one pod per step, the Spark driver (executors are Spark's)")
        return value

    @field_validator("privileged")
    @classmethod
    def _unprivileged(cls, value: bool) -> bool:
        if value:
            raise ValueError("privileged=True: spark-eks pods run under the restricted Pod Security profile")
        return value

    @field_validator("service_account_name")
    @classmethod
    def _service_account(cls, value: Optional[str]) -> Optional[str]:
        if value is None or not DNS_LABEL.match(value):
            raise ValueError(f"service_account_name={value!r}: a DNS label, the service account Pod Identity serves")
        return value

    @model_validator(mode="after")
    def _no_pod_resources_no_typos(self) -> "SparkEksStepOperatorSettings":
        if self.pod_settings is not None and self.pod_settings.resources:
            raise ValueError(
                "pod_settings.resources: spark-eks sizes the driver pod from driver_cores and driver_memory_mib "
                "(and executors from executor_*); set those instead"
            )
        extra = set(self.model_extra or {}) - type(self)._CONFIG_KEYS
        if type(self) is SparkEksStepOperatorSettings and extra:
            raise ValueError(
                f"unknown spark-eks setting(s) {', '.join(sorted(extra))}; known: "
                f"{', '.join(sorted(SparkEksStepOperatorSettings.model_fields))}"
            )
        return self


class SparkEksStepOperatorConfig(KubernetesStepOperatorConfig, SparkEksStepOperatorSettings):
    """Component config: ``zenml step-operator register NAME --flavor=spark-eks --image=... --region=...``.

    `npm run outputs` prints/runs this registration with the deployed stack's values.
    """

    service_account_name: Optional[str] = _SERVICE_ACCOUNT_FIELD
    ttl_seconds_after_finished: Optional[int] = _TTL_FIELD
    active_deadline_seconds: Optional[int] = _DEADLINE_FIELD
    kubernetes_namespace: str = Field(
        default=SPARK_NAMESPACE, description="Namespace of the step Jobs, their Secrets and executor pods."
    )
    image: Optional[str] = Field(
        default=None,
        description="The step image (spark/Dockerfile, target zenml-step; scripts/operate/build-spark-image.sh "
        "prints it), with a tag or digest. Steps run in it as is: ZenML builds nothing (DockerSettings "
        "skip_build) and the code comes from the artifact store. Required for launcher=kubernetes.",
    )
    region: Optional[str] = Field(
        default=None,
        description="AWS region of the artifact bucket (S3A endpoint region, AWS_REGION of the pods).",
    )
    node_instance_type: str = Field(
        default=sizing.DEFAULT_NODE_INSTANCE_TYPE,
        description="Instance type of the node group: every step (driver + executors) must fit on one such node.",
    )
    server_url: Optional[str] = Field(
        default=IN_CLUSTER_SERVER_URL,
        description="ZENML_STORE_URL handed to step pods instead of the client's (which may be a port-forward on "
        "127.0.0.1). Default: the in-cluster ZenML server Service. Empty: keep the client's URL.",
    )
    spark_master: str = Field(
        default="k8s://https://kubernetes.default.svc",
        description="Master URL the driver pod uses to create its executors (the in-cluster API server).",
    )
    run_as_uid: int = Field(
        default=SPARK_UID,
        ge=1,
        description="UID and GID of driver and executor containers (the image's non-root user).",
    )
    stream_logs: bool = Field(
        default=True,
        description="Stream the driver pod's log to the terminal that runs the pipeline while the step runs.",
    )
    failure_log_lines: int = Field(
        default=200,
        ge=0,
        le=10000,
        description="On a failed step whose log was not streamed, print this many last lines of the driver log.",
    )
    status_poll_seconds: float = Field(
        default=3.0, ge=0.5, le=60, description="Seconds between checks of the Job's status while waiting."
    )
    launcher: Literal["kubernetes", "local"] = Field(
        default="kubernetes",
        description="kubernetes: a Job per step in the cluster. local: the same command and environment as a "
        "subprocess on this machine, Spark local (tests; no image, no kubelet).",
    )
    local_spark_master: str = Field(
        default="local[2]", description="Spark master of the local launcher (launcher=local only)."
    )
    local_s3_endpoint: Optional[str] = Field(
        default=None,
        description="S3 endpoint of the local launcher, e.g. a moto server (launcher=local only; the test's "
        "dummy keys come from its environment).",
    )

    @field_validator("kubernetes_namespace")
    @classmethod
    def _namespace(cls, value: str) -> str:
        if not DNS_LABEL.match(value):
            raise ValueError(f"kubernetes_namespace={value!r}: a DNS label")
        return value

    @field_validator("image")
    @classmethod
    def _image(cls, value: Optional[str]) -> Optional[str]:
        if value in (None, ""):
            return None
        if not IMAGE.match(value):
            raise ValueError(
                f"image={value!r}: registry/repository:tag or @sha256:digest, e.g. "
                "123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml:spark-4.1.2-zenml-0.98.0-0123456789ab"
            )
        return value

    @field_validator("region")
    @classmethod
    def _region(cls, value: Optional[str]) -> Optional[str]:
        if value in (None, ""):
            return None
        if not REGION.match(value):
            raise ValueError(f"region={value!r}: an AWS region such as eu-west-1")
        return value

    @field_validator("node_instance_type")
    @classmethod
    def _node_type(cls, value: str) -> str:
        sizing.node_shape(value)  # raises, naming the known types
        return value

    @field_validator("server_url")
    @classmethod
    def _server_url(cls, value: Optional[str]) -> Optional[str]:
        if value in (None, ""):
            return None
        if not re.match(r"^https?://[^\s/@]+(:\d+)?(/\S*)?$", value):
            raise ValueError(f"server_url={value!r}: http(s)://host[:port][/path] without credentials, or empty")
        return value.rstrip("/")

    @field_validator("spark_master")
    @classmethod
    def _master(cls, value: str) -> str:
        if not value.startswith("k8s://https://"):
            raise ValueError(f"spark_master={value!r}: k8s://https://<API server>")
        return value

    @model_validator(mode="after")
    def _image_for_the_cluster(self) -> "SparkEksStepOperatorConfig":
        if self.launcher == "kubernetes" and self.image is None:
            raise ValueError(
                "image: required with launcher=kubernetes: the step image built by "
                "scripts/operate/build-spark-image.sh --target zenml-step"
            )
        return self

    @property
    def is_remote(self) -> bool:
        """Steps run in the cluster (needs a ZenML server), unless the local launcher is chosen."""
        return self.launcher == "kubernetes"

    @property
    def is_local(self) -> bool:
        """The local launcher runs steps on this machine."""
        return self.launcher == "local"


SparkEksStepOperatorSettings._CONFIG_KEYS = set(SparkEksStepOperatorConfig.model_fields) - set(
    SparkEksStepOperatorSettings.model_fields
)


class SparkEksStepOperatorFlavor(KubernetesStepOperatorFlavor):
    """The `spark-eks` flavor (inherits the `kubernetes` flavor's service-connector requirements)."""

    @property
    def name(self) -> str:
        return SPARK_EKS_STEP_OPERATOR_FLAVOR

    @property
    def docs_url(self) -> Optional[str]:
        return None

    @property
    def sdk_docs_url(self) -> Optional[str]:
        return None

    @property
    def logo_url(self) -> str:
        return "https://public-flavor-logos.s3.eu-central-1.amazonaws.com/step_operator/spark.png"

    @property
    def config_class(self) -> Type[SparkEksStepOperatorConfig]:
        return SparkEksStepOperatorConfig

    @property
    def implementation_class(self) -> Type["SparkEksStepOperator"]:
        from zenml_spark_eks.step_operators.spark_eks_step_operator import SparkEksStepOperator

        return SparkEksStepOperator
