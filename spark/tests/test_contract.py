"""The constants common.py shares with the TypeScript side, held to contract.json.

spark/zenml_spark_steps/contract.json is generated from lib/settings/pipeline.ts and names.ts by
scripts/generate/spark-contract.ts, and a jest test holds it to those constants; this test holds
the Python literals to the file, so a step or run-id rule changed on one side only fails a test.
"""

from __future__ import annotations

import json
import re

from conftest import SPARK_DIR
from zenml_spark_steps.common import RUN_ID_PATTERN, STEPS

CONTRACT = json.loads((SPARK_DIR / "zenml_spark_steps" / "contract.json").read_text(encoding="utf-8"))


def test_steps_are_the_typescript_pipeline_steps_in_order():
    assert list(STEPS) == CONTRACT["steps"]


def test_run_id_rule_is_the_typescript_rule():
    assert RUN_ID_PATTERN.pattern == CONTRACT["runIdPattern"]
    # No flags beyond re.UNICODE, Python's default for a str pattern (the JavaScript rule has none).
    assert (RUN_ID_PATTERN.flags & ~re.UNICODE) == 0
