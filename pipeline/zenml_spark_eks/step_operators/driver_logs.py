"""The driver pod's log on the user's terminal: streamed while the step runs, or its tail on failure.

ZenML's step logs hold what the step's Python code prints; Spark's own (JVM) output reaches only the
container log. Both matter when a Spark step fails, so the operator follows the driver container's
log (``pods/log`` get, ``follow=true``) and prints each line prefixed with the step name; a step whose
log was not streamed gets its last lines printed when it fails. The submitting identity needs
``pods`` list and ``pods/log`` get in the namespace for this (docs/zenml-pipeline.md lists the Role).
"""

from __future__ import annotations

import sys
import threading
from typing import TYPE_CHECKING, Callable, Optional, TextIO

if TYPE_CHECKING:
    from kubernetes.client import CoreV1Api

# How long one read of the followed log may stay silent before the connection is re-checked: a Spark
# driver can be quiet for minutes, so this only bounds a dead connection, not the step.
STREAM_READ_TIMEOUT_SECONDS = 300


def printer(step: str, out: TextIO = sys.stdout) -> Callable[[str], None]:
    """Prints one log line as ``[<step>] <line>``."""

    def emit(line: str) -> None:
        out.write(f"[{step}] {line}\n")
        out.flush()

    return emit


class DriverLogStream:
    """Follows one container's log in a daemon thread until the container stops (or stop() is called)."""

    def __init__(self, core: "CoreV1Api", namespace: str, pod: str, container: str, emit: Callable[[str], None]) -> None:
        self.core, self.namespace, self.pod, self.container, self.emit = core, namespace, pod, container, emit
        self.lines = 0
        self.error: Optional[str] = None
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"spark-eks-log-{pod}", daemon=True)

    def start(self) -> "DriverLogStream":
        self._thread.start()
        return self

    def _run(self) -> None:
        try:
            resp = self.core.read_namespaced_pod_log(
                name=self.pod,
                namespace=self.namespace,
                container=self.container,
                follow=True,
                _preload_content=False,
                _request_timeout=(10, STREAM_READ_TIMEOUT_SECONDS),
            )
            pending = b""
            for chunk in resp.stream(4096):
                if self._stop.is_set():
                    break
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for raw in complete:
                    self.emit(raw.decode("utf-8", "replace"))
                    self.lines += 1
            if pending:
                self.emit(pending.decode("utf-8", "replace"))
                self.lines += 1
            resp.release_conn()
        except Exception as e:  # noqa: BLE001 - a log is best effort; the step's status comes from the Job
            self.error = f"{type(e).__name__}: {getattr(e, 'reason', None) or e}"

    def stop(self, timeout: float = 10.0) -> None:
        """Waits up to ``timeout`` seconds for the last lines, then lets the (daemon) thread go."""
        self._thread.join(timeout)
        self._stop.set()

    @property
    def running(self) -> bool:
        return self._thread.is_alive()


def tail(core: "CoreV1Api", namespace: str, pod: str, container: str, lines: int) -> str:
    """The last ``lines`` lines of a container's log, or one line saying why there is none."""
    try:
        return core.read_namespaced_pod_log(
            name=pod, namespace=namespace, container=container, tail_lines=lines, _request_timeout=(10, 30)
        )
    except Exception as e:  # noqa: BLE001 - the caller reports the step's failure either way
        reason = getattr(e, "reason", None) or str(e)
        body = getattr(e, "body", None)
        return f"(no driver log: {type(e).__name__} {getattr(e, 'status', '')} {reason} {body or ''})".strip()
