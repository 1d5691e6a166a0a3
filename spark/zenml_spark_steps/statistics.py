"""Step 2: describe() summary (count, mean, stddev, min, max) of the imported dataset."""

from __future__ import annotations

import sys

from pyspark.sql import DataFrame, SparkSession

from zenml_spark_steps.common import RunPaths, base_parser, run_main


def summarize(dataset: DataFrame) -> DataFrame:
    """describe() of every column: one row per statistic (count, mean, stddev, min, max), values as strings."""
    return dataset.describe()


def summary_rows(summary: DataFrame) -> dict[str, dict[str, str]]:
    """The (small) summary collected as {statistic: {column: value}}."""
    return {r["summary"]: {k: v for k, v in r.asDict().items() if k != "summary"} for r in summary.collect()}


def run(spark: SparkSession, paths: RunPaths) -> dict:
    summary = summarize(spark.read.parquet(paths.dataset))
    summary.write.mode("overwrite").parquet(paths.summary)
    return {"summary": summary_rows(summary), "output": paths.summary}


def main(argv: list[str] | None = None, spark: SparkSession | None = None) -> int:
    parser = base_parser("statistics", __doc__)
    return run_main("statistics", parser, lambda s, p, a: run(s, p), argv, spark)


if __name__ == "__main__":
    sys.exit(main())
