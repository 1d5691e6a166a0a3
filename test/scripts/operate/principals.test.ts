import { matchingAdmin, parseCallerArn } from '../../../scripts/operate/principals';

describe('caller vs clusterAdminPrincipalArns', () => {
  const ROLE =
    'arn:aws:iam::111122223333:role/aws-reserved/sso.amazonaws.com/eu-west-1/AWSReservedSSO_Admin_0123';
  const SESSION = 'arn:aws:sts::111122223333:assumed-role/AWSReservedSSO_Admin_0123/jane@example.com';

  test('an assumed-role session matches its role even though the session ARN drops the path', () => {
    expect(matchingAdmin(parseCallerArn(SESSION), [ROLE])).toBe(ROLE);
  });

  test('the same role name in another account does not match', () => {
    expect(
      matchingAdmin(parseCallerArn(SESSION), [ROLE.replace('111122223333', '444455556666')]),
    ).toBeUndefined();
  });

  test('a user matches only its own ARN, not a role of the same name', () => {
    const user = 'arn:aws:iam::111122223333:user/jane';
    expect(matchingAdmin(parseCallerArn(user), [user])).toBe(user);
    expect(matchingAdmin(parseCallerArn(user), ['arn:aws:iam::111122223333:role/jane'])).toBeUndefined();
  });

  test('root is recognised (it cannot be given cluster access the normal way)', () => {
    expect(parseCallerArn('arn:aws:iam::111122223333:root').kind).toBe('root');
  });
});
