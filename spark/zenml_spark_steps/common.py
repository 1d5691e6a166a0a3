"""What the five step programs share: where each step's outputs live, the CLI, the session.

Every step reads its inputs from the previous steps' outputs under
``<artifact-root>/runs/<run-id>/<step>/`` and writes its own there, so a step can be retried
(outputs are overwritten) and a run can be inspected step by step.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
import time
from dataclasses import dataclass
from typing import Callable, Sequence

# In run order; the same list as PIPELINE_STEPS in lib/settings/pipeline.ts (tests/test_contract.py).
STEPS = ("importer", "statistics", "splitter", "transformer", "trainer")

SPLITS = ("train", "test", "eval")
SPLIT_WEIGHTS = (0.7, 0.2, 0.1)
DEFAULT_SEED = 42

# Same rule as RUN_ID_PATTERN in lib/settings/pipeline.ts (tests/test_contract.py holds the two to
# contract.json): the run id becomes part of Kubernetes names and labels.
RUN_ID_PATTERN = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$")

FEATURE_PREFIX = "feature_"
CATEGORY_COLUMN = "category"
LABEL_COLUMN = "label"


class StepError(Exception):
    """A problem with a step's input that the user must fix; main() prints it and exits 1."""


def validate_run_id(run_id: str) -> str:
    if not RUN_ID_PATTERN.match(run_id):
        raise StepError(
            f"--run-id={run_id!r}: use 1-24 characters of a-z, 0-9 and '-', starting and ending with a "
            "letter or digit (it becomes part of Kubernetes object names and S3 keys)"
        )
    return run_id


@dataclass(frozen=True)
class RunPaths:
    """Output locations of one run; ``root`` is e.g. ``s3a://bucket`` or ``file:///tmp/x``."""

    root: str
    run_id: str

    def __post_init__(self) -> None:
        validate_run_id(self.run_id)
        if not re.match(r"^[a-z][a-z0-9+.-]*://", self.root):
            raise StepError(f"--artifact-root={self.root!r}: expected a URI such as s3a://bucket or file:///tmp/x")

    @property
    def run(self) -> str:
        return f"{self.root.rstrip('/')}/runs/{self.run_id}"

    def step(self, step: str) -> str:
        if step not in STEPS:
            raise ValueError(f"unknown step {step!r}; steps are {', '.join(STEPS)}")
        return f"{self.run}/{step}"

    # The contract between steps: one property per artifact a later step reads.
    @property
    def dataset(self) -> str:
        return f"{self.step('importer')}/dataset"

    @property
    def summary(self) -> str:
        return f"{self.step('statistics')}/summary"

    def split(self, name: str) -> str:
        return f"{self.step('splitter')}/{name}"

    def transformed(self, name: str) -> str:
        return f"{self.step('transformer')}/{name}"

    @property
    def transformer_model(self) -> str:
        return f"{self.step('transformer')}/model"

    @property
    def classifier_model(self) -> str:
        return f"{self.step('trainer')}/model"

    @property
    def metrics(self) -> str:
        return f"{self.step('trainer')}/metrics"


def feature_columns(columns: Sequence[str]) -> list[str]:
    """The feature_* columns in natural order (feature_2 before feature_10)."""

    def key(name: str) -> tuple[int, str]:
        suffix = name[len(FEATURE_PREFIX) :]
        return (int(suffix), "") if suffix.isdigit() else (sys.maxsize, suffix)

    return sorted((c for c in columns if c.startswith(FEATURE_PREFIX)), key=key)


def base_parser(step: str, description: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=step, description=description)
    parser.add_argument("--artifact-root", required=True, help="e.g. s3a://<bucket> (outputs go to <root>/runs/<run-id>/)")
    parser.add_argument("--run-id", required=True, help="run id: 1-24 of a-z, 0-9, '-'")
    return parser


def get_session(app_name: str):
    # Imported here so `--help` and argument errors do not start a JVM.
    from pyspark import SparkConf, SparkContext
    from pyspark.sql import SparkSession

    from zenml_spark_steps.event_log import ensure_log_dir

    # spark-submit's settings (JVM system properties) are what the context will see.
    SparkContext._ensure_initialized()
    ensure_log_dir(dict(SparkConf().getAll()))
    return SparkSession.builder.appName(app_name).getOrCreate()


def run_main(
    step: str,
    parser: argparse.ArgumentParser,
    body: Callable[[object, RunPaths, argparse.Namespace], dict],
    argv: Sequence[str] | None,
    spark=None,
) -> int:
    """Parses arguments, runs ``body`` and prints one JSON result line.

    Returns the process exit code. With ``spark`` given (tests), the session is reused and not
    stopped. Any failure propagates as a non-zero exit of the Python driver, which spark-submit in
    client mode passes on, so the Kubernetes Job fails too.
    """
    args = parser.parse_args(argv)
    try:
        paths = RunPaths(args.artifact_root, args.run_id)
    except StepError as err:
        parser.error(str(err))
    own_session = spark is None
    session = spark if spark is not None else get_session(f"zenml-spark-{step}-{args.run_id}")
    started = time.monotonic()
    try:
        result = body(session, paths, args)
    except StepError as err:
        print(f"{step}: {err}", file=sys.stderr)
        return 1
    finally:
        if own_session:
            session.stop()
    print(json.dumps({"step": step, "run_id": args.run_id, "seconds": round(time.monotonic() - started, 1), **result}))
    return 0
