/**
 * `npm run pause` / `npm run resume` end to end: AWS is a real moto server (EKS node groups created
 * with its EKS API, since its CloudFormation skips EKS; the stack and its RDS instance through its
 * CloudFormation), Kubernetes is the real API server of the kubernetes suite with the cluster
 * autoscaler's objects applied from the synthesized template's deploy-time manifest.
 *
 * There is no EC2 and no kubelet, so a node simulator in this file plays both through the APIs:
 * it keeps as many fake Node objects per pool as moto's node group wants (labelled, the Spark ones
 * tainted, Ready through the status subresource), deletes the pods of a node that went away (as
 * the pod garbage collector would), and marks scheduled pods Ready. What stays untested: real
 * instance launch and join times, and the RDS start/stop durations (moto switches at once).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CloudFormationClient, CreateStackCommand } from '@aws-sdk/client-cloudformation';
import {
  CreateClusterCommand,
  CreateNodegroupCommand,
  DescribeNodegroupCommand,
  EKSClient,
  ListNodegroupsCommand,
} from '@aws-sdk/client-eks';
import { DescribeDBInstancesCommand, RDSClient } from '@aws-sdk/client-rds';
import { CLUSTER_AUTOSCALER, SPARK_NAMESPACE } from '../../../lib/settings/names';
import { POOL_LABEL, SPARK_TAINT } from '../../../lib/settings/scheduling';
import { estimateCost, priceState } from '../../../scripts/estimate/cost-model';
import { loadPriceTable, usd } from '../../../scripts/estimate/price-table';
import type { Mode } from '../../../scripts/operate/pools/run';
import { type ControlPlane, controlPlane, kubectl, kubectlOk } from '../../../scripts/verify/kube/cluster';
import { type MotoServer, startMotoServer } from '../../../scripts/verify/moto/moto-server';
import { applyServerSide, applySparkRbac, defaultStackManifests } from '../../k8s/kube-fixtures';
import { synth } from '../../lib/fixtures';
import { FAKE_CREDENTIALS, REGION, ROOT } from '../emulator-fixtures';

jest.setTimeout(300_000);
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED = 'true';

let cp: ControlPlane;
let moto: MotoServer;
let work: string;
const CLUSTER = 'zenml-spark';
const DB = 'zenml-spark-metadata';

const aws = () => ({
  region: REGION,
  endpoint: moto.endpoint,
  credentials: {
    accessKeyId: FAKE_CREDENTIALS.AWS_ACCESS_KEY_ID,
    secretAccessKey: FAKE_CREDENTIALS.AWS_SECRET_ACCESS_KEY,
  },
});

/** The deployed stack's template as moto keeps it: the real node groups' labels and scaling, the DB. */
function stackTemplate(): string {
  const real = synth().template.toJSON() as {
    Resources: Record<string, { Type: string; Properties: Record<string, unknown> }>;
  };
  const resources: Record<string, unknown> = {};
  for (const [id, r] of Object.entries(real.Resources)) {
    if (r.Type === 'AWS::EKS::Nodegroup') {
      // moto skips node groups: only what pause/resume read from the template matters here.
      const { Labels, ScalingConfig, InstanceTypes, DiskSize } = r.Properties;
      resources[id] = { Type: r.Type, Properties: { Labels, ScalingConfig, InstanceTypes, DiskSize } };
    }
  }
  resources.Database = {
    Type: 'AWS::RDS::DBInstance',
    Properties: {
      DBInstanceIdentifier: DB,
      Engine: 'mysql',
      EngineVersion: '8.4.10',
      DBInstanceClass: 'db.t4g.small',
      AllocatedStorage: '20',
      MasterUsername: 'zenml',
      MasterUserPassword: 'not-a-real-password-1',
    },
  };
  return JSON.stringify({
    Resources: resources,
    Outputs: {
      ClusterName: { Value: CLUSTER },
      UpdateKubeconfigCommand: { Value: `aws eks update-kubeconfig --name ${CLUSTER} --region ${REGION}` },
    },
  });
}

