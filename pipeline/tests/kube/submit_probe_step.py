"""Runs a one-step pipeline on the spark-eks operator, launcher=kubernetes, against the test API server.

    python submit_probe_step.py --context CONTEXT --moto URL --image IMAGE --planted VALUE --out FILE

Used by test/k8s/zenml-step-submission.kube.test.ts, which starts the API server, a real ZenML server
(ZENML_STORE_URL/_USERNAME/_PASSWORD in the environment) and moto, and gives this process a
kubeconfig (KUBECONFIG) whose user is only in the step submitters' group. Everything is the real
path a user's `python pipeline/run.py` takes: the flavor registered, the stack with the S3 artifact
store, the code upload, the operator rendering and submitting the Secret and Job with that user's
credentials, watching them, tailing the driver log when the step fails, deleting the Secret.
There is no kubelet: the test plays it, failing the driver pod once it has checked the objects.

The step's `environment` carries a planted value (it reaches the operator with ZenML's step
environment, like the API token). Writes one JSON object to --out: the outcome and the output.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from typing import Annotated

from zenml import pipeline, step


@step(step_operator=True)
def probe() -> Annotated[int, "one"]:
    return 1


@pipeline(enable_cache=False)
def kube_probe() -> None:
    probe()


def register(args: argparse.Namespace) -> None:
    from zenml.client import Client
    from zenml.enums import StackComponentType

    client = Client()
    client.create_flavor(
        source="zenml_spark_eks.flavors.SparkEksStepOperatorFlavor", component_type=StackComponentType.STEP_OPERATOR
    )
    client.create_stack_component(
        name="spark_eks",
        flavor="spark-eks",
        component_type=StackComponentType.STEP_OPERATOR,
        configuration={
            "image": args.image,
            "region": "us-east-1",
            "kubernetes_context": args.context,
            "status_poll_seconds": 1,
            "failure_log_lines": 20,
        },
    )
    client.create_stack_component(
        name="s3_moto",
        flavor="s3",
        component_type=StackComponentType.ARTIFACT_STORE,
        configuration={"path": "s3://zenml-kube-test", "client_kwargs": {"endpoint_url": args.moto, "region_name": "us-east-1"}},
    )
    client.create_stack(
        name="spark_kube",
        components={StackComponentType.ORCHESTRATOR: "default", StackComponentType.ARTIFACT_STORE: "s3_moto",
                    StackComponentType.STEP_OPERATOR: "spark_eks"},
    )  # fmt: skip
    client.activate_stack("spark_kube")


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--context", required=True)
    p.add_argument("--moto", required=True)
    p.add_argument("--image", required=True)
    p.add_argument("--planted", required=True)
    p.add_argument("--out", required=True)
    args = p.parse_args(argv)

    import boto3

    boto3.client("s3", endpoint_url=args.moto, region_name="us-east-1").create_bucket(Bucket="zenml-kube-test")
    register(args)
    started = time.monotonic()
    outcome: dict = {"completed": False}
    try:
        # The planted value reaches the step's environment, as a user's step environment would.
        kube_probe.with_options(environment={"PLANTED_VALUE": args.planted})()
        outcome["completed"] = True
    except Exception as e:  # noqa: BLE001 - the outcome is what the test checks
        outcome["error"] = f"{type(e).__name__}: {e}"
    outcome["seconds"] = round(time.monotonic() - started, 1)
    with open(args.out, "w", encoding="utf-8") as f:
        json.dump(outcome, f)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
