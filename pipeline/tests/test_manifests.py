"""The Secret and Job the operator submits for a step, rendered: kubeconform (the gates' gate), the
restricted Pod Security rules, the planted canary, the sizing and the Spark settings.

The kubernetes suite (test/k8s/zenml-step-submission.kube.test.ts) submits the same objects, made by a
real ZenML run, to a real API server; here they are checked offline, without a cluster.
"""

from __future__ import annotations

import json
import os
import shlex
import subprocess
from pathlib import Path

import pytest
import yaml
from zenml.integrations.kubernetes.pod_settings import KubernetesPodSettings

from zenml_spark_eks.flavors import SparkEksStepOperatorConfig, SparkEksStepOperatorSettings
from zenml_spark_eks.session import CONF_ENV, EXECUTOR_TEMPLATE_ENV, POD_IDENTITY_CREDENTIALS_PROVIDER
from zenml_spark_eks.step_operators import manifests

IMAGE = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml:spark-4.1.2-zenml-0.98.0-0123456789ab"
CANARY_TOKEN = "canary-token-7f3a9c1e-do-not-leak"
CANARY_SECRET = "canary-secret-b81d44-do-not-leak"
IDENTITY = manifests.StepIdentity(
    step_run_id="0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0",
    step_name="trainer",
    run_id="11111111-2222-3333-4444-555555555555",
    run_name="spark_pipeline-2026_11_30-12_00_00_000000",
    pipeline_name="spark_pipeline",
    project_id="99999999-8888-7777-6666-555555555555",
    operator_id="aaaaaaaa-bbbb-cccc-dddd-eeeeeeeeeeee",
)
COMMAND = [
    "python", "-m", "zenml.entrypoints.entrypoint",
    "--entrypoint_config_source", "zenml.step_operators.step_operator_entrypoint_configuration.StepOperatorEntrypointConfiguration",
    "--snapshot_id", "12345678-1234-1234-1234-123456789012", "--step_name", "trainer", "--step_run_id", IDENTITY.step_run_id,
]  # fmt: skip
# ZenML's step environment as get_config_environment_vars() returns it for a REST store (recorded from
# a real run), with a planted token and a planted step secret.
ENVIRONMENT = {
    "ZENML_STORE_URL": "http://127.0.0.1:8237",
    "ZENML_STORE_TYPE": "rest",
    "ZENML_STORE_VERIFY_SSL": "True",
    "ZENML_STORE_API_TOKEN": CANARY_TOKEN,
    "ZENML_ACTIVE_STACK_ID": "5c4b3a29-1807-f6e5-d4c3-b2a190807060",
    "ZENML_ACTIVE_PROJECT_ID": IDENTITY.project_id,
    "ZENML_STEP_OPERATOR": "True",
    "MY_STEP_SECRET": CANARY_SECRET,
}


def config(**kw) -> SparkEksStepOperatorConfig:
    return SparkEksStepOperatorConfig(**{"image": IMAGE, "region": "eu-west-1", **kw})


def render(settings: SparkEksStepOperatorSettings | None = None, **config_kw) -> manifests.StepSubmission:
    return manifests.render(config(**config_kw), settings or SparkEksStepOperatorSettings(), IDENTITY, IMAGE, COMMAND, ENVIRONMENT)


@pytest.fixture(scope="module")
def submission() -> manifests.StepSubmission:
    return render(SparkEksStepOperatorSettings(executor_memory_mib=3584))


def pod_spec(sub: manifests.StepSubmission) -> dict:
    return sub.job["spec"]["template"]["spec"]


def test_no_secret_value_is_in_any_object_but_the_secret(submission):
    rendered = {
        "job": json.dumps(submission.job),
        "pod env": json.dumps(submission.pod_env),
        "spark conf": json.dumps(submission.spark_conf),
        "command": shlex.join(submission.command),
        "secret metadata": json.dumps(submission.secret["metadata"]),
    }
    for canary in (CANARY_TOKEN, CANARY_SECRET):
        leaked = [where for where, text in rendered.items() if canary in text]
        assert leaked == [], f"{canary} in {leaked}"
        assert canary in submission.secret["stringData"].values()
    # Not even the names of the secret environment are spelled out in the pod: it reads them all with envFrom.
    container = pod_spec(submission)["containers"][0]
    assert container["envFrom"] == [{"secretRef": {"name": f"zenml-step-{IDENTITY.step_run_id}"}}]
    assert not {e["name"] for e in container["env"]} & set(ENVIRONMENT)


