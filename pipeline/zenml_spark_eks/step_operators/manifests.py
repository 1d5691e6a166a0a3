"""What the spark-eks operator submits for one step: a Secret and a Job whose pod is the Spark driver.

Pure functions of the step's identity, settings and environment: no API call, no ZenML client, so
the same objects are rendered for the cluster (step_operators/spark_eks_step_operator.py), for the
local launcher (only the environment is used) and for tests (kubeconform, Pod Security, the
planted-canary check).

The pod (one per step, the Job's only pod, backoffLimit 0: ZenML retries steps itself):
  * runs ZenML's step entrypoint (``python -m zenml.entrypoints.entrypoint ...``) in the step image;
    the step's Spark session is a client-mode driver in that process (session.py), so the pod's exit
    code is the step's and a failed driver fails the Job (no SPARK-26365);
  * gets ALL of ZenML's step environment (server URL, API token, stack and project ids, the step's
    own ``environment``) from a per-step Secret through ``envFrom``: no value of it is in the Job, the
    pod spec, a ConfigMap or a command line. Only non-secret values are plain env: the Spark settings
    (JSON), the executor pod template (JSON), writable HOME/ZENML_CONFIG_PATH, the region;
  * meets Pod Security `restricted`: non-root 185, no privilege escalation, all capabilities dropped,
    seccomp RuntimeDefault, read-only root filesystem with emptyDirs for /tmp and the work dir;
  * requests = limits from the step's Spark sizing (lib/settings/sizing.ts rules, sizing.py);
  * runs on the Spark pool (its node selector and toleration), not evictable by the autoscaler.
Executors get the same security context from the pod template, no service-account token (they never
call the API server) and run as the same service account (EKS Pod Identity for S3).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Dict, List, Optional

from zenml_spark_eks import sizing
from zenml_spark_eks.placement import with_spark_placement
from zenml_spark_eks.session import CONF_ENV, EXECUTOR_TEMPLATE_ENV, POD_IDENTITY_CREDENTIALS_PROVIDER, POD_IP_ENV, POD_NAME_ENV

if TYPE_CHECKING:
    from zenml_spark_eks.flavors.spark_eks_step_operator_flavor import (
        SparkEksStepOperatorConfig,
        SparkEksStepOperatorSettings,
    )

DRIVER_CONTAINER = "main"  # ZenML's build_pod_manifest names its container so
EXECUTOR_CONTAINER = "spark-kubernetes-executor"  # Spark merges the template's container of this name
DRIVER_PORT, BLOCK_MANAGER_PORT, UI_PORT = 7078, 7079, 4040
WORK_DIR = "/opt/spark/work-dir"
PART_OF = {"app.kubernetes.io/part-of": "zenml-spark-eks"}
APP_NAME = "zenml-spark-step"
STORE_URL_ENV = "ZENML_STORE_URL"
# Kubernetes Secret keys (and so the step's environment names) must match this.
SECRET_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
LABEL_VALUE = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class StepIdentity:
    """Who the objects belong to: ZenML's ids and names of the step run (strings, as in labels)."""

    step_run_id: str
    step_name: str
    run_id: str
    run_name: str
    pipeline_name: str
    project_id: str
    operator_id: str


@dataclass(frozen=True)
class StepSubmission:
    """Everything one step's submission consists of.

    ``secret_env`` is the only part holding secrets (it becomes the Secret's data); ``pod_env`` is
    plain env of the pod (pod env wins over envFrom, as in Kubernetes); ``secret`` and ``job`` are
    the objects as JSON-ready dicts (camelCase), for the API server or a YAML file.
    """

    identity: StepIdentity
    job_name: str
    secret_name: str
    namespace: str
    command: List[str]
    secret_env: Dict[str, str]
    pod_env: Dict[str, str]
    spark_conf: Dict[str, str]
    pods: sizing.StepPods
    secret: Dict[str, Any]
    job: Dict[str, Any]


def label_value(value: str) -> str:
    """A Kubernetes label value: at most 63 of [A-Za-z0-9._-], alphanumeric at both ends."""
    cleaned = LABEL_VALUE.sub("-", value)[:63].strip("-_.")
    return cleaned or "x"


def dns_label(value: str, limit: int = 63) -> str:
    """A DNS-1123 label of at most ``limit`` characters made from ``value``."""
    cleaned = re.sub(r"[^a-z0-9-]", "-", value.lower())
    cleaned = re.sub(r"-+", "-", cleaned)[:limit].strip("-")
    return cleaned or "x"


