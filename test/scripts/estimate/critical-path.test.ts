/** npm run critical-path, in process: what it prints of the model (the model itself: deploy-graph.test.ts). */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { POOL_LABEL } from '../../../lib/settings/scheduling';
import { main } from '../../../scripts/estimate/critical-path';
import { settingsFromFlags } from '../../../scripts/lib/settings';
import { writeOkStamp } from '../../../scripts/lib/synth-stamp';
import { table } from '../../../scripts/lib/table';
import { tempDir } from '../../temp-dirs';

async function run(argv: string[]): Promise<{ code: number; out: string }> {
  const lines: string[] = [];
  const log = jest.spyOn(console, 'log').mockImplementation((...a: unknown[]) => {
    lines.push(a.join(' '));
  });
  try {
    const code = await main(argv);
    return { code, out: lines.join('\n') };
  } finally {
    log.mockRestore();
  }
}

describe('npm run critical-path', () => {
  test('--json: the totals, both critical paths and every check, for the one stack', async () => {
    const { code, out } = await run(['--json']);
    expect(code).toBe(0);
    const [stack] = JSON.parse(out);
    expect(stack).toMatchObject({ stackName: 'zenml-spark', deploySeconds: 1105, destroySeconds: 850 });
    expect(stack.deployCriticalPath.map((r: { type: string }) => r.type)).toEqual([
      'AWS::KMS::Key',
      'AWS::EKS::Cluster',
      'AWS::EKS::Addon',
      'AWS::EKS::Nodegroup',
      'AWS::EKS::Addon',
      'Custom::AWSCDK-EKS-KubernetesResource',
    ]);
    expect(stack.destroyCriticalPath.at(-1).type).toBe('AWS::EC2::VPC');
    expect(stack.checks.map((c: { ok: boolean }) => c.ok)).toEqual([true, true, true, true, true, true]);
  }, 120_000);

  test('the report: totals in m:ss, the paths with how each waits, long runners with slack, after the deploy, the checks', async () => {
    const { code, out } = await run([]);
    expect(code).toBe(0);
    expect(out).toContain('zenml-spark-eks: deploy and destroy time of zenml-spark');
    expect(out).toMatch(/ {2}graph {4}\d+ resources, \d+ dependencies/);
    expect(out).toContain('Estimated deploy 18:25 (m:ss), critical path:');
    expect(out).toContain('Estimated destroy 14:10, critical path (reverse dependencies):');
    expect(out).toMatch(/\n\s*1\s+0:00\s+0:25\s+0:25\s+\S+\s+AWS::KMS::Key\s+-\n/);
    expect(out).toMatch(/\n\s*2\s+0:25\s+12:00\s+12:25\s+\S+\s+AWS::EKS::Cluster\s+GetAtt\n/);
    expect(out).toMatch(/\S+\s+AWS::RDS::DBInstance\s+\d+:\d\d\s+\d+:\d\d\s+\d+:\d\d\s+\S+ \(AWS::/);
    expect(out).toMatch(/\S+\s+AWS::EKS::Cluster\s+0:25\s+12:25\s+critical\s+\S+ \(AWS::KMS::Key\)/);
    expect(out).toContain(
      '\nAfter the deploy\n  system pool up               16:10\n  cluster autoscaler applied   ',
    );
    expect(out).toMatch(/a pending Spark pod gets a Ready node in ~\d+:\d\d \(scan \+ EC2 launch \+ join/);
    expect(out).toMatch(/database and cluster on separate branches\s+ok/);
    expect(out).not.toContain('VIOLATED');
    expect(out).not.toContain('check(s) violated');
  }, 120_000);

  test('--help prints the usage and exits 0', async () => {
    const { code, out } = await run(['--help']);
    expect(code).toBe(0);
    expect(out).toMatch(/^Usage: npm run critical-path/);
  });

  describe('on a small stamped assembly (--assembly): every part of the report, figures worked out by hand', () => {
    /**
     * Deploy (timings/resource-times.json): Key 0:00-0:25 -> Cluster 0:25-12:25 -> Db (DependsOn the
     * cluster: a violation) 12:25-19:25; both pools 12:25-15:25; the autoscaler manifest after the
     * system pool 15:25-16:55; Nat (1:45), a VPC Lambda (1:00, the long-runner bound) and the rest
     * free-standing from 0:00. Destroy: the manifest 1:00, then the system pool 5:00, the cluster
     * 3:30, the key 0:05 = 9:35.
     */
    function assembly(): string {
      const dir = tempDir('critical-path-assembly-');
      const resources = {
        Key: { Type: 'AWS::KMS::Key' },
        Cluster: {
          Type: 'AWS::EKS::Cluster',
          Properties: { EncryptionConfig: [{ Provider: { KeyArn: { 'Fn::GetAtt': ['Key', 'Arn'] } } }] },
        },
        Db: { Type: 'AWS::RDS::DBInstance', DependsOn: 'Cluster' },
        System: {
          Type: 'AWS::EKS::Nodegroup',
          Properties: { ClusterName: { Ref: 'Cluster' }, Labels: { [POOL_LABEL]: 'system' } },
        },
        Spark: {
          Type: 'AWS::EKS::Nodegroup',
          Properties: { ClusterName: { Ref: 'Cluster' }, Labels: { [POOL_LABEL]: 'spark' } },
        },
        Autoscaler: {
          Type: 'Custom::AWSCDK-EKS-KubernetesResource',
          DependsOn: ['System'],
          Properties: { Manifest: '[{"kind":"Deployment","metadata":{"name":"cluster-autoscaler"}}]' },
        },
        Nat: { Type: 'AWS::EC2::NatGateway' },
        Fn: { Type: 'AWS::Lambda::Function', Properties: { VpcConfig: { SubnetIds: [] } } },
        Widget1: { Type: 'AWS::Foo::Bar' },
        Widget2: { Type: 'AWS::Foo::Bar' },
        Other: { Type: 'AWS::Baz::Qux' },
        Thing: { Type: 'Custom::Thing' },
      };
      fs.writeFileSync(
        path.join(dir, 'manifest.json'),
        JSON.stringify({
          artifacts: {
            Tiny: {
              type: 'aws:cloudformation:stack',
              properties: { templateFile: 'Tiny.template.json', stackName: 'tiny-stack' },
            },
          },
        }),
      );
      fs.writeFileSync(path.join(dir, 'Tiny.template.json'), JSON.stringify({ Resources: resources }));
      writeOkStamp(dir, 'cdk.out', settingsFromFlags([]).config);
      return dir;
    }

    test('the text report', async () => {
      const dir = assembly();
      const { code, out } = await run(['--assembly', dir]);
      expect(code).toBe(0);
      expect(out).toContain(
        [
          'zenml-spark-eks: deploy and destroy time of tiny-stack',
          `  template read from ${path.relative(process.cwd(), dir)}`,
          '  graph    12 resources, 5 dependencies',
          '  timings  timings/resource-times.json (typical durations, sources inside, 2026-11-24)',
          '\nEstimated deploy 19:25 (m:ss), critical path:',
          table(
            ['#', 'start', 'takes', 'done', 'resource', 'type', 'waits via'],
            [
              ['1', '0:00', '0:25', '0:25', 'Key', 'AWS::KMS::Key', '-'],
              ['2', '0:25', '12:00', '12:25', 'Cluster', 'AWS::EKS::Cluster', 'GetAtt'],
              ['3', '12:25', '7:00', '19:25', 'Db', 'AWS::RDS::DBInstance', 'DependsOn'],
            ],
          ),
          '\nLong-running resources during deploy (slack = how much later they could finish)',
          // A minute or more, by start then id; slack = 19:25 - done, or critical.
          table(
            ['resource', 'type', 'start', 'done', 'slack', 'last waited for'],
            [
              ['Fn', 'AWS::Lambda::Function', '0:00', '1:00', '18:25', '-'],
              ['Nat', 'AWS::EC2::NatGateway', '0:00', '1:45', '17:40', '-'],
              ['Cluster', 'AWS::EKS::Cluster', '0:25', '12:25', 'critical', 'Key (AWS::KMS::Key)'],
              ['Db', 'AWS::RDS::DBInstance', '12:25', '19:25', 'critical', 'Cluster (AWS::EKS::Cluster)'],
              ['Spark', 'AWS::EKS::Nodegroup', '12:25', '15:25', '4:00', 'Cluster (AWS::EKS::Cluster)'],
              ['System', 'AWS::EKS::Nodegroup', '12:25', '15:25', '4:00', 'Cluster (AWS::EKS::Cluster)'],
              [
                'Autoscaler',
                'Custom::AWSCDK-EKS-KubernetesResource',
                '15:25',
                '16:55',
                '2:30',
                'System (AWS::EKS::Nodegroup)',
              ],
            ],
          ),
          '\nAfter the deploy',
          '  system pool up               15:25',
          '  cluster autoscaler applied   16:55',
          '  then, per run while the Spark pool is at 0: a pending Spark pod gets a Ready node in ~2:00 (scan + EC2 launch + join; timings/resource-times.json sparkNodeScaleUp)',
          '\nEstimated destroy 9:35, critical path (reverse dependencies):',
          table(
            ['#', 'start', 'takes', 'done', 'resource', 'type', 'waits via'],
            [
              ['1', '0:00', '1:00', '1:00', 'Autoscaler', 'Custom::AWSCDK-EKS-KubernetesResource', '-'],
              ['2', '1:00', '5:00', '6:00', 'System', 'AWS::EKS::Nodegroup', 'DependsOn'],
              ['3', '6:00', '3:30', '9:30', 'Cluster', 'AWS::EKS::Cluster', 'Ref'],
              ['4', '9:30', '0:05', '9:35', 'Key', 'AWS::KMS::Key', 'GetAtt'],
            ],
          ),
          '\nParallelism checks',
          table(
            ['check', 'result'],
            [
              ['database and cluster on separate branches', 'VIOLATED'],
              ['node group System does not wait for the database', 'ok'],
              ['node group Spark does not wait for the database', 'ok'],
              ["node group System declares a wait for its subnets' default routes", 'VIOLATED'],
              ["node group Spark declares a wait for its subnets' default routes", 'VIOLATED'],
              ['deploy within 10% of the EKS chain', 'VIOLATED'],
            ],
          ),
          '\ndatabase and cluster on separate branches: Db waits for Cluster:',
        ].join('\n'),
      );
      expect(out).toContain(
        "\nnode group Spark declares a wait for its subnets' default routes: its subnets have no default (0.0.0.0/0) route in the template: nodes could not join the cluster\n",
      );
      expect(out).not.toContain('does not wait for the database: ');
      // Unlisted types once each, in template order; custom resources are timed as one.
      expect(out).toContain('\nUntimed types (default 10 s): AWS::Foo::Bar, AWS::Baz::Qux\n');
      expect(out.endsWith('\n\n4 check(s) violated: see docs/cost-and-timing.md')).toBe(true);
    });

    test('--json: the figures and the checks, and no closing line', async () => {
      const { code, out } = await run(['--assembly', assembly(), '--json']);
      expect(code).toBe(0);
      const [stack] = JSON.parse(out);
      expect(stack).toMatchObject({ stackName: 'tiny-stack', deploySeconds: 1165, destroySeconds: 575 });
      expect(stack.deployCriticalPath.map((r: { id: string }) => r.id)).toEqual(['Key', 'Cluster', 'Db']);
      expect(stack.destroyCriticalPath.map((r: { id: string }) => r.id)).toEqual([
        'Autoscaler',
        'System',
        'Cluster',
        'Key',
      ]);
      expect(stack.checks.map((c: { ok: boolean }) => c.ok)).toEqual([
        false,
        true,
        true,
        false,
        false,
        false,
      ]);
    });
  });
});
