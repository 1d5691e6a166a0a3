"""Flavors of the zenml_spark_eks integration (as ZenML's own integrations lay them out)."""

from zenml_spark_eks.flavors.spark_eks_step_operator_flavor import (
    SPARK_EKS_STEP_OPERATOR_FLAVOR,
    SparkEksStepOperatorConfig,
    SparkEksStepOperatorFlavor,
    SparkEksStepOperatorSettings,
)

__all__ = [
    "SPARK_EKS_STEP_OPERATOR_FLAVOR",
    "SparkEksStepOperatorConfig",
    "SparkEksStepOperatorFlavor",
    "SparkEksStepOperatorSettings",
]
