"""Materializers for Spark DataFrames and Spark ML objects (the step pods' S3A path, keyless)."""

from zenml_spark_eks.materializers.spark_dataframe_materializer import SparkDataFrameMaterializer
from zenml_spark_eks.materializers.spark_ml_materializer import SparkMLMaterializer

__all__ = ["SparkDataFrameMaterializer", "SparkMLMaterializer"]
