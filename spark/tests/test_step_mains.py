"""Each step's main(argv, spark), the CLI the Kubernetes Jobs run through spark-submit, in process on
the shared local session: its flags and their defaults, the JSON line it prints, its exit code and
message, what it writes, that a retried step overwrites its outputs, and that it leaves the
caller's session running.

tests/test_spark_submit.py runs the same CLI through spark-submit; this file is what a mutation
tool sees (it cannot follow a child process)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from zenml_spark_steps import common, importer, splitter, statistics, trainer, transformer
from zenml_spark_steps.common import SPLITS, RunPaths

FEATURES = [f"feature_{i}" for i in range(5)]
SAMPLE_ROWS = 600


@pytest.fixture(scope="module")
def prepared(spark, sample_uri, tmp_path_factory) -> Path:
    """One run directory with the importer's, splitter's and transformer's outputs on the sample."""
    root = tmp_path_factory.mktemp("prepared")
    paths = RunPaths(root.as_uri(), "prepared")
    importer.run(spark, paths, sample_uri)
    splitter.run(spark, paths)
    transformer.run(spark, paths)
    yield root / "runs" / "prepared"
    shutil.rmtree(root, ignore_errors=True)


def fresh_run(prepared: Path, tmp_path: Path, run_id: str, *steps: str) -> RunPaths:
    """A run ``run_id`` under ``tmp_path`` holding copies of the prepared outputs of ``steps``."""
    for step in steps:
        shutil.copytree(prepared / step, tmp_path / "runs" / run_id / step)
    return RunPaths(tmp_path.as_uri(), run_id)


def cli(module, spark, capsys, paths: RunPaths, *extra: str) -> tuple[int, dict | None, str]:
    """Runs ``module.main`` on ``paths``; returns (exit code, the JSON result line or None, stderr)."""
    code = module.main(["--artifact-root", paths.root, "--run-id", paths.run_id, *extra], spark=spark)
    out, err = capsys.readouterr()
    # A step given a session uses it and leaves it running: the ZenML steps and these tests share one.
    assert spark.range(3).count() == 3
    return code, (json.loads(out.strip().splitlines()[-1]) if code == 0 else None), err


def assert_reports(result: dict, step: str, run_id: str) -> None:
    assert result["step"] == step and result["run_id"] == run_id
    assert isinstance(result["seconds"], float) and 0 <= result["seconds"] < 600
    assert result["seconds"] == round(result["seconds"], 1)


COMMON_HELP = [
    "--artifact-root ARTIFACT_ROOT",
    "e.g. s3a://<bucket> (outputs go to <root>/runs/<run-id>/)",
    "--run-id RUN_ID",
    "run id: 1-24 of a-z, 0-9, '-'",
]


@pytest.mark.parametrize(
    ("module", "expected"),
    [
        (
            importer,
            [
                "usage: importer ",
                "Step 1: read the CSV dataset (header;",
                "--input INPUT",
                "CSV with a header (default file:///opt/zenml-spark/data/sample.csv)",
            ],
        ),
        (statistics, ["usage: statistics ", "Step 2: describe() summary"]),
        (splitter, ["usage: splitter ", "Step 3: seeded randomSplit", "--seed SEED"]),
        (transformer, ["usage: transformer ", "Step 4: cast columns, then VectorAssembler"]),
        (
            trainer,
            [
                "usage: trainer ",
                "Step 5: RandomForestClassifier (10 trees)",
                "--seed SEED",
                "--min-accuracy MIN_ACCURACY fail the step below this eval accuracy",
            ],
        ),
    ],
    ids=lambda v: getattr(v, "__name__", "").rpartition(".")[2] or None,
)
def test_help_names_the_step_its_purpose_and_its_flags(module, expected, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "200")  # argparse wraps help at the terminal width, also inside words
    with pytest.raises(SystemExit) as exit_info:
        module.main(["--help"])
    assert exit_info.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for phrase in [*expected, *COMMON_HELP]:
        assert phrase in text, phrase


def test_artifact_root_and_run_id_are_required(capsys):
    with pytest.raises(SystemExit) as exit_info:
        statistics.main([])
    assert exit_info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: statistics ")
    assert "the following arguments are required: --artifact-root, --run-id" in err


def test_importer_main_writes_the_dataset_reports_it_and_a_retry_overwrites(spark, sample_uri, tmp_path, capsys):
    paths = RunPaths(tmp_path.as_uri(), "imp-main")
    for _attempt in (1, 2):  # a retry overwrites the dataset
        code, result, _ = cli(importer, spark, capsys, paths, "--input", sample_uri)
        assert code == 0
    assert_reports(result, "importer", "imp-main")
    assert (result["rows"], result["features"], result["output"]) == (SAMPLE_ROWS, FEATURES, paths.dataset)
    assert spark.read.parquet(paths.dataset).count() == SAMPLE_ROWS


def test_importer_main_reads_the_image_dataset_when_no_input_is_given(spark, tmp_path, capsys, monkeypatch):
    # The image's path does not exist here: point the default at a small CSV instead.
    small = tmp_path / "small.csv"
    small.write_text("feature_0,category,label\n1.0,0,1\n2.0,1,0\n3.0,1,1\n", encoding="utf-8")
    monkeypatch.setattr(importer, "DEFAULT_INPUT", small.as_uri())
    code, result, _ = cli(importer, spark, capsys, RunPaths(tmp_path.as_uri(), "imp-default"))
    assert code == 0
    assert (result["rows"], result["features"]) == (3, ["feature_0"])


