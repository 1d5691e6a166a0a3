/**
 * Values that exist only after deploy (account, region, bucket, image, run id) are written as
 * `PLACEHOLDER-<WHAT>` when unknown. One style everywhere: upper case, so it stands out in review,
 * is still a valid string for the Kubernetes JSON schema, and makes the API server reject the
 * object names it ends up in (names must be lower case): an unrendered manifest cannot be applied
 * by mistake. `scripts/operate/run-pipeline.ts` and the renderer fill in real values.
 */
export const PLACEHOLDERS = {
  region: 'PLACEHOLDER-REGION',
  accountId: 'PLACEHOLDER-ACCOUNT-ID',
  bucketName: 'PLACEHOLDER-ARTIFACT-BUCKET',
  imageTag: 'PLACEHOLDER-IMAGE-TAG',
  sparkRoleArn: 'PLACEHOLDER-SPARK-ROLE-ARN',
  runId: 'PLACEHOLDER-RUN-ID',
  clusterName: 'PLACEHOLDER-CLUSTER-NAME',
  databaseEndpoint: 'PLACEHOLDER-DATABASE-ENDPOINT',
  adminSecretArn: 'PLACEHOLDER-ZENML-ADMIN-SECRET-ARN',
  jwtSecretArn: 'PLACEHOLDER-ZENML-JWT-SECRET-ARN',
  rdsSecretArn: 'PLACEHOLDER-RDS-SECRET-ARN',
} as const;

const PLACEHOLDER = /PLACEHOLDER(?:-[A-Z0-9]+)+/;

/** True when the value is, or contains, a placeholder (an image URI can contain two). */
export function isPlaceholder(value: string): boolean {
  return PLACEHOLDER.test(value);
}

/** Every distinct placeholder in a text, e.g. a written manifest. */
export function placeholdersIn(text: string): string[] {
  return [...new Set(text.match(new RegExp(PLACEHOLDER.source, 'g')) ?? [])].sort();
}
