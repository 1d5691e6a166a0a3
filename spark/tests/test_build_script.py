"""scripts/operate/build-spark-image.sh without Docker or AWS: the content tag and the --dry-run plan."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from conftest import SPARK_DIR, read_versions

ROOT = SPARK_DIR.parent
SCRIPT = "scripts/operate/build-spark-image.sh"
REPOSITORY = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/zenml"


def build_script(root: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["bash", str(root / SCRIPT), *args], capture_output=True, text=True, timeout=60)


def copy_of_sources(tmp_path: Path) -> Path:
    (tmp_path / SCRIPT).parent.mkdir(parents=True)
    shutil.copy(ROOT / SCRIPT, tmp_path / SCRIPT)
    shutil.copytree(SPARK_DIR, tmp_path / "spark", ignore=shutil.ignore_patterns("__pycache__", "tests", ".pytest_cache"))
    (tmp_path / "pipeline").mkdir()
    shutil.copy(ROOT / "pipeline" / ".dockerignore", tmp_path / "pipeline" / ".dockerignore")
    shutil.copytree(ROOT / "pipeline" / "zenml_spark_eks", tmp_path / "pipeline" / "zenml_spark_eks", ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_tag_is_the_spark_version_and_a_content_hash(tmp_path):
    tag = build_script(ROOT, "--print-tag").stdout.strip()
    assert tag.startswith(f"spark-{read_versions()['SPARK_VERSION']}-") and len(tag.rsplit("-", 1)[1]) == 12
    copy = copy_of_sources(tmp_path)
    assert build_script(copy, "--print-tag").stdout.strip() == tag
    step = copy / "spark" / "zenml_spark_steps" / "trainer.py"
    step.write_text(step.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    assert build_script(copy, "--print-tag").stdout.strip() != tag


def test_dry_run_passes_every_pin_and_pushes_the_content_tag():
    result = build_script(ROOT, "--repository", REPOSITORY, "--region", "eu-west-1", "--dry-run")
    assert result.returncode == 0, result.stderr
    tag = build_script(ROOT, "--print-tag").stdout.strip()
    build = next(line for line in result.stdout.splitlines() if "docker buildx build" in line)
    for key, value in read_versions().items():
        assert f"--build-arg {key}={value}" in build
    assert f"--tag {REPOSITORY}:{tag} --push" in build
    assert "--platform linux/amd64" in build
    assert result.stdout.strip().splitlines()[-1] == f"{REPOSITORY}:{tag}"


def test_bad_arguments_are_named():
    assert "unknown argument '--bogus'" in build_script(ROOT, "--bogus").stderr
    assert "give --repository URI or --stack NAME" in build_script(ROOT, "--dry-run").stderr
    tagged = build_script(ROOT, "--repository", f"{REPOSITORY}:latest", "--dry-run")
    assert tagged.returncode == 2 and "without a tag" in tagged.stderr


def test_the_zenml_step_tag_names_both_versions_and_follows_the_package():
    tag = build_script(ROOT, "--print-tag", "--target", "zenml-step").stdout.strip()
    assert tag.startswith(f"spark-{read_versions()['SPARK_VERSION']}-zenml-0.98.0-") and len(tag.rsplit("-", 1)[1]) == 12


def test_a_change_to_the_package_changes_only_the_zenml_step_tag(tmp_path):
    copy = copy_of_sources(tmp_path)
    before = {t: build_script(copy, "--print-tag", "--target", t).stdout.strip() for t in ("steps", "zenml-step")}
    flavor = copy / "pipeline" / "zenml_spark_eks" / "sizing.py"
    flavor.write_text(flavor.read_text(encoding="utf-8") + "\n# changed\n", encoding="utf-8")
    after = {t: build_script(copy, "--print-tag", "--target", t).stdout.strip() for t in ("steps", "zenml-step")}
    assert after["steps"] == before["steps"] and after["zenml-step"] != before["zenml-step"]


def test_dry_run_of_the_zenml_step_target_passes_the_package_context():
    result = build_script(ROOT, "--repository", REPOSITORY, "--target", "zenml-step", "--dry-run")
    assert result.returncode == 0, result.stderr
    build = next(line for line in result.stdout.splitlines() if "docker buildx build" in line)
    assert f"--target zenml-step --build-context pipeline={ROOT / 'pipeline'}" in build
    steps = build_script(ROOT, "--repository", REPOSITORY, "--dry-run").stdout
    assert "--target steps " in steps and "--build-context" not in steps
    assert "--target 'bogus': use steps or zenml-step" in build_script(ROOT, "--target", "bogus", "--print-tag").stderr

