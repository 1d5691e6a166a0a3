"""How a rendered step submission is started and watched: the launcher interface and the local launcher.

The spark-eks operator renders a StepSubmission (step_operators/manifests.py) and hands it to a
launcher. Two implement the same interface:

* KubernetesJobLauncher (step_operators/kubernetes_job_launcher.py): creates the Secret and the Job
  in the cluster, streams the driver log, watches the Job;
* LocalProcessLauncher (here): runs the step's exact entrypoint command as a subprocess of this
  machine with the environment the pod would have: the Secret's values (envFrom) overlaid by the
  pod's plain env (explicit env wins, as in Kubernetes). Only what cannot exist off-cluster is
  rewritten: the Spark master becomes local[N] (the spark.kubernetes.* settings and the pod-IP
  binding go), S3A points at the test's S3 endpoint, and the pod's emptyDirs (/tmp, the work dir)
  become one scratch directory per step, deleted at cleanup. The child inherits nothing else from
  this process but PASSTHROUGH_ENV (the image's PATH/JAVA_HOME and the tests' dummy AWS keys).

What the local launcher leaves untested: the image, the kubelet, Pod Identity credentials, the
executors as pods (Spark runs them as threads of the driver JVM), the Secret as a Secret.
"""

from __future__ import annotations

import abc
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from typing import TYPE_CHECKING, Dict, Optional

from zenml.enums import ExecutionStatus
from zenml.logger import get_logger

from zenml_spark_eks.session import CONF_ENV, EXECUTOR_TEMPLATE_ENV, local_s3_conf

if TYPE_CHECKING:
    from zenml_spark_eks.flavors.spark_eks_step_operator_flavor import SparkEksStepOperatorConfig
    from zenml_spark_eks.step_operators.manifests import StepSubmission

logger = get_logger(__name__)

# What a step subprocess inherits from this process: what the image's environment provides (PATH,
# JAVA_HOME, locale), the tests' AWS emulator keys, and the test hooks of session.py.
PASSTHROUGH_ENV = (
    "PATH",
    "JAVA_HOME",
    "LANG",
    "LC_ALL",
    "TZ",
    "VIRTUAL_ENV",
    "PYTHONPATH",
    "SPARK_LOCAL_IP",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "AWS_DEFAULT_REGION",
    "AWS_EC2_METADATA_DISABLED",
    "SPARK_EKS_LOCAL_JARS",
    "ZENML_ANALYTICS_OPT_IN",
    "ZENML_LOGGING_VERBOSITY",
)
# Settings that only make sense on Kubernetes: dropped for a local master.
KUBERNETES_ONLY_CONF = ("spark.executor.instances", "spark.driver.port", "spark.driver.blockManager.port", "spark.submit.deployMode")
# Added to the step's deadline when waiting: a process that outlives both is stopped.
WAIT_GRACE_SECONDS = 60


class StepLauncher(abc.ABC):
    """Starts a rendered step and answers for it until cleanup. Keyed by the step run id."""

    @abc.abstractmethod
    def submit(self, submission: "StepSubmission") -> None:
        """Starts the step. Raises on any problem, having left nothing behind."""

    @abc.abstractmethod
    def status(self, step_run_id: str) -> ExecutionStatus:
        """RUNNING, COMPLETED or FAILED (FAILED also for a step this launcher does not know)."""

    @abc.abstractmethod
    def wait(self, step_run_id: str) -> ExecutionStatus:
        """Blocks until the step finished (bounded by its deadline) and returns COMPLETED or FAILED."""

    @abc.abstractmethod
    def cancel(self, step_run_id: str) -> None:
        """Stops the step; idempotent."""

    @abc.abstractmethod
    def cleanup(self, step_run_id: str) -> None:
        """Removes what the step left (the Secret; the local scratch dir); idempotent."""


