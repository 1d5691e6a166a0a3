/**
 * cdk-nag AwsSolutions on every stack variant a user can configure: zero unacknowledged findings,
 * and every acknowledgement carries a reason. (cfn-guard and the built-in CloudFormation validation
 * run, blocking, in the synth suite on the default configuration.)
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { CfnGuardValidator } from '@cdklabs/cdk-validator-cfnguard';
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { defineApp } from '../../lib/app';
import { MetadataDatabase } from '../../lib/metadata-database';
import { SparkNetwork } from '../../lib/network';
import { removalBehaviour } from '../../lib/removal';
import { BlockingCfnGuardValidator, DISABLED_GUARD_RULES } from '../../lib/validation';
import { bareStack } from './bare-stack';
import { buildApp, CDK_JSON_CONTEXT } from './fixtures';

const VARIANTS: Record<string, Record<string, unknown>> = {
  default: {},
  'keyed S3 secret, public endpoint, admins, retain, versioning': {
    s3AccessKey: true,
    clusterEndpointPublicCidrs: ['203.0.113.0/24'],
    clusterAdminPrincipalArns: ['arn:aws:iam::123456789012:role/Admin'],
    removalMode: 'retain',
    bucketVersioning: true,
    mysqlAllowedCidrs: ['10.99.0.0/16'],
  },
  'manifests applied by the user (no kubectl provider)': { applyKubernetesManifests: false },
  'larger pools (2 system nodes, warm Spark nodes, Kubernetes 1.34)': {
    systemNodeCount: 2,
    systemNodeInstanceType: 't3.medium',
    nodeMinSize: 1,
    nodeMaxSize: 8,
    kubernetesVersion: '1.34',
  },
  'emulator build': { emulator: true },
  // Pinned, Stack.formatArn writes literal partition, region and account into ARNs, and cdk-nag's
  // finding ids with them: acknowledgements written for the agnostic form would match nothing.
  'region and account pinned': { region: 'eu-west-1', account: '123456789012' },
  'MySQL and the API endpoint open to the internet, with their overrides': {
    mysqlAllowedCidrs: ['0.0.0.0/0'],
    allowMysqlFromAnywhere: true,
    clusterEndpointPublicCidrs: ['0.0.0.0/0'],
    allowClusterEndpointFromAnywhere: true,
  },
  'ZenML server in password mode': { zenmlDatabaseAuth: 'password' },
  'your own ZenML server (no in-cluster server, no database)': {
    zenmlServer: false,
    zenmlServerUrl: 'https://zenml.example.com',
  },
};

const OPEN_MYSQL_FINDINGS = [
  'AwsSolutions-EC23',
  'cdk-validator-cfnguard::vpc_sg_open_only_to_authorized_ports_check',
  'cdk-validator-cfnguard::vpc_sg_restricted_common_ports_check',
  'CloudFormation-Validate::W2508',
];

/** [construct path, acknowledged id] for every acknowledgement in the stack. */
function acknowledgements(settings: Record<string, unknown>): [string, string][] {
  const { stack } = buildApp(settings);
  return stack.node.findAll().flatMap((c) =>
    c.node.metadata
      .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((m) => Object.keys(m.data as Record<string, string>))
      // cdk-nag records its ids as Annotation::<id>.
      .map((id): [string, string] => [c.node.path, id.replace(/^Annotation::/, '')]),
  );
}

test('built-in CloudFormation validation findings are errors, not warnings (cdk.json flag)', () => {
  expect(CDK_JSON_CONTEXT['@aws-cdk/core:validateAgainstDefaultRules']).toBe(true);
});

describe('cdk-nag AwsSolutions', () => {
  test.each(Object.entries(VARIANTS))(
    'Compliance: %s has zero unacknowledged findings',
    (_name, settings) => {
      const { app, stack } = buildApp(settings);
      const report = new AwsSolutionsChecks(app).validateScope(stack);
      expect(
        report.violations.map((v) => `${v.ruleName} ${v.violatingResources.map((r) => r.constructPath)}`),
      ).toEqual([]);
      expect(report.success).toBe(true);
    },
  );

  test('Noncompliance: the same checks do flag an insecure bucket (the check is live)', () => {
    const app = new App();
    const stack = new Stack(app, 'Insecure');
    new s3.Bucket(stack, 'Open', { enforceSSL: false });
    const report = new AwsSolutionsChecks(app).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toEqual(
      expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']),
    );
  });

  test('every acknowledgement, in every variant, has a written reason', () => {
    for (const settings of Object.values(VARIANTS)) {
      const { stack } = buildApp(settings);
      const acks = stack.node
        .findAll()
        .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY))
        .flatMap((m) => Object.entries(m.data as Record<string, string>));
      expect(acks.length).toBeGreaterThan(0);
      for (const [id, reason] of acks) expect([id, reason.length >= 40]).toEqual([id, true]);
    }
    for (const [rule, reason] of Object.entries(DISABLED_GUARD_RULES))
      expect([rule, reason.length >= 40]).toEqual([rule, true]);
  });
});

