import {
  checkOutputs,
  classifyResources,
  referencedLogicalIds,
  reportsNoChanges,
  shimmedDeleteTypes,
  skippedTypesFromLog,
  summarizeTypes,
  type Template,
} from '../../../../scripts/verify/rehearsal/outcomes';

const EMULATOR: Template = {
  Resources: {
    Bucket: { Type: 'AWS::S3::Bucket' },
    BucketPolicy: { Type: 'AWS::S3::BucketPolicy' },
    Secret: { Type: 'AWS::SecretsManager::Secret' },
    SubnetGroup: { Type: 'AWS::RDS::DBSubnetGroup' },
    Repo: { Type: 'AWS::ECR::Repository' },
  },
  Outputs: {
    BucketName: { Value: { Ref: 'Bucket' } },
    SecretArn: { Value: { Ref: 'Secret' } },
    Region: { Value: { Ref: 'AWS::Region' } },
  },
};
const REAL: Template = {
  Resources: {
    ...EMULATOR.Resources,
    Cluster: { Type: 'AWS::EKS::Cluster' },
    Fn: { Type: 'AWS::Lambda::Function' },
  },
};

// moto's log: a warning per type its CloudFormation does not implement.
const LOG = [
  '127.0.0.1 - - "POST / HTTP/1.1" 200 -',
  'No Moto CloudFormation support for AWS::S3::BucketPolicy',
  "parsing.py:341: UserWarning: Tried to parse AWS::SecretsManager::Secret but it's not supported",
  'No Moto CloudFormation support for AWS::SecretsManager::Secret',
].join('\n');

describe('rehearsal report', () => {
  test('skipped types come from moto log lines', () => {
    expect([...skippedTypesFromLog(LOG)].sort()).toEqual([
      'AWS::S3::BucketPolicy',
      'AWS::SecretsManager::Secret',
    ]);
  });

  test('created / skipped by emulator / NOT CREATED', () => {
    const outcomes = classifyResources(
      EMULATOR,
      [
        { logicalId: 'Bucket', type: 'AWS::S3::Bucket', physicalId: 'b-1', status: 'CREATE_COMPLETE' },
        // moto leaves the physical id of a DB subnet group empty: listed and complete is created.
        { logicalId: 'SubnetGroup', type: 'AWS::RDS::DBSubnetGroup', status: 'CREATE_COMPLETE' },
        // moto lists skipped resources with no id or type.
        { logicalId: '', type: '' },
      ],
      skippedTypesFromLog(LOG),
    );
    const byId = Object.fromEntries(outcomes.map((o) => [o.logicalId, o.outcome]));
    expect(byId).toEqual({
      Bucket: 'created',
      SubnetGroup: 'created',
      BucketPolicy: 'skipped by emulator',
      Secret: 'skipped by emulator',
      // ECR is implemented by moto: not being there is a failure, not a gap.
      Repo: 'NOT CREATED',
    });
  });

  test('a resource listed as failed or deleted is not created', () => {
    const [o] = classifyResources(
      { Resources: { Repo: { Type: 'AWS::ECR::Repository' } } },
      [{ logicalId: 'Repo', type: 'AWS::ECR::Repository', physicalId: 'zenml', status: 'CREATE_FAILED' }],
      new Set(),
    );
    expect(o.outcome).toBe('NOT CREATED');
  });

  test('type summary shows what the emulator build leaves out of the real template', () => {
    const outcomes = classifyResources(EMULATOR, [], skippedTypesFromLog(LOG));
    const rows = Object.fromEntries(summarizeTypes(REAL, EMULATOR, outcomes).map((t) => [t.type, t]));
    expect(rows['AWS::EKS::Cluster']).toEqual(expect.objectContaining({ real: 1, emulatorBuild: 0 }));
    expect(rows['AWS::S3::BucketPolicy']).toEqual(
      expect.objectContaining({ real: 1, emulatorBuild: 1, skipped: 1 }),
    );
    expect(rows['AWS::ECR::Repository']).toEqual(expect.objectContaining({ notCreated: 1 }));
  });

  test('outputs that refer to a resource the emulator did not create are named', () => {
    const outcomes = classifyResources(
      EMULATOR,
      [{ logicalId: 'Bucket', type: 'AWS::S3::Bucket', physicalId: 'b-1', status: 'CREATE_COMPLETE' }],
      skippedTypesFromLog(LOG),
    );
    const checks = Object.fromEntries(
      checkOutputs(EMULATOR, outcomes, { BucketName: 'b-1' }).map((c) => [c.name, c]),
    );
    expect(checks.BucketName).toEqual({ name: 'BucketName', value: 'b-1', dependsOnSkipped: [] });
    expect(checks.SecretArn.dependsOnSkipped).toEqual(['Secret']);
    expect(checks.Region.dependsOnSkipped).toEqual([]);
  });

  test('Ref and Fn::GetAtt targets, not pseudo parameters', () => {
    const ids = referencedLogicalIds({
      'Fn::Join': [
        '',
        [
          's3://',
          { Ref: 'Bucket' },
          { Ref: 'AWS::URLSuffix' },
          { 'Fn::GetAtt': ['Db', 'Endpoint.Address'] },
          { 'Fn::GetAtt': 'Role.Arn' },
        ],
      ],
    });
    expect([...ids].sort()).toEqual(['Bucket', 'Db', 'Role']);
  });

  test('the second deploy must say (no changes) for the stack', () => {
    expect(reportsNoChanges(' ✅  ZenmlSpark (zenml-spark) (no changes)\n', 'zenml-spark')).toBe(true);
    expect(
      reportsNoChanges(' ✅  ZenmlSpark (zenml-spark)\n ✨  Deployment time: 1.3s\n', 'zenml-spark'),
    ).toBe(false);
  });

  test('the moto shim announces itself and each delete it performs', () => {
    const shim = shimmedDeleteTypes(
      [
        'rehearsal-moto: CloudFormation delete supplied for: AWS::EC2::Route AWS::EC2::RouteTable',
        'rehearsal-moto: CloudFormation delete of AWS::EC2::RouteTable rtb-1',
        'rehearsal-moto: CloudFormation delete of AWS::EC2::RouteTable rtb-2',
      ].join('\n'),
    );
    expect(shim.loaded).toBe(true);
    expect(shim.types).toEqual(['AWS::EC2::Route', 'AWS::EC2::RouteTable']);
    expect(shim.deleted.get('AWS::EC2::RouteTable')).toBe(2);
    expect(shimmedDeleteTypes('').loaded).toBe(false);
  });
});
