"""The spark-eks step operator: implementation, the objects it submits, its launchers and driver logs."""
