"""What can be checked of the image without a Docker engine: the Dockerfile's structure, and that
the jars it adds match the Hadoop inside the pinned Spark build (the same build pyspark ships)."""

from __future__ import annotations

import os
import re
import xml.etree.ElementTree as ET
from importlib import metadata
from pathlib import Path

import pyspark
import pytest
from dockerfile_parse import DockerfileParser

from conftest import SPARK_DIR, read_versions

VERSIONS = read_versions()
DOCKERFILE = SPARK_DIR / "Dockerfile"
POM_NAMESPACE = {"m": "http://maven.apache.org/POM/4.0.0"}


@pytest.fixture(scope="module")
def instructions() -> list[dict]:
    parser = DockerfileParser(path=str(DOCKERFILE))
    return parser.structure


def resolve(text: str) -> str:
    """Substitutes ${VAR} from versions.env, as scripts/operate/build-spark-image.sh does with --build-arg."""
    return re.sub(r"\$\{(\w+)(?::\?[^}]*)?\}", lambda m: VERSIONS.get(m.group(1), m.group(0)), text)


def runs(instructions) -> list[str]:
    return [i["value"] for i in instructions if i["instruction"] == "RUN"]


def pyspark_hadoop_version() -> str:
    jars = sorted((Path(pyspark.__file__).parent / "jars").glob("hadoop-client-api-*.jar"))
    assert len(jars) == 1, f"expected one hadoop-client-api jar in pyspark, found {[j.name for j in jars]}"
    return re.fullmatch(r"hadoop-client-api-(.+)\.jar", jars[0].name).group(1)


def hadoop_project_pom() -> ET.Element:
    path = os.environ.get("HADOOP_PROJECT_POM")
    if not path or not Path(path).is_file():
        pytest.fail(
            "HADOOP_PROJECT_POM is not set to a downloaded hadoop-project pom; run scripts/verify/test-spark.sh, "
            "whose install step fetches it from Maven Central (and caches it)"
        )
    return ET.parse(path).getroot()


def test_pyspark_in_the_test_venv_is_the_pinned_spark_version():
    assert metadata.version("pyspark") == VERSIONS["SPARK_VERSION"]
    assert pyspark.__version__ == VERSIONS["SPARK_VERSION"]


def stages(instructions) -> dict[str, list[dict]]:
    """The Dockerfile's instructions by stage name (`FROM x AS name`)."""
    out: dict[str, list[dict]] = {}
    current = None
    for i in instructions:
        if i["instruction"] == "FROM":
            current = i["value"].split()[-1]
            out[current] = []
        if current is not None:
            out[current].append(i)
    return out


def test_two_targets_the_jobs_image_and_the_zenml_step_image_built_on_it(instructions):
    froms = [i["value"] for i in instructions if i["instruction"] == "FROM"]
    assert froms == ["${SPARK_BASE_IMAGE} AS steps", "steps AS zenml-step"]


def test_base_image_is_the_official_python_image_of_the_pinned_version(instructions):
    froms = [i for i in instructions if i["instruction"] == "FROM"]
    image = resolve(froms[0]["value"].split()[0])
    repository, _, tag = image.partition(":")
    assert repository in ("apache/spark", "spark"), image
    assert tag.startswith(f"{VERSIONS['SPARK_VERSION']}-") and "python3" in tag, image
    assert "latest" not in tag


def test_dockerfile_declares_every_pin_without_a_default(instructions):
    args = {i["value"].split("=")[0]: "=" in i["value"] for i in instructions if i["instruction"] == "ARG"}
    for key in VERSIONS:
        assert key in args, f"{key} from versions.env is not an ARG of the Dockerfile"
        assert args[key] is False, f"ARG {key} has a default in the Dockerfile: versions.env must be the only pin"


def test_every_target_ends_as_the_non_root_spark_user(instructions):
    for name, stage in stages(instructions).items():
        users = [i["value"] for i in stage if i["instruction"] == "USER"]
        assert users, name
        user = users[-1].split(":")[0]
        assert user not in ("root", "0") and user.isdigit(), "a numeric non-root USER lets the kubelet verify runAsNonRoot"
        assert users[-1] == "185:185", name  # the spark user of the apache/spark images
    assert instructions[-1]["instruction"] == "USER"


def test_every_downloaded_jar_is_checked_by_sha256(instructions):
    downloads = 0
    for run in runs(instructions):
        targets = re.findall(r"(?:wget|curl)\b[^;]*?-[oO]\s+\"?([^\"\s;]+)", run)
        if not targets:
            continue
        assert "sha256sum --strict -c" in run, "a RUN downloads files without a sha256sum check"
        checked = run[run.index("printf") : run.index("sha256sum")]
        for target in targets:
            downloads += 1
            assert target in checked, f"{target} is downloaded but not in the sha256sum list"
        for sha_var in re.findall(r"\$\{(\w+_SHA256)\}", checked):
            assert re.fullmatch(r"[0-9a-f]{64}", VERSIONS[sha_var]), sha_var
    assert downloads == 3


def test_pip_installs_only_hash_pinned_wheels(instructions):
    installs = [r for r in runs(instructions) if "pip install" in r]
    assert len(installs) == 2 and all("--require-hashes" in r and "--only-binary=:all:" in r for r in installs)
    requirements = (SPARK_DIR / "image-requirements.txt").read_text(encoding="utf-8")
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==", requirements, flags=re.M)
    assert pins == ["numpy"]
    assert len(re.findall(r"--hash=sha256:[0-9a-f]{64}", requirements)) == 2


