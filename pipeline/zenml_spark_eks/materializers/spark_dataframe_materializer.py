"""Spark DataFrames as ZenML artifacts: Parquet under the artifact's URI, written and read by Spark itself.

Driver and executors write the files (S3A on S3, with the pods' EKS Pod Identity credentials), so a
DataFrame never passes through the Python process. Differences from zenml.integrations.spark's
materializer (0.98): writes overwrite (a retried step rewrites its output instead of failing on an
existing path), ``s3://`` is read as ``s3a://`` (no ``fs.s3.impl`` remapping), the session comes from
get_spark_session() (configured for the pod, or local), and the metadata is the schema, not a
``df.count()`` (a full Spark job per output).
"""

from __future__ import annotations

from typing import Any, ClassVar, Dict, Tuple, Type

from pyspark.sql import DataFrame
from zenml.enums import ArtifactType
from zenml.materializers.base_materializer import BaseMaterializer

from zenml_spark_eks.materializers._uris import join, spark_uri
from zenml_spark_eks.session import get_spark_session

DATA_DIR = "data"


class SparkDataFrameMaterializer(BaseMaterializer):
    """pyspark.sql.DataFrame <-> Parquet files in ``<artifact uri>/data``."""

    ASSOCIATED_TYPES: ClassVar[Tuple[Type[Any], ...]] = (DataFrame,)
    ASSOCIATED_ARTIFACT_TYPE: ClassVar[ArtifactType] = ArtifactType.DATA

    def load(self, data_type: Type[Any]) -> DataFrame:
        """The artifact as a (lazy) DataFrame of the active or a new session.

        Args:
            data_type: the type the step asked for (a DataFrame).
        """
        return get_spark_session().read.parquet(spark_uri(join(self.uri, DATA_DIR)))

    def save(self, df: DataFrame) -> None:
        """Writes ``df`` as Parquet (overwrite): this runs the DataFrame's whole plan on the executors."""
        df.write.mode("overwrite").parquet(spark_uri(join(self.uri, DATA_DIR)))

    def extract_metadata(self, df: DataFrame) -> Dict[str, Any]:
        """Column count and schema (first 1000 characters); no row count, which would be another Spark job."""
        return {"columns": len(df.columns), "schema": df.schema.simpleString()[:1000]}
