"""End to end: `python pipeline/run.py` on a real ZenML store, every step through the spark-eks operator.

The operator's own code path runs as far as it can without a kubelet: compile, the sizing check of
every step, skip_build "builds", code upload to the artifact store, the rendered submission (its
Secret env and pod env), then the local launcher runs each step's exact entrypoint command as a
subprocess (downloading the code, loading inputs and saving outputs through the Spark materializers
on S3A, reporting the step's status to the store), wait, cleanup. Left untested here (the kube suite
and a real cluster cover those): the Job and Secret objects in a cluster, the image, Pod Identity,
executors as pods.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import BUCKET, PIPELINE_DIR, ROOT, SAMPLE_CSV, ZenmlStack

RUN_TIMEOUT_SECONDS = 1500
STEPS = ("importer", "statistics", "splitter", "transformer", "trainer")


def run_pipeline(*args: str, timeout: float = RUN_TIMEOUT_SECONDS) -> tuple[subprocess.CompletedProcess, float]:
    """`python pipeline/run.py ARGS` from the repository root, as the README says; (result, seconds)."""
    started = time.monotonic()
    res = subprocess.run(
        [sys.executable, str(PIPELINE_DIR / "run.py"), *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )
    took = time.monotonic() - started
    # The run's own output, so that a failure shows it and the suite log keeps the timings.
    sys.stdout.write(f"\n--- python pipeline/run.py {' '.join(args)}: exit {res.returncode} in {took:.0f} s\n")
    sys.stdout.write(res.stdout[-4000:])
    return res, took


def last_run(name: str = "spark_pipeline"):
    from zenml.client import Client

    return Client().get_pipeline(name).last_run


@pytest.fixture(scope="module")
def input_uri(zenml_stack: ZenmlStack) -> str:
    """The sample CSV, uploaded to the bucket: the importer reads it through S3A as on the cluster."""
    zenml_stack.moto.s3().upload_file(str(SAMPLE_CSV), BUCKET, "input/sample.csv")
    return f"s3a://{BUCKET}/input/sample.csv"


@pytest.fixture(scope="module")
def first_run(zenml_stack: ZenmlStack, input_uri: str):
    res, took = run_pipeline("--input", input_uri)
    assert res.returncode == 0, res.stderr[-6000:]
    run = last_run()
    record_timing("first_run_wall_seconds", round(took, 1))
    record_timing("first_run_step_seconds", step_seconds(run))
    return run, res, took


def record_timing(key: str, value) -> None:
    """Adds one figure to $PIPELINE_TEST_WORK/timings-<store>.json, which test-pipeline.sh prints."""
    path = Path(os.environ["PIPELINE_TEST_WORK"], f"timings-{os.environ['PIPELINE_TEST_STORE']}.json")
    figures = json.loads(path.read_text()) if path.exists() else {}
    figures[key] = value
    path.write_text(json.dumps(figures))


def step_seconds(run) -> dict:
    return {
        name: round((s.end_time - s.start_time).total_seconds(), 1)
        for name, s in run.steps.items()
        if s.end_time and s.start_time
    }


def test_all_five_steps_ran_through_the_operator_and_completed(first_run, zenml_stack):
    run, res, took = first_run
    assert run.status.value == "completed"
    assert sorted(run.steps) == sorted(STEPS)
    for name, s in run.steps.items():
        # ZenML's own entrypoint, in the step process, reported the status to the store.
        assert s.status.value == "completed", name
        assert s.config.step_operator in (True, "spark_eks"), name
    # run.py's summary: every step, the accuracy, the model's S3 location.
    assert "eval accuracy" in res.stdout and f"model: s3://{BUCKET}/" in res.stdout


def test_every_artifact_is_on_s3(first_run, zenml_stack):
    run, _, _ = first_run
    s3 = zenml_stack.moto.s3()
    uris = [a.uri for s in run.steps.values() for outs in s.outputs.values() for a in outs]
    assert len(uris) == 11  # dataset, summary, 3 splits, transformer model + 3 feature sets, model, metrics
    for uri in uris:
        assert uri.startswith(f"s3://{BUCKET}/"), uri
        listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=uri[len(f"s3://{BUCKET}/") :])
        assert listed.get("KeyCount", 0) > 0, f"nothing stored under {uri}"
    # DataFrames are Parquet written by Spark, models Spark ML directories.
    dataset = run.steps["importer"].outputs["dataset"][0]
    keys = [o["Key"] for o in s3.list_objects_v2(Bucket=BUCKET, Prefix=dataset.uri[len(f"s3://{BUCKET}/") :])["Contents"]]
    assert any(k.endswith(".parquet") for k in keys) and any(k.endswith("/data/_SUCCESS") for k in keys)
    # The code ZenML uploaded for the step processes (the pods) is there too.
    assert s3.list_objects_v2(Bucket=BUCKET, Prefix="code_uploads/")["KeyCount"] >= 1


def test_the_trainers_model_loads_and_scores_the_eval_split(first_run, spark):
    from pyspark.ml.classification import RandomForestClassificationModel
    from zenml_spark_steps import trainer as trainer_logic

    run, _, _ = first_run
    model = run.steps["trainer"].outputs["model"][0].load()
    assert isinstance(model, RandomForestClassificationModel) and model.getNumTrees == 10
    eval_features = run.steps["transformer"].outputs["eval_features"][0].load()
    metrics = run.steps["trainer"].outputs["metrics"][0].load()
    assert trainer_logic.accuracy(model, eval_features) == pytest.approx(metrics["eval_accuracy"])
    assert metrics["eval_accuracy"] >= 0.8 and metrics["eval_rows"] == eval_features.count()


def test_a_model_saved_by_one_step_loads_in_the_next(first_run):
    # The transformer's PipelineModel is an input of nothing downstream here, so check its artifact
    # loads as the class it was saved from, with its four stages.
    from pyspark.ml import PipelineModel

    run, _, _ = first_run
    artifact = run.steps["transformer"].outputs["transformer_model"][0]
    model = artifact.load()
    assert isinstance(model, PipelineModel)
    assert [type(s).__name__ for s in model.stages] == ["VectorAssembler", "StandardScalerModel", "OneHotEncoderModel", "VectorAssembler"]
    assert artifact.run_metadata["stages"] == "VectorAssembler, StandardScalerModel, OneHotEncoderModel, VectorAssembler"


def test_a_rerun_with_unchanged_inputs_is_served_from_zenmls_cache(first_run, input_uri):
    res, took = run_pipeline("--input", input_uri)
    assert res.returncode == 0, res.stderr[-4000:]
    run = last_run()
    assert run.id != first_run[0].id
    assert {name: s.status.value for name, s in run.steps.items()} == {name: "cached" for name in STEPS}
    record_timing("cached_rerun_wall_seconds", round(took, 1))


def test_a_step_that_raises_fails_the_run_with_its_error_in_the_output(first_run, zenml_stack, tmp_path):
    bad = tmp_path / "no-label.csv"
    bad.write_text("feature_0,feature_1,category\n1.0,2.0,0\n", encoding="utf-8")
    zenml_stack.moto.s3().upload_file(str(bad), BUCKET, "input/no-label.csv")
    res, _ = run_pipeline("--input", f"s3a://{BUCKET}/input/no-label.csv")
    assert res.returncode == 1
    output = res.stdout + res.stderr
    assert "the input lacks column(s) label; it has feature_0, feature_1, category" in output
    assert "StepError" in output
    run = last_run()
    assert run.status.value == "failed"
    assert run.steps["importer"].status.value == "failed"
    assert "splitter" not in run.steps or run.steps["splitter"].status.value != "completed"


def test_a_step_too_big_for_a_node_is_refused_before_anything_is_created(zenml_stack, tmp_path):
    from zenml.client import Client

    runs_before = Client().list_pipeline_runs(size=1).total
    keys_before = {o["Key"] for o in zenml_stack.moto.s3().list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    # As run.py, with one step asking for a third executor (a file: ZenML needs the main module's).
    script = tmp_path / "too_big.py"
    script.write_text(
        "import sys\n"
        f"sys.path.insert(0, {str(PIPELINE_DIR)!r})\n"
        "from zenml.utils import source_utils\n"
        f"source_utils.set_custom_source_root({str(PIPELINE_DIR)!r})\n"
        "from spark_pipeline import spark_pipeline\n"
        "spark_pipeline.with_options(steps={'trainer': {'settings': {'step_operator': {'executor_instances': 3}}}})"
        "(input_uri='s3a://x/never-read.csv')\n",
        encoding="utf-8",
    )
    started = time.monotonic()
    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=300, cwd=ROOT)
    took = time.monotonic() - started
    assert res.returncode != 0
    output = " ".join((res.stdout + res.stderr).replace("│", " ").split())  # rich wraps long lines
    assert "spark-eks refuses the pipeline before it starts: step `trainer`: driver + 3 executors need 4000m CPU / 17922Mi" in output
    assert "but one t3a.xlarge leaves 3745m / 14034Mi" in output
    assert "has started" not in output  # no step ran
    assert Client().list_pipeline_runs(size=1).total == runs_before
    record_timing("too_big_refused_after_seconds", round(took, 1))
    keys_after = {o["Key"] for o in zenml_stack.moto.s3().list_objects_v2(Bucket=BUCKET).get("Contents", [])}
    # Nothing stored but, at most, ZenML's own log of the client's attempt: no code upload, no artifact.
    assert [k for k in keys_after - keys_before if not k.startswith("logs/")] == []