describe('the documented MySQL override (allowMysqlFromAnywhere)', () => {
  test('[example] synthesizes with every policy check blocking (cdk-nag, cfn-guard, CloudFormation validation)', () => {
    const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'zse-override-'));
    try {
      const { app } = defineApp({
        env: {},
        outdir,
        stackTraces: false,
        policyChecks: true,
        context: { ...CDK_JSON_CONTEXT, mysqlAllowedCidrs: '0.0.0.0/0', allowMysqlFromAnywhere: 'true' },
      });
      expect(() => app.synth()).not.toThrow();
    } finally {
      fs.rmSync(outdir, { recursive: true, force: true });
    }
  });

  test('its acknowledgements sit on the MySQL security group, and exist only with the override', () => {
    const on = acknowledgements({ mysqlAllowedCidrs: ['0.0.0.0/0'], allowMysqlFromAnywhere: true });
    for (const id of OPEN_MYSQL_FINDINGS) {
      expect(on.filter(([, ack]) => ack === id)).toEqual([['ZenmlSpark/MetadataDatabase/SecurityGroup', id]]);
    }
    const off = acknowledgements({ mysqlAllowedCidrs: ['198.51.100.0/24'] });
    expect(off.filter(([, id]) => OPEN_MYSQL_FINDINGS.includes(id))).toEqual([]);
  });

  test('without the override the construct acknowledges nothing: a 0.0.0.0/0 rule fails cdk-nag', () => {
    const stack = bareStack();
    new MetadataDatabase(stack, 'Db', {
      vpc: new SparkNetwork(stack, 'Network', { cidr: '10.40.0.0/16', availabilityZones: [], natGateways: 1 })
        .vpc,
      instanceClass: 'db.t4g.small',
      engineVersion: '8.4.10',
      allocatedStorageGiB: 20,
      instanceIdentifier: 'test-metadata',
      databaseName: 'zenml',
      username: 'zenml',
      secretName: 'test/rds_authentication',
      allowedCidrs: ['0.0.0.0/0'],
      removal: removalBehaviour('destroy'),
    });
    const report = new AwsSolutionsChecks(stack.node.root as App).validateScope(stack);
    expect(report.violations.map((v) => v.ruleName)).toContain('AwsSolutions-EC23');
  });
});

describe('cfn-guard findings block synth', () => {
  const GUARD_S3_RULES = [
    'acl_prohibited',
    'default_encryption_kms',
    'level_public_access_prohibited',
    'logging_enabled',
    'object_lock_enabled',
    'versioning_enabled',
  ].map((r) => `cdk-validator-cfnguard::s3_bucket_${r}_check`);
  const OTHER_S3_RULES = ['event_notifications_enabled', 'lifecycle_policy', 'version_lifecycle_policy'].map(
    (r) => `cdk-validator-cfnguard::s3_${r}_check`,
  );

  /** One bucket with every cfn-guard finding acknowledged but versioning: one finding left. */
  function synthWithOneFindingLeft(plugin: CfnGuardValidator): () => void {
    const app = new App({ context: CDK_JSON_CONTEXT, stackTraces: false, policyValidationBeta1: [plugin] });
    const bucket = new s3.Bucket(new Stack(app, 'Guarded'), 'Bucket', { enforceSSL: true });
    const versioning = 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check';
    Validations.of(bucket).acknowledge(
      ...[...GUARD_S3_RULES, ...OTHER_S3_RULES]
        .filter((id) => id !== versioning)
        .map((id) => ({ id, reason: 'acknowledged for this test: only versioning is left' })),
    );
    return () => app.synth();
  }

  test('an unacknowledged finding fails synth while others are acknowledged', () => {
    expect(synthWithOneFindingLeft(new BlockingCfnGuardValidator({}))).toThrow(
      /s3_bucket_versioning_enabled_check/,
    );
  });

  test("why the wrapper: the plugin's own report passes that synth (aws-cdk-lib 2.276.0, cfnguard 0.0.62)", () => {
    // If this starts failing, aws-cdk-lib or the plugin fixed the severity mismatch: the wrapper can go.
    const error = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    try {
      expect(synthWithOneFindingLeft(new CfnGuardValidator({}))).not.toThrow();
    } finally {
      error.mockRestore();
    }
  });
});
