"""ZenML 0.98.0's own Spark integration, as this project found it: each fault that made it unusable here,
held as a test of upstream behaviour, beside the test that this project's replacement does not have it.

When a ZenML upgrade changes one of these behaviours the "upstream" test fails: read its docstring,
then decide whether the workaround (or this whole package) is still needed.
"""

from __future__ import annotations

import contextlib
import os
import shlex
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Annotated, Iterator

import pytest
from conftest import PIPELINE_DIR, ROOT, ZenmlStack, zenml_cli
from pyspark import SparkConf
from pyspark.ml import PipelineModel
from zenml import pipeline, step
from zenml.enums import StackComponentType
from zenml.integrations.spark import SparkIntegration
from zenml.integrations.spark.flavors import KubernetesSparkStepOperatorConfig
from zenml.integrations.spark.materializers.spark_model_materializer import SparkModelMaterializer
from zenml.integrations.spark.step_operators.kubernetes_step_operator import KubernetesSparkStepOperator

from zenml_spark_eks.materializers import SparkMLMaterializer
from zenml_spark_eks.session import get_spark_session

CANARY_KEY = "AKIACANARY0000000000"
CANARY_SECRET = "canary/secret+do-not-leak"
CANARY_TOKEN = "canary-api-token-do-not-leak"


def stock_operator() -> KubernetesSparkStepOperator:
    """ZenML's `spark-kubernetes` step operator, configured as `npm run outputs` used to register it."""
    now = datetime.now(timezone.utc)
    return KubernetesSparkStepOperator(
        name="stock_spark_kubernetes",
        id=uuid.uuid4(),
        config=KubernetesSparkStepOperatorConfig(
            master="k8s://https://example.eks.amazonaws.com", namespace="spark-namespace", service_account="spark-service-account"
        ),
        flavor="spark-kubernetes",
        type=StackComponentType.STEP_OPERATOR,
        user=None,
        created=now,
        updated=now,
    )


@contextlib.contextmanager
def active_stack(name: str) -> Iterator[None]:
    from zenml.client import Client

    client = Client()
    previous = client.active_stack_model.name
    client.activate_stack(name)
    try:
        yield
    finally:
        client.activate_stack(previous)


@pytest.fixture(scope="module")
def keyed_s3_stack(zenml_stack: ZenmlStack) -> str:
    """A stack whose S3 artifact store has static keys (canaries): what the stock operator demands."""
    # As `npm run outputs` registered it with s3AccessKey=true: the keys in the s3_authentication secret.
    zenml_cli("secret", "create", "s3_authentication", f"--aws_access_key_id={CANARY_KEY}", f"--aws_secret_access_key={CANARY_SECRET}")
    zenml_cli("artifact-store", "register", "s3_with_keys", "--flavor=s3", f"--path={zenml_stack.artifact_root}",
              "--authentication_secret=s3_authentication")  # fmt: skip
    zenml_cli("stack", "register", "keyed_s3", "-o", "default", "-a", "s3_with_keys")
    return "keyed_s3"


def patch_get_credentials(monkeypatch) -> None:
    """The one-line fix a user would try: give the S3 store the method the operator calls."""
    from zenml.integrations.s3.artifact_stores import S3ArtifactStore

    monkeypatch.setattr(S3ArtifactStore, "_get_credentials", lambda self: self.get_credentials()[:3], raising=False)


# 1. The S3 artifact store and keyless credentials -------------------------------------------------


def test_upstream_the_operator_calls_a_method_the_s3_store_no_longer_has(zenml_stack):
    """spark_step_operator.py _io_configuration: `artifact_store._get_credentials()`; the store has get_credentials()."""
    with pytest.raises(AttributeError, match="'S3ArtifactStore' object has no attribute '_get_credentials'"):
        stock_operator()._io_configuration(SparkConf(loadDefaults=False))


def test_upstream_with_that_patched_it_demands_static_keys(zenml_stack, monkeypatch):
    """Keyless (EKS Pod Identity) can never work: no key and secret on the store -> RuntimeError."""
    patch_get_credentials(monkeypatch)
    with pytest.raises(RuntimeError, match="required credentials namely the access key and the secret access key"):
        stock_operator()._io_configuration(SparkConf(loadDefaults=False))


def test_ours_needs_no_key_the_pods_use_pod_identity(zenml_stack):
    from zenml_spark_eks.flavors import SparkEksStepOperatorConfig, SparkEksStepOperatorSettings
    from zenml_spark_eks.session import POD_IDENTITY_CREDENTIALS_PROVIDER
    from zenml_spark_eks.step_operators import manifests

    identity = manifests.StepIdentity("0" * 36, "importer", "r", "n", "p", "j", "o")
    cfg = SparkEksStepOperatorConfig(image="1.dkr.ecr.eu-west-1.amazonaws.com/zenml:t", region="eu-west-1")
    conf = manifests.render(cfg, SparkEksStepOperatorSettings(), identity, cfg.image, ["python"], {}).spark_conf
    assert conf["spark.hadoop.fs.s3a.aws.credentials.provider"] == POD_IDENTITY_CREDENTIALS_PROVIDER
    assert not any("key" in k.lower() and "s3a" in k for k in conf if k != "spark.hadoop.fs.s3a.aws.credentials.provider")