def test_the_store_url_in_the_secret_is_the_in_cluster_server(submission):
    assert submission.secret["stringData"]["ZENML_STORE_URL"] == "http://zenml-server.zenml.svc:8080"
    kept = render(server_url="")
    assert kept.secret["stringData"]["ZENML_STORE_URL"] == "http://127.0.0.1:8237"
    # A SQL store (local tests) is never rewritten, nor is anything for the local launcher.
    sql = manifests.secret_env({"ZENML_STORE_URL": "sqlite:////x/zenml.db"}, "http://zenml-server.zenml.svc:8080")
    assert sql["ZENML_STORE_URL"] == "sqlite:////x/zenml.db"
    local = render(launcher="local")
    assert local.secret_env["ZENML_STORE_URL"] == "http://127.0.0.1:8237"


def test_the_driver_pod_meets_restricted_pod_security(submission):
    spec = pod_spec(submission)
    pod_sc = spec["securityContext"]
    assert pod_sc["runAsNonRoot"] is True and pod_sc["runAsUser"] == 185 and pod_sc["seccompProfile"] == {"type": "RuntimeDefault"}
    for c in spec["containers"]:
        sc = c["securityContext"]
        assert sc["allowPrivilegeEscalation"] is False and sc["privileged"] is False
        assert sc["capabilities"] == {"drop": ["ALL"]}
        assert sc["runAsNonRoot"] is True and sc["readOnlyRootFilesystem"] is True
        assert sc["seccompProfile"] == {"type": "RuntimeDefault"}
        assert not c.get("ports") or all("hostPort" not in p for p in c["ports"])
    assert all("emptyDir" in v for v in spec["volumes"])  # no hostPath, no other volume types
    assert not any(spec.get(k) for k in ("hostNetwork", "hostPID", "hostIPC"))


def test_the_executor_template_meets_restricted_pod_security_and_mounts_no_token(submission):
    template = json.loads(submission.pod_env[EXECUTOR_TEMPLATE_ENV])
    spec = template["spec"]
    assert spec["automountServiceAccountToken"] is False
    (c,) = spec["containers"]
    assert c["name"] == "spark-kubernetes-executor"
    assert c["securityContext"]["capabilities"] == {"drop": ["ALL"]} and c["securityContext"]["runAsNonRoot"] is True
    assert template["metadata"]["labels"]["step_run_id"] == IDENTITY.step_run_id


def test_the_job_is_the_projects_job_pattern(submission):
    job, spec = submission.job, pod_spec(submission)
    assert job["kind"] == "Job" and job["metadata"]["name"] == "zenml-0f1e2d3c-trainer"
    assert job["metadata"]["namespace"] == "spark-namespace"
    assert (job["spec"]["backoffLimit"], job["spec"]["activeDeadlineSeconds"], job["spec"]["ttlSecondsAfterFinished"]) == (0, 1800, 86400)
    assert job["metadata"]["labels"]["step_run_id"] == IDENTITY.step_run_id  # how ZenML's kubernetes code finds it
    assert spec["serviceAccountName"] == "spark-service-account" and spec["automountServiceAccountToken"] is True
    assert spec["restartPolicy"] == "Never"
    container = spec["containers"][0]
    assert container["image"] == IMAGE and container["workingDir"] == "/opt/spark/work-dir"
    assert container["command"] == ["python3", "-m", "zenml.entrypoints.entrypoint"]
    assert container["args"] == COMMAND[3:]
    assert {m["mountPath"] for m in container["volumeMounts"]} == {"/tmp", "/opt/spark/work-dir"}
    refs = {e["name"]: e["valueFrom"]["fieldRef"]["fieldPath"] for e in container["env"] if "valueFrom" in e}
    assert refs == {"SPARK_DRIVER_POD_NAME": "metadata.name", "SPARK_DRIVER_POD_IP": "status.podIP"}


