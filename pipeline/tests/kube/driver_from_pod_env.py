"""The Spark session a spark-eks step pod would start, started here from that pod's own environment.

    python driver_from_pod_env.py --pod-json FILE --server URL --token-file F --ca-file F --release-file F

Reads a driver pod as the API server holds it (kubectl get pod -o json), takes its plain env (the
Spark settings and the executor template the operator rendered) and resolves its two fieldRefs as
the kubelet would (the pod's name; its IP, here 127.0.0.1), then calls the package's own
get_spark_session(). Only what stands in for the pod's in-cluster surroundings is changed: the API
server URL (kubernetes.default.svc -> the test server), the credentials (the mounted service-account
token -> the same account's token in a file), and no 30 s wait for executors that never start
(there is no kubelet). The driver creates its executor pods as spark-service-account; the caller
checks them, then creates --release-file, and the session stops (deleting them). Prints one JSON line.

Run with a clean HOME: Spark's Kubernetes client would otherwise also read ~/.kube/config.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser()
    p.add_argument("--pod-json", required=True)
    p.add_argument("--server", required=True)
    p.add_argument("--token-file", required=True)
    p.add_argument("--ca-file", required=True)
    p.add_argument("--release-file", required=True)
    p.add_argument("--timeout", type=float, default=180)
    a = p.parse_args(argv)

    with open(a.pod_json, encoding="utf-8") as f:
        pod = json.load(f)
    (container,) = pod["spec"]["containers"]
    field_values = {"metadata.name": pod["metadata"]["name"], "status.podIP": "127.0.0.1"}
    for var in container.get("env", []):
        if "value" in var:
            os.environ[var["name"]] = var["value"]
        elif "fieldRef" in var.get("valueFrom", {}):
            os.environ[var["name"]] = field_values[var["valueFrom"]["fieldRef"]["fieldPath"]]

    from zenml_spark_eks.session import CONF_ENV, get_spark_session

    conf = json.loads(os.environ[CONF_ENV])
    assert conf["spark.master"] == "k8s://https://kubernetes.default.svc", conf["spark.master"]
    conf["spark.master"] = f"k8s://{a.server}"
    os.environ[CONF_ENV] = json.dumps(conf)
    spark = get_spark_session(
        extra_conf={
            "spark.kubernetes.authenticate.oauthTokenFile": a.token_file,
            "spark.kubernetes.authenticate.caCertFile": a.ca_file,
            "spark.scheduler.maxRegisteredResourcesWaitingTime": "1s",
            "spark.ui.enabled": "false",
        }
    )
    app_id = spark.sparkContext.applicationId
    effective = dict(spark.sparkContext.getConf().getAll())
    deadline = time.monotonic() + a.timeout
    released = False
    while time.monotonic() < deadline:
        if os.path.exists(a.release_file):
            released = True
            break
        time.sleep(0.2)
    spark.stop()
    print(
        json.dumps(
            {
                "applicationId": app_id,
                "released": released,
                "driverPodName": effective.get("spark.kubernetes.driver.pod.name"),
                "executorServiceAccount": effective.get("spark.kubernetes.authenticate.executor.serviceAccountName"),
                "driverMemory": effective.get("spark.driver.memory"),
            }
        ),
        flush=True,
    )
    return 0 if released else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
