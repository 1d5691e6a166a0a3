"""`python pipeline/run.py` on a stack without the spark-eks step operator: one line saying what to do.

Real ZenML on a fresh local store (ZenML's SQLite store in a throwaway config directory), whose
active stack is ZenML's `default` one: an orchestrator and an artifact store, no step operator,
what a user has before `npm run outputs -- --run`. Without the check ZenML fails the run with a
ValueError about settings keys.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from conftest import PIPELINE_DIR, ROOT


def test_a_stack_without_a_step_operator_is_one_line_pointing_at_npm_run_outputs(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("ZENML_STORE_")}
    env.update(
        ZENML_CONFIG_PATH=str(tmp_path / "zenml-config"),
        ZENML_ANALYTICS_OPT_IN="false",
        ZENML_LOGGING_COLORS_DISABLED="true",
        # The step programs, as the suite and the image put them on the path.
        PYTHONPATH=os.pathsep.join(p for p in (str(ROOT / "spark"), env.get("PYTHONPATH", "")) if p),
    )
    res = subprocess.run(
        [sys.executable, str(PIPELINE_DIR / "run.py")], capture_output=True, text=True, timeout=300, cwd=ROOT, env=env
    )
    assert res.returncode == 1, res.stderr[-3000:]
    lines = [line for line in res.stderr.splitlines() if line.strip()]
    assert lines == [
        "run.py: the active ZenML stack 'default' has no step operator: "
        "register this repo's stack on your server with: npm run outputs -- --run"
    ], res.stderr[-3000:]
    assert "Traceback" not in res.stdout + res.stderr
    # Stopped before a run was created: nothing reached the store but ZenML's own setup.
    assert "Initiating a new run" not in res.stdout + res.stderr
