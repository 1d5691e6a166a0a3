"""The spark-eks flavor's settings and config: defaults, every validation rule, the shared names."""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest
from conftest import ROOT
from pydantic import ValidationError
from zenml.integrations.kubernetes.pod_settings import KubernetesPodSettings

from zenml_spark_eks import sizing
from zenml_spark_eks.flavors import SparkEksStepOperatorConfig, SparkEksStepOperatorFlavor, SparkEksStepOperatorSettings
from zenml_spark_eks.flavors import spark_eks_step_operator_flavor as flavor_module

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml:spark-4.1.2-zenml-0.98.0-0123456789ab"
CONTRACT = json.loads((ROOT / "spark" / "zenml_spark_steps" / "contract.json").read_text(encoding="utf-8"))


def config(**kw) -> SparkEksStepOperatorConfig:
    return SparkEksStepOperatorConfig(**{"image": IMAGE, "region": "eu-west-1", **kw})


def test_names_are_the_projects():
    assert flavor_module.SPARK_NAMESPACE == CONTRACT["sparkNamespace"]
    assert flavor_module.SPARK_SERVICE_ACCOUNT == CONTRACT["sparkServiceAccount"]
    c = config()
    assert (c.kubernetes_namespace, c.service_account_name) == (CONTRACT["sparkNamespace"], CONTRACT["sparkServiceAccount"])


def test_defaults_are_the_standard_step_and_the_jobs_limits():
    s = SparkEksStepOperatorSettings()
    assert {k: getattr(s, k) for k in asdict(sizing.STANDARD_STEP)} == asdict(sizing.STANDARD_STEP)
    assert (s.active_deadline_seconds, s.ttl_seconds_after_finished, s.pod_count, s.privileged) == (1800, 86400, 1, False)
    c = config()
    assert c.server_url == "http://zenml-server.zenml.svc:8080"
    assert c.node_instance_type == "t3a.xlarge" and c.launcher == "kubernetes" and c.is_remote and not c.is_local
    assert c.active_deadline_seconds == 1800  # the config keeps the overridden defaults too


def test_the_flavor_is_registrable():
    f = SparkEksStepOperatorFlavor()
    assert f.name == "spark-eks"
    # ZenML refuses a flavor whose config schema exceeds its TEXT field (65535 characters).
    assert len(json.dumps(f.config_schema)) < 65535
    assert f.implementation_class.__name__ == "SparkEksStepOperator"


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"image": "zenml:latest-no-registry"}, "image='zenml:latest-no-registry'"),
        ({"image": "123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml"}, "registry/repository:tag"),
        ({"image": None}, "image: required with launcher=kubernetes"),
        ({"region": "Europe"}, "region='Europe': an AWS region"),
        ({"node_instance_type": "x9.huge"}, "node_instance_type='x9.huge': no sizing data"),
        ({"server_url": "ftp://server"}, "server_url='ftp://server'"),
        ({"server_url": "http://user:pw@server"}, "without credentials"),
        ({"spark_master": "local[2]"}, "spark_master='local[2]'"),
        ({"kubernetes_namespace": "Spark_NS"}, "kubernetes_namespace='Spark_NS'"),
        ({"run_as_uid": 0}, "run_as_uid"),
        ({"failure_log_lines": -1}, "failure_log_lines"),
    ],
)
def test_config_rules_name_the_field_and_the_value(kwargs, message):
    with pytest.raises(ValidationError) as err:
        config(**kwargs)
    assert message in str(err.value)


def test_config_accepts_the_local_launcher_without_an_image_and_an_empty_server_url():
    c = SparkEksStepOperatorConfig(launcher="local", server_url="")
    assert c.image is None and c.server_url is None and c.is_local


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"driver_memory_mib": 256}, "driver_memory_mib"),
        ({"executor_instances": 0}, "executor_instances"),
        ({"executor_cores": 0}, "executor_cores"),
        ({"tmp_size_limit": "4G"}, "'4G': a Kubernetes quantity"),
        ({"pod_count": 2}, "pod_count=2: spark-eks runs one pod per step"),
        ({"privileged": True}, "privileged=True"),
        ({"service_account_name": "Not A Label"}, "service_account_name='Not A Label'"),
        ({"spark_conf": {"spark.master": "local"}}, "'spark.master' is set by the spark-eks operator"),
        ({"spark_conf": {"spark.kubernetes.namespace": "x"}}, "'spark.kubernetes.namespace' is set by the spark-eks operator"),
        ({"spark_conf": {"spark.hadoop.fs.s3a.secret.key": "x"}}, "looks like a credential"),
        ({"spark_conf": {"spark.hadoop.fs.s3a.aws.credentials.provider": "x"}}, "is set by the spark-eks operator"),
        ({"spark_conf": {"sql.shuffle.partitions": "3"}}, "is not a Spark setting"),
        ({"executor_memroy_mib": 3072}, "unknown spark-eks setting(s) executor_memroy_mib"),
        (
            {"pod_settings": KubernetesPodSettings(resources={"requests": {"cpu": "2"}})},
            "pod_settings.resources: spark-eks sizes the driver pod",
        ),
    ],
)
def test_settings_rules(kwargs, message):
    with pytest.raises(ValidationError) as err:
        SparkEksStepOperatorSettings(**kwargs)
    assert message in str(err.value)


def test_settings_take_the_config_merged_in_as_zenml_does():
    # StackComponent.get_settings validates config values and step values together.
    merged = {**config(executor_memory_mib=2048).model_dump(exclude_unset=True), "executor_instances": 1}
    s = SparkEksStepOperatorSettings.model_validate(merged)
    assert (s.executor_memory_mib, s.executor_instances) == (2048, 1)


def test_spark_conf_accepts_ordinary_settings():
    s = SparkEksStepOperatorSettings(spark_conf={"spark.sql.shuffle.partitions": "8", "spark.log.level": "INFO"})
    assert s.spark_conf["spark.sql.shuffle.partitions"] == "8"