# 2. The step's environment reaches only the executors ---------------------------------------------


def step_run_info(run, step_name: str):
    from zenml.config.step_run_info import StepRunInfo

    s = run.steps[step_name]
    return StepRunInfo(
        step_run_id=s.id, run_id=run.id, run_name=run.name, pipeline_step_name=step_name, config=s.config, spec=s.spec,
        pipeline=run.snapshot.pipeline_configuration, snapshot=run.snapshot, step_run=s, force_write_logs=lambda: None,
    )  # fmt: skip


@step
def noop() -> Annotated[int, "one"]:
    return 1


@pipeline(enable_cache=False)
def tiny():
    noop()


@pytest.fixture(scope="module")
def real_step_run_info(zenml_stack, spark):
    """A real StepRunInfo, from a real (in-process) run on the test stack."""
    return step_run_info(tiny(), "noop")


def test_upstream_zenml_env_goes_to_executors_only(real_step_run_info, monkeypatch):
    """kubernetes_step_operator.py _backend_configuration: `spark.executorEnv.<name>` for every variable, nothing
    for the driver; in cluster mode the step runs IN the driver, which so has no server URL and no token."""
    from zenml.config.step_run_info import StepRunInfo

    # The stock operator asks the build for its own image key, which this project's builds do not have.
    monkeypatch.setattr(StepRunInfo, "get_image", lambda self, key: "example.invalid/zenml:spark")
    conf = SparkConf(loadDefaults=False)
    env = {"ZENML_STORE_URL": "http://zenml-server.zenml.svc:8080", "ZENML_STORE_API_TOKEN": CANARY_TOKEN}
    stock_operator()._backend_configuration(conf, real_step_run_info, env)
    settings = dict(conf.getAll())
    assert settings["spark.executorEnv.ZENML_STORE_API_TOKEN"] == CANARY_TOKEN
    assert not [k for k in settings if "driverEnv" in k or k.startswith("spark.kubernetes.driver.")]


# 3. Keys and the API token on the spark-submit command line (and so in the driver's ConfigMap) -----


def test_upstream_keys_and_token_go_on_the_spark_submit_command_line(keyed_s3_stack, real_step_run_info, monkeypatch, tmp_path, capfd):
    """The stock operator runs `spark-submit --conf k=v ...` through a shell, every setting in plain text:
    fs.s3a.access.key/secret.key and spark.executorEnv.ZENML_STORE_API_TOKEN. In cluster mode Spark copies
    the same settings into the driver's spark-conf ConfigMap. It also sets the SDK v1 provider chain
    DefaultAWSCredentialsProviderChain, which ignores fs.s3a.access.key. `echo` stands in for spark-submit
    to show the argv it would get."""
    from zenml.config.step_run_info import StepRunInfo

    patch_get_credentials(monkeypatch)
    monkeypatch.setattr(StepRunInfo, "get_image", lambda self, key: "example.invalid/zenml:spark")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "spark-submit").symlink_to("/bin/echo")
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    op = stock_operator()
    conf = SparkConf(loadDefaults=False)
    with active_stack(keyed_s3_stack):
        op._backend_configuration(conf, real_step_run_info, {"ZENML_STORE_API_TOKEN": CANARY_TOKEN})
        op._io_configuration(conf)
    ids = [str(uuid.uuid4()) for _ in range(2)]
    entrypoint = ["python", "-m", "zenml.entrypoints.entrypoint", "--snapshot_id", ids[0], "--step_name", "s", "--step_run_id", ids[1]]
    op._launch_spark_job(conf, "cluster", entrypoint)
    argv = capfd.readouterr().out
    for canary in (CANARY_KEY, CANARY_SECRET, CANARY_TOKEN):
        assert canary in argv
    assert "spark.hadoop.fs.s3a.aws.credentials.provider=com.amazonaws.auth.DefaultAWSCredentialsProviderChain" in argv


def test_ours_keeps_every_value_of_the_step_environment_off_the_command_line_and_out_of_the_spec():
    """Covered in detail by test_manifests.py (planted canaries) and the kube suite (objects on a real API server)."""
    from test_manifests import CANARY_TOKEN as ours_canary
    from test_manifests import render

    sub = render()
    assert ours_canary not in shlex.join(sub.command) and ours_canary not in str(sub.job)


# 4. The integration pins pyspark 3.2.1 ----------------------------------------------------------------


def test_upstream_the_spark_integration_pins_pyspark_3_2_1():
    """pyspark 3.2.1's bundled cloudpickle breaks on Python 3.11 (PicklingError on createDataFrame, RDD lambdas,
    PipelineModel.load) and needs --add-opens on Java 17; with any other pyspark the integration does not
    activate (its flavors and materializers are not registered)."""
    assert SparkIntegration.REQUIREMENTS == ["pyspark==3.2.1"]
    assert SparkIntegration.check_installation() is False