async function deployToMoto(): Promise<void> {
  await new CloudFormationClient(aws()).send(
    new CreateStackCommand({ StackName: 'zenml-spark', TemplateBody: stackTemplate() }),
  );
  const eks = new EKSClient(aws());
  await eks.send(
    new CreateClusterCommand({
      name: CLUSTER,
      version: '1.36',
      roleArn: `arn:aws:iam::${moto.accountId}:role/cluster`,
      resourcesVpcConfig: { subnetIds: ['subnet-1', 'subnet-2'] },
    }),
  );
  for (const [name, pool, min, max] of [
    ['zenml-spark-system', 'system', 1, 1],
    ['zenml-spark-spark', 'spark', 0, 4],
  ] as const) {
    await eks.send(
      new CreateNodegroupCommand({
        clusterName: CLUSTER,
        nodegroupName: name,
        nodeRole: `arn:aws:iam::${moto.accountId}:role/node`,
        subnets: ['subnet-1'],
        instanceTypes: [pool === 'system' ? 't3a.medium' : 't3a.xlarge'],
        labels: { [POOL_LABEL]: pool },
        scalingConfig: { minSize: min, desiredSize: min, maxSize: max },
      }),
    );
  }
}

/** Plays EC2 and the kubelet through the APIs (see the file comment). */
class NodeSimulator {
  private stopped = false;
  private readonly loop: Promise<void>;
  /** When a pool first wanted more nodes than it has: a node "launches" 1.5 s later. */
  private readonly launching: Record<string, number> = {};

  constructor() {
    this.loop = this.run();
  }

  private async wanted(): Promise<Record<string, number>> {
    const eks = new EKSClient(aws());
    const out: Record<string, number> = {};
    for (const nodegroupName of (await eks.send(new ListNodegroupsCommand({ clusterName: CLUSTER })))
      .nodegroups ?? []) {
      const ng = (await eks.send(new DescribeNodegroupCommand({ clusterName: CLUSTER, nodegroupName })))
        .nodegroup;
      out[ng?.labels?.[POOL_LABEL] ?? '?'] = ng?.scalingConfig?.desiredSize ?? 0;
    }
    return out;
  }

  private async tick(): Promise<void> {
    const wanted = await this.wanted();
    const nodes = JSON.parse(kubectlOk(cp, ['get', 'nodes', '-o', 'json'])).items as {
      metadata: { name: string; labels: Record<string, string> };
    }[];
    for (const pool of ['system', 'spark']) {
      const have = nodes
        .filter((n) => n.metadata.labels[POOL_LABEL] === pool)
        .map((n) => n.metadata.name)
        .sort();
      if (have.length < (wanted[pool] ?? 0)) {
        this.launching[pool] ??= Date.now();
        if (Date.now() - this.launching[pool] >= 1500) {
          for (let i = have.length; i < (wanted[pool] ?? 0); i++)
            createNode(`sim-${pool}-${Date.now()}-${i}`, pool);
          delete this.launching[pool];
        }
      }
      for (const name of have.slice(wanted[pool] ?? 0)) {
        kubectlOk(cp, ['delete', 'node', name, '--wait=false']);
        // The pod garbage collector's part: pods bound to a node that is gone are deleted.
        const bound = JSON.parse(
          kubectlOk(cp, ['get', 'pods', '-A', '--field-selector', `spec.nodeName=${name}`, '-o', 'json']),
        ).items as { metadata: { name: string; namespace: string } }[];
        for (const p of bound)
          kubectl(cp, [
            'delete',
            'pod',
            p.metadata.name,
            '-n',
            p.metadata.namespace,
            '--grace-period=0',
            '--force',
          ]);
      }
    }
    markScheduledPodsReady(CLUSTER_AUTOSCALER.namespace);
  }