def test_hadoop_aws_matches_the_hadoop_inside_pyspark(instructions):
    hadoop = pyspark_hadoop_version()
    assert VERSIONS["HADOOP_VERSION"] == hadoop
    downloaded = [resolve(r) for r in runs(instructions) if "hadoop-aws" in r]
    assert f"org/apache/hadoop/hadoop-aws/{hadoop}/hadoop-aws-{hadoop}.jar" in downloaded[0]
    # pyspark ships no S3A: the image must add it.
    assert not list((Path(pyspark.__file__).parent / "jars").glob("hadoop-aws-*.jar"))


def test_sdk_bundle_is_the_version_hadoop_declares():
    pom = hadoop_project_pom()
    assert pom.findtext("m:version", namespaces=POM_NAMESPACE) == VERSIONS["HADOOP_VERSION"]
    props = pom.find("m:properties", POM_NAMESPACE)
    assert props.findtext("m:aws-java-sdk-v2.version", namespaces=POM_NAMESPACE) == VERSIONS["AWS_SDK_V2_VERSION"]
    assert (
        props.findtext("m:amazon-s3-analyticsaccelerator-s3.version", namespaces=POM_NAMESPACE)
        == VERSIONS["ANALYTICS_ACCELERATOR_VERSION"]
    )


def test_sdk_bundle_supports_eks_pod_identity():
    # EKS Pod Identity needs AWS SDK for Java v2 >= 2.21.30 (container credentials with a token file).
    version = tuple(int(p) for p in VERSIONS["AWS_SDK_V2_VERSION"].split("."))
    assert version >= (2, 21, 30)


def test_the_image_copies_the_step_programs_and_sample(instructions):
    copies = [i["value"] for i in instructions if i["instruction"] == "COPY"]
    assert "run_step.py /opt/zenml-spark/run_step.py" in copies
    assert "zenml_spark_steps /opt/zenml-spark/zenml_spark_steps" in copies
    assert "data/sample.csv /opt/zenml-spark/data/sample.csv" in copies
    ignored = (SPARK_DIR / ".dockerignore").read_text(encoding="utf-8")
    assert "!tests" not in ignored


ZENML_STEP_REQUIREMENTS = SPARK_DIR / "zenml-step-requirements.txt"


def requirement_pins(path: Path) -> dict[str, tuple[str, int]]:
    """{name: (version, number of hashes)} of a hash-pinned requirements file."""
    pins: dict[str, tuple[str, int]] = {}
    name = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#") or not line.strip():
            continue
        m = re.match(r"^([A-Za-z0-9_.-]+)==([^ ]+) \\$", line)
        if m:
            name = m.group(1).lower()
            pins[name] = (m.group(2), 0)
        else:
            assert re.fullmatch(r"    --hash=sha256:[0-9a-f]{64}( \\)?", line), line
            pins[name] = (pins[name][0], pins[name][1] + 1)
    return pins


def test_the_zenml_step_target_pins_zenml_like_the_client(instructions):
    pins = requirement_pins(ZENML_STEP_REQUIREMENTS)
    assert all(hashes >= 1 for _, hashes in pins.values())
    client = (SPARK_DIR.parent / "requirements" / "zenml.txt").read_text(encoding="utf-8")
    client_zenml = re.search(r"^zenml(?:\[[a-z,]+\])?==(\S+)$", client, flags=re.M).group(1)
    assert pins["zenml"][0] == client_zenml
    # The integrations ZenML needs in a step of this stack: s3 (the artifact store) and kubernetes (the operator's base).
    assert {"s3fs", "boto3", "aws-profile-manager", "kubernetes", "jinja2"} <= set(pins)
    assert int(pins["kubernetes"][0].split(".")[0]) < 26
    assert tuple(int(p) for p in pins["boto3"][0].split(".")[:2]) >= (1, 34)  # boto3 >= 1.34.41 reads Pod Identity
    # Not ZenML's spark integration (pyspark 3.2.1): the image's own pyspark is used.
    assert "pyspark" not in pins and "py4j" not in pins
    numpy = requirement_pins(SPARK_DIR / "image-requirements.txt")["numpy"]
    assert pins["numpy"] == numpy


def test_the_zenml_step_target_adds_python_zenml_the_package_and_the_path(instructions):
    stage = stages(instructions)["zenml-step"]
    body = "\n".join(i["value"] for i in stage)
    assert "ln -s /usr/bin/python3 /usr/local/bin/python" in body
    assert "--from=pipeline zenml_spark_eks /opt/zenml-spark/zenml_spark_eks" in body
    assert "/opt/spark/python" in body and "py4j-*-src.zip" in body and "echo /opt/zenml-spark" in body
    assert [i["value"] for i in stage if i["instruction"] == "WORKDIR"] == ["/opt/spark/work-dir"]
    ignored = (SPARK_DIR / ".dockerignore").read_text(encoding="utf-8")
    assert "!zenml-step-requirements.txt" in ignored
    assert (SPARK_DIR.parent / "pipeline" / ".dockerignore").read_text(encoding="utf-8").splitlines()[1:3] == ["*", "!zenml_spark_eks/"]