def test_statistics_main_summarizes_and_a_retry_overwrites(spark, prepared, tmp_path, capsys):
    paths = fresh_run(prepared, tmp_path, "stats-main", "importer")
    for _attempt in (1, 2):
        code, result, _ = cli(statistics, spark, capsys, paths)
        assert code == 0
    assert_reports(result, "statistics", "stats-main")
    assert result["output"] == paths.summary
    summary = result["summary"]
    assert set(summary) == {"count", "mean", "stddev", "min", "max"}
    assert summary["count"] == {name: str(SAMPLE_ROWS) for name in [*FEATURES, "category", "label"]}
    assert sorted(r["summary"] for r in spark.read.parquet(paths.summary).collect()) == sorted(summary)


def split_counts(spark, paths: RunPaths, seed: int) -> dict[str, int]:
    return {name: part.count() for name, part in splitter.split(spark.read.parquet(paths.dataset), seed).items()}


def test_splitter_main_passes_its_seed_defaults_to_42_and_a_retry_overwrites(spark, prepared, tmp_path, capsys):
    paths = fresh_run(prepared, tmp_path, "split-main", "importer")
    code, seeded, _ = cli(splitter, spark, capsys, paths, "--seed", "7")
    assert code == 0
    assert_reports(seeded, "splitter", "split-main")
    assert seeded["seed"] == 7 and seeded["output"] == paths.step("splitter")
    assert seeded["counts"] == split_counts(spark, paths, 7)

    code, default, _ = cli(splitter, spark, capsys, paths)
    assert code == 0
    assert default["seed"] == 42
    assert default["counts"] == split_counts(spark, paths, 42) != seeded["counts"]
    # What was written is the second run's split, not the first one's.
    assert {name: spark.read.parquet(paths.split(name)).count() for name in SPLITS} == default["counts"]


def test_transformer_main_transforms_every_split_and_a_retry_overwrites(spark, prepared, tmp_path, capsys):
    paths = fresh_run(prepared, tmp_path, "trans-main", "importer", "splitter")
    for _attempt in (1, 2):
        code, result, _ = cli(transformer, spark, capsys, paths)
        assert code == 0
    assert_reports(result, "transformer", "trans-main")
    # 5 scaled features + 3 one-hot slots (4 categories, dropLast) + 1 "keep" slot.
    assert result["feature_vector_size"] == 9
    assert (result["model"], result["output"]) == (paths.transformer_model, paths.step("transformer"))
    for name in SPLITS:
        assert spark.read.parquet(paths.transformed(name)).count() == spark.read.parquet(paths.split(name)).count()
    assert len(transformer.load_model(paths).stages) == 4


def test_trainer_main_trains_with_seed_42_and_passes_min_accuracy(spark, prepared, tmp_path, capsys):
    paths = fresh_run(prepared, tmp_path, "train-main", "importer", "splitter", "transformer")
    code, result, _ = cli(trainer, spark, capsys, paths)
    assert code == 0
    assert_reports(result, "trainer", "train-main")
    # Below 1.0: a default --min-accuracy other than 0 would fail this run.
    assert 0.8 <= result["eval_accuracy"] < 1.0
    evaluation = spark.read.parquet(paths.transformed("eval"))
    assert (result["eval_rows"], result["num_trees"], result["model"]) == (evaluation.count(), 10, paths.classifier_model)
    model = trainer.load_model(paths)
    assert model.getSeed() == 42 and model.getNumTrees == 10
    # Accuracy, counted here: the share of eval rows whose prediction is the label.
    predicted = model.transform(evaluation)
    assert result["eval_accuracy"] == pytest.approx(predicted.filter("prediction = label").count() / evaluation.count())

    # A retry with a floor it meets overwrites the model and metrics and gets the same accuracy.
    code, again, _ = cli(trainer, spark, capsys, paths, "--min-accuracy", "0.5")
    assert code == 0
    assert again["eval_accuracy"] == result["eval_accuracy"]


def test_trainer_main_exits_1_below_min_accuracy_with_its_seed_model_saved(spark, prepared, tmp_path, capsys):
    paths = fresh_run(prepared, tmp_path, "train-fail", "importer", "splitter", "transformer")
    code, _, err = cli(trainer, spark, capsys, paths, "--seed", "7", "--min-accuracy", "1.01")
    assert code == 1
    assert err.startswith("trainer: eval accuracy 0.")
    assert err.rstrip().endswith("is below --min-accuracy=1.01")
    assert trainer.load_model(paths).getSeed() == 7
    assert spark.read.json(paths.metrics).count() == 1


def test_get_session_creates_the_event_log_directory_before_the_session(spark, tmp_path):
    # spark-submit hands its --conf to the driver as JVM system properties, which SparkConf() reads.
    events = tmp_path / "events"
    system = spark.sparkContext._jvm.java.lang.System
    system.setProperty("spark.eventLog.enabled", "true")
    system.setProperty("spark.eventLog.dir", events.as_uri() + "/")
    try:
        session = common.get_session("zenml-spark-statistics-r1")
    finally:
        system.clearProperty("spark.eventLog.enabled")
        system.clearProperty("spark.eventLog.dir")
    assert events.is_dir()
    # An active session is reused (getOrCreate), not replaced.
    assert session is spark