def test_ours_runs_on_the_projects_spark(spark):
    import pyspark

    versions = dict(
        line.split("=", 1) for line in (ROOT / "spark" / "versions.env").read_text().splitlines() if line and not line.startswith("#")
    )
    assert pyspark.__version__ == versions["SPARK_VERSION"] == spark.version
    assert sys.version_info >= (3, 11)
    # What broke on 3.2.1: a DataFrame from Python objects (cloudpickle) on Python 3.11 and Java 17.
    assert spark.createDataFrame([(1, "a")], ["n", "s"]).rdd.map(lambda r: r.n + 1).collect() == [2]
    pins = [line for line in (ROOT / "requirements" / "zenml.txt").read_text().splitlines() if not line.startswith("#")]
    assert f"pyspark=={versions['SPARK_VERSION']}" in pins and "pyspark==3.2.1" not in pins


# 5. SparkModelMaterializer.load(self, model_type) is called as load(data_type=...) ----------------------


@step(output_materializers=SparkModelMaterializer)
def fit_with_stock_materializer() -> Annotated[PipelineModel, "scaler"]:
    from test_materializers import fitted_pipeline, sample_frame

    return fitted_pipeline(sample_frame(get_spark_session()))


@step(output_materializers=SparkMLMaterializer)
def fit_with_ours() -> Annotated[PipelineModel, "scaler"]:
    from test_materializers import fitted_pipeline, sample_frame

    return fitted_pipeline(sample_frame(get_spark_session()))


@step
def take_model(scaler: PipelineModel) -> Annotated[int, "stages"]:
    return len(scaler.stages)


@pipeline(enable_cache=False)
def stock_model_between_steps():
    take_model(fit_with_stock_materializer())


@pipeline(enable_cache=False)
def our_model_between_steps():
    take_model(fit_with_ours())


@pytest.fixture(scope="module")
def local_artifact_stack(zenml_stack, work) -> str:
    """A stack with a local artifact store: the stock materializer writes with a plain s3:// path, which
    Hadoop cannot open without fs.s3.impl, so its load fault is shown where its save works."""
    zenml_cli("artifact-store", "register", "local_files", "--flavor=local", f"--path={work / 'local-artifacts'}")
    zenml_cli("stack", "register", "local_files", "-o", "default", "-a", "local_files")
    return "local_files"


def test_upstream_a_step_taking_a_spark_model_fails_with_the_stock_materializer(local_artifact_stack, spark, caplog):
    """spark_model_materializer.py: `def load(self, model_type)`; the step runner calls `load(data_type=...)`."""
    with active_stack(local_artifact_stack):
        with pytest.raises(RuntimeError, match="failure in step\\(s\\): take_model"):
            stock_model_between_steps()
    from zenml.client import Client

    run = Client().get_pipeline("stock_model_between_steps").last_run
    assert run.steps["fit_with_stock_materializer"].status.value == "completed"  # saving works
    assert run.steps["take_model"].status.value == "failed"
    assert "load() got an unexpected keyword argument 'data_type'" in caplog.text


def test_ours_loads_the_model_in_the_next_step(zenml_stack, spark):
    run = our_model_between_steps()
    assert run.steps["take_model"].outputs["stages"][0].load() == 2


# 6. Found while building this: a step with one materializer for several outputs never hits the cache ----


def outputs_order(materializers: str, hash_seed: str, directory: Path) -> str:
    code = (
        "from typing import Annotated, Tuple\n"
        "from zenml import step\n"
        "from zenml.materializers import BuiltInMaterializer\n"
        f"M = {materializers}\n"
        "@step(output_materializers=M)\n"
        "def s() -> Tuple[Annotated[int, 'train'], Annotated[int, 'test'], Annotated[int, 'eval']]:\n"
        "    return 1, 2, 3\n"
        "print(','.join(s.configuration.outputs))\n"
    )
    script = directory / "one_step.py"  # ZenML reads a step's source: it must live in a file
    script.write_text(code, encoding="utf-8")
    env = {**os.environ, "PYTHONHASHSEED": hash_seed}
    res = subprocess.run([sys.executable, str(script)], capture_output=True, text=True, timeout=120, env=env, cwd=directory)
    assert res.returncode == 0, res.stderr[-2000:]
    return res.stdout.strip().splitlines()[-1]


def test_upstream_one_materializer_for_several_outputs_orders_them_by_a_set(tmp_path):
    """base_step.py configure(): `{name: sources for name in set(outputs)}`: the order, which the cache key
    hashes (cache_utils.generate_cache_key iterates the outputs), changes with PYTHONHASHSEED, so such a
    step gets a new cache key in every process and is never cached."""
    orders = {outputs_order("BuiltInMaterializer", str(seed), tmp_path) for seed in range(8)}
    assert len(orders) > 1


def test_ours_names_each_output_so_the_order_is_stable(tmp_path):
    mapping = "{n: BuiltInMaterializer for n in ('train', 'test', 'eval')}"
    assert {outputs_order(mapping, str(seed), tmp_path) for seed in range(4)} == {"train,test,eval"}


def test_the_splitter_names_each_output():
    sys.path.insert(0, str(PIPELINE_DIR))
    from spark_pipeline import splitter

    assert list(splitter.configuration.outputs) == ["train", "test", "eval"]
