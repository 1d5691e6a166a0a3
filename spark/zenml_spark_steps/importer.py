"""Step 1: read the CSV dataset (header; feature_* columns, numeric category, numeric label)."""

from __future__ import annotations

import sys

from pyspark.sql import DataFrame, SparkSession

from zenml_spark_steps.common import (
    CATEGORY_COLUMN,
    LABEL_COLUMN,
    RunPaths,
    StepError,
    base_parser,
    feature_columns,
    run_main,
)

# The image ships the sample dataset at this path on every pod, so it works with executors too.
DEFAULT_INPUT = "file:///opt/zenml-spark/data/sample.csv"


def check_schema(df: DataFrame) -> list[str]:
    features = feature_columns(df.columns)
    missing = [c for c in (CATEGORY_COLUMN, LABEL_COLUMN) if c not in df.columns]
    if missing or not features:
        wanted = ", ".join(missing + ([] if features else ["feature_* (at least one)"]))
        raise StepError(f"the input lacks column(s) {wanted}; it has {', '.join(df.columns) or 'none'}")
    non_numeric = [
        f.name
        for f in df.schema.fields
        if f.name in (*features, CATEGORY_COLUMN, LABEL_COLUMN)
        and f.dataType.typeName() not in ("integer", "long", "double", "float", "short", "decimal")
    ]
    if non_numeric:
        raise StepError(f"column(s) {', '.join(non_numeric)} are not numeric in the input")
    return features


def load_dataset(spark: SparkSession, input_uri: str = DEFAULT_INPUT) -> DataFrame:
    """The input CSV as a DataFrame, checked: the step logic the Job and the ZenML step share.

    Args:
        spark: the session (local, or a client-mode driver on Kubernetes).
        input_uri: a CSV with a header row (``file://``, ``s3a://``...), readable by driver and executors.

    Returns:
        The rows with inferred column types (lazy: nothing is read beyond the schema and one row).

    Raises:
        StepError: a required column is missing or not numeric, or the file has a header but no rows.
    """
    df = spark.read.option("header", True).option("inferSchema", True).csv(input_uri)
    # Before the schema: with no rows to infer from, every column is a string, and "not numeric"
    # would hide the real problem. isEmpty() reads at most one row, not the whole input.
    if df.isEmpty():
        raise StepError(f"the input {input_uri} has a header but no rows")
    check_schema(df)
    return df


def run(spark: SparkSession, paths: RunPaths, input_uri: str = DEFAULT_INPUT) -> dict:
    df = load_dataset(spark, input_uri)
    df.write.mode("overwrite").parquet(paths.dataset)
    rows = spark.read.parquet(paths.dataset).count()
    return {"rows": rows, "features": feature_columns(df.columns), "output": paths.dataset}


def main(argv: list[str] | None = None, spark: SparkSession | None = None) -> int:
    parser = base_parser("importer", __doc__)
    parser.add_argument("--input", default=DEFAULT_INPUT, help=f"CSV with a header (default {DEFAULT_INPUT})")
    return run_main("importer", parser, lambda s, p, a: run(s, p, a.input), argv, spark)


if __name__ == "__main__":
    sys.exit(main())
