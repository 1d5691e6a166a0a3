/** IAM: the Spark Pod Identity role, trusted by the EKS Pod Identity service only, scoped to this bucket. */
import { GetRoleCommand, GetRolePolicyCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { errName, physicalOf } from '../emulator';
import type { DeployedContext } from './context';

export async function checkIam(ctx: DeployedContext): Promise<void> {
  const { c, config, outcomes, r } = ctx;
  const bucket = physicalOf(outcomes, 'AWS::S3::Bucket', 'ArtifactStoreBucket');
  const roleName = `${config.namePrefix}-spark-pods`;
  try {
    const role = (await c.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    const trust = JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? '{}'));
    const principals = (trust.Statement ?? []).map(
      (s: { Principal?: { Service?: string } }) => s.Principal?.Service,
    );
    r.check(
      'IAM',
      `role '${roleName}' trusted by pods.eks.amazonaws.com only`,
      principals.length > 0 && principals.every((p: unknown) => p === 'pods.eks.amazonaws.com'),
      JSON.stringify(principals),
    );
    const inline = (await c.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
    let resources: string[] = [];
    for (const p of inline) {
      const doc = JSON.parse(
        decodeURIComponent(
          (await c.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: p })))
            .PolicyDocument ?? '{}',
        ),
      );
      for (const s of doc.Statement ?? []) resources = resources.concat(s.Resource ?? []);
    }
    const s3Resources = resources.filter((r) => r.startsWith('arn:aws:s3:'));
    r.check(
      'IAM',
      'Spark role reaches only the artifact bucket in S3',
      !!bucket &&
        s3Resources.length > 0 &&
        s3Resources.every((r) => r === `arn:aws:s3:::${bucket}` || r === `arn:aws:s3:::${bucket}/*`),
      s3Resources.join(', ') || `no S3 statements (inline policies: ${inline.join(', ') || 'none'})`,
    );
  } catch (e) {
    r.check('IAM', `role '${roleName}' exists`, false, errName(e));
  }
}