  private async run(): Promise<void> {
    while (!this.stopped) {
      await this.tick();
      await new Promise((r) => setTimeout(r, 300));
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

function createNode(name: string, pool: string): void {
  const node = {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, labels: { [POOL_LABEL]: pool, 'kubernetes.io/os': 'linux' } },
    spec: pool === 'spark' ? { taints: [{ ...SPARK_TAINT }] } : {},
  };
  kubectlOk(cp, ['create', '-f', '-'], { input: JSON.stringify(node) });
  const [cpu, memory] = pool === 'spark' ? ['3920m', '14162Mi'] : ['1930m', '3246Mi'];
  // The TaintNodesByCondition admission plugin marks a new Node not-ready; the node lifecycle
  // controller (not run here) would lift that once the node reports Ready, as below.
  kubectlOk(cp, ['taint', 'node', name, 'node.kubernetes.io/not-ready:NoSchedule-']);
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  kubectlOk(cp, [
    'patch',
    'node',
    name,
    '--subresource=status',
    '--type=merge',
    '-p',
    JSON.stringify({
      status: {
        capacity: { cpu, memory, pods: '58' },
        allocatable: { cpu, memory, pods: '58' },
        conditions: [
          {
            type: 'Ready',
            status: 'True',
            reason: 'KubeletReady',
            lastHeartbeatTime: now,
            lastTransitionTime: now,
          },
        ],
      },
    }),
  ]);
}

function markScheduledPodsReady(namespace: string): void {
  const pods = JSON.parse(kubectlOk(cp, ['get', 'pods', '-n', namespace, '-o', 'json'])).items as {
    metadata: { name: string };
    spec: { nodeName?: string };
    status: { conditions?: { type: string; status: string }[] };
  }[];
  const now = new Date().toISOString().replace(/\.\d+Z$/, 'Z');
  for (const p of pods) {
    if (!p.spec.nodeName || p.status.conditions?.some((c) => c.type === 'Ready' && c.status === 'True'))
      continue;
    kubectl(cp, [
      'patch',
      'pod',
      p.metadata.name,
      '-n',
      namespace,
      '--subresource=status',
      '--type=merge',
      '-p',
      JSON.stringify({
        status: {
          phase: 'Running',
          conditions: [
            { type: 'PodScheduled', status: 'True', lastTransitionTime: now },
            { type: 'Ready', status: 'True', lastTransitionTime: now },
            { type: 'ContainersReady', status: 'True', lastTransitionTime: now },
          ],
        },
      }),
    ]);
  }
}

/**
 * Runs the CLI as a user would (npx tsx, its own process: the AWS SDK reads credentials from the
 * process environment), without blocking this process: the node simulator keeps playing meanwhile.
 */
function run(mode: Mode, ...argv: string[]): Promise<{ code: number; out: string }> {
  const env = {
    PATH: process.env.PATH,
    HOME: work,
    KUBECONFIG: cp.kubeconfig,
    AWS_ENDPOINT_URL: moto.endpoint,
    AWS_REGION: REGION,
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    ...FAKE_CREDENTIALS,
  };
  const args = [
    join(ROOT, 'scripts', 'operate', `${mode}.ts`),
    '--kubectl',
    cp.kubectl,
    '--poll-interval',
    '0.3',
    '--timeout',
    '120',
    ...argv,
  ];
  return new Promise((resolve, reject) => {
    const child = spawn(join(ROOT, 'node_modules', '.bin', 'tsx'), args, { cwd: ROOT, env });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
    });
    child.stderr.on('data', (d) => {
      out += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), 200_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code: code ?? 1, out: out.trimEnd() });
    });
  });
}

async function scaling(pool: string) {
  const eks = new EKSClient(aws());
  const name = pool === 'system' ? 'zenml-spark-system' : 'zenml-spark-spark';
  return (await eks.send(new DescribeNodegroupCommand({ clusterName: CLUSTER, nodegroupName: name })))
    .nodegroup?.scalingConfig;
}

const dbStatus = async () =>
  (await new RDSClient(aws()).send(new DescribeDBInstancesCommand({ DBInstanceIdentifier: DB })))
    .DBInstances?.[0];

