"""Fixtures of the pipeline suite: a moto S3 server, a ZenML stack on it, a Spark session with S3A.

Run through scripts/verify/test-pipeline.sh, which exports what these need: ZENML_CONFIG_PATH (a
throwaway ZenML config), PIPELINE_TEST_STORE (local: ZenML's SQLite store; server: a real ZenML
server, started by scripts/verify/zenml-server/local-server.sh), PIPELINE_TEST_WORK (the suite's temp dir, deleted at its end),
MOTO_VENV, SPARK_EKS_LOCAL_JARS (the S3A jars), PYTHONPATH=spark/ (the step programs, as the
image's /opt/zenml-spark), and the moto dummy keys. Every process a fixture starts is stopped by it.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import pytest

PIPELINE_DIR = Path(__file__).resolve().parents[1]
ROOT = PIPELINE_DIR.parent
SAMPLE_CSV = ROOT / "spark" / "data" / "sample.csv"
BUCKET = "zenml-spark-artifacts"
REGION = "us-east-1"
STACK = "spark_moto"
OPERATOR = "spark_eks"
START_TIMEOUT_SECONDS = 60


def required_env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run the suite through scripts/verify/test-pipeline.sh", returncode=2)
    return value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(url: str, proc: subprocess.Popen, what: str, log: Path, timeout: float = START_TIMEOUT_SECONDS) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}; last lines of {log}:\n{log.read_text()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"{what} did not answer at {url} within {timeout:.0f} s; see {log}")


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


@pytest.fixture(scope="session")
def work() -> Path:
    return Path(required_env("PIPELINE_TEST_WORK"))


@dataclass(frozen=True)
class Moto:
    endpoint: str

    def s3(self):
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name=REGION)


@pytest.fixture(scope="session")
def moto(work: Path) -> Iterator[Moto]:
    """moto's server on 127.0.0.1 (scripts/verify/moto/moto_launcher.py: dies with this process too)."""
    python = Path(required_env("MOTO_VENV")) / "bin" / "python"
    port = free_port()
    log = work / f"moto-{port}.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(python), str(ROOT / "scripts/verify/moto/moto_launcher.py"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        endpoint = f"http://127.0.0.1:{port}"
        wait_for_http(f"{endpoint}/moto-api/data.json", proc, "moto", log)
        yield Moto(endpoint)
    finally:
        stop(proc)


def zenml_cli(*args: str, check: bool = True) -> subprocess.CompletedProcess:
    """The real zenml CLI of this venv, with this process's environment (the suite's ZenML config)."""
    res = subprocess.run(
        [str(Path(sys.executable).parent / "zenml"), *args], capture_output=True, text=True, timeout=300, cwd=ROOT
    )
    if check and res.returncode != 0:
        raise RuntimeError(f"zenml {' '.join(args)} failed ({res.returncode}):\n{res.stdout[-3000:]}\n{res.stderr[-3000:]}")
    return res


@dataclass(frozen=True)
class ZenmlStack:
    """The registered stack: S3 (moto) artifact store, spark-eks operator with the local launcher."""

    moto: Moto
    artifact_root: str
    store: str


@pytest.fixture(scope="session")
def zenml_stack(moto: Moto) -> ZenmlStack:
    """Registers, with the real CLI and as a user would: the flavor, the operator, the store, the stack."""
    store = required_env("PIPELINE_TEST_STORE")
    if store == "server":
        # test-pipeline.sh started a real ZenML server (scripts/verify/zenml-server/local-server.sh);
        # ZENML_STORE_URL/_USERNAME/_PASSWORD make it the client's store, as `zenml login` would.
        required_env("ZENML_STORE_URL")
        from zenml.client import Client

        assert Client().zen_store.type.value == "rest", "PIPELINE_TEST_STORE=server but the store is not a server"
    moto.s3().create_bucket(Bucket=BUCKET)
    zenml_cli("step-operator", "flavor", "register", "zenml_spark_eks.flavors.SparkEksStepOperatorFlavor")
    zenml_cli(
        "step-operator", "register", OPERATOR, "--flavor=spark-eks", "--launcher=local",
        f"--local_s3_endpoint={moto.endpoint}", f"--region={REGION}",
    )  # fmt: skip
    client_kwargs = f'{{"endpoint_url": "{moto.endpoint}", "region_name": "{REGION}"}}'
    zenml_cli("artifact-store", "register", "s3_moto", "--flavor=s3", f"--path=s3://{BUCKET}", f"--client_kwargs={client_kwargs}")
    zenml_cli("stack", "register", STACK, "-o", "default", "-a", "s3_moto", "-s", OPERATOR, "--set")
    # The CLI set it active in the config file; this process may have read that file already.
    from zenml.client import Client

    Client().activate_stack(STACK)
    return ZenmlStack(moto=moto, artifact_root=f"s3://{BUCKET}", store=store)


@pytest.fixture(scope="session")
def spark(moto: Moto):
    """This process's own Spark session, S3A on moto: what a test uses to read what the steps wrote."""
    os.environ["SPARK_EKS_LOCAL_S3_ENDPOINT"] = moto.endpoint
    from zenml_spark_eks.session import get_spark_session

    session = get_spark_session("pipeline-tests", {"spark.driver.memory": "1g"})
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()