def test_requests_equal_limits_from_the_sizing(submission):
    resources = pod_spec(submission)["containers"][0]["resources"]
    assert resources["requests"] == resources["limits"] == {"cpu": "1000m", "memory": "2868Mi"}
    conf = submission.spark_conf
    assert (conf["spark.executor.memory"], conf["spark.executor.memoryOverhead"]) == ("3584m", "1434m")
    assert (conf["spark.executor.instances"], conf["spark.kubernetes.executor.request.cores"]) == ("2", "1")


def test_the_driver_is_client_mode_on_the_in_cluster_api_and_s3_is_keyless(submission):
    conf = json.loads(submission.pod_env[CONF_ENV])
    assert conf == submission.spark_conf
    assert conf["spark.master"] == "k8s://https://kubernetes.default.svc" and conf["spark.submit.deployMode"] == "client"
    assert conf["spark.hadoop.fs.s3a.aws.credentials.provider"] == POD_IDENTITY_CREDENTIALS_PROVIDER
    assert conf["spark.hadoop.fs.s3a.endpoint.region"] == "eu-west-1"
    assert not [k for k in conf if "access.key" in k or "secret.key" in k or "session.token" in k]
    assert conf["spark.kubernetes.executor.podNamePrefix"] == submission.job_name
    assert len(submission.job_name) <= 47  # Spark's limit for the executor pod name prefix
    assert submission.pod_env["AWS_REGION"] == "eu-west-1"


def test_pod_settings_other_than_resources_still_apply():
    s = SparkEksStepOperatorSettings(
        pod_settings=KubernetesPodSettings(
            node_selectors={"workload": "spark"},
            tolerations=[{"key": "spark", "operator": "Exists", "effect": "NoSchedule"}],
            labels={"team": "ml"},
        )
    )
    spec = pod_spec(render(s))
    # Merged with the Spark pool's placement (test_placement.py), not replaced by it.
    assert spec["nodeSelector"] == {"workload": "spark", "zenml-spark-eks/pool": "spark"}
    assert [t["key"] for t in spec["tolerations"]] == ["spark", "zenml-spark-eks/pool"]
    assert render(s).job["spec"]["template"]["metadata"]["labels"]["team"] == "ml"


def test_a_step_too_big_is_refused_before_anything_is_rendered():
    with pytest.raises(ValueError) as err:
        render(SparkEksStepOperatorSettings(executor_instances=3))
    assert str(err.value).startswith("step `trainer`: driver + 3 executors need 4000m CPU / 15771Mi")
    # On a bigger node type the same step fits.
    assert render(SparkEksStepOperatorSettings(executor_instances=3), node_instance_type="m6i.2xlarge").pods.executor_instances == 3


def test_an_environment_name_that_cannot_be_a_secret_key_is_refused():
    with pytest.raises(ValueError, match="environment variable name"):
        manifests.secret_env({"BAD NAME": "x"}, None)


def write_rendered(directory: Path, sub: manifests.StepSubmission) -> list[Path]:
    template = json.loads(sub.pod_env[EXECUTOR_TEMPLATE_ENV])
    template["metadata"]["name"] = f"{sub.job_name}-exec-template"
    files = []
    for name, doc in (("secret", sub.secret), ("job", sub.job), ("executor-pod", template)):
        path = directory / f"zenml-step-{name}.yaml"
        path.write_text(yaml.safe_dump(doc, sort_keys=False), encoding="utf-8")
        files.append(path)
    return files


def test_kubeconform_strict_accepts_every_object(submission, tmp_path):
    """The gates' kubeconform gate (strict, the cluster's Kubernetes version) over the rendered objects."""
    gate = os.environ.get("KUBECONFORM_GATE")
    if not gate:
        pytest.fail("KUBECONFORM_GATE is not set: run through scripts/verify/test-pipeline.sh")
    write_rendered(tmp_path, submission)
    with_settings = tmp_path / "with-pod-settings"
    with_settings.mkdir()
    s = SparkEksStepOperatorSettings(pod_settings=KubernetesPodSettings(node_selectors={"workload": "spark"}))
    write_rendered(with_settings, render(s))
    res = subprocess.run([*shlex.split(gate), "--dist", str(tmp_path), "--only", "kubeconform", "--unstamped"], capture_output=True, text=True, timeout=600)
    assert res.returncode == 0, res.stdout[-3000:] + res.stderr[-3000:]
    assert "kubeconform" in res.stdout and "6 objects" in res.stdout
