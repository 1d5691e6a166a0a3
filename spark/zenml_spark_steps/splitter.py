"""Step 3: seeded randomSplit of the dataset into train/test/eval (0.7/0.2/0.1)."""

from __future__ import annotations

import sys

from pyspark.sql import DataFrame, SparkSession

from zenml_spark_steps.common import DEFAULT_SEED, SPLIT_WEIGHTS, SPLITS, RunPaths, base_parser, run_main


def split(dataset: DataFrame, seed: int = DEFAULT_SEED) -> dict[str, DataFrame]:
    """Seeded randomSplit into SPLITS (train, test, eval) with SPLIT_WEIGHTS (0.7, 0.2, 0.1).

    The same input (same rows in the same partitions, e.g. read back from the same Parquet files)
    and seed give the same split, and every row lands in exactly one part.
    """
    return dict(zip(SPLITS, dataset.randomSplit(list(SPLIT_WEIGHTS), seed=seed)))


def run(spark: SparkSession, paths: RunPaths, seed: int = DEFAULT_SEED) -> dict:
    counts = {}
    for name, part in split(spark.read.parquet(paths.dataset), seed).items():
        part.write.mode("overwrite").parquet(paths.split(name))
        counts[name] = spark.read.parquet(paths.split(name)).count()
    return {"counts": counts, "seed": seed, "output": paths.step("splitter")}


def main(argv: list[str] | None = None, spark: SparkSession | None = None) -> int:
    parser = base_parser("splitter", __doc__)
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    return run_main("splitter", parser, lambda s, p, a: run(s, p, a.seed), argv, spark)


if __name__ == "__main__":
    sys.exit(main())