const autoscalerReplicas = () =>
  JSON.parse(
    kubectlOk(cp, [
      'get',
      'deployment',
      CLUSTER_AUTOSCALER.deployment,
      '-n',
      CLUSTER_AUTOSCALER.namespace,
      '-o',
      'json',
    ]),
  ).spec.replicas as number;

let simulator: NodeSimulator;
let autoscalerObjects: object[] = [];

beforeAll(async () => {
  cp = controlPlane();
  work = mkdtempSync(join(tmpdir(), 'pause-resume-'));
  moto = await startMotoServer();
  await deployToMoto();
  applySparkRbac(cp);
  // The autoscaler exactly as the stack applies it at deploy.
  const autoscaler = defaultStackManifests().find((m) =>
    m.objects.some(
      (o) =>
        o.kind === 'Deployment' && (o.metadata as { name: string }).name === CLUSTER_AUTOSCALER.deployment,
    ),
  );
  if (!autoscaler) throw new Error('no deploy-time manifest holds the cluster autoscaler');
  autoscalerObjects = autoscaler.objects;
  applyServerSide(cp, autoscalerObjects);
  // CoreDNS as the managed add-on runs it: a Deployment of 2 replicas, no toleration for the Spark taint.
  kubectlOk(cp, [
    'create',
    'deployment',
    'coredns',
    '-n',
    'kube-system',
    '--image=registry.k8s.io/pause:3.10',
    '--replicas=2',
  ]);
  simulator = new NodeSimulator();
});

afterAll(async () => {
  await simulator?.stop();
  await moto?.stop();
  kubectl(cp, ['delete', 'deployment', 'coredns', '-n', 'kube-system', '--ignore-not-found']);
  kubectl(cp, ['delete', '-f', '-', '--ignore-not-found', '--wait=false'], {
    input: autoscalerObjects.map((o) => JSON.stringify(o)).join('\n'),
  });
  kubectl(cp, ['delete', 'pods', '-n', SPARK_NAMESPACE, '-l', 'test=pause-resume', '--ignore-not-found']);
  kubectl(cp, ['delete', 'nodes', '-l', POOL_LABEL]);
  rmSync(work, { recursive: true, force: true });
});

test('resume on a running cluster changes nothing and returns once it is ready', async () => {
  const r = await run('resume');
  expect(r.out).toContain('nothing to change: already resumed');
  expect(r.out).toMatch(/ready after \d+s: a system node, CoreDNS, the autoscaler and the database are up/);
  expect(r.code).toBe(0);
});

test('pause refuses while a Spark pod is not finished, and changes nothing', async () => {
  kubectlOk(cp, [
    'run',
    'spark-run-9-trainer-driver',
    '-n',
    SPARK_NAMESPACE,
    '--image=registry.k8s.io/pause:3.10',
    '--labels=test=pause-resume',
    '--restart=Never',
    // The namespace enforces restricted Pod Security, as for every Spark pod.
    `--overrides=${JSON.stringify({
      spec: {
        securityContext: { runAsNonRoot: true, runAsUser: 185, seccompProfile: { type: 'RuntimeDefault' } },
        containers: [
          {
            name: 'spark-run-9-trainer-driver',
            image: 'registry.k8s.io/pause:3.10',
            securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } },
          },
        ],
      },
    })}`,
  ]);
  const r = await run('pause');
  expect(r.code).toBe(1);
  expect(r.out).toBe(
    'pause: refused: Spark work is still running in spark-namespace (Pod/spark-run-9-trainer-driver): pausing would kill it; wait for it to finish, or pass --force',
  );
  expect(autoscalerReplicas()).toBe(1);
  expect(await scaling('system')).toEqual({ minSize: 1, desiredSize: 1, maxSize: 1 });
  kubectlOk(cp, [
    'delete',
    'pod',
    'spark-run-9-trainer-driver',
    '-n',
    SPARK_NAMESPACE,
    '--grace-period=0',
    '--force',
  ]);
});

