/**
 * cdk-nag AwsSolutions on every stack variant a user can configure: zero unacknowledged findings,
 * and every acknowledgement carries a reason. (cfn-guard and the built-in CloudFormation validation
 * run, blocking, in the synth suite on the default configuration.)
 */
import { App, Stack, Validations } from 'aws-cdk-lib';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { DISABLED_GUARD_RULES } from '../../lib/validation';
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
  'ZenML server in password mode': { zenmlDatabaseAuth: 'password' },
  'your own ZenML server (no in-cluster server, no database)': {
    zenmlServer: false,
    zenmlServerUrl: 'https://zenml.example.com',
  },
};

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
