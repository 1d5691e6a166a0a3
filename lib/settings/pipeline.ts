/**
 * The pipeline constants shared with the Python side (spark/zenml_spark_steps/common.py): the step
 * list, in run order, and the run-id rule. scripts/generate/spark-contract.ts writes them to
 * spark/zenml_spark_steps/contract.json; a jest test and a pytest hold both languages to that file.
 */

export const PIPELINE_STEPS = ['importer', 'statistics', 'splitter', 'transformer', 'trainer'] as const;
export type PipelineStep = (typeof PIPELINE_STEPS)[number];

/** The run id becomes part of Kubernetes object names and labels, and of S3 keys. */
export const RUN_ID_PATTERN = /^[a-z0-9](?:[a-z0-9-]{0,22}[a-z0-9])?$/;
