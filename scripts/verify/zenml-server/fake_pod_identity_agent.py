"""A stand-in for the EKS Pod Identity agent on 127.0.0.1, stdlib only.

On EKS, Pod Identity injects into the pod:
  AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials
  AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE=/var/run/secrets/pods.eks.amazonaws.com/serviceaccount/eks-pod-identity-token
and botocore's ContainerProvider GETs that URI with `Authorization: <token file content>`.
This agent answers the same request on a loopback URI (botocore accepts loopback http), so the
ZenML server's boto3 takes exactly the code path it takes on EKS: temporary credentials with a
session token, refreshed by botocore. moto accepts any credentials.

Every request is logged (no credential values) to LOG_FILE; the zenml-server suite reads it to
show the server and the launcher used this path.
Usage: python fake_pod_identity_agent.py PORT TOKEN_FILE LOG_FILE [LIFETIME_SECONDS]
"""

import datetime
import json
import secrets
import sys
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

PORT, TOKEN_FILE, LOG_FILE = int(sys.argv[1]), sys.argv[2], sys.argv[3]
LIFETIME = int(sys.argv[4]) if len(sys.argv) > 4 else 3600


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args):  # quiet
        pass

    def do_GET(self):  # noqa: N802
        with open(TOKEN_FILE) as f:
            expected = f.read().strip()
        ok = self.path == "/v1/credentials" and self.headers.get("Authorization") == expected
        with open(LOG_FILE, "a") as log:
            log.write(f"{datetime.datetime.now(datetime.timezone.utc).isoformat()} GET {self.path} auth_ok={ok}\n")
        if not ok:
            self.send_response(403)
            self.end_headers()
            return
        expiration = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=LIFETIME)
        creds = {
                "AccessKeyId": "ASIA" + secrets.token_hex(8).upper(),
                "SecretAccessKey": secrets.token_hex(20),
                "Token": "fake-pod-identity-session-" + secrets.token_hex(16),
                "AccountId": "123456789012",
                "Expiration": expiration.strftime("%Y-%m-%dT%H:%M:%SZ"),
            }
        body = json.dumps(creds).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


ThreadingHTTPServer(("127.0.0.1", PORT), Handler).serve_forever()
