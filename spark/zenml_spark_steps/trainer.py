"""Step 5: RandomForestClassifier (10 trees) on the transformed train split; accuracy on eval."""

from __future__ import annotations

import sys

from pyspark.ml.classification import RandomForestClassificationModel, RandomForestClassifier
from pyspark.ml.evaluation import MulticlassClassificationEvaluator
from pyspark.sql import Row, SparkSession

from zenml_spark_steps.common import DEFAULT_SEED, LABEL_COLUMN, RunPaths, StepError, base_parser, run_main
from zenml_spark_steps.transformer import FEATURES_COLUMN

NUM_TREES = 10


def accuracy(model: RandomForestClassificationModel, df) -> float:
    evaluator = MulticlassClassificationEvaluator(labelCol=LABEL_COLUMN, metricName="accuracy")
    return float(evaluator.evaluate(model.transform(df)))


def run(spark: SparkSession, paths: RunPaths, seed: int = DEFAULT_SEED, min_accuracy: float = 0.0) -> dict:
    train = spark.read.parquet(paths.transformed("train"))
    evaluation = spark.read.parquet(paths.transformed("eval"))
    classifier = RandomForestClassifier(
        featuresCol=FEATURES_COLUMN, labelCol=LABEL_COLUMN, numTrees=NUM_TREES, seed=seed
    )
    model = classifier.fit(train)
    model.write().overwrite().save(paths.classifier_model)
    eval_accuracy = accuracy(model, evaluation)
    metrics = {"eval_accuracy": eval_accuracy, "eval_rows": evaluation.count(), "num_trees": NUM_TREES}
    spark.createDataFrame([Row(**metrics)]).coalesce(1).write.mode("overwrite").json(paths.metrics)
    if eval_accuracy < min_accuracy:
        # A quality gate that fails the step (and so the Kubernetes Job), after saving what it measured.
        raise StepError(f"eval accuracy {eval_accuracy:.3f} is below --min-accuracy={min_accuracy}")
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
