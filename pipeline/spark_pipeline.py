"""The reference pipeline: importer -> statistics -> splitter -> transformer -> trainer, on Spark.

ZenML's spark_distributed_programming example, rebuilt on this project: every step runs on the
stack's `spark-eks` step operator (its pod is the step's Spark driver on EKS), Spark DataFrames and
MLlib models pass between steps as ZenML artifacts (Parquet and Spark ML directories under the S3
artifact store, written by Spark through S3A with the pods' Pod Identity credentials), and the Spark
logic is the one the Kubernetes step Jobs run: spark/zenml_spark_steps, called here as functions.

Per-step Spark sizes are the Jobs' (lib/settings/sizing.ts STEP_RESOURCES, through sizing.py), checked
against the node type before the run starts.
"""

from __future__ import annotations

import sys
from dataclasses import asdict
from pathlib import Path
from typing import Annotated, Dict, Tuple

# The step programs live in spark/ (one copy of the Spark logic). In the step image they are on
# sys.path already (/opt/zenml-spark); from a checkout, the sibling directory is used.
_SPARK_DIR = Path(__file__).resolve().parent.parent / "spark"
if (_SPARK_DIR / "zenml_spark_steps").is_dir() and str(_SPARK_DIR) not in sys.path:
    sys.path.append(str(_SPARK_DIR))

from pyspark.ml import PipelineModel  # noqa: E402
from pyspark.ml.classification import RandomForestClassificationModel  # noqa: E402
from pyspark.sql import DataFrame  # noqa: E402
from zenml import pipeline, step  # noqa: E402
from zenml_spark_steps import importer as importer_logic  # noqa: E402
from zenml_spark_steps import splitter as splitter_logic  # noqa: E402
from zenml_spark_steps import statistics as statistics_logic  # noqa: E402
from zenml_spark_steps import trainer as trainer_logic  # noqa: E402
from zenml_spark_steps import transformer as transformer_logic  # noqa: E402
from zenml_spark_steps.common import DEFAULT_SEED  # noqa: E402

from zenml_spark_eks.materializers import SparkDataFrameMaterializer, SparkMLMaterializer  # noqa: E402
from zenml_spark_eks.session import get_spark_session  # noqa: E402
from zenml_spark_eks.sizing import STEP_RESOURCES  # noqa: E402

# The sample dataset inside the step image (spark/data/sample.csv), readable by driver and executors.
DEFAULT_INPUT = importer_logic.DEFAULT_INPUT


def spark_settings(step_name: str) -> dict:
    """The step's Spark sizes as spark-eks step-operator settings (the same as its Kubernetes Job's)."""
    return {"step_operator": asdict(STEP_RESOURCES[step_name])}


@step(step_operator=True, output_materializers=SparkDataFrameMaterializer, settings=spark_settings("importer"))
def importer(input_uri: str = DEFAULT_INPUT) -> Annotated[DataFrame, "dataset"]:
    """Reads the CSV (header, inferred types) and checks its columns. Raises StepError on bad input."""
    return importer_logic.load_dataset(get_spark_session(), input_uri)


@step(step_operator=True, output_materializers=SparkDataFrameMaterializer, settings=spark_settings("statistics"))
def statistics(dataset: DataFrame) -> Annotated[DataFrame, "summary"]:
    """describe() of every column: count, mean, stddev, min, max (one row each)."""
    summary = statistics_logic.summarize(dataset)
    print(f"statistics: {statistics_logic.summary_rows(summary)}")
    return summary


# One materializer per output, named in a dict: given one class for several outputs, ZenML 0.98 orders
# the outputs by iterating a set (steps/base_step.py), so the cache key differs from process to
# process and the step is never served from the cache (tests/test_upstream_faults.py).
SPLITS_MATERIALIZERS = {name: SparkDataFrameMaterializer for name in ("train", "test", "eval")}


@step(step_operator=True, output_materializers=SPLITS_MATERIALIZERS, settings=spark_settings("splitter"))
def splitter(
    dataset: DataFrame, seed: int = DEFAULT_SEED
) -> Tuple[Annotated[DataFrame, "train"], Annotated[DataFrame, "test"], Annotated[DataFrame, "eval"]]:
    """Seeded 0.7/0.2/0.1 split."""
    parts = splitter_logic.split(dataset, seed)
    return parts["train"], parts["test"], parts["eval"]


@step(
    step_operator=True,
    output_materializers={
        "transformer_model": SparkMLMaterializer,
        "train_features": SparkDataFrameMaterializer,
        "test_features": SparkDataFrameMaterializer,
        "eval_features": SparkDataFrameMaterializer,
    },
    settings=spark_settings("transformer"),
)
def transformer(
    train: DataFrame, test: DataFrame, evaluation: DataFrame
) -> Tuple[
    Annotated[PipelineModel, "transformer_model"],
    Annotated[DataFrame, "train_features"],
    Annotated[DataFrame, "test_features"],
    Annotated[DataFrame, "eval_features"],
]:
    """Fits VectorAssembler -> StandardScaler -> OneHotEncoder -> VectorAssembler on train; applies it to all three."""
    model = transformer_logic.fit(train)
    return (
        model,
        transformer_logic.transform(model, train),
        transformer_logic.transform(model, test),
        transformer_logic.transform(model, evaluation),
    )


@step(
    step_operator=True,
    output_materializers={"model": SparkMLMaterializer},
    settings=spark_settings("trainer"),
)
def trainer(
    train_features: DataFrame,
    eval_features: DataFrame,
    seed: int = DEFAULT_SEED,
    min_accuracy: float = 0.0,
) -> Tuple[Annotated[RandomForestClassificationModel, "model"], Annotated[Dict[str, float], "metrics"]]:
    """RandomForestClassifier (10 trees) on train; accuracy on eval. Raises StepError below min_accuracy."""
    model = trainer_logic.train(train_features, seed)
    metrics = trainer_logic.evaluate(model, eval_features)
    print(f"trainer: {metrics}")
    trainer_logic.check_min_accuracy(metrics, min_accuracy)
    return model, metrics


@pipeline
def spark_pipeline(input_uri: str = DEFAULT_INPUT, seed: int = DEFAULT_SEED, min_accuracy: float = 0.0) -> None:
    """The five steps; the statistics step is a side branch, as in the reference example."""
    dataset = importer(input_uri=input_uri)
    statistics(dataset)
    train, test, evaluation = splitter(dataset, seed=seed)
    _, train_features, _, eval_features = transformer(train, test, evaluation)
    trainer(train_features, eval_features, seed=seed, min_accuracy=min_accuracy)
