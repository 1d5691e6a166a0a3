"""spark-submit entry point: `spark-submit run_step.py <step> --artifact-root ... --run-id ...`.

A launcher outside the package, so that the step modules are imported as package modules (a
script's own directory goes first on sys.path, and a step file named statistics.py run directly
would shadow the standard library's statistics module).
"""

import importlib
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from zenml_spark_steps.common import STEPS  # noqa: E402


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in STEPS:
        given = repr(argv[0]) if argv else "nothing"
        print(f"run_step.py: the first argument must be a step, one of {', '.join(STEPS)}; got {given}", file=sys.stderr)
        return 2
    module = importlib.import_module(f"zenml_spark_steps.{argv[0]}")
    return module.main(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
