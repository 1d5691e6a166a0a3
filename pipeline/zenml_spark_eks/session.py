"""get_spark_session(): the one way step code and the materializers get a SparkSession.

In a step pod the spark-eks operator sets this (non-secret) environment:

    SPARK_EKS_CONF               JSON object {Spark setting: value} (master, sizing, image, S3A...)
    SPARK_EKS_EXECUTOR_TEMPLATE  JSON executor pod template (restricted Pod Security, emptyDirs)
    SPARK_DRIVER_POD_IP / _POD_NAME    the pod's IP and name (fieldRefs)

and this module turns it into a client-mode session on the in-cluster API server: executors connect
back to the pod IP (no Service needed) and carry an ownerReference to the pod, so deleting the Job
deletes them. The driver JVM starts inside the step process with `spark.driver.memory` as its heap.

Without SPARK_EKS_CONF (tests, notebooks, inline steps) the session is `local[2]`. Two test
hooks, never set in a pod: SPARK_EKS_LOCAL_S3_ENDPOINT points S3A at an emulator (moto;
path-style, plain HTTP, the test process's dummy keys from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY),
and SPARK_EKS_LOCAL_JARS puts the S3A jars (hadoop-aws, the AWS SDK v2 bundle) on the driver's
classpath, where the image has them in /opt/spark/jars.
"""

from __future__ import annotations

import atexit
import json
import os
import tempfile
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

CONF_ENV = "SPARK_EKS_CONF"
EXECUTOR_TEMPLATE_ENV = "SPARK_EKS_EXECUTOR_TEMPLATE"
LOCAL_S3_ENDPOINT_ENV = "SPARK_EKS_LOCAL_S3_ENDPOINT"
LOCAL_JARS_ENV = "SPARK_EKS_LOCAL_JARS"
POD_IP_ENV = "SPARK_DRIVER_POD_IP"
POD_NAME_ENV = "SPARK_DRIVER_POD_NAME"

# The only S3A credentials provider outside tests: EKS Pod Identity's container credentials (AWS SDK
# for Java v2 >= 2.21.30). No fallback to the node's instance role, and no static key anywhere.
POD_IDENTITY_CREDENTIALS_PROVIDER = "software.amazon.awssdk.auth.credentials.ContainerCredentialsProvider"
TEST_CREDENTIALS_PROVIDER = "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider"

LOCAL_DEFAULTS = {
    "spark.master": "local[2]",
    "spark.sql.shuffle.partitions": "4",
    "spark.ui.enabled": "false",
    "spark.ui.showConsoleProgress": "false",
}


def local_s3_conf(endpoint: str, region: Optional[str] = None) -> Dict[str, str]:
    """S3A settings for an S3 emulator at ``endpoint`` (e.g. http://127.0.0.1:5000). Tests only.

    The credentials are the emulator's dummy keys, read by the AWS SDK from the test process's
    AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY: never put in a setting.
    """
    return {
        "spark.hadoop.fs.s3a.endpoint": endpoint,
        "spark.hadoop.fs.s3a.endpoint.region": region or os.environ.get("AWS_DEFAULT_REGION", "us-east-1"),
        "spark.hadoop.fs.s3a.path.style.access": "true",
        "spark.hadoop.fs.s3a.connection.ssl.enabled": "false",
        "spark.hadoop.fs.s3a.aws.credentials.provider": TEST_CREDENTIALS_PROVIDER,
    }


def spark_conf_from_env(environ: Mapping[str, str] = os.environ) -> Dict[str, str]:
    """The session's Spark settings from ``environ`` (see the module docstring).

    Writes the executor pod template (when there is one and the master is Kubernetes) to a new file
    under the temp dir, because a client-mode driver reads the template from its own filesystem.

    Raises:
        ValueError: SPARK_EKS_CONF is not a JSON object of strings.
    """
    raw = environ.get(CONF_ENV)
    if raw:
        conf = json.loads(raw)
        if not isinstance(conf, dict) or not all(isinstance(v, str) for v in conf.values()):
            raise ValueError(f"{CONF_ENV}: expected a JSON object of strings")
    else:
        conf = dict(LOCAL_DEFAULTS)
    on_kubernetes = conf.get("spark.master", "").startswith("k8s://")
    pod_ip = environ.get(POD_IP_ENV)
    if pod_ip and on_kubernetes:
        # Executors connect to the pod IP directly; the driver binds to it too.
        conf.setdefault("spark.driver.host", pod_ip)
        conf.setdefault("spark.driver.bindAddress", pod_ip)
    pod_name = environ.get(POD_NAME_ENV)
    if pod_name and on_kubernetes:
        # Executor pods get an ownerReference to this pod: deleting the Job deletes them.
        conf.setdefault("spark.kubernetes.driver.pod.name", pod_name)
    template = environ.get(EXECUTOR_TEMPLATE_ENV)
    if template and on_kubernetes:
        directory = tempfile.mkdtemp(prefix="spark-eks-")
        path = os.path.join(directory, "executor-pod-template.json")  # JSON is YAML to fabric8
        with open(path, "w", encoding="utf-8") as f:
            f.write(template)
        conf.setdefault("spark.kubernetes.executor.podTemplateFile", path)
    endpoint = environ.get(LOCAL_S3_ENDPOINT_ENV)
    if endpoint:
        conf.update(local_s3_conf(endpoint, environ.get("AWS_DEFAULT_REGION")))
    jars = environ.get(LOCAL_JARS_ENV)
    if jars:
        # On the JVM's own classpath, as in the image: no copy of the 640 MB SDK bundle through
        # spark.jars, and Hadoop's FileSystem loader sees S3A.
        conf["spark.driver.extraClassPath"] = jars
    return conf


def get_spark_session(app_name: Optional[str] = None, extra_conf: Optional[Dict[str, Any]] = None) -> "SparkSession":
    """The active SparkSession, or a new one configured from the environment.

    Args:
        app_name: sets spark.app.name of a new session (ignored if one is active).
        extra_conf: more Spark settings for a new session (values turned into strings).

    Returns:
        The session. A new one is stopped when the process exits, which deletes its executor pods.

    Raises:
        ValueError: see spark_conf_from_env.
    """
    import logging

    from pyspark.sql import SparkSession

    # py4j logs every closed gateway connection at INFO, into the step's log and the terminal.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    active = SparkSession.getActiveSession()
    if active is not None:
        return active
    conf = spark_conf_from_env()
    if app_name:
        conf["spark.app.name"] = app_name
    conf.update({k: str(v) for k, v in (extra_conf or {}).items()})
    builder = SparkSession.builder
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    atexit.register(spark.stop)
    return spark
