"""Runs the reference Spark pipeline on the active ZenML stack (README, "After deploy").

    python pipeline/run.py [--input URI] [--min-accuracy X] [--seed N] [--no-cache]

The active stack is the one `npm run outputs -- --run` registered: the S3 artifact store and the
`spark-eks` step operator, whose steps run as Spark drivers in the EKS cluster. Nothing is built or
pushed here: the steps run in the step image named in the operator's config, and ZenML uploads this
directory (pipeline/, the source root) to the artifact store, from where each step pod downloads it.
Prints the run's name, status, each step's time, the model's eval accuracy and where the model is.
Exit code 0 when the run completed, 1 when it failed (the failing step's error is printed above),
2 for bad arguments.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def parse(argv: list[str]) -> argparse.Namespace:
    from spark_pipeline import DEFAULT_INPUT
    from zenml_spark_steps.common import DEFAULT_SEED

    p = argparse.ArgumentParser(prog="python pipeline/run.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--input", default=DEFAULT_INPUT, help=f"CSV the importer reads (default {DEFAULT_INPUT}, the sample in the image)")
    p.add_argument("--min-accuracy", type=float, default=0.0, help="the trainer fails below this eval accuracy (0-1)")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, help="seed of the split and the forest")
    p.add_argument("--no-cache", action="store_true", help="run every step even if its inputs did not change")
    args = p.parse_args(argv)
    if not 0.0 <= args.min_accuracy <= 1.0:
        p.error(f"--min-accuracy={args.min_accuracy}: a number from 0 to 1")
    return args


def main(argv: list[str]) -> int:
    # The source root, and so the code ZenML uploads for the step pods, is this directory, whatever
    # the working directory or a `zenml init` above it says.
    from zenml.utils import source_utils

    source_utils.set_custom_source_root(str(HERE))
    from spark_pipeline import spark_pipeline

    args = parse(argv)
    started = time.monotonic()
    pipe = spark_pipeline.with_options(enable_cache=not args.no_cache)
    try:
        run = pipe(input_uri=args.input, seed=args.seed, min_accuracy=args.min_accuracy)
    except Exception as e:  # noqa: BLE001 - the user sees the step's error, not a traceback of ZenML's
        print(f"\nrun failed after {time.monotonic() - started:.0f} s: {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    run = run.get_hydrated_version() if hasattr(run, "get_hydrated_version") else run
    print(f"\nrun {run.name}: {run.status.value} in {time.monotonic() - started:.0f} s")
    for name, step_run in run.steps.items():
        took = (step_run.end_time - step_run.start_time).total_seconds() if step_run.end_time and step_run.start_time else 0
        print(f"  {name:<12} {step_run.status.value:<10} {took:6.1f} s")
    if run.status.value == "completed":
        trainer = run.steps["trainer"]
        metrics = trainer.outputs["metrics"][0].load()
        print(f"eval accuracy {metrics['eval_accuracy']:.3f} on {metrics['eval_rows']} rows")
        print(f"model: {trainer.outputs['model'][0].uri}")
        return 0
    return 1


if __name__ == "__main__":
    sys.path.insert(0, str(HERE))
    sys.exit(main(sys.argv[1:]))