class LocalProcessLauncher(StepLauncher):
    """Runs a step as a local subprocess with the pod's command and environment (see the module docstring)."""

    # Class-level: ZenML may hand the operator's calls for one step to different instances.
    _procs: Dict[str, subprocess.Popen] = {}
    _scratch: Dict[str, str] = {}
    _deadlines: Dict[str, float] = {}
    _lock = threading.Lock()

    def __init__(self, config: "SparkEksStepOperatorConfig") -> None:
        self.config = config

    def local_spark_conf(self, conf: Dict[str, str], scratch: str) -> Dict[str, str]:
        """The pod's Spark settings for a local master: Kubernetes-only settings dropped, S3A at the
        test endpoint, Spark's and the JVM's temp files in the step's scratch dir."""
        out = {k: v for k, v in conf.items() if not k.startswith("spark.kubernetes.") and k not in KUBERNETES_ONLY_CONF}
        out["spark.master"] = self.config.local_spark_master
        out["spark.driver.host"] = out["spark.driver.bindAddress"] = "127.0.0.1"
        out.setdefault("spark.sql.shuffle.partitions", "4")
        out["spark.ui.enabled"] = "false"
        out["spark.local.dir"] = os.path.join(scratch, "spark-local")
        out["spark.driver.extraJavaOptions"] = f"-Djava.io.tmpdir={os.path.join(scratch, 'tmp')}"
        if self.config.local_s3_endpoint:
            out.update(local_s3_conf(self.config.local_s3_endpoint, self.config.region))
        return out

    def environment(self, submission: "StepSubmission", scratch: str) -> Dict[str, str]:
        """The subprocess's environment: passthrough, then the Secret's values, then the pod's env."""
        env = {k: os.environ[k] for k in PASSTHROUGH_ENV if k in os.environ}
        env.update(submission.secret_env)
        plain = dict(submission.pod_env)
        plain[CONF_ENV] = json.dumps(self.local_spark_conf(json.loads(plain[CONF_ENV]), scratch), sort_keys=True)
        plain.pop(EXECUTOR_TEMPLATE_ENV, None)
        plain["HOME"] = scratch
        plain["ZENML_CONFIG_PATH"] = os.path.join(scratch, "zenml-config")
        plain["TMPDIR"] = os.path.join(scratch, "tmp")
        env.update(plain)
        return env

    def submit(self, submission: "StepSubmission") -> None:
        step_run_id = submission.identity.step_run_id
        scratch = tempfile.mkdtemp(prefix=f"spark-eks-{step_run_id[:8]}-")
        try:
            for sub in ("tmp", "work-dir", "spark-local"):
                os.makedirs(os.path.join(scratch, sub))
            command = list(submission.command)
            if command and command[0] in ("python", "python3"):
                command[0] = sys.executable  # the image's python3 is this venv's here
            logger.info("spark-eks[local]: step `%s` as a subprocess in %s", submission.identity.step_name, scratch)
            # cwd = the pod's working dir (an emptyDir): ZenML downloads the step's code into ./code.
            proc = subprocess.Popen(command, env=self.environment(submission, scratch), cwd=os.path.join(scratch, "work-dir"))
        except BaseException:
            shutil.rmtree(scratch, ignore_errors=True)
            raise
        deadline = time.monotonic() + (self.config.active_deadline_seconds or 1800) + WAIT_GRACE_SECONDS
        with self._lock:
            self._procs[step_run_id] = proc
            self._scratch[step_run_id] = scratch
            self._deadlines[step_run_id] = deadline

    def _proc(self, step_run_id: str) -> Optional[subprocess.Popen]:
        with self._lock:
            return self._procs.get(step_run_id)

    def status(self, step_run_id: str) -> ExecutionStatus:
        proc = self._proc(step_run_id)
        if proc is None:
            return ExecutionStatus.FAILED
        code = proc.poll()
        if code is None:
            return ExecutionStatus.RUNNING
        return ExecutionStatus.COMPLETED if code == 0 else ExecutionStatus.FAILED

    def wait(self, step_run_id: str) -> ExecutionStatus:
        proc = self._proc(step_run_id)
        if proc is None:
            return ExecutionStatus.FAILED
        timeout = max(0.0, self._deadlines.get(step_run_id, time.monotonic()) - time.monotonic())
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            logger.error("spark-eks[local]: step run %s passed its deadline; stopping it", step_run_id)
            self.cancel(step_run_id)
        return self.status(step_run_id)

    def cancel(self, step_run_id: str) -> None:
        proc = self._proc(step_run_id)
        if proc is not None and proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)

    def cleanup(self, step_run_id: str) -> None:
        self.cancel(step_run_id)
        with self._lock:
            self._procs.pop(step_run_id, None)
            self._deadlines.pop(step_run_id, None)
            scratch = self._scratch.pop(step_run_id, None)
        if scratch:
            shutil.rmtree(scratch, ignore_errors=True)
