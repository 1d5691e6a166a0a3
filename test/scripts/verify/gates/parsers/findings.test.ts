import * as path from 'node:path';
import {
  type Finding,
  loadAcknowledgements,
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

describe('acknowledgement rules at their boundaries', () => {
  const one = (entry: string) => parseAcknowledgements(entry, 'f.yaml');
  const errorOf = (entry: string) => {
    const { entries, errors } = one(entry);
    expect(entries).toEqual([]);
    expect(errors).toHaveLength(1);
    return errors[0];
  };

  test('a reason of 20 characters (after trimming) is enough, 19 is not; sameAs alone is enough', () => {
    const twenty = 'x'.repeat(20);
    expect(one(`- rule: W1\n  resources: [A]\n  reason: "  ${twenty}  "\n`).entries[0].reason).toBe(twenty);
    expect(errorOf(`- rule: W1\n  resources: [A]\n  reason: "  ${'x'.repeat(19)}  "\n`)).toBe(
      "f.yaml entry 1 (W1): needs a 'reason' (at least 20 characters) or 'sameAs'",
    );
    expect(one('- rule: W1\n  resources: [A]\n  sameAs: some-id\n').entries).toEqual([
      {
        rule: 'W1',
        resources: ['A'],
        reason: undefined,
        sameAs: 'some-id',
        fingerprint: undefined,
        valueIs: undefined,
      },
    ]);
  });

  test('an entry that is not a mapping, or has no usable rule, is named by its position', () => {
    const { errors } = one(`- rule: W1\n  resources: [A]\n  reason: ${REASON}\n- [a, b]\n- plain\n- null\n`);
    expect(errors).toEqual([
      'f.yaml entry 2: expected a mapping with rule, resources, reason',
      'f.yaml entry 3: expected a mapping with rule, resources, reason',
      'f.yaml entry 4: expected a mapping with rule, resources, reason',
    ]);
    for (const rule of ['"  "', 'W*', 'W?', '3']) {
      expect(errorOf(`- rule: ${rule}\n  resources: [A]\n  reason: ${REASON}\n`)).toBe(
        "f.yaml entry 1: 'rule' must be one rule id (no wildcards)",
      );
    }
    expect(parseAcknowledgements('a: 1\n', 'f.yaml').errors).toEqual([
      'f.yaml: expected a YAML list of entries',
    ]);
    expect(parseAcknowledgements('', 'f.yaml')).toEqual({ entries: [], errors: [] });
  });

  test('resources: every one a non-empty name, none a wildcard', () => {
    for (const resources of ['[]', '[A, ""]', '[A, "  "]', '[A, 3]', 'A']) {
      expect(errorOf(`- rule: W1\n  resources: ${resources}\n  reason: ${REASON}\n`)).toBe(
        "f.yaml entry 1 (W1): 'resources' must be a non-empty list of resource names",
      );
    }
    for (const wild of ['"*"', 'ZenmlSpark/*', '"repo:"']) {
      expect(errorOf(`- rule: W1\n  resources: [A, ${wild}]\n  reason: ${REASON}\n`)).toBe(
        'f.yaml entry 1 (W1): name each resource; wildcards are not acknowledgements',
      );
    }
    expect(one(`- rule: W1\n  resources: ["repo:x:y", "a*b"]\n  reason: ${REASON}\n`).errors).toEqual([]);
  });

  test('a fingerprint is exactly 16 lowercase hex characters; valueIs only cdk-asset-hash; unknown keys named', () => {
    const entry = (extra: string) => `- rule: R\n  resources: [A]\n  reason: ${REASON}\n${extra}`;
    expect(one(entry('  fingerprint: 0123456789abcdef\n')).errors).toEqual([]);
    for (const bad of ['0123456789abcde', '0123456789abcdef0', '0123456789ABCDEF', 'x0123456789abcdef']) {
      expect(errorOf(entry(`  fingerprint: "${bad}"\n`))).toBe(
        'f.yaml entry 1 (R): fingerprint must be 16 lowercase hex characters (sha256 prefix)',
      );
    }
    expect(errorOf(entry('  valueIs: other\n'))).toBe(
      "f.yaml entry 1 (R): valueIs 'other' is unknown (allowed: cdk-asset-hash)",
    );
    expect(one(entry('  valueIs: cdk-asset-hash\n')).entries[0].valueIs).toBe('cdk-asset-hash');
    expect(one(entry('  because: x\n  why: y\n')).errors).toEqual([
      'f.yaml entry 1: unknown key(s) because, why',
    ]);
  });

  test('a file that does not exist acknowledges nothing and is no error', () => {
    expect(loadAcknowledgements(path.join(__dirname, 'no-such-file.yaml'))).toEqual({
      entries: [],
      errors: [],
    });
  });

  test('valueIs without a check to ask never matches; sameAs without a lookup is invalid', () => {
    const f = finding('R', 'A', { secret: 's' });
    const valueIs = { rule: 'R', resources: ['A'], reason: REASON, valueIs: 'cdk-asset-hash' as const };
    expect(triage([f], [valueIs]).unacknowledged).toEqual([f]);
    const sameAs = { rule: 'R', resources: ['A'], sameAs: 'x' };
    expect(triage([f], [sameAs]).invalid).toEqual([
      "R on A: sameAs 'x' is not acknowledged on that construct in the synth",
    ]);
  });

  test('the first entry that matches gives the reason; a duplicate of it counts as used, not stale', () => {
    const f = finding('R', 'A');
    const t = triage(
      [f],
      [
        { rule: 'R', resources: ['A'], reason: 'first reason, long enough' },
        { rule: 'R', resources: ['A'], reason: 'second reason, long enough' },
      ],
    );
    expect(t.acknowledged.map((a) => a.reason)).toEqual(['first reason, long enough']);
    expect(t.stale).toEqual([]);
  });
});
