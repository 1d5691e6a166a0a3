"""Spark event logs of the operator's steps, for the Spark History Server.

The settings are lib/settings/spark-history.ts's (eventLogConf): rolling logs, 128m pieces, under
``s3a://<artifact bucket>/<sparkEventLogPrefix>`` (the stack's SparkEventLogDir output, which
`npm run outputs` passes as the operator's ``event_log_dir``). The literals are this package's own
(the client installs it without spark/); pipeline/tests/test_event_log.py holds them to
spark/zenml_spark_steps/contract.json, generated from the TypeScript.
"""

from __future__ import annotations

import re
from typing import Dict

HISTORY_PORT = 18080
ROLLING_MAX_FILE_SIZE = "128m"
DIR_PATTERN = re.compile(r"^s3a://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]/(?:[A-Za-z0-9!_.'()-]+/)+$")


def event_log_conf(directory: str) -> Dict[str, str]:
    """spark.eventLog.* for a driver writing under ``directory`` (an s3a:// URI ending with '/')."""
    return {
        "spark.eventLog.enabled": "true",
        "spark.eventLog.dir": directory,
        "spark.eventLog.rolling.enabled": "true",
        "spark.eventLog.rolling.maxFileSize": ROLLING_MAX_FILE_SIZE,
    }


def history_link(app_id: str, port: int = HISTORY_PORT) -> str:
    """The history server's page of one application, through `npm run spark-ui`'s port-forward."""
    return f"http://localhost:{port}/history/{app_id}"
