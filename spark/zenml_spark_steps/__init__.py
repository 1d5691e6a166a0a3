"""The five steps of ZenML's spark_distributed_programming example as PySpark programs.

One module per step (importer, statistics, splitter, transformer, trainer). The Spark logic lives
once, as functions from DataFrames to DataFrames or fitted models (``importer.load_dataset``,
``statistics.summarize``, ``splitter.split``, ``transformer.fit``/``transform``,
``trainer.train``/``evaluate``). Two callers share them: each module's ``run(spark, paths, ...)``
and ``main(argv)`` (the Kubernetes Job's spark-submit, through spark/run_step.py), and the ZenML
steps in pipeline/spark_pipeline.py, whose artifacts carry the DataFrames and models instead of
the run's S3 paths.
"""
