/**
 * IAM: the Spark Pod Identity role, trusted by the EKS Pod Identity service only, scoped to this
 * bucket; and (sparkHistoryServer=true) the history server's, scoped to the event-log prefix.
 */
import { GetRoleCommand, GetRolePolicyCommand, ListRolePoliciesCommand } from '@aws-sdk/client-iam';
import { physicalNames } from '../../../../lib/settings/names';
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
  if (config.sparkHistoryServer) await checkHistoryRole(ctx, bucket);
}

interface Statement {
  Action?: string | string[];
  Resource?: string | string[];
  Condition?: Record<string, Record<string, string | string[]>>;
}

async function inlineStatements(ctx: DeployedContext, roleName: string): Promise<Statement[]> {
  const { c } = ctx;
  const names = (await c.iam.send(new ListRolePoliciesCommand({ RoleName: roleName }))).PolicyNames ?? [];
  const out: Statement[] = [];
  for (const p of names) {
    const doc = JSON.parse(
      decodeURIComponent(
        (await c.iam.send(new GetRolePolicyCommand({ RoleName: roleName, PolicyName: p }))).PolicyDocument ??
          '{}',
      ),
    );
    out.push(...[doc.Statement ?? []].flat());
  }
  return out;
}

/** The history server's role: list under the prefix, read/delete under it, write its marker; nothing else. */
async function checkHistoryRole(ctx: DeployedContext, bucket: string | undefined): Promise<void> {
  const { c, config, r } = ctx;
  const roleName = physicalNames(config).sparkHistoryRoleName;
  const prefix = config.sparkEventLogPrefix;
  try {
    const role = (await c.iam.send(new GetRoleCommand({ RoleName: roleName }))).Role;
    const trust = JSON.parse(decodeURIComponent(role?.AssumeRolePolicyDocument ?? '{}'));
    r.check(
      'IAM',
      `role '${roleName}' trusted by pods.eks.amazonaws.com only`,
      (trust.Statement ?? []).every(
        (s: { Principal?: { Service?: string } }) => s.Principal?.Service === 'pods.eks.amazonaws.com',
      ),
      JSON.stringify(trust.Statement?.map((s: { Principal?: unknown }) => s.Principal)),
    );
    const statements = await inlineStatements(ctx, roleName);
    const allowed = new Map<string, string[]>([
      ['s3:ListBucket', [`arn:aws:s3:::${bucket}`]],
      ['s3:GetObject', [`arn:aws:s3:::${bucket}/${prefix}*`]],
      ['s3:DeleteObject', [`arn:aws:s3:::${bucket}/${prefix}*`]],
      ['s3:PutObject', [`arn:aws:s3:::${bucket}/${prefix}`]],
    ]);
    const seen = statements.flatMap((s) =>
      [s.Action ?? []].flat().flatMap((a) => [s.Resource ?? []].flat().map((res) => `${a} ${res}`)),
    );
    const extra = seen.filter((entry) => {
      const [action, resource] = entry.split(' ');
      return !(allowed.get(action) ?? []).includes(resource);
    });
    r.check(
      'IAM',
      `history server role reaches only ${prefix} of the artifact bucket (list, read, delete; its marker)`,
      !!bucket && seen.length > 0 && extra.length === 0,
      extra.length > 0 ? `beyond the prefix: ${extra.join(', ')}` : seen.join(', ') || 'no statements',
    );
    const list = statements.find((s) => [s.Action ?? []].flat().includes('s3:ListBucket'));
    r.check(
      'IAM',
      `history server role lists only under ${prefix} (s3:prefix condition)`,
      JSON.stringify(list?.Condition?.StringLike?.['s3:prefix']) === JSON.stringify([prefix, `${prefix}*`]),
      JSON.stringify(list?.Condition ?? {}),
    );
  } catch (e) {
    r.check('IAM', `role '${roleName}' exists`, false, errName(e));
  }
}
