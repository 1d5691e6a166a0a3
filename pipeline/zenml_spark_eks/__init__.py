"""zenml_spark_eks: run ZenML steps as Spark applications on this project's EKS cluster.

* flavors/ - the `spark-eks` step-operator flavor: settings (Spark sizes per step) and config
  (namespace, service account, image, region, node type, in-cluster server URL), validated;
* step_operators/ - the operator (a step's pod is its Spark driver in client mode), the Secret and
  Job it renders, the Kubernetes launcher and the driver-log streaming;
* launchers.py - the launcher interface and the local launcher (same command and environment as a
  subprocess, for tests without a kubelet);
* materializers/ - Spark DataFrames (Parquet) and Spark ML objects through S3A on the artifact store;
* session.py - get_spark_session(): the driver's session from the pod's environment, or local;
* sizing.py - does a step fit on one Spark node (a port of lib/settings/sizing.ts, held to it by a test).

Register the flavor: ``zenml step-operator flavor register
zenml_spark_eks.flavors.SparkEksStepOperatorFlavor`` (`npm run outputs` prints it).
"""

__version__ = "0.1.0"
