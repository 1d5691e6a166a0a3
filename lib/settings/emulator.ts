/**
 * The guard on `emulator=true`: that build leaves out what the local emulator (moto) cannot run,
 * the EKS cluster and every custom-resource Lambda, so in a real account it would deploy "fine" and
 * leave a stack with no cluster. It is refused wherever a real deploy is in sight.
 *
 * The assumption, and what it costs: the emulator is always reached through AWS_ENDPOINT_URL (the
 * emulator tests and the rehearsal's deploys set it; the rehearsal synthesizes its emulator build
 * with no AWS credentials at all, and deploys that assembly with `--app <dir>`, which runs no app).
 * So a run with AWS credentials for an account and no AWS_ENDPOINT_URL is taken as aimed at a real
 * account, and an emulator build there is refused, `cdk synth` included.
 */

/**
 * Why this emulator build must not go on, or undefined.
 * @param realTarget what points at a real account (e.g. `the CDK CLI resolved account 111122223333`);
 *   undefined when nothing does
 */
export function emulatorTargetProblem(
  emulator: boolean,
  endpoint: string | undefined,
  realTarget: string | undefined,
): string | undefined {
  if (!emulator || endpoint || realTarget === undefined) return undefined;
  return (
    `builds for the local moto rehearsal only (no EKS cluster, no custom resources), but ${realTarget} and ` +
    'AWS_ENDPOINT_URL is unset: set emulator=false (cdk.json, -c or ZENML_SPARK_EMULATOR) to deploy to a real account'
  );
}
