"""The event-log path end to end, with real parts: the five step programs (spark/zenml_spark_steps) on
local Spark write their event logs to S3 served by moto through S3A with the project's event-log
settings (zenml_spark_steps.event_log, read from contract.json, which the TypeScript generates), then
Spark's own History Server (org.apache.spark.deploy.history.HistoryServer from the pinned pyspark's
jars, with the same S3A jars the image adds) reads that prefix with the project's history-server
settings and lists every application and its jobs through its REST API.

Run through scripts/verify/test-history.sh, which exports HISTORY_TEST_WORK (the suite's temp dir),
MOTO_VENV, S3A_JARS and the moto dummy keys. Every process it starts is stopped however it ends;
its files live under HISTORY_TEST_WORK, which the script removes. Prints what it measured: the
event-log size per step and the history server's start-up time.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.request
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Dict, Iterator, List

import pytest

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "spark"))

from zenml_spark_steps import event_log  # noqa: E402
from zenml_spark_steps.common import STEPS  # noqa: E402

BUCKET = "zenml-spark-history-test"
REGION = "us-east-1"
RUN_ID = "hist-1"
START_TIMEOUT_SECONDS = 90
STEPS_TIMEOUT_SECONDS = 600
S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def env(name: str) -> str:
    value = os.environ.get(name)
    if not value:
        pytest.exit(f"{name} is not set: run the suite through scripts/verify/test-history.sh", returncode=2)
    return value


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def stop(proc: subprocess.Popen, timeout: float = 15) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout)


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=10) as r:
        return json.loads(r.read())


def wait_until(what: str, proc: subprocess.Popen, log: Path, check, timeout: float):
    """Polls check() until it returns a truthy value; fails when proc exits or time runs out."""
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"{what}: the process exited with {proc.returncode}; end of {log}:\n{log.read_text()[-3000:]}")
        try:
            result = check()
            if result:
                return result
        except OSError as err:  # not listening yet
            last = err
        time.sleep(0.5)
    raise AssertionError(f"{what}: nothing within {timeout:.0f} s (last: {last}); end of {log}:\n{log.read_text()[-3000:]}")


def s3a_test_conf(endpoint: str) -> Dict[str, str]:
    """S3A against the emulator (what session.local_s3_conf sets): path style, plain HTTP, env keys."""
    return {
        "spark.hadoop.fs.s3a.endpoint": endpoint,
        "spark.hadoop.fs.s3a.endpoint.region": REGION,
        "spark.hadoop.fs.s3a.path.style.access": "true",
        "spark.hadoop.fs.s3a.connection.ssl.enabled": "false",
        "spark.hadoop.fs.s3a.aws.credentials.provider": "software.amazon.awssdk.auth.credentials.EnvironmentVariableCredentialsProvider",
    }


def list_objects(endpoint: str, prefix: str) -> List[Dict[str, object]]:
    """ListObjectsV2 on moto (it does not check signatures): key and size of every object under prefix."""
    out: List[Dict[str, object]] = []
    token = ""
    while True:
        url = f"{endpoint}/{BUCKET}?list-type=2&prefix={prefix}" + (f"&continuation-token={token}" if token else "")
        with urllib.request.urlopen(url, timeout=10) as r:
            tree = ET.fromstring(r.read())
        for c in tree.iter(f"{S3_NS}Contents"):
            out.append({"key": c.findtext(f"{S3_NS}Key"), "size": int(c.findtext(f"{S3_NS}Size") or 0)})
        token = tree.findtext(f"{S3_NS}NextContinuationToken") or ""
        if not token:
            return out


@pytest.fixture(scope="module")
def work() -> Path:
    return Path(env("HISTORY_TEST_WORK"))


@pytest.fixture(scope="module")
def moto(work: Path) -> Iterator[str]:
    python = Path(env("MOTO_VENV")) / "bin" / "python"
    port = free_port()
    log = work / "moto.log"
    with open(log, "w") as out:
        proc = subprocess.Popen(
            [str(python), str(ROOT / "scripts/verify/moto/moto_launcher.py"), "-H", "127.0.0.1", "-p", str(port)],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    endpoint = f"http://127.0.0.1:{port}"
    try:
        wait_until("moto", proc, log, lambda: urllib.request.urlopen(f"{endpoint}/moto-api/data.json", timeout=2), START_TIMEOUT_SECONDS)
        urllib.request.urlopen(urllib.request.Request(f"{endpoint}/{BUCKET}", method="PUT"), timeout=10)
        yield endpoint
    finally:
        stop(proc)


@pytest.fixture(scope="module")
def event_logs(work: Path, moto: str) -> Dict[str, object]:
    """The five steps, each its own Spark application, in one driver process (one JVM start)."""
    directory = f"s3a://{BUCKET}/{event_log.DEFAULT_PREFIX}"
    conf = {
        "spark.master": "local[2]",
        "spark.sql.shuffle.partitions": "4",
        "spark.ui.showConsoleProgress": "false",
        **event_log.event_log_conf(directory),
        **s3a_test_conf(moto),
        "spark.driver.extraClassPath": env("S3A_JARS"),
        "spark.local.dir": str(work / "spark-local"),
    }
    submit_args = " ".join(f"--conf {k}={v}" for k, v in conf.items()) + " pyspark-shell"
    driver = textwrap.dedent(
        f"""
        import importlib, json, sys, time
        sys.path.insert(0, {str(ROOT / "spark")!r})
        from zenml_spark_steps.common import get_session
        ids = {{}}
        for step in {list(STEPS)!r}:
            argv = ["--artifact-root", "s3a://{BUCKET}", "--run-id", "{RUN_ID}"]
            if step == "importer":
                argv += ["--input", "file://{ROOT / 'spark' / 'data' / 'sample.csv'}"]
            module = importlib.import_module("zenml_spark_steps." + step)
            # Each step makes and stops its own session, as the step Job does (common.get_session, which
            # creates the event-log directory in the empty bucket): one application, one event log, per step.
            spark = get_session("zenml-spark-" + step + "-{RUN_ID}")
            ids[step] = spark.sparkContext.applicationId
            code = module.main(argv, spark=spark)
            spark.stop()
            if code != 0:
                sys.exit(code)
        print("APP_IDS " + json.dumps(ids))
        """
    )
    log = work / "steps.log"
    environ = {**os.environ, "PYSPARK_SUBMIT_ARGS": submit_args}
    started = time.monotonic()
    with open(log, "w") as out:
        proc = subprocess.Popen([sys.executable, "-c", driver], stdout=out, stderr=subprocess.STDOUT, env=environ)
        try:
            code = proc.wait(STEPS_TIMEOUT_SECONDS)
        except subprocess.TimeoutExpired:
            stop(proc)
            raise AssertionError(f"the steps did not finish within {STEPS_TIMEOUT_SECONDS} s; end of {log}:\n{log.read_text()[-3000:]}")
    text = log.read_text()
    assert code == 0, f"the steps failed (exit {code}); end of {log}:\n{text[-4000:]}"
    ids = json.loads(next(line for line in text.splitlines() if line.startswith("APP_IDS "))[len("APP_IDS ") :])
    objects = list_objects(moto, event_log.DEFAULT_PREFIX)
    return {"dir": directory, "ids": ids, "objects": objects, "seconds": time.monotonic() - started}


def main_accepts_a_session() -> None:
    # Guard: the test drives each step's main(argv, spark=...); a signature change must fail loudly here.
    import inspect

    from zenml_spark_steps import importer

    assert "spark" in inspect.signature(importer.main).parameters


def test_every_step_writes_a_rolling_event_log_under_the_prefix(event_logs):
    main_accepts_a_session()
    keys = [o["key"] for o in event_logs["objects"]]
    sizes: Dict[str, int] = {}
    for step, app_id in event_logs["ids"].items():
        # Rolling logs: a directory eventlog_v2_<appId>/ with events_<n>_<appId> files and an appstatus marker.
        mine = [o for o in event_logs["objects"] if f"/eventlog_v2_{app_id}/" in str(o["key"])]
        assert any(f"/events_1_{app_id}" in str(o["key"]) for o in mine), f"{step}: no event file in {keys}"
        assert any(str(o["key"]).endswith(f"/appstatus_{app_id}") for o in mine), f"{step}: not completed: {keys}"
        sizes[step] = sum(int(o["size"]) for o in mine)
    assert all(k.startswith(event_log.DEFAULT_PREFIX) for k in keys)
    total = sum(sizes.values())
    print(
        "\nhistory: event-log size per step (sample data): "
        + ", ".join(f"{s} {n / 1024:.0f} KiB" for s, n in sizes.items())
        + f"; total {total / 1024:.0f} KiB; five steps in {event_logs['seconds']:.0f} s"
    )
    rolling = event_log.event_log_conf("s3a://b/p/")["spark.eventLog.rolling.maxFileSize"]
    assert rolling == "128m" and max(sizes.values()) < 128 * 1024 * 1024  # one file per step on the sample


def test_the_history_server_lists_every_step_and_its_jobs(work: Path, moto: str, event_logs):
    pyspark_jars = Path(__import__("pyspark").__file__).parent / "jars"
    port = free_port()
    conf = {
        **event_log.history_server_conf(event_logs["dir"]),
        **s3a_test_conf(moto),
        "spark.history.ui.port": str(port),
        "spark.history.fs.update.interval": "1s",  # the test waits on the first listing, not 30 s
    }
    java = ["java", "-Xmx512m", f"-Djava.io.tmpdir={work}"]
    # The module openings Spark's launcher adds on Java 17 (JavaModuleOptions), for a plain `java` command.
    java += [f"--add-opens=java.base/{p}=ALL-UNNAMED" for p in ("java.lang", "java.nio", "java.util", "sun.nio.ch", "java.lang.invoke", "java.util.concurrent")]
    java += [f"-D{k}={v}" for k, v in conf.items()]
    java += ["-cp", f"{pyspark_jars}/*:{env('S3A_JARS')}", "org.apache.spark.deploy.history.HistoryServer"]
    log = work / "history-server.log"
    base = f"http://127.0.0.1:{port}/api/v1"
    with open(log, "w") as out:
        started = time.monotonic()
        proc = subprocess.Popen(java, stdout=out, stderr=subprocess.STDOUT)
    try:
        wait_until("history server up", proc, log, lambda: get_json(f"{base}/version"), START_TIMEOUT_SECONDS)
        up = time.monotonic() - started
        wanted = set(event_logs["ids"].values())

        def listed():
            apps = get_json(f"{base}/applications")
            return apps if wanted <= {a["id"] for a in apps} else None

        apps = wait_until("history server lists the five applications", proc, log, listed, START_TIMEOUT_SECONDS)
        listing = time.monotonic() - started
        by_id = {a["id"]: a for a in apps}
        for step, app_id in event_logs["ids"].items():
            app = by_id[app_id]
            assert app["name"] == f"zenml-spark-{step}-{RUN_ID}"
            assert app["attempts"][0]["completed"] is True
            jobs = get_json(f"{base}/applications/{app_id}/jobs")
            assert jobs, f"{step}: no jobs listed for {app_id}"
            assert {j["status"] for j in jobs} == {"SUCCEEDED"}, f"{step}: {[(j['jobId'], j['status']) for j in jobs]}"
        print(
            f"\nhistory: history server answered in {up:.1f} s and listed the 5 applications {listing:.1f} s after start "
            f"({sum(len(get_json(f'{base}/applications/{i}/jobs')) for i in wanted)} jobs)"
        )
    finally:
        stop(proc)


def test_the_init_containers_mkdir_creates_the_log_directory_in_an_empty_prefix(work: Path, moto: str):
    """What the chart's init container runs (k8s/spark-history-server-chart.ts ensureLogDirCommand):
    Hadoop's FsShell -mkdir -p through S3A, with an empty core-site.xml on the classpath (FsShell
    refuses to start without one), on a prefix nothing has written to yet."""
    conf_dir = work / "hadoop-conf"
    conf_dir.mkdir(exist_ok=True)
    (conf_dir / "core-site.xml").write_text("<configuration/>\n")
    pyspark_jars = Path(__import__("pyspark").__file__).parent / "jars"
    s3a = {k[len("spark.hadoop.") :]: v for k, v in s3a_test_conf(moto).items()}
    command = ["java", f"-Djava.io.tmpdir={work}", "-cp", f"{conf_dir}:{pyspark_jars}/*:{env('S3A_JARS')}"]
    command += ["org.apache.hadoop.fs.FsShell", *[a for k, v in s3a.items() for a in ("-D", f"{k}={v}")]]
    command += ["-mkdir", "-p", f"s3a://{BUCKET}/fresh-prefix/"]
    res = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert res.returncode == 0, res.stderr[-3000:]
    assert [o["key"] for o in list_objects(moto, "fresh-prefix/")] == ["fresh-prefix/"]
