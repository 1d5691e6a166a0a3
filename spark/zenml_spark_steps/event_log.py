"""Spark event logs: the settings every Spark application of the product carries, and the history server's.

Read from contract.json (generated from lib/settings/spark-history.ts by
scripts/generate/spark-contract.ts), not retyped here, so the step Jobs (which get them from the
TypeScript chart), the ZenML step operator's driver sessions and the local history-server test all
use the same configuration. A directory is ``s3a://<artifact bucket>/<sparkEventLogPrefix>``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict, Mapping

_CONTRACT = json.loads(Path(__file__).with_name("contract.json").read_text(encoding="utf-8"))["eventLog"]

DEFAULT_PREFIX: str = _CONTRACT["defaultPrefix"]
HISTORY_PORT: int = _CONTRACT["historyPort"]
_DIR_TOKEN: str = _CONTRACT["dirToken"]


def _fill(template: Dict[str, str], directory: str) -> Dict[str, str]:
    if not directory.endswith("/") or "://" not in directory:
        raise ValueError(f"event-log directory {directory!r}: a URI ending with '/', e.g. s3a://bucket/spark-events/")
    return {key: value.replace(_DIR_TOKEN, directory) for key, value in template.items()}


def event_log_conf(directory: str) -> Dict[str, str]:
    """spark.eventLog.* for an application writing under ``directory`` (rolling, enabled)."""
    return _fill(_CONTRACT["applicationConf"], directory)


def history_server_conf(directory: str) -> Dict[str, str]:
    """spark.history.* for a history server reading ``directory`` (cleaner on); no S3A credentials."""
    return _fill(_CONTRACT["historyServerConf"], directory)


def history_link(app_id: str, port: int = HISTORY_PORT) -> str:
    """The history server's page of one application, through `npm run spark-ui`'s port-forward."""
    return f"http://localhost:{port}/history/{app_id}"


def ensure_log_dir(conf: Mapping[str, str]) -> None:
    """Creates the event-log directory when ``conf`` enables event logs, before the context starts.

    Spark refuses to start an application whose spark.eventLog.dir does not exist ("Log directory
    ... does not exist"), and on S3 a "directory" exists only once an object is under it: in a
    fresh bucket the first step would fail. Hadoop's mkdirs through S3A writes the directory marker
    (`<prefix>`, 0 bytes) with the driver's own credentials, which may write the whole bucket; once
    logs exist it only checks (one HEAD and one LIST). Needs the JVM gateway (pyspark launches it
    with the same settings when given them as ``conf``).
    """
    if conf.get("spark.eventLog.enabled") != "true" or not conf.get("spark.eventLog.dir"):
        return
    from pyspark import SparkConf, SparkContext

    SparkContext._ensure_initialized(conf=SparkConf(loadDefaults=False).setAll(list(conf.items())))
    jvm = SparkContext._jvm
    hadoop = jvm.org.apache.hadoop.conf.Configuration()
    for key, value in conf.items():
        if key.startswith("spark.hadoop."):
            hadoop.set(key[len("spark.hadoop.") :], value)
    path = jvm.org.apache.hadoop.fs.Path(conf["spark.eventLog.dir"])
    path.getFileSystem(hadoop).mkdirs(path)
