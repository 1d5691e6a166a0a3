"""The Spark materializers round-trip through the S3 artifact store (moto) with S3A, and a Spark ML model
saved by one step loads in the next one of a real ZenML pipeline."""

from __future__ import annotations

import uuid
from typing import Annotated

import pytest
from conftest import BUCKET, ZenmlStack
from pyspark.ml import Pipeline, PipelineModel, Transformer
from pyspark.ml.classification import RandomForestClassificationModel
from pyspark.ml.feature import StandardScaler, VectorAssembler
from pyspark.sql import DataFrame
from zenml import pipeline, step

from zenml_spark_eks.materializers import SparkDataFrameMaterializer, SparkMLMaterializer
from zenml_spark_eks.session import get_spark_session


def sample_frame(spark) -> DataFrame:
    return spark.createDataFrame([(float(i), float(i % 3), i % 2) for i in range(30)], ["feature_0", "feature_1", "label"])


def fitted_pipeline(df: DataFrame) -> PipelineModel:
    return Pipeline(
        stages=[
            VectorAssembler(inputCols=["feature_0", "feature_1"], outputCol="raw"),
            StandardScaler(inputCol="raw", outputCol="features"),
        ]
    ).fit(df)


def artifact_store():
    from zenml.client import Client

    return Client().active_stack.artifact_store


def keys_under(zenml_stack: ZenmlStack, uri: str) -> list[str]:
    listed = zenml_stack.moto.s3().list_objects_v2(Bucket=BUCKET, Prefix=uri[len(f"s3://{BUCKET}/") :])
    return [o["Key"] for o in listed.get("Contents", [])]


def test_a_dataframe_round_trips_as_parquet_on_s3(zenml_stack, spark):
    uri = f"s3://{BUCKET}/materializer-tests/df-{uuid.uuid4().hex[:8]}"
    m = SparkDataFrameMaterializer(uri, artifact_store=artifact_store())
    df = sample_frame(spark)
    m.save(df)
    m.save(df)  # a retried step overwrites its output
    loaded = m.load(DataFrame)
    assert sorted(loaded.collect()) == sorted(df.collect())
    assert any(k.endswith(".parquet") for k in keys_under(zenml_stack, uri))
    assert m.extract_metadata(df) == {"columns": 3, "schema": "struct<feature_0:double,feature_1:double,label:bigint>"}


def test_a_pipeline_model_round_trips_and_loads_as_the_class_it_was_saved_from(zenml_stack, spark):
    uri = f"s3://{BUCKET}/materializer-tests/model-{uuid.uuid4().hex[:8]}"
    m = SparkMLMaterializer(uri, artifact_store=artifact_store())
    df = sample_frame(spark)
    model = fitted_pipeline(df)
    m.save(model)
    # A step annotated with a base class (which has no .load) gets the concrete model back.
    loaded = m.load(Transformer)
    assert isinstance(loaded, PipelineModel)
    assert loaded.transform(df).select("features").collect() == model.transform(df).select("features").collect()
    assert m.extract_metadata(model) == {"spark_ml_class": "PipelineModel", "stages": "VectorAssembler, StandardScalerModel"}
    with pytest.raises(TypeError, match="holds a pyspark.ml.pipeline.PipelineModel, the step expects a RandomForestClassificationModel"):
        m.load(RandomForestClassificationModel)


def test_only_ml_writable_objects_are_saved(zenml_stack):
    m = SparkMLMaterializer(f"s3://{BUCKET}/materializer-tests/not-a-model", artifact_store=artifact_store())
    with pytest.raises(TypeError, match="dict is not MLWritable"):
        m.save({"not": "a model"})


@step(output_materializers=SparkMLMaterializer)
def fit_model() -> Annotated[PipelineModel, "scaler"]:
    return fitted_pipeline(sample_frame(get_spark_session()))


@step
def use_model(scaler: PipelineModel) -> Annotated[int, "width"]:
    out = scaler.transform(sample_frame(get_spark_session()))
    return out.first()["features"].size


@pipeline(enable_cache=False)
def model_between_steps():
    use_model(fit_model())


def test_a_model_saved_by_one_step_loads_in_the_next(zenml_stack, spark):
    run = model_between_steps()
    assert run.status.value == "completed"
    assert run.steps["use_model"].outputs["width"][0].load() == 2
    assert run.steps["fit_model"].outputs["scaler"][0].uri.startswith(f"s3://{BUCKET}/")
