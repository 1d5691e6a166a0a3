"""Spark event logs: the settings every Spark application of the product carries, and the history server's.

Read from contract.json (generated from lib/settings/spark-history.ts by
scripts/generate/spark-contract.ts), not retyped here, so the step Jobs (which get them from the
TypeScript chart), the ZenML step operator's driver sessions and the local history-server test all
use the same configuration. A directory is ``s3a://<artifact bucket>/<sparkEventLogPrefix>``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Dict

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
