"""Step 4: cast columns, then VectorAssembler(feature_*) -> StandardScaler -> OneHotEncoder(category)
-> VectorAssembler into one `features` column. Fitted on train, applied to train/test/eval."""

from __future__ import annotations

import sys

from pyspark.ml import Pipeline, PipelineModel
from pyspark.ml.feature import OneHotEncoder, StandardScaler, VectorAssembler
from pyspark.sql import DataFrame, SparkSession
from pyspark.sql import functions as F

from zenml_spark_steps.common import CATEGORY_COLUMN, LABEL_COLUMN, SPLITS, RunPaths, base_parser, feature_columns, run_main

FEATURES_COLUMN = "features"


def cast_columns(df: DataFrame) -> DataFrame:
    features = feature_columns(df.columns)
    return df.select(
        *(F.col(c).cast("double").alias(c) for c in features),
        F.col(CATEGORY_COLUMN).cast("double").alias(CATEGORY_COLUMN),
        F.col(LABEL_COLUMN).cast("int").alias(LABEL_COLUMN),
    )


def build_pipeline(features: list[str]) -> Pipeline:
    return Pipeline(
        stages=[
            VectorAssembler(inputCols=features, outputCol="raw_features"),
            StandardScaler(inputCol="raw_features", outputCol="scaled_features"),
            # "keep": a category seen only in test/eval gets its own slot instead of failing the step.
            OneHotEncoder(inputCols=[CATEGORY_COLUMN], outputCols=["category_vector"], handleInvalid="keep"),
            VectorAssembler(inputCols=["scaled_features", "category_vector"], outputCol=FEATURES_COLUMN),
        ]
    )


def fit(train: DataFrame) -> PipelineModel:
    """The feature pipeline (build_pipeline) fitted on the cast train split."""
    return build_pipeline(feature_columns(train.columns)).fit(cast_columns(train))


def transform(model: PipelineModel, split: DataFrame) -> DataFrame:
    """One split cast and transformed: two columns, ``features`` (vector) and ``label`` (int)."""
    return model.transform(cast_columns(split)).select(FEATURES_COLUMN, LABEL_COLUMN)


def run(spark: SparkSession, paths: RunPaths) -> dict:
    splits = {name: spark.read.parquet(paths.split(name)) for name in SPLITS}
    model = fit(splits["train"])
    model.write().overwrite().save(paths.transformer_model)
    for name, df in splits.items():
        transform(model, df).write.mode("overwrite").parquet(paths.transformed(name))
    width = spark.read.parquet(paths.transformed("train")).first()[FEATURES_COLUMN].size
    return {"feature_vector_size": width, "model": paths.transformer_model, "output": paths.step("transformer")}


def load_model(paths: RunPaths) -> PipelineModel:
    return PipelineModel.load(paths.transformer_model)


def main(argv: list[str] | None = None, spark: SparkSession | None = None) -> int:
    parser = base_parser("transformer", __doc__)
    return run_main("transformer", parser, lambda s, p, a: run(s, p), argv, spark)


if __name__ == "__main__":
    sys.exit(main())
