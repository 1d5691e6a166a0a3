/**
 * No stale acknowledgements: every policy finding this stack acknowledges (Validations.acknowledge
 * in lib/) must silence a finding the checks actually raise, in the configuration that adds it.
 * An acknowledgement that matches nothing is a hole waiting for a future finding, and one that
 * names the wrong rule lets the real finding fail synth; neither shows in a passing synth alone.
 *
 * How "used" is read, without changing what the checks do:
 * - cfn-guard and aws-cdk-lib's CloudFormation validation: the suppressed violations aws-cdk-lib
 *   writes to cdk.out/validation-report.json (`acknowledgedId`, construct path).
 * - cdk-nag 3 reads the acknowledgements itself and reports nothing it suppressed, so its own
 *   lookup (NagPack.isAcknowledged(resource, ruleId)) is observed with jest.spyOn, which calls
 *   through: an acknowledgement is used when a resource at or under its construct asked for it and
 *   got `true`.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { type CfnResource, Validations } from 'aws-cdk-lib';
import { NagPack } from 'cdk-nag';
import { defineApp } from '../../lib/app';
import { CDK_JSON_CONTEXT } from './fixtures';

/**
 * Each variant turns on acknowledgements the default does not have (or drops ones it has):
 * versioning (the bucket's versioning acknowledgement goes), retain (deletion protection on, so
 * its acknowledgements go), the keyed S3 secret, the public API endpoint, the open-MySQL override, password auth, and
 * no in-cluster ZenML server (no server role, no database).
 */
const VARIANTS: Record<string, Record<string, unknown>> = {
  default: {},
  'versioned bucket, retain, keyed S3 secret, public API endpoint': {
    bucketVersioning: true,
    removalMode: 'retain',
    s3AccessKey: true,
    clusterEndpointPublicCidrs: ['203.0.113.0/24'],
  },
  'MySQL open with its override, password auth': {
    mysqlAllowedCidrs: ['0.0.0.0/0'],
    allowMysqlFromAnywhere: true,
    zenmlDatabaseAuth: 'password',
  },
  'your own ZenML server': { zenmlServer: false, zenmlServerUrl: 'https://zenml.example.com' },
};

/**
 * Acknowledgements aws-cdk-lib adds by itself, not lib/ (the flow log's carry no reason): used only
 * in configurations this stack never builds, so they are not this stack's to keep, drop or explain (source: aws-cdk-lib 2.276.0,
 * core/lib/stack.js _silenceLiteralAzWarning and aws-ec2/lib/vpc-flow-logs.js).
 */
const LIBRARY_ACKNOWLEDGEMENTS: ReadonlySet<string> = new Set([
  'ZenmlSpark CloudFormation-Validate::W3010',
  'ZenmlSpark/Network/Vpc/FlowLog CloudFormation-Validate::F3002',
  'ZenmlSpark/Network/Vpc/FlowLog CloudFormation-Validate::F3003',
]);

interface SuppressedReport {
  pluginReports?: {
    suppressedViolations?: { acknowledgedId?: string; violatingConstructs: { constructPath: string }[] }[];
  }[];
}

const under = (resourcePath: string, constructPath: string) =>
  resourcePath === constructPath || resourcePath.startsWith(`${constructPath}/`);

/** Synthesizes one variant with every policy check and returns its unused acknowledgements. */
function unusedAcknowledgements(settings: Record<string, unknown>): {
  acks: number;
  unused: string[];
  unexplained: string[];
} {
  const outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'zse-acks-'));
  // biome-ignore lint/suspicious/noExplicitAny: isAcknowledged is private in cdk-nag's typings.
  const lookup = jest.spyOn(NagPack.prototype as any, 'isAcknowledged');
  try {
    const { app, stack } = defineApp({
      env: {},
      outdir,
      stackTraces: false,
      policyChecks: true,
      context: { ...CDK_JSON_CONTEXT, ...settings },
    });
    app.synth();
    const used: [string, string][] = lookup.mock.calls.flatMap((call, i) =>
      lookup.mock.results[i].value === true
        ? [[(call[0] as CfnResource).node.path, `Annotation::${call[1] as string}`] as [string, string]]
        : [],
    );
    const report: SuppressedReport = JSON.parse(
      fs.readFileSync(path.join(outdir, 'validation-report.json'), 'utf8'),
    );
    for (const plugin of report.pluginReports ?? [])
      for (const v of plugin.suppressedViolations ?? [])
        for (const c of v.violatingConstructs) used.push([c.constructPath, v.acknowledgedId ?? '']);

    const acks = stack.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) =>
            Object.entries(m.data as Record<string, string | undefined>).map(
              ([id, reason]) => [c.node.path, id, reason] as const,
            ),
          ),
      );
    const ours = acks.filter(([at, id]) => !LIBRARY_ACKNOWLEDGEMENTS.has(`${at} ${id}`));
    const unused = ours
      .filter(([at, id]) => !used.some(([resource, usedId]) => usedId === id && under(resource, at)))
      .map(([at, id]) => `${at} ${id}`);
    // A reason a reviewer can read: a sentence, not a placeholder.
    const unexplained = ours
      .filter(([, , reason]) => (reason ?? '').trim().length < 40)
      .map(([at, id]) => `${at} ${id}`);
    return { acks: acks.length, unused, unexplained };
  } finally {
    lookup.mockRestore();
    fs.rmSync(outdir, { recursive: true, force: true });
  }
}

describe('acknowledgements', () => {
  test.each(Object.entries(VARIANTS))(
    '%s: every acknowledgement silences a finding the checks raise, and says why',
    (_n, settings) => {
      const { acks, unused, unexplained } = unusedAcknowledgements(settings);
      expect(acks).toBeGreaterThan(20);
      expect(unused).toEqual([]);
      expect(unexplained).toEqual([]);
    },
  );
});
