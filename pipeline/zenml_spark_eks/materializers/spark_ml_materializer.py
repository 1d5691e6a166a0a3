"""Spark ML models, pipelines and estimators as ZenML artifacts, saved and loaded by Spark ML itself.

Fixes zenml.integrations.spark's SparkModelMaterializer (0.98): its ``load(self, model_type)`` is
called by ZenML's step runner as ``load(data_type=...)``, a TypeError for any step that takes a Spark
ML model as input; and it calls ``model_type.load``, which fails for an annotation such as
``Transformer`` that has no ``load``. Here the concrete class is recorded when the model is saved
(``spark_ml_class.json``, through the artifact store) and used to load it; the loaded object is
checked against the type the step asks for. Writes overwrite, and ``s3://`` is read as ``s3a://``.
"""

from __future__ import annotations

import importlib
import json
from typing import Any, ClassVar, Dict, Tuple, Type

from pyspark.ml import Estimator, Pipeline, PipelineModel, Transformer
from pyspark.ml.util import MLWritable
from zenml.enums import ArtifactType
from zenml.materializers.base_materializer import BaseMaterializer

from zenml_spark_eks.materializers._uris import join, spark_uri
from zenml_spark_eks.session import get_spark_session

MODEL_DIR = "model"
CLASS_FILE = "spark_ml_class.json"


class SparkMLMaterializer(BaseMaterializer):
    """Anything MLWritable (PipelineModel, fitted models, Pipelines, estimators) <-> ``<artifact uri>/model``."""

    ASSOCIATED_TYPES: ClassVar[Tuple[Type[Any], ...]] = (MLWritable, Transformer, Estimator)
    ASSOCIATED_ARTIFACT_TYPE: ClassVar[ArtifactType] = ArtifactType.MODEL

    def load(self, data_type: Type[Any]) -> Any:
        """The saved object, as an instance of the class it was saved from.

        Args:
            data_type: the type the step asked for, e.g. PipelineModel or Transformer.

        Raises:
            TypeError: the artifact holds a class that is not a ``data_type``.
        """
        get_spark_session()  # MLReadable.load needs an active session
        with self.artifact_store.open(join(self.uri, CLASS_FILE), "r") as f:
            class_path = json.load(f)["class"]
        module, _, name = class_path.rpartition(".")
        cls = getattr(importlib.import_module(module), name)
        model = cls.load(spark_uri(join(self.uri, MODEL_DIR)))
        if isinstance(data_type, type) and not isinstance(model, data_type):
            raise TypeError(f"the artifact holds a {class_path}, the step expects a {data_type.__name__}")
        return model

    def save(self, model: Any) -> None:
        """Saves ``model`` with its own ML writer (overwrite) and records its class.

        Raises:
            TypeError: ``model`` is not MLWritable (Spark cannot save it).
        """
        if not isinstance(model, MLWritable):
            raise TypeError(f"{type(model).__name__} is not MLWritable: Spark ML cannot save it")
        model.write().overwrite().save(spark_uri(join(self.uri, MODEL_DIR)))
        with self.artifact_store.open(join(self.uri, CLASS_FILE), "w") as f:
            json.dump({"class": f"{type(model).__module__}.{type(model).__qualname__}"}, f)

    def extract_metadata(self, model: Any) -> Dict[str, Any]:
        """The class name, and the stage classes of a pipeline (first 1000 characters)."""
        meta: Dict[str, Any] = {"spark_ml_class": type(model).__name__}
        stages = model.stages if isinstance(model, PipelineModel) else model.getStages() if isinstance(model, Pipeline) else None
        if stages:
            meta["stages"] = ", ".join(type(s).__name__ for s in stages)[:1000]
        return meta
