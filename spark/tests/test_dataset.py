"""The committed sample is exactly what the generator makes, so larger sets share its properties."""

from __future__ import annotations

import csv
import io
import subprocess
import sys

import pytest

import generate_dataset
from conftest import SAMPLE_CSV, SPARK_DIR


def test_sample_csv_is_reproduced_by_the_generator():
    out = io.StringIO()
    generate_dataset.generate(out, **generate_dataset.DEFAULTS)
    assert out.getvalue() == SAMPLE_CSV.read_text(encoding="utf-8")


def test_generator_writes_the_example_schema_and_both_labels():
    out = io.StringIO()
    generate_dataset.generate(out, rows=200, features=3, categories=5, noise=0.1, seed=1)
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert list(rows[0]) == ["feature_0", "feature_1", "feature_2", "category", "label"]
    assert len(rows) == 200
    assert {r["label"] for r in rows} == {"0", "1"}
    assert {int(r["category"]) for r in rows} <= set(range(5))


def test_generator_cli_writes_a_file(tmp_path):
    target = tmp_path / "big.csv"
    subprocess.run(
        [sys.executable, str(SPARK_DIR / "generate_dataset.py"), "--rows", "1000", "--out", str(target)],
        check=True,
        timeout=60,
    )
    assert len(target.read_text(encoding="utf-8").splitlines()) == 1001


@pytest.mark.parametrize("flag,value", [("--rows", "0"), ("--features", "x"), ("--categories", "1")])
def test_generator_cli_rejects_bad_sizes(flag, value):
    result = subprocess.run(
        [sys.executable, str(SPARK_DIR / "generate_dataset.py"), flag, value], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert f"{flag}={value!r}" in result.stderr
