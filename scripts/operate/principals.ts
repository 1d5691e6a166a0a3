/**
 * Who the caller is, in the terms of EKS access entries: an IAM user or an IAM role (a caller
 * that assumed a role is that role). Pure functions, so the lockout rule is unit-tested.
 */

export type Caller =
  | { readonly kind: 'user'; readonly account: string; readonly arn: string; readonly name: string }
  | {
      readonly kind: 'role';
      readonly account: string;
      readonly roleName: string;
      readonly sessionArn: string;
    }
  | { readonly kind: 'root'; readonly account: string }
  | { readonly kind: 'other'; readonly account: string; readonly arn: string };

export function parseCallerArn(arn: string): Caller {
  const m = /^arn:aws[a-z-]*:(iam|sts)::(\d{12}):(.+)$/.exec(arn);
  if (!m) return { kind: 'other', account: '', arn };
  const [, service, account, resource] = m;
  if (resource === 'root') return { kind: 'root', account };
  if (service === 'iam' && resource.startsWith('user/')) {
    return { kind: 'user', account, arn, name: resource.split('/').pop() as string };
  }
  const assumed = /^assumed-role\/([^/]+)\/.+$/.exec(resource);
  if (service === 'sts' && assumed) return { kind: 'role', account, roleName: assumed[1], sessionArn: arn };
  if (service === 'iam' && resource.startsWith('role/')) {
    return { kind: 'role', account, roleName: resource.split('/').pop() as string, sessionArn: arn };
  }
  return { kind: 'other', account, arn };
}

/**
 * The admin ARN that grants this caller, if any. An assumed-role session ARN drops the role's
 * path (SSO roles live under /aws-reserved/sso.amazonaws.com/), so roles match on account + name.
 */
export function matchingAdmin(caller: Caller, adminArns: readonly string[]): string | undefined {
  return adminArns.find((arn) => {
    const admin = parseCallerArn(arn);
    if (caller.kind === 'user') return admin.kind === 'user' && arn === caller.arn;
    if (caller.kind === 'role') {
      return admin.kind === 'role' && admin.account === caller.account && admin.roleName === caller.roleName;
    }
    return false;
  });
}
