"""A real PySpark driver in client mode against the test control plane, as a service account.

    python spark_driver_probe.py --server URL --token-file F --ca-file F --namespace NS
        --executor-template F --executors N --release-file F [--timeout S]

Starts a SparkSession whose master is the API server, authenticated with the service account's
token (spark.kubernetes.authenticate.oauthTokenFile: the client-mode setting; the `driver.`
variants are for cluster mode) and the project's executor pod template, so the driver creates its
executor pods exactly as it would in the cluster. Without a kubelet the executors never start;
the caller watches for the pods, then creates --release-file, and the probe stops the session
(the driver's clean-up calls happen here). Prints one JSON line with the application id.

Run with a clean HOME: Spark's Kubernetes client otherwise also reads ~/.kube/config.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time


def main(argv: list[str]) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--server", required=True)
    p.add_argument("--token-file", required=True)
    p.add_argument("--ca-file", required=True)
    p.add_argument("--namespace", required=True)
    p.add_argument("--service-account", required=True)
    p.add_argument("--executor-template", required=True)
    p.add_argument("--executors", type=int, default=2)
    p.add_argument("--release-file", required=True)
    p.add_argument("--timeout", type=float, default=120)
    p.add_argument("--app-name", default="driver-probe")
    p.add_argument("--conf", action="append", default=[], help="extra key=value Spark settings")
    a = p.parse_args(argv)

    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(f"k8s://{a.server}")
        .appName(a.app_name)
        .config("spark.submit.deployMode", "client")
        .config("spark.kubernetes.namespace", a.namespace)
        .config("spark.kubernetes.authenticate.oauthTokenFile", a.token_file)
        .config("spark.kubernetes.authenticate.caCertFile", a.ca_file)
        .config("spark.kubernetes.authenticate.executor.serviceAccountName", a.service_account)
        .config("spark.kubernetes.container.image", "example.invalid/zenml-spark-eks/probe:never-pulled")
        .config("spark.kubernetes.executor.podTemplateFile", a.executor_template)
        .config("spark.kubernetes.executor.podTemplateContainerName", "spark-kubernetes-executor")
        .config("spark.executor.instances", str(a.executors))
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
        .config("spark.ui.enabled", "false")
        # Executors never register without a kubelet: do not wait 30 s for them before returning.
        .config("spark.scheduler.maxRegisteredResourcesWaitingTime", "1s")
    )
    for kv in a.conf:
        key, _, value = kv.partition("=")
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    app_id = spark.sparkContext.applicationId
    deadline = time.monotonic() + a.timeout
    released = False
    while time.monotonic() < deadline:
        if os.path.exists(a.release_file):
            released = True
            break
        time.sleep(0.2)
    spark.stop()
    print(json.dumps({"applicationId": app_id, "released": released}), flush=True)
    return 0 if released else 3


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
