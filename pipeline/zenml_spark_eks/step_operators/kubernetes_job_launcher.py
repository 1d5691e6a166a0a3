"""Runs a rendered step submission as a Secret + Job in the cluster and watches it to the end.

API calls, all namespaced, all by the identity of the user's kubeconfig (or service connector):

    secrets    create (the step's environment), patch (ownerReference to the Job), delete (cleanup)
    jobs       create, list (status, by the step_run_id label), delete (cancel)
    pods       list (the driver pod, by the Job's label)
    pods/log   get (stream the driver log, or its tail on failure)

This is exactly the Role `zenml-step-submitter` (k8s/spark-rbac-chart.ts); the kubernetes suite
checks the list against the API server's audit log and `kubectl auth can-i`.

Order: the Secret first (the pod must find it when it starts), then the Job, then the Secret gets an
ownerReference to the Job, so that deleting the Job (cancel, its TTL, `kubectl delete job`) also
deletes the Secret if the client never reaches cleanup. If the Job cannot be created the Secret is
deleted at once. cleanup() deletes the Secret as soon as the step finished: the token is not left
lying around for the Job's TTL (it stays valid on the server until the run ends plus ZenML's leeway).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Dict, List, Optional

from zenml.enums import ExecutionStatus
from zenml.logger import get_logger

from zenml_spark_eks.launchers import WAIT_GRACE_SECONDS, StepLauncher
from zenml_spark_eks.step_operators import driver_logs
from zenml_spark_eks.step_operators.manifests import DRIVER_CONTAINER, label_value

if TYPE_CHECKING:
    from kubernetes.client import BatchV1Api, CoreV1Api, V1Job, V1Pod

    from zenml_spark_eks.flavors.spark_eks_step_operator_flavor import SparkEksStepOperatorConfig
    from zenml_spark_eks.step_operators.manifests import StepSubmission

logger = get_logger(__name__)

# API errors that a retry cannot fix: fail at once instead of retrying them.
PERMANENT_STATUS = (400, 401, 403, 404, 409, 422)
API_RETRIES = 3


@dataclass
class _Watched:
    step: str
    job_name: str
    secret_name: str
    deadline: float
    fail_on_waiting: List[str] = field(default_factory=list)
    stream: Optional[driver_logs.DriverLogStream] = None
    last_state: str = ""


class KubernetesJobLauncher(StepLauncher):
    """Creates the step's Secret and Job, streams the driver log, reports the Job's outcome."""

    _watched: Dict[str, _Watched] = {}
    _lock = threading.Lock()

    def __init__(
        self,
        config: "SparkEksStepOperatorConfig",
        core: Callable[[], "CoreV1Api"],
        batch: Callable[[], "BatchV1Api"],
        emit: Optional[Callable[[str, str], None]] = None,
    ) -> None:
        """``core``/``batch`` return API clients (so a refreshed connector is picked up); ``emit(step,
        line)`` prints a driver log line (default: ``[step] line`` on stdout)."""
        self.config = config
        self.core = core
        self.batch = batch
        self.emit = emit or (lambda step, line: driver_logs.printer(step)(line))

    # -------------------------------------------------------------- API helpers
    def _call(self, fn: Callable[..., Any], **kwargs: Any) -> Any:
        from kubernetes.client.exceptions import ApiException

        for attempt in range(API_RETRIES + 1):
            try:
                return fn(_request_timeout=self.config.api_request_timeout or 30, **kwargs)
            except ApiException as e:
                if e.status in PERMANENT_STATUS or attempt == API_RETRIES:
                    raise
            except Exception:  # noqa: BLE001 - connection errors: retry, bounded
                if attempt == API_RETRIES:
                    raise
            time.sleep(1 + attempt)
        raise AssertionError("unreachable")

    def _delete_secret(self, name: str) -> None:
        from kubernetes.client.exceptions import ApiException

        try:
            self._call(self.core().delete_namespaced_secret, name=name, namespace=self.config.kubernetes_namespace)
        except ApiException as e:
            if e.status != 404:
                logger.warning("spark-eks: could not delete Secret `%s`: %s %s", name, e.status, e.reason)

    def _job(self, step_run_id: str) -> Optional["V1Job"]:
        jobs = self._call(
            self.batch().list_namespaced_job,
            namespace=self.config.kubernetes_namespace,
            label_selector=f"step_run_id={label_value(step_run_id)}",
        )
        return jobs.items[0] if jobs.items else None

    def _driver_pod(self, job_name: str) -> Optional["V1Pod"]:
        pods = self._call(
            self.core().list_namespaced_pod,
            namespace=self.config.kubernetes_namespace,
            label_selector=f"batch.kubernetes.io/job-name={job_name}",
        )
        if not pods.items:
            return None
        return max(pods.items, key=lambda p: p.metadata.creation_timestamp or 0)

    # ------------------------------------------------------------------ submit
    def submit(self, submission: "StepSubmission") -> None:
        ns = submission.namespace
        core, batch = self.core(), self.batch()
        self._call(core.create_namespaced_secret, namespace=ns, body=submission.secret)
        try:
            created = self._call(batch.create_namespaced_job, namespace=ns, body=submission.job)
            owner = {
                "apiVersion": "batch/v1",
                "kind": "Job",
                "name": created.metadata.name,
                "uid": created.metadata.uid,
                "blockOwnerDeletion": False,
                "controller": False,
            }
            self._call(
                core.patch_namespaced_secret,
                name=submission.secret_name,
                namespace=ns,
                body={"metadata": {"ownerReferences": [owner]}},
            )
        except BaseException:
            self._delete_secret(submission.secret_name)
            raise
        job_spec = submission.job["spec"]
        deadline = time.monotonic() + (job_spec.get("activeDeadlineSeconds") or 1800) + WAIT_GRACE_SECONDS
        with self._lock:
            self._watched[submission.identity.step_run_id] = _Watched(
                step=submission.identity.step_name,
                job_name=submission.job_name,
                secret_name=submission.secret_name,
                deadline=deadline,
                fail_on_waiting=list(self.config.fail_on_container_waiting_reasons or []),
            )
        pods = submission.pods
        logger.info(
            "spark-eks: Job `%s` in `%s`: driver %dm/%dMi, %d executors of %dm/%dMi",
            submission.job_name,
            ns,
            pods.driver.cpu_millis,
            pods.driver.memory_mib,
            pods.executor_instances,
            pods.executor.cpu_millis,
            pods.executor.memory_mib,
        )

    # ------------------------------------------------------------------ status
    def status(self, step_run_id: str) -> ExecutionStatus:
        try:
            job = self._job(step_run_id)
        except Exception as e:  # noqa: BLE001
            logger.warning("spark-eks: cannot read the Job of step run %s: %s", step_run_id, e)
            return ExecutionStatus.FAILED
        if job is None:
            return ExecutionStatus.FAILED
        for condition in job.status.conditions or []:
            if condition.status == "True" and condition.type == "Complete":
                return ExecutionStatus.COMPLETED
            if condition.status == "True" and condition.type == "Failed":
                return ExecutionStatus.FAILED
        return ExecutionStatus.RUNNING

    def _watch(self, step_run_id: str) -> _Watched:
        with self._lock:
            watched = self._watched.get(step_run_id)
        if watched is None:  # a different client process, or an operator instance that did not submit
            job = self._job(step_run_id)
            name = job.metadata.name if job else ""
            watched = _Watched(
                step=(job.metadata.labels or {}).get("step_name", step_run_id) if job else step_run_id,
                job_name=name,
                secret_name=f"zenml-step-{step_run_id}",
                deadline=time.monotonic() + (self.config.active_deadline_seconds or 1800) + WAIT_GRACE_SECONDS,
            )
            with self._lock:
                self._watched[step_run_id] = watched
        return watched

    def _progress(self, w: _Watched, pod: Optional["V1Pod"]) -> Optional[str]:
        """Reports a change of the driver pod's state; returns a waiting reason that must fail the step."""
        if pod is None:
            state = "no pod yet"
        else:
            state = pod.status.phase or "Unknown"
            for condition in pod.status.conditions or []:
                if condition.type == "PodScheduled" and condition.status == "False":
                    state += f" (unschedulable: {condition.message or condition.reason})"
            for cs in pod.status.container_statuses or []:
                waiting = cs.state.waiting if cs.state else None
                if waiting and waiting.reason:
                    state += f" ({waiting.reason}: {waiting.message or ''})".replace(": )", ")")
                    if waiting.reason in w.fail_on_waiting:
                        return f"{waiting.reason}: {waiting.message or ''}".strip()
        if state != w.last_state:
            logger.info("spark-eks: step `%s`: driver pod %s", w.step, state)
            w.last_state = state
        return None

    def wait(self, step_run_id: str) -> ExecutionStatus:
        w = self._watch(step_run_id)
        pod_name: Optional[str] = None
        while True:
            status = self.status(step_run_id)
            if status != ExecutionStatus.RUNNING:
                break
            pod = self._driver_pod(w.job_name) if w.job_name else None
            pod_name = pod.metadata.name if pod else pod_name
            fatal = self._progress(w, pod)
            if fatal:
                logger.error("spark-eks: step `%s` cannot start: %s; deleting its Job", w.step, fatal)
                self.cancel(step_run_id)
                status = ExecutionStatus.FAILED
                break
            if (
                self.config.stream_logs
                and w.stream is None
                and pod is not None
                and pod.status.phase in ("Running", "Succeeded", "Failed")
            ):
                w.stream = driver_logs.DriverLogStream(
                    self.core(), self.config.kubernetes_namespace, pod.metadata.name, DRIVER_CONTAINER,
                    lambda line, step=w.step: self.emit(step, line),
                ).start()
            if time.monotonic() > w.deadline:
                logger.error("spark-eks: step `%s` passed its deadline without the Job finishing", w.step)
                status = ExecutionStatus.FAILED
                break
            time.sleep(self.config.status_poll_seconds)
        if w.stream is not None:
            w.stream.stop()
        if status == ExecutionStatus.FAILED:
            self._report_failure(w, step_run_id, pod_name)
        return status

    def _report_failure(self, w: _Watched, step_run_id: str, pod_name: Optional[str]) -> None:
        try:
            job = self._job(step_run_id)
            for c in (job.status.conditions or []) if job else []:
                if c.type == "Failed" and c.status == "True":
                    logger.error("spark-eks: Job `%s` failed: %s %s", w.job_name, c.reason or "", c.message or "")
            pod = self._driver_pod(w.job_name) if w.job_name else None
            pod_name = pod.metadata.name if pod else pod_name
        except Exception as e:  # noqa: BLE001
            logger.warning("spark-eks: cannot read why Job `%s` failed: %s", w.job_name, e)
        streamed = w.stream is not None and w.stream.lines > 0
        if pod_name and not streamed and self.config.failure_log_lines > 0:
            text = driver_logs.tail(
                self.core(), self.config.kubernetes_namespace, pod_name, DRIVER_CONTAINER, self.config.failure_log_lines
            )
            logger.error("spark-eks: last %d lines of the driver log (%s):", self.config.failure_log_lines, pod_name)
            for line in text.splitlines():
                self.emit(w.step, line)

    # ----------------------------------------------------------- cancel/cleanup
    def cancel(self, step_run_id: str) -> None:
        from kubernetes.client.exceptions import ApiException

        w = self._watch(step_run_id)
        if w.job_name:
            try:
                self._call(
                    self.batch().delete_namespaced_job,
                    name=w.job_name,
                    namespace=self.config.kubernetes_namespace,
                    propagation_policy="Foreground",
                )
            except ApiException as e:
                if e.status != 404:
                    raise
        self._delete_secret(w.secret_name)

    def cleanup(self, step_run_id: str) -> None:
        with self._lock:
            w = self._watched.pop(step_run_id, None)
        if w is not None and w.stream is not None:
            w.stream.stop(timeout=1)
        self._delete_secret(w.secret_name if w else f"zenml-step-{step_run_id}")
