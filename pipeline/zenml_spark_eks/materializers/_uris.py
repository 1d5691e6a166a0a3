"""Artifact URIs as Spark sees them."""

from __future__ import annotations


def spark_uri(uri: str) -> str:
    """The artifact store's URI for Spark/Hadoop: ``s3://`` becomes ``s3a://`` (S3A, the image's S3 client).

    Local paths and other schemes are returned unchanged. No ``fs.s3.impl`` remapping is needed.
    """
    if uri.startswith("s3://"):
        return "s3a://" + uri[len("s3://") :]
    return uri


def join(uri: str, name: str) -> str:
    """``uri``/``name`` with exactly one slash (os.path.join would mangle nothing here, but reads as a path)."""
    return uri.rstrip("/") + "/" + name
