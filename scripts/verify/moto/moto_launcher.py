"""Starts moto's server (what `moto_server` does) with two additions for this project's tests.

1. The server dies with the process that started it (Linux PR_SET_PDEATHSIG): a test run that is
   killed, or times out, leaves no server behind.
2. POST /moto-api/static/cloudformation/stack-status {"account_id", "region", "stack_name",
   "status"} sets the status of a stack created through the CloudFormation API. moto 5.2.x never
   rolls a stack back (its CloudFormation has no failure path: "TODO: handle execution errors and
   implement rollback"), so the tests put a real stack into ROLLBACK_COMPLETE or CREATE_FAILED this
   way, as moto's own /moto-api/static/* routes seed other results. Everything else is moto as is.

Usage: python moto_launcher.py -H 127.0.0.1 -p PORT   (the arguments of moto_server)
"""

import ctypes
import json
import os
import signal
import sys


def die_with_parent() -> None:
    try:
        pr_set_pdeathsig = 1
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGTERM)
    except (OSError, AttributeError):
        return  # not Linux: the caller's own cleanup still stops the server
    if os.getppid() == 1:
        sys.exit(0)  # the parent died before prctl took effect


def set_stack_status(request, full_url, headers):  # noqa: ARG001 - moto's handler signature
    from moto.cloudformation.models import cloudformation_backends

    if request.method != "POST":
        return 400, {}, json.dumps({"Error": "POST a JSON body"})
    size = int(headers.get("Content-Length") or 0)
    body = json.loads(request.environ["wsgi.input"].read(size).decode("utf-8"))
    backend = cloudformation_backends[body["account_id"]][body["region"]]
    stack = backend.get_stack(body["stack_name"])
    stack.status = body["status"]
    return 200, {}, json.dumps({"stack_id": stack.stack_id, "status": stack.status})


def main() -> None:
    die_with_parent()
    from moto.moto_api._internal import urls
    from moto.server import main as moto_main

    urls.url_paths["{0}/moto-api/static/cloudformation/stack-status"] = set_stack_status
    moto_main(sys.argv[1:])


if __name__ == "__main__":
    main()
