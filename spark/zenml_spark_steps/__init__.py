"""The five steps of ZenML's spark_distributed_programming example as PySpark programs.

One module per step (importer, statistics, splitter, transformer, trainer); each has ``run(spark,
paths, ...)`` for tests and ``main(argv)`` for spark-submit (through spark/run_step.py).
"""
