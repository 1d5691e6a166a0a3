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


def run(spark: SparkSession, paths: RunPaths, input_uri: str = DEFAULT_INPUT) -> dict:
    df = spark.read.option("header", True).option("inferSchema", True).csv(input_uri)
    features = check_schema(df)
    df.write.mode("overwrite").parquet(paths.dataset)
    rows = spark.read.parquet(paths.dataset).count()
    if rows == 0:
        raise StepError(f"the input {input_uri} has a header but no rows")
    return {"rows": rows, "features": features, "output": paths.dataset}


def main(argv: list[str] | None = None, spark: SparkSession | None = None) -> int:
    parser = base_parser("importer", __doc__)
    parser.add_argument("--input", default=DEFAULT_INPUT, help=f"CSV with a header (default {DEFAULT_INPUT})")
    return run_main("importer", parser, lambda s, p, a: run(s, p, a.input), argv, spark)


if __name__ == "__main__":
    sys.exit(main())
