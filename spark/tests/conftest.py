"""One local SparkSession for the whole test session: starting the JVM costs ~15 s on 2 cores."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

SPARK_DIR = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(SPARK_DIR))

# Loopback only: the tests never need another address, and hostname lookups slow the JVM start.
os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
os.environ["PYSPARK_PYTHON"] = sys.executable
os.environ["PYSPARK_DRIVER_PYTHON"] = sys.executable

SAMPLE_CSV = SPARK_DIR / "data" / "sample.csv"


def stop_a_context_left_in_a_shared_jvm() -> None:
    """Stops a SparkContext that another process left running in this process's JVM.

    mutmut runs each mutant's tests in a process forked from one that has already started Spark's
    JVM (its stats and clean runs), so those runs share the JVM. A run stopped at its time limit
    leaves its context running there, and every later run would then fail to start one ("Only one
    SparkContext should be running in this JVM"): each later mutant would count as killed.
    """
    from pyspark import SparkContext

    if SparkContext._gateway is None or SparkContext._active_spark_context is not None:
        return
    # The Scala companion object's getActive (package-private in Scala, public to the JVM).
    companion = getattr(getattr(SparkContext._jvm.org.apache.spark, "SparkContext$"), "MODULE$")
    leftover = companion.getActive()
    if leftover.isDefined():
        leftover.get().stop()


@pytest.fixture(scope="session")
def spark():
    """The shared local[2] SparkSession; ZSE_TEST_SPARK_DRIVER_MEMORY (default 1g) sizes its JVM.

    mutmut raises it: every mutant's forked run leaves its Java objects in the one JVM (a killed
    child never releases them), and at 1g the JVM ran out of heap after ~10 minutes of mutants.
    """
    from pyspark.sql import SparkSession

    stop_a_context_left_in_a_shared_jvm()
    session = (
        SparkSession.builder.master("local[2]")
        .appName("zenml-spark-steps-tests")
        .config("spark.sql.shuffle.partitions", "2")
        .config("spark.default.parallelism", "2")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", os.environ.get("ZSE_TEST_SPARK_DRIVER_MEMORY", "1g"))
        .getOrCreate()
    )
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="session")
def sample_uri() -> str:
    return SAMPLE_CSV.as_uri()

VERSIONS_FILE = SPARK_DIR / "versions.env"


def read_versions(path: Path = VERSIONS_FILE) -> dict[str, str]:
    """KEY=value lines of spark/versions.env (comments and blank lines skipped)."""
    values = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, sep, value = line.partition("=")
        if not sep or not key.isidentifier():
            raise ValueError(f"{path}:{number}: expected KEY=value, got {line!r}")
        values[key] = value
    return values