def job_name(identity: StepIdentity) -> str:
    """``zenml-<first 8 of the step run id>-<step>``: unique per step run, readable, and short enough
    that the pod name (Job name + 6 characters) and the executor pods (``<prefix>-exec-N``) stay valid."""
    return dns_label(f"zenml-{identity.step_run_id[:8]}-{identity.step_name}", limit=47)


def secret_name(identity: StepIdentity) -> str:
    """``zenml-step-<step run id>`` (47 characters)."""
    return f"zenml-step-{identity.step_run_id}"


def step_resources(s: "SparkEksStepOperatorSettings") -> sizing.StepResources:
    return sizing.StepResources(
        driver_cores=s.driver_cores,
        driver_memory_mib=s.driver_memory_mib,
        executor_instances=s.executor_instances,
        executor_cores=s.executor_cores,
        executor_memory_mib=s.executor_memory_mib,
    )


def labels(identity: StepIdentity, component: str) -> Dict[str, str]:
    """ZenML's own step labels (the `kubernetes` operator finds Jobs by ``step_run_id``) and the project's."""
    return {
        "project_id": label_value(identity.project_id),
        "run_id": label_value(identity.run_id),
        "run_name": label_value(identity.run_name),
        "pipeline": label_value(identity.pipeline_name),
        "step_run_id": label_value(identity.step_run_id),
        "step_name": label_value(identity.step_name),
        "app.kubernetes.io/name": APP_NAME,
        "app.kubernetes.io/component": component,
        **PART_OF,
    }


