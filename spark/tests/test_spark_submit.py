"""spark-submit in client mode (the Job design) exits non-zero when the step fails: the property the
Kubernetes Jobs rely on, since cluster mode would exit 0 (SPARK-26365). Runs pyspark's own
spark-submit on a local master; each run starts a JVM (~20 s on 2 cores)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pyspark

from conftest import SAMPLE_CSV, SPARK_DIR

SPARK_SUBMIT = Path(pyspark.__file__).parent / "bin" / "spark-submit"
TIMEOUT_SECONDS = 240


def spark_submit(*args: str) -> subprocess.CompletedProcess:
    cmd = [
        str(SPARK_SUBMIT),
        "--master",
        "local[1]",
        "--deploy-mode",
        "client",
        "--conf",
        "spark.ui.enabled=false",
        "--conf",
        "spark.ui.showConsoleProgress=false",
        str(SPARK_DIR / "run_step.py"),
        *args,
    ]
    env = {**os.environ, "PYSPARK_PYTHON": sys.executable, "PYSPARK_DRIVER_PYTHON": sys.executable}
    return subprocess.run(cmd, capture_output=True, text=True, timeout=TIMEOUT_SECONDS, env=env, cwd=SPARK_DIR)


def test_spark_submit_runs_a_step_and_exits_zero(tmp_path):
    result = spark_submit(
        "importer", "--artifact-root", tmp_path.as_uri(), "--run-id", "submit-ok", "--input", SAMPLE_CSV.as_uri()
    )
    assert result.returncode == 0, result.stderr[-2000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["step"] == "importer" and report["rows"] == 600
    assert (tmp_path / "runs" / "submit-ok" / "importer" / "dataset" / "_SUCCESS").exists()


def test_spark_submit_exits_non_zero_when_the_step_fails(tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text("feature_0,category\n1.0,0\n", encoding="utf-8")
    result = spark_submit("importer", "--artifact-root", tmp_path.as_uri(), "--run-id", "submit-bad", "--input", bad.as_uri())
    assert result.returncode == 1
    # PythonRunner merges the Python driver's stderr into spark-submit's stdout.
    assert "importer: the input lacks column(s) label" in result.stdout


def test_run_step_rejects_an_unknown_step():
    result = subprocess.run(
        [sys.executable, str(SPARK_DIR / "run_step.py"), "evaluator"], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert "one of importer, statistics, splitter, transformer, trainer; got 'evaluator'" in result.stderr
