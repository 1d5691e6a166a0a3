import {
  type Finding,
  parseAcknowledgements,
  triage,
} from '../../../../../scripts/verify/gates/parsers/findings';

const REASON = 'A reason long enough for a reviewer to read.';

function finding(rule: string, resource: string, extra: Partial<Finding> = {}): Finding {
  return { rule, resource, location: 'x', message: 'm', ...extra };
}

describe('parseAcknowledgements', () => {
  test('accepts an entry with a rule, named resources and a reason', () => {
    const { entries, errors } = parseAcknowledgements(
      `- rule: W3005\n  resources: [ZenmlSpark/A]\n  reason: ${REASON}\n`,
      'f.yaml',
    );
    expect(errors).toEqual([]);
    expect(entries).toEqual([
      expect.objectContaining({ rule: 'W3005', resources: ['ZenmlSpark/A'], reason: REASON }),
    ]);
  });

  test.each([
    ['no reason and no sameAs', `- rule: W1\n  resources: [A]\n`, /needs a 'reason'/],
    ['a one-word reason', `- rule: W1\n  resources: [A]\n  reason: fine\n`, /needs a 'reason'/],
    ['a wildcard rule', `- rule: W*\n  resources: [A]\n  reason: ${REASON}\n`, /one rule id/],
    ['a wildcard resource', `- rule: W1\n  resources: ['*']\n  reason: ${REASON}\n`, /wildcards are not/],
    [
      'a prefix resource',
      `- rule: W1\n  resources: [ZenmlSpark/*]\n  reason: ${REASON}\n`,
      /wildcards are not/,
    ],
    ['no resources', `- rule: W1\n  reason: ${REASON}\n`, /non-empty list/],
    [
      'an unknown key',
      `- rule: W1\n  resources: [A]\n  reason: ${REASON}\n  scope: all\n`,
      /unknown key\(s\) scope/,
    ],
    [
      'a malformed fingerprint',
      `- rule: W1\n  resources: [A]\n  reason: ${REASON}\n  fingerprint: abc\n`,
      /16 lowercase hex/,
    ],
    [
      'an unknown valueIs',
      `- rule: W1\n  resources: [A]\n  reason: ${REASON}\n  valueIs: anything\n`,
      /valueIs/,
    ],
    ['a mapping instead of a list', `rule: W1\n`, /expected a YAML list/],
  ])('rejects %s', (_name, text, message) => {
    const { errors } = parseAcknowledgements(text, 'f.yaml');
    expect(errors.join('\n')).toMatch(message);
  });
});

describe('triage', () => {
  const entries = parseAcknowledgements(
    [
      `- rule: CKV_AWS_21\n  resources: [ZenmlSpark/ArtifactStore/Bucket]\n  reason: ${REASON}`,
      `- rule: CKV_AWS_18\n  resources: [ZenmlSpark/ArtifactStore/AccessLogs]\n  sameAs: cdk-validator-cfnguard::s3_bucket_logging_enabled_check`,
    ].join('\n'),
    'f.yaml',
  ).entries;

  test('acknowledges only the named rule on the named resource', () => {
    const t = triage(
      [
        finding('CKV_AWS_21', 'ZenmlSpark/ArtifactStore/Bucket'),
        finding('CKV_AWS_21', 'ZenmlSpark/ArtifactStore/AccessLogs'),
        finding('CKV_AWS_99', 'ZenmlSpark/ArtifactStore/Bucket'),
      ],
      entries.slice(0, 1),
    );
    expect(t.acknowledged.map((f) => `${f.rule} ${f.resource} ${f.reason}`)).toEqual([
      `CKV_AWS_21 ZenmlSpark/ArtifactStore/Bucket ${REASON}`,
    ]);
    expect(t.unacknowledged.map((f) => `${f.rule} ${f.resource}`)).toEqual([
      'CKV_AWS_21 ZenmlSpark/ArtifactStore/AccessLogs',
      'CKV_AWS_99 ZenmlSpark/ArtifactStore/Bucket',
    ]);
  });

  test('a resource name is matched exactly, never as a prefix of a child construct', () => {
    const t = triage([finding('CKV_AWS_21', 'ZenmlSpark/ArtifactStore/Bucket/Policy')], entries.slice(0, 1));
    expect(t.unacknowledged).toHaveLength(1);
    expect(t.stale).toEqual([{ rule: 'CKV_AWS_21', resource: 'ZenmlSpark/ArtifactStore/Bucket' }]);
  });

  test('sameAs reuses the reason of the acknowledgement on the construct', () => {
    const t = triage([finding('CKV_AWS_18', 'ZenmlSpark/ArtifactStore/AccessLogs')], entries.slice(1), {
      synthAcknowledgement: (resource, id) =>
        resource === 'ZenmlSpark/ArtifactStore/AccessLogs' && id.endsWith('logging_enabled_check')
          ? 'it is the log target'
          : undefined,
    });
    expect(t.invalid).toEqual([]);
    expect(t.acknowledged[0].reason).toBe(
      'as cdk-validator-cfnguard::s3_bucket_logging_enabled_check: it is the log target',
    );
  });

  test('sameAs fails when the construct does not carry that acknowledgement', () => {
    const t = triage([finding('CKV_AWS_18', 'ZenmlSpark/ArtifactStore/AccessLogs')], entries.slice(1), {
      synthAcknowledgement: () => undefined,
    });
    expect(t.unacknowledged).toHaveLength(1);
    expect(t.invalid[0]).toMatch(
      /sameAs 'cdk-validator-cfnguard::s3_bucket_logging_enabled_check' is not acknowledged/,
    );
  });

  test('a fingerprint pins the entry to one value', () => {
    const [entry] = parseAcknowledgements(
      `- rule: generic-api-key\n  resources: [repo:a.ts]\n  fingerprint: '0123456789abcdef'\n  reason: ${REASON}`,
      'f.yaml',
    ).entries;
    const t = triage(
      [
        finding('generic-api-key', 'repo:a.ts', { fingerprint: '0123456789abcdef' }),
        finding('generic-api-key', 'repo:a.ts', { fingerprint: 'fedcba9876543210' }),
      ],
      [entry],
    );
    expect(t.acknowledged).toHaveLength(1);
    expect(t.unacknowledged.map((f) => f.fingerprint)).toEqual(['fedcba9876543210']);
  });

  test('valueIs asks the computed check for every match', () => {
    const [entry] = parseAcknowledgements(
      `- rule: generic-api-key\n  resources: [cdk.out:t.json]\n  valueIs: cdk-asset-hash\n  reason: ${REASON}`,
      'f.yaml',
    ).entries;
    const t = triage(
      [
        finding('generic-api-key', 'cdk.out:t.json', { secret: 'good' }),
        finding('generic-api-key', 'cdk.out:t.json', { secret: 'bad' }),
      ],
      [entry],
      { valueCheck: (_kind, f) => f.secret === 'good' },
    );
    expect(t.acknowledged.map((f) => f.secret)).toEqual(['good']);
    expect(t.unacknowledged.map((f) => f.secret)).toEqual(['bad']);
  });
});