test('pause: autoscaler to 0, both pools to 0 keeping max, the database stopped and tagged; cost before -> after', async () => {
  const r = await run('pause');
  expect(r.code).toBe(0);
  expect(r.out).toContain('changed  cluster autoscaler: 1 -> 0 replicas');
  expect(r.out).toContain(
    'changed  node group zenml-spark-system (system pool): min 1 / desired 1 / max 1 -> min 0 / desired 0 / max 1',
  );
  expect(r.out).toContain(
    'unchanged  node group zenml-spark-spark (spark pool): already min 0 / desired 0 / max 4',
  );
  expect(r.out).toContain('changed  database zenml-spark-metadata: available -> stopping');
  // Priced by the cost model on the deployed template: the system node goes. When the region's table
  // lacks a line's price, the figures are lower bounds, and said so.
  const prices = loadPriceTable();
  const e = estimateCost({
    templates: [JSON.parse(stackTemplate())],
    region: REGION,
    prices,
  });
  const before = priceState(e, { nodes: (g) => (g.pool === 'system' ? 1 : 0), databaseRunning: true });
  const after = priceState(e, { nodes: () => 0, databaseRunning: false });
  expect(before.monthly - after.monthly).toBeGreaterThan(30); // a t3a.medium month and its volume
  expect(r.out).toContain(
    `, ${REGION} prices of ${prices.retrieved}): ${usd(before.monthly)} -> ${usd(after.monthly)}` +
      (e.unpriced.length > 0 ? ' (lower bounds: some lines unpriced)' : '\n'),
  );
  expect(r.out).toMatch(
    /AWS starts a stopped database again by itself after 7 days: zenml-spark-metadata on \d{4}-\d\d-\d\d \d\d:\d\d UTC/,
  );
  expect(autoscalerReplicas()).toBe(0);
  expect(await scaling('system')).toEqual({ minSize: 0, desiredSize: 0, maxSize: 1 });
  expect(await scaling('spark')).toEqual({ minSize: 0, desiredSize: 0, maxSize: 4 });
  const db = await dbStatus();
  expect(db?.DBInstanceStatus).toBe('stopped');
  expect(db?.TagList?.find((t) => t.Key === 'zenml-spark-eks:paused-at')?.Value).toMatch(/^\d{4}-\d\d-\d\dT/);
});

test('pause again: nothing to change, the restart date still printed', async () => {
  const r = await run('pause');
  expect(r.code).toBe(0);
  expect(r.out).toContain('nothing to change: already paused');
  expect(r.out).toMatch(/AWS starts a stopped database again by itself after 7 days/);
});

test('resume: database started, the template sizes back, the autoscaler at 1, then waits for a Ready system node, CoreDNS and the autoscaler', async () => {
  const r = await run('resume');
  expect(r.code).toBe(0);
  expect(r.out).toContain('changed  database zenml-spark-metadata: stopped -> starting');
  expect(r.out).toContain(
    'changed  node group zenml-spark-system (system pool): min 0 / desired 0 / max 1 -> min 1 / desired 1 / max 1',
  );
  expect(r.out).toContain('changed  cluster autoscaler: 0 -> 1 replica');
  // The simulator brings the node up only after the node group asks for it: resume really waited.
  expect(r.out).toMatch(/waiting for a Ready system node/);
  expect(r.out).toMatch(/ready after \d+s/);
  expect(autoscalerReplicas()).toBe(1);
  expect(await scaling('system')).toEqual({ minSize: 1, desiredSize: 1, maxSize: 1 });
  const db = await dbStatus();
  expect(db?.DBInstanceStatus).toBe('available');
  expect(db?.TagList?.some((t) => t.Key === 'zenml-spark-eks:paused-at')).toBe(false);
});

test('resume without access to the API server refuses with one line', async () => {
  const r = await run('resume', '--kube-context', 'no-such-context');
  expect(r.code).toBe(1);
  expect(r.out.split('\n')).toHaveLength(1);
  expect(r.out).toMatch(
    /^resume: cannot use the cluster's API server \(.*\); resume needs kubectl .* run 'aws eks update-kubeconfig --name zenml-spark/,
  );
});
