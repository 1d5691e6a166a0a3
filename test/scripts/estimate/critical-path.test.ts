/** npm run critical-path, in process: what it prints of the model (the model itself: deploy-graph.test.ts). */
import { main } from '../../../scripts/estimate/critical-path';

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
});
