"""Step 5: RandomForestClassifier (10 trees) on the transformed train split; accuracy on eval."""

from __future__ import annotations

import sys

from pyspark.ml.classification import RandomForestClassificationModel, RandomForestClassifier
from pyspark.ml.evaluation import MulticlassClassificationEvaluator
from pyspark.sql import DataFrame, Row, SparkSession

from zenml_spark_steps.common import DEFAULT_SEED, LABEL_COLUMN, RunPaths, StepError, base_parser, run_main
from zenml_spark_steps.transformer import FEATURES_COLUMN

NUM_TREES = 10


def accuracy(model: RandomForestClassificationModel, df) -> float:
    evaluator = MulticlassClassificationEvaluator(labelCol=LABEL_COLUMN, metricName="accuracy")
    return float(evaluator.evaluate(model.transform(df)))


def train(train_features: DataFrame, seed: int = DEFAULT_SEED) -> RandomForestClassificationModel:
    """A RandomForestClassifier (NUM_TREES trees, seeded) fitted on ``features``/``label`` (the transformer's output)."""
    classifier = RandomForestClassifier(
        featuresCol=FEATURES_COLUMN, labelCol=LABEL_COLUMN, numTrees=NUM_TREES, seed=seed
    )
    return classifier.fit(train_features)


def evaluate(model: RandomForestClassificationModel, evaluation: DataFrame) -> dict:
    """{"eval_accuracy": fraction 0-1, "eval_rows": count, "num_trees": NUM_TREES} on a transformed split."""
    return {"eval_accuracy": accuracy(model, evaluation), "eval_rows": evaluation.count(), "num_trees": NUM_TREES}


def check_min_accuracy(metrics: dict, min_accuracy: float) -> None:
    """The quality gate. Raises StepError when ``metrics["eval_accuracy"]`` is below ``min_accuracy`` (0-1)."""
    if metrics["eval_accuracy"] < min_accuracy:
        raise StepError(f"eval accuracy {metrics['eval_accuracy']:.3f} is below --min-accuracy={min_accuracy}")


def run(spark: SparkSession, paths: RunPaths, seed: int = DEFAULT_SEED, min_accuracy: float = 0.0) -> dict:
    evaluation = spark.read.parquet(paths.transformed("eval"))
    model = train(spark.read.parquet(paths.transformed("train")), seed)
    model.write().overwrite().save(paths.classifier_model)
    metrics = evaluate(model, evaluation)
    spark.createDataFrame([Row(**metrics)]).coalesce(1).write.mode("overwrite").json(paths.metrics)
    # A quality gate that fails the step (and so the Kubernetes Job), after saving what it measured.
    check_min_accuracy(metrics, min_accuracy)
    return {**metrics, "model": paths.classifier_model}


def load_model(paths: RunPaths) -> RandomForestClassificationModel:
    return RandomForestClassificationModel.load(paths.classifier_model)


def main(argv: list[str] | None = None, spark: SparkSession | None = None) -> int:
    parser = base_parser("trainer", __doc__)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--min-accuracy", type=float, default=0.0, help="fail the step below this eval accuracy")
    return run_main("trainer", parser, lambda s, p, a: run(s, p, a.seed, a.min_accuracy), argv, spark)


if __name__ == "__main__":
    sys.exit(main())
