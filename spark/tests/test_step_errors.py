"""Bad input fails a step with one clear message (and a non-zero exit code, which fails the Job)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from zenml_spark_steps import importer, trainer
from zenml_spark_steps.importer import check_schema
from zenml_spark_steps.common import RunPaths, StepError, feature_columns, validate_run_id


def write_csv(path, text: str) -> str:
    path.write_text(text, encoding="utf-8")
    return path.as_uri()


def test_importer_names_the_missing_columns(spark, tmp_path, capsys):
    uri = write_csv(tmp_path / "no-label.csv", "feature_0,feature_1,category\n1.0,2.0,0\n")
    code = importer.main(["--artifact-root", tmp_path.as_uri(), "--run-id", "r1", "--input", uri], spark=spark)
    assert code == 1
    err = capsys.readouterr().err
    assert "lacks column(s) label" in err and "it has feature_0, feature_1, category" in err


def test_importer_rejects_non_numeric_columns(spark, tmp_path):
    uri = write_csv(tmp_path / "text.csv", "feature_0,category,label\n1.0,red,1\n2.0,blue,0\n")
    with pytest.raises(StepError, match="column\\(s\\) category are not numeric"):
        importer.run(spark, RunPaths(tmp_path.as_uri(), "r2"), uri)


def test_importer_rejects_a_header_without_rows(spark, tmp_path):
    uri = write_csv(tmp_path / "empty.csv", "feature_0,category,label\n")
    with pytest.raises(StepError, match=f"the input {uri} has a header but no rows"):
        importer.run(spark, RunPaths(tmp_path.as_uri(), "r3"), uri)


def frame(spark, schema: str, row: tuple):
    return spark.createDataFrame([row], schema)


def test_importer_accepts_every_numeric_type_and_ignores_other_columns(spark):
    # Not only what CSV inference gives: the ZenML step checks DataFrames from anywhere.
    df = frame(
        spark,
        "feature_1 short, feature_0 float, feature_2 decimal(10,2), feature_3 long, category integer, label double, note string",
        (1, 2.0, Decimal("3"), 4, 0, 1.0, "a free-text column no step reads"),
    )
    assert check_schema(df) == ["feature_0", "feature_1", "feature_2", "feature_3"]


@pytest.mark.parametrize(
    ("schema", "row", "message"),
    [
        ("note string", ("x",), "the input lacks column(s) category, label, feature_* (at least one); it has note"),
        ("category int, label int", (0, 1), "the input lacks column(s) feature_* (at least one); it has category, label"),
        ("feature_0 double, category string, label string", (1.0, "a", "b"), "column(s) category, label are not numeric"),
    ],
    ids=["nothing-needed", "no-features", "two-non-numeric"],
)
def test_importer_names_every_column_it_lacks_or_cannot_use(spark, schema, row, message):
    with pytest.raises(StepError) as error:
        check_schema(frame(spark, schema, row))
    assert str(error.value).startswith(message)


def test_importer_says_none_for_an_input_without_columns(spark):
    with pytest.raises(StepError, match="; it has none$"):
        check_schema(spark.createDataFrame([], "struct<>"))


def test_min_accuracy_is_a_floor_the_accuracy_may_equal():
    trainer.check_min_accuracy({"eval_accuracy": 0.8}, 0.8)
    with pytest.raises(StepError) as error:
        trainer.check_min_accuracy({"eval_accuracy": 0.79}, 0.8)
    assert str(error.value) == "eval accuracy 0.790 is below --min-accuracy=0.8"


def test_trainer_fails_below_min_accuracy_after_saving_its_metrics(spark, tmp_path, sample_uri):
    from zenml_spark_steps import splitter, transformer

    paths = RunPaths(tmp_path.as_uri(), "r4")
    importer.run(spark, paths, sample_uri)
    splitter.run(spark, paths)
    transformer.run(spark, paths)
    with pytest.raises(StepError, match="below --min-accuracy=1.01"):
        trainer.run(spark, paths, min_accuracy=1.01)
    assert spark.read.json(paths.metrics).count() == 1


@pytest.mark.parametrize("run_id", ["", "Upper", "-lead", "trail-", "under_score", "x" * 25])
def test_run_id_rule(run_id):
    with pytest.raises(StepError, match="--run-id="):
        validate_run_id(run_id)


def test_run_id_rule_accepts_dns_labels():
    assert validate_run_id("a") == "a"
    assert validate_run_id("run-2026-11-24") == "run-2026-11-24"


def test_cli_reports_a_bad_run_id_as_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exit_info:
        importer.main(["--artifact-root", "s3a://bucket", "--run-id", "Bad_Id"])
    assert exit_info.value.code == 2
    assert "--run-id='Bad_Id'" in capsys.readouterr().err


def test_cli_rejects_an_artifact_root_that_is_not_a_uri(capsys):
    with pytest.raises(SystemExit):
        importer.main(["--artifact-root", "my-bucket", "--run-id", "r"])
    assert "--artifact-root='my-bucket'" in capsys.readouterr().err


def test_paths_follow_the_runs_layout():
    paths = RunPaths("s3a://bucket/", "r9")
    assert paths.dataset == "s3a://bucket/runs/r9/importer/dataset"
    assert paths.split("test") == "s3a://bucket/runs/r9/splitter/test"
    assert paths.transformer_model == "s3a://bucket/runs/r9/transformer/model"
    with pytest.raises(ValueError, match="unknown step"):
        paths.step("evaluator")


def test_feature_columns_sort_naturally():
    assert feature_columns(["label", "feature_10", "feature_2", "category", "feature_x"]) == [
        "feature_2",
        "feature_10",
        "feature_x",
    ]