def restricted_container_security_context(uid: int) -> Dict[str, Any]:
    return {
        "allowPrivilegeEscalation": False,
        "privileged": False,
        "readOnlyRootFilesystem": True,
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "capabilities": {"drop": ["ALL"]},
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def restricted_pod_security_context(uid: int) -> Dict[str, Any]:
    return {
        "runAsNonRoot": True,
        "runAsUser": uid,
        "runAsGroup": uid,
        "fsGroup": uid,
        "seccompProfile": {"type": "RuntimeDefault"},
    }


def scratch_volumes(s: "SparkEksStepOperatorSettings") -> List[Dict[str, Any]]:
    return [
        {"name": "tmp", "emptyDir": {"sizeLimit": s.tmp_size_limit}},
        {"name": "work-dir", "emptyDir": {"sizeLimit": s.work_dir_size_limit}},
    ]


SCRATCH_MOUNTS = [{"name": "tmp", "mountPath": "/tmp"}, {"name": "work-dir", "mountPath": WORK_DIR}]


def executor_pod_template(s: "SparkEksStepOperatorSettings", uid: int, identity: StepIdentity) -> Dict[str, Any]:
    """The executors' pod template: k8s/pipeline-jobs-chart.ts executorPodTemplate(), with the step's
    labels, on the Spark pool (placement.py)."""
    return with_spark_placement({
        "apiVersion": "v1",
        "kind": "Pod",
        "metadata": {"labels": labels(identity, "spark-executor")},
        "spec": {
            "automountServiceAccountToken": False,
            "securityContext": restricted_pod_security_context(uid),
            "containers": [
                {
                    "name": EXECUTOR_CONTAINER,
                    "securityContext": restricted_container_security_context(uid),
                    "volumeMounts": SCRATCH_MOUNTS,
                }
            ],
            "volumes": scratch_volumes(s),
        },
    })


def spark_conf(
    config: "SparkEksStepOperatorConfig",
    s: "SparkEksStepOperatorSettings",
    pods: sizing.StepPods,
    name: str,
    image: Optional[str],
    identity: StepIdentity,
) -> Dict[str, str]:
    """The driver's Spark settings: client mode on the in-cluster API server, the step's sizes, keyless S3A."""
    conf = {
        "spark.master": config.spark_master,
        "spark.submit.deployMode": "client",
        "spark.app.name": name,
        "spark.kubernetes.namespace": config.kubernetes_namespace,
        "spark.kubernetes.authenticate.executor.serviceAccountName": s.service_account_name or "",
        "spark.kubernetes.container.image.pullPolicy": "IfNotPresent",
        "spark.driver.port": str(DRIVER_PORT),
        "spark.driver.blockManager.port": str(BLOCK_MANAGER_PORT),
        "spark.driver.cores": str(s.driver_cores),
        # Client mode: pyspark starts the driver JVM from the step process with this heap.
        "spark.driver.memory": f"{s.driver_memory_mib}m",
        "spark.kubernetes.executor.podNamePrefix": name,
        "spark.kubernetes.executor.podTemplateContainerName": EXECUTOR_CONTAINER,
        "spark.executor.instances": str(s.executor_instances),
        "spark.executor.cores": str(s.executor_cores),
        "spark.kubernetes.executor.request.cores": str(s.executor_cores),
        "spark.kubernetes.executor.limit.cores": str(s.executor_cores),
        "spark.executor.memory": f"{s.executor_memory_mib}m",
        # Explicit, so client mode gets PySpark's 0.4 factor too (lib/settings/sizing.ts).
        "spark.executor.memoryOverhead": f"{pods.executor.memory_mib - s.executor_memory_mib}m",
        "spark.dynamicAllocation.enabled": "false",
        # Keyless S3: EKS Pod Identity only, no fallback to the node's instance role.
        "spark.hadoop.fs.s3a.aws.credentials.provider": POD_IDENTITY_CREDENTIALS_PROVIDER,
        "spark.ui.showConsoleProgress": "false",
        "spark.log.level": "WARN",
    }
    for key, value in labels(identity, "spark-executor").items():
        conf[f"spark.kubernetes.executor.label.{key}"] = value
    if image:
        conf["spark.kubernetes.container.image"] = image
    if config.region:
        conf["spark.hadoop.fs.s3a.endpoint.region"] = config.region
    conf.update(s.spark_conf)
    return conf


def pod_env(conf: Dict[str, str], template: Dict[str, Any], region: Optional[str]) -> Dict[str, str]:
    """The driver's plain (non-secret) environment: what get_spark_session() reads, and writable places."""
    env = {
        CONF_ENV: json.dumps(conf, sort_keys=True),
        EXECUTOR_TEMPLATE_ENV: json.dumps(template, sort_keys=True),
        # The root filesystem is read-only: HOME and ZenML's config live on the /tmp emptyDir.
        "HOME": "/tmp",
        "ZENML_CONFIG_PATH": "/tmp/zenml-config",
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    if region:
        # boto3/s3fs of ZenML's S3 artifact store: Pod Identity gives credentials, not a region.
        env["AWS_REGION"] = env["AWS_DEFAULT_REGION"] = region
    return env


def secret_env(environment: Dict[str, str], server_url: Optional[str]) -> Dict[str, str]:
    """ZenML's step environment as it goes into the Secret, with the store URL the pods can reach.

    Raises:
        ValueError: a name is not a valid Secret key (e.g. contains a space); nothing has been created.
    """
    env = dict(environment)
    # Only a REST store's URL is replaced: a SQL store (local tests) is reached as it is.
    if server_url and env.get(STORE_URL_ENV, "").startswith(("http://", "https://")):
        env[STORE_URL_ENV] = server_url
    bad = sorted(k for k in env if not SECRET_KEY.match(k))
    if bad:
        raise ValueError(f"environment variable name(s) {', '.join(map(repr, bad))}: use letters, digits, '_', '-', '.'")
    return env


def render(
    config: "SparkEksStepOperatorConfig",
    s: "SparkEksStepOperatorSettings",
    identity: StepIdentity,
    image: Optional[str],
    command: List[str],
    environment: Dict[str, str],
) -> StepSubmission:
    """The whole submission for one step. Checks the sizing first.

    Args:
        config: the component's config (namespace, region, node type, server URL, uid...).
        s: the step's resolved settings.
        identity: the step run's ids and names.
        image: the step image (None only for the local launcher).
        command: ZenML's entrypoint command; a leading ``python`` becomes ``python3`` (Ubuntu's name).
        environment: ZenML's step environment (secrets included).

    Raises:
        ValueError: the step does not fit on one node (naming the step and the numbers), or an
            environment name cannot be a Secret key.
    """
    pods = sizing.check_fits(step_resources(s), config.node_instance_type, f"step `{identity.step_name}`")
    name = job_name(identity)
    conf = spark_conf(config, s, pods, name, image, identity)
    template = executor_pod_template(s, config.run_as_uid, identity)
    plain = pod_env(conf, template, config.region)
    # The local launcher's subprocess reaches the client's own server URL; pods need the in-cluster one.
    secrets = secret_env(environment, config.server_url if config.launcher == "kubernetes" else None)
    cmd = list(command)
    if cmd and cmd[0] == "python":
        cmd[0] = "python3"
    secret = {
        "apiVersion": "v1",
        "kind": "Secret",
        "type": "Opaque",
        "metadata": {
            "name": secret_name(identity),
            "namespace": config.kubernetes_namespace,
            "labels": labels(identity, "zenml-step-environment"),
        },
        "stringData": secrets,
    }
    job = _job(config, s, identity, name, image or "", cmd, plain, pods)
    return StepSubmission(
        identity=identity,
        job_name=name,
        secret_name=secret_name(identity),
        namespace=config.kubernetes_namespace,
        command=cmd,
        secret_env=secrets,
        pod_env=plain,
        spark_conf=conf,
        pods=pods,
        secret=secret,
        job=job,
    )


def _job(
    config: "SparkEksStepOperatorConfig",
    s: "SparkEksStepOperatorSettings",
    identity: StepIdentity,
    name: str,
    image: str,
    command: List[str],
    plain_env: Dict[str, str],
    pods: sizing.StepPods,
) -> Dict[str, Any]:
    # ZenML's own builders, so the kubernetes flavor's pod_settings (node selectors, tolerations,
    # affinity, labels, annotations, pull secrets, volumes, additional_pod_spec_args) still apply.
    from kubernetes.client import ApiClient
    from zenml.integrations.kubernetes.constants import STEP_NAME_ANNOTATION_KEY, STEP_OPERATOR_ANNOTATION_KEY
    from zenml.integrations.kubernetes.manifest_utils import (
        build_job_manifest,
        build_pod_manifest,
        pod_template_manifest_from_pod,
    )

    uid = config.run_as_uid
    pod_labels = labels(identity, "spark-driver")
    pod = build_pod_manifest(
        pod_name=None,
        image_name=image,
        command=command[:3],
        args=command[3:],
        env=plain_env,
        privileged=False,
        pod_settings=s.pod_settings,
        service_account_name=s.service_account_name,
        labels=pod_labels,
    )
    job = build_job_manifest(
        job_name=name,
        pod_template=pod_template_manifest_from_pod(pod),
        backoff_limit=0,
        ttl_seconds_after_finished=s.ttl_seconds_after_finished,
        active_deadline_seconds=s.active_deadline_seconds,
        labels=pod_labels,
        annotations={STEP_NAME_ANNOTATION_KEY: identity.step_name, STEP_OPERATOR_ANNOTATION_KEY: identity.operator_id},
    )
    doc = ApiClient().sanitize_for_serialization(job)
    doc.update({"apiVersion": "batch/v1", "kind": "Job"})
    doc["metadata"]["namespace"] = config.kubernetes_namespace
    # On the Spark pool, never evicted by the autoscaler (placement.py), like the executors.
    doc["spec"]["template"] = with_spark_placement(doc["spec"]["template"])
    spec = doc["spec"]["template"]["spec"]
    # The driver creates, watches and deletes its executor pods through the API server.
    spec["automountServiceAccountToken"] = True
    spec["enableServiceLinks"] = False
    spec["securityContext"] = {**spec.get("securityContext", {}), **restricted_pod_security_context(uid)}
    spec["volumes"] = spec.get("volumes", []) + scratch_volumes(s)
    container = spec["containers"][0]
    container["securityContext"] = restricted_container_security_context(uid)
    container["workingDir"] = WORK_DIR  # ZenML extracts the step's code to ./code
    container["imagePullPolicy"] = "IfNotPresent"
    container["volumeMounts"] = container.get("volumeMounts", []) + SCRATCH_MOUNTS
    container["env"] = [
        {"name": POD_NAME_ENV, "valueFrom": {"fieldRef": {"fieldPath": "metadata.name"}}},
        {"name": POD_IP_ENV, "valueFrom": {"fieldRef": {"fieldPath": "status.podIP"}}},
        *container.get("env", []),
    ]
    # All of ZenML's step environment, the token included: from the Secret, never in this spec.
    container["envFrom"] = container.get("envFrom", []) + [{"secretRef": {"name": secret_name(identity)}}]
    container["ports"] = [
        {"name": "driver-rpc", "containerPort": DRIVER_PORT},
        {"name": "blockmanager", "containerPort": BLOCK_MANAGER_PORT},
        {"name": "spark-ui", "containerPort": UI_PORT},
    ]
    quantity = {"cpu": f"{pods.driver.cpu_millis}m", "memory": f"{pods.driver.memory_mib}Mi"}
    container["resources"] = {"requests": dict(quantity), "limits": dict(quantity)}
    return doc
