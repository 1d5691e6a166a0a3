"""Runs the five steps in sequence through their CLIs (main(argv)) on the committed sample data,
then checks each step's real outputs."""

from __future__ import annotations

import contextlib
import csv
import io
import json

import pytest

from zenml_spark_steps import importer, splitter, statistics, trainer, transformer
from zenml_spark_steps.common import SPLITS, RunPaths

from conftest import SAMPLE_CSV

RUN_ID = "test-run-1"
ACCURACY_FLOOR = 0.8


def sample_rows(sample_path) -> list[dict]:
    with open(sample_path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


@pytest.fixture(scope="module")
def run(spark, sample_uri, tmp_path_factory):
    root = tmp_path_factory.mktemp("artifacts").as_uri()
    paths = RunPaths(root, RUN_ID)
    results = {}
    common = ["--artifact-root", root, "--run-id", RUN_ID]
    for name, module, extra in (
        ("importer", importer, ["--input", sample_uri]),
        ("statistics", statistics, []),
        ("splitter", splitter, []),
        ("transformer", transformer, []),
        ("trainer", trainer, ["--min-accuracy", str(ACCURACY_FLOOR)]),
    ):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = module.main([*common, *extra], spark=spark)
        assert code == 0, f"{name} exited {code}"
        # Each step prints one JSON result line last.
        results[name] = json.loads(out.getvalue().strip().splitlines()[-1])
    return paths, results


def test_importer_reads_every_row_with_numeric_columns(spark, run):
    paths, results = run
    expected = sample_rows(SAMPLE_CSV)
    df = spark.read.parquet(paths.dataset)
    assert results["importer"]["rows"] == len(expected) == df.count()
    assert results["importer"]["features"] == [f"feature_{i}" for i in range(5)]
    types = dict(df.dtypes)
    assert types["category"] == "int" and types["label"] == "int"
    assert all(types[f"feature_{i}"] == "double" for i in range(5))
    assert df.filter("label = 1").count() == sum(1 for r in expected if r["label"] == "1")


def test_statistics_describes_every_column(spark, run):
    paths, results = run
    summary = results["statistics"]["summary"]
    assert set(summary) == {"count", "mean", "stddev", "min", "max"}
    assert summary["count"]["label"] == "600"
    # The generator draws features from N(0, 1): the sample's means and stddevs must look like it.
    for i in range(5):
        assert abs(float(summary["mean"][f"feature_{i}"])) < 0.2
        assert 0.8 < float(summary["stddev"][f"feature_{i}"]) < 1.2
    assert spark.read.parquet(paths.summary).count() == 5


def test_splitter_partitions_the_dataset_about_70_20_10(spark, run):
    paths, results = run
    counts = results["splitter"]["counts"]
    total = spark.read.parquet(paths.dataset).count()
    assert sum(counts.values()) == total
    for name, weight in zip(SPLITS, (0.7, 0.2, 0.1)):
        assert abs(counts[name] / total - weight) < 0.05, (name, counts)
    dataset = spark.read.parquet(paths.dataset)
    parts = [spark.read.parquet(paths.split(n)) for n in SPLITS]
    union = parts[0].unionByName(parts[1]).unionByName(parts[2])
    # Same multiset of rows: nothing lost, nothing duplicated.
    assert dataset.exceptAll(union).count() == 0 and union.exceptAll(dataset).count() == 0


def test_splitter_is_reproducible_with_its_seed(spark, run, tmp_path):
    paths, results = run
    again = RunPaths(tmp_path.as_uri(), "again")
    spark.read.parquet(paths.dataset).write.parquet(again.dataset)
    assert splitter.run(spark, again)["counts"] == results["splitter"]["counts"]
    assert splitter.run(spark, again, seed=7)["counts"] != results["splitter"]["counts"]


def test_transformer_outputs_one_features_vector_and_an_int_label(spark, run):
    paths, results = run
    # 5 scaled features + one-hot of 4 categories (3 slots with dropLast) + 1 "keep" slot for unseen ones.
    assert results["transformer"]["feature_vector_size"] == 5 + 3 + 1
    for name in SPLITS:
        df = spark.read.parquet(paths.transformed(name))
        assert [(f.name, f.dataType.typeName()) for f in df.schema.fields] == [("features", "vectorudt"), ("label", "integer")]
        assert df.count() == results["splitter"]["counts"][name]


def test_transformer_model_loads_back_and_scales_the_train_split(spark, run):
    paths, _ = run
    model = transformer.load_model(paths)
    assert [type(s).__name__ for s in model.stages] == [
        "VectorAssembler",
        "StandardScalerModel",
        "OneHotEncoderModel",
        "VectorAssembler",
    ]
    train = transformer.cast_columns(spark.read.parquet(paths.split("train")))
    scaled = model.transform(train).select("scaled_features").collect()
    # StandardScaler (withStd) gives every feature unit variance on the data it was fitted on.
    import numpy as np

    matrix = np.array([row["scaled_features"].toArray() for row in scaled])
    assert np.allclose(matrix.std(axis=0, ddof=1), 1.0, atol=1e-6)


def test_trainer_model_loads_back_and_beats_the_accuracy_floor(spark, run):
    paths, results = run
    assert results["trainer"]["eval_accuracy"] >= ACCURACY_FLOOR
    assert results["trainer"]["num_trees"] == 10
    model = trainer.load_model(paths)
    assert model.getNumTrees == 10
    evaluation = spark.read.parquet(paths.transformed("eval"))
    assert trainer.accuracy(model, evaluation) == pytest.approx(results["trainer"]["eval_accuracy"])
    metrics = spark.read.json(paths.metrics).first()
    assert metrics["eval_accuracy"] == pytest.approx(results["trainer"]["eval_accuracy"])


def test_outputs_follow_the_runs_layout(run):
    paths, _ = run
    assert paths.dataset.endswith(f"/runs/{RUN_ID}/importer/dataset")
    assert paths.classifier_model.endswith(f"/runs/{RUN_ID}/trainer/model")
    assert paths.split("eval").endswith(f"/runs/{RUN_ID}/splitter/eval")
