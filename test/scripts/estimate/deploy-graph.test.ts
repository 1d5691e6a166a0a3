import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CfnTemplate } from '../../../scripts/estimate/cloud-assembly';
import {
  buildDeployGraph,
  dependencyPath,
  describeChain,
  durationOf,
  formatDuration,
  idsOfType,
  loadResourceTimes,
  type ResourceTimes,
  schedule,
} from '../../../scripts/estimate/deploy-graph';
import { CHAIN_TOLERANCE, eksChain, parallelismChecks } from '../../../scripts/estimate/parallelism-checks';
import { synth } from '../../lib/fixtures';

const TIMES = loadResourceTimes();

function appTemplate(settings: Record<string, unknown> = {}): CfnTemplate {
  return synth(settings).template.toJSON() as CfnTemplate;
}

/** Ten seconds per resource type, so that small hand-written graphs have obvious answers. */
const FLAT: ResourceTimes = { ...TIMES, default: { create: 10, delete: 10, basis: 'test' }, types: {} };

describe('dependency graph', () => {
  test('GIVEN Ref, GetAtt, Sub and DependsOn THEN each is an edge; pseudo parameters and Sub variables are not', () => {
    const g = buildDeployGraph({
      Resources: {
        A: { Type: 'T::A' },
        B: { Type: 'T::B', Properties: { X: { Ref: 'A' } } },
        C: { Type: 'T::C', Properties: { X: { 'Fn::GetAtt': ['B', 'Arn'] }, Y: { 'Fn::GetAtt': 'A.Id' } } },
        D: {
          Type: 'T::D',
          Properties: {
            // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not JS.
            S: { 'Fn::Sub': ['${C.Arn}/${AWS::Region}/${!Literal}/${Local}', { Local: { Ref: 'A' } }] },
          },
        },
        E: { Type: 'T::E', DependsOn: 'D' },
        F: { Type: 'T::F', DependsOn: ['E', 'A'], Properties: { R: { Ref: 'AWS::StackName' } } },
      },
    } as unknown as CfnTemplate);
    const deps = (id: string) => [...(g.deps.get(id)?.keys() ?? [])].sort();
    expect(deps('B')).toEqual(['A']);
    expect(deps('C')).toEqual(['A', 'B']);
    expect(deps('D')).toEqual(['A', 'C']);
    expect(deps('E')).toEqual(['D']);
    expect(deps('F')).toEqual(['A', 'E']);
    expect(g.deps.get('C')?.get('B')?.kinds).toEqual(['GetAtt']);
  });

  test('GIVEN a fork THEN deploy is the longest chain and destroy runs it in reverse', () => {
    const g = buildDeployGraph({
      Resources: {
        Vpc: { Type: 'T::Vpc' },
        Slow: { Type: 'T::Slow', Properties: { V: { Ref: 'Vpc' } } },
        Fast: { Type: 'T::Fast', Properties: { V: { Ref: 'Vpc' } } },
        After: { Type: 'T::After', Properties: { S: { Ref: 'Slow' } } },
      },
    } as unknown as CfnTemplate);
    const times: ResourceTimes = {
      ...FLAT,
      types: { 'T::Slow': { create: 100, delete: 50, basis: 'test' } },
    };
    const deploy = schedule(g, times, 'deploy');
    expect(deploy.total).toBe(10 + 100 + 10);
    expect(deploy.criticalPath.map((r) => r.id)).toEqual(['Vpc', 'Slow', 'After']);
    expect(deploy.resources.get('Fast')?.start).toBe(10);
    const destroy = schedule(g, times, 'destroy');
    expect(destroy.criticalPath.map((r) => r.id)).toEqual(['After', 'Slow', 'Vpc']);
    expect(destroy.total).toBe(10 + 50 + 10);
  });

  test('GIVEN a node group whose subnet has a NAT route it does not declare THEN the graph adds no edge; the check fails', () => {
    const g = buildDeployGraph({
      Resources: {
        Subnet: { Type: 'AWS::EC2::Subnet' },
        Table: { Type: 'AWS::EC2::RouteTable' },
        Assoc: {
          Type: 'AWS::EC2::SubnetRouteTableAssociation',
          Properties: { SubnetId: { Ref: 'Subnet' }, RouteTableId: { Ref: 'Table' } },
        },
        Nat: {
          Type: 'AWS::EC2::Route',
          Properties: { RouteTableId: { Ref: 'Table' }, DestinationCidrBlock: '0.0.0.0/0' },
        },
        Local: {
          Type: 'AWS::EC2::Route',
          Properties: { RouteTableId: { Ref: 'Table' }, DestinationCidrBlock: '10.0.0.0/8' },
        },
        Ng: { Type: 'AWS::EKS::Nodegroup', Properties: { Subnets: [{ Ref: 'Subnet' }] } },
      },
    } as unknown as CfnTemplate);
    expect([...(g.deps.get('Ng')?.keys() ?? [])]).toEqual(['Subnet']);
    expect(g.nodegroupRoutes.get('Ng')).toEqual(['Nat']);
    const check = parallelismChecks(g, FLAT).find((c) => c.name.includes('default routes'));
    expect(check).toMatchObject({ ok: false });
    expect(check?.detail).toContain('Nat');
    expect(check?.detail).not.toContain('Local');
  });

  test('GIVEN a node group whose subnets have no default route THEN the check fails; declaring the route passes it', () => {
    const resources = {
      Subnet: { Type: 'AWS::EC2::Subnet' },
      Ng: { Type: 'AWS::EKS::Nodegroup', Properties: { Subnets: [{ Ref: 'Subnet' }] } },
    };
    const none = parallelismChecks(
      buildDeployGraph({ Resources: resources } as unknown as CfnTemplate),
      FLAT,
    );
    expect(none.find((c) => c.name.includes('default routes'))).toMatchObject({ ok: false });
    const declared = buildDeployGraph({
      Resources: {
        ...resources,
        Table: { Type: 'AWS::EC2::RouteTable' },
        Assoc: {
          Type: 'AWS::EC2::SubnetRouteTableAssociation',
          Properties: { SubnetId: { Ref: 'Subnet' }, RouteTableId: { Ref: 'Table' } },
        },
        Nat: {
          Type: 'AWS::EC2::Route',
          Properties: { RouteTableId: { Ref: 'Table' }, DestinationCidrBlock: '0.0.0.0/0' },
        },
        Ng: { ...resources.Ng, DependsOn: ['Nat'] },
      },
    } as unknown as CfnTemplate);
    const check = parallelismChecks(declared, FLAT).find((c) => c.name.includes('default routes'));
    expect(check).toMatchObject({ ok: true, detail: 'waits for Nat' });
  });

  test('GIVEN a Retain deletion policy THEN destroy does not wait for that resource', () => {
    const g = buildDeployGraph({
      Resources: { Db: { Type: 'T::Db', DeletionPolicy: 'Retain' } },
    } as unknown as CfnTemplate);
    expect(schedule(g, FLAT, 'destroy').total).toBe(0);
  });
});

describe('deploy critical path of the app', () => {
  const template = appTemplate();
  const graph = buildDeployGraph(template);
  const [db] = idsOfType(graph, 'AWS::RDS::DBInstance');
  const [cluster] = idsOfType(graph, 'AWS::EKS::Cluster');
  const [nodegroup] = idsOfType(graph, 'AWS::EKS::Nodegroup');

  test('the DB instance and the EKS cluster are on separate branches', () => {
    expect(dependencyPath(graph, db, cluster)).toBeUndefined();
    expect(dependencyPath(graph, cluster, db)).toBeUndefined();
  });

  test('the node group does not wait for the DB', () => {
    expect(dependencyPath(graph, nodegroup, db)).toBeUndefined();
  });

  test('every node group DECLARES its wait for its subnets default routes (the graph adds no edge)', () => {
    for (const ng of idsOfType(graph, 'AWS::EKS::Nodegroup')) {
      const routes = graph.nodegroupRoutes.get(ng) ?? [];
      expect(routes.length).toBeGreaterThan(0);
      for (const route of routes) {
        expect(graph.resources.get(route)?.type).toBe('AWS::EC2::Route');
        expect(template.Resources[route].Properties?.DestinationCidrBlock).toBe('0.0.0.0/0');
        expect(graph.deps.get(ng)?.get(route)?.kinds).toEqual(['DependsOn']);
        expect([template.Resources[ng].DependsOn].flat()).toContain(route);
      }
    }
    const checks = parallelismChecks(graph, TIMES).filter((c) => c.name.includes('default routes'));
    expect(checks).toHaveLength(2);
    expect(checks.every((c) => c.ok)).toBe(true);
  });

  test('GIVEN the stack drops the node group DependsOn on the NAT routes THEN no edge is left and the check fails naming the routes', () => {
    const routes = graph.nodegroupRoutes.get(nodegroup) as readonly string[];
    const declared = [template.Resources[nodegroup].DependsOn].flat() as string[];
    const bad: CfnTemplate = {
      ...template,
      Resources: {
        ...template.Resources,
        [nodegroup]: {
          ...template.Resources[nodegroup],
          DependsOn: declared.filter((d) => !routes.includes(d)),
        },
      },
    };
    const g = buildDeployGraph(bad);
    const nat = idsOfType(g, 'AWS::EC2::NatGateway')[0];
    expect(dependencyPath(g, nodegroup, nat)).toBeUndefined();
    for (const route of routes) expect(g.deps.get(nodegroup)?.has(route)).toBe(false);
    const check = parallelismChecks(g, TIMES).find(
      (c) => c.name === `node group ${nodegroup} declares a wait for its subnets' default routes`,
    );
    expect(check?.ok).toBe(false);
    for (const route of routes) expect(check?.detail).toContain(route);
    // The other pool still declares its wait.
    const other = idsOfType(g, 'AWS::EKS::Nodegroup').find((id) => id !== nodegroup) as string;
    expect(parallelismChecks(g, TIMES).find((c) => c.name.includes(`${other} declares`))?.ok).toBe(true);
  });

  test('GIVEN a node group made to wait for the DB THEN the check fails and names the edge', () => {
    const bad: CfnTemplate = {
      ...template,
      Resources: {
        ...template.Resources,
        [nodegroup]: { ...template.Resources[nodegroup], DependsOn: [db] },
      },
    };
    const check = parallelismChecks(buildDeployGraph(bad), TIMES).find((c) => c.name.includes(nodegroup));
    expect(check?.ok).toBe(false);
    expect(check?.detail).toContain(`${nodegroup} -[DependsOn]-> ${db}`);
  });

  test('both pools are created side by side, neither waits for the DB; only the system pool holds up CoreDNS', () => {
    const nodegroups = idsOfType(graph, 'AWS::EKS::Nodegroup');
    expect(nodegroups).toHaveLength(2);
    for (const ng of nodegroups) expect(dependencyPath(graph, ng, db)).toBeUndefined();
    expect(dependencyPath(graph, nodegroups[0], nodegroups[1])).toBeUndefined();
    expect(dependencyPath(graph, nodegroups[1], nodegroups[0])).toBeUndefined();
    const deploy = schedule(graph, TIMES, 'deploy');
    const starts = nodegroups.map((ng) => deploy.resources.get(ng)?.start);
    expect(starts[0]).toBe(starts[1]);
    const checks = parallelismChecks(graph, TIMES).filter((c) =>
      c.name.endsWith('does not wait for the database'),
    );
    expect(checks.map((c) => c.ok)).toEqual([true, true]);
  });

  test('the autoscaler manifest is applied only after its Pod Identity association exists', () => {
    const manifests = idsOfType(graph, 'Custom::AWSCDK-EKS-KubernetesResource').filter((id) =>
      JSON.stringify(template.Resources[id].Properties).includes('cluster-autoscaler'),
    );
    expect(manifests).toHaveLength(1);
    const association = idsOfType(graph, 'AWS::EKS::PodIdentityAssociation').find((id) =>
      JSON.stringify(template.Resources[id].Properties).includes('cluster-autoscaler'),
    ) as string;
    expect(graph.deps.get(manifests[0])?.get(association)?.kinds).toEqual(['DependsOn']);
  });

  test('the destroy estimate ends with the network, after the cluster', () => {
    const destroy = schedule(graph, TIMES, 'destroy');
    const order = destroy.criticalPath.map((r) => r.type);
    expect(order.indexOf('AWS::EKS::Cluster')).toBeLessThan(order.indexOf('AWS::EC2::VPC'));
    expect(destroy.total).toBeGreaterThan(TIMES.types['AWS::EKS::Cluster'].delete);
  });

  test(`the estimated deploy is within ${CHAIN_TOLERANCE * 100}% of the EKS chain`, () => {
    const deploy = schedule(graph, TIMES, 'deploy');
    expect(deploy.total).toBeLessThanOrEqual(eksChain(graph, TIMES).total * (1 + CHAIN_TOLERANCE));
  });

  test('the node group waits for the NAT route; the cluster does not', () => {
    const nat = idsOfType(graph, 'AWS::EC2::NatGateway')[0];
    expect(dependencyPath(graph, nodegroup, nat)).toBeDefined();
    expect(dependencyPath(graph, cluster, nat)).toBeUndefined();
  });
});

describe('the model, exactly (hand-written templates with obvious answers)', () => {
  const g = (resources: Record<string, unknown>) =>
    buildDeployGraph({ Resources: resources } as unknown as CfnTemplate);
  const deps = (graph: ReturnType<typeof g>, id: string) => [...(graph.deps.get(id)?.keys() ?? [])].sort();

  test('references are found at any depth, in lists, in Sub variables; a Ref/GetAtt/Sub key is not walked again', () => {
    const graph = g({
      A: { Type: 'T' },
      B: { Type: 'T' },
      C: { Type: 'T' },
      D: { Type: 'T' },
      X: {
        Type: 'T',
        Properties: {
          Deep: { List: [{ Inner: { Ref: 'A' } }, 'text', 3, null] },
          // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not JS.
          Sub: { 'Fn::Sub': '${B.Arn}' },
          Vars: { 'Fn::Sub': ['x', { V: { 'Fn::GetAtt': ['C', 'Id'] } }] },
          Att: { 'Fn::GetAtt': 'D.Arn' },
          NotARef: { Ref: 42 },
          Unknown: { Ref: 'NotInTemplate' },
        },
      },
      Self: { Type: 'T', Properties: { Me: { Ref: 'Self' } } },
    });
    expect(deps(graph, 'X')).toEqual(['A', 'B', 'C', 'D']);
    expect(graph.deps.get('X')?.get('B')?.kinds).toEqual(['Sub']);
    expect(graph.deps.get('X')?.get('C')?.kinds).toEqual(['GetAtt']);
    expect(graph.deps.get('X')?.get('D')?.kinds).toEqual(['GetAtt']);
    expect(deps(graph, 'Self')).toEqual([]);
  });

  test('one edge per pair, with every kind that made it, each once', () => {
    const graph = g({
      A: { Type: 'T' },
      B: {
        Type: 'T',
        DependsOn: 'A',
        Properties: { R: { Ref: 'A' }, S: { Ref: 'A' }, G: { 'Fn::GetAtt': ['A', 'X'] } },
      },
    });
    expect(graph.deps.get('B')?.get('A')).toEqual({
      from: 'B',
      to: 'A',
      kinds: ['DependsOn', 'Ref', 'GetAtt'],
    });
    expect(describeChain([graph.deps.get('B')?.get('A') as never], graph)).toBe(
      'B -[DependsOn+Ref+GetAtt]-> A (T)',
    );
  });

  test('a VPC Lambda waits for its network on create; the subnets and security groups it uses hold its ENIs on delete', () => {
    const graph = g({
      Subnet: { Type: 'AWS::EC2::Subnet' },
      Sg: { Type: 'AWS::EC2::SecurityGroup' },
      EksSg: { Type: 'AWS::EKS::Cluster' },
      Fn: {
        Type: 'AWS::Lambda::Function',
        Properties: {
          VpcConfig: {
            SubnetIds: [{ Ref: 'Subnet' }],
            SecurityGroupIds: [{ Ref: 'Sg' }, { 'Fn::GetAtt': ['EksSg', 'ClusterSecurityGroupId'] }],
          },
        },
      },
      Plain: { Type: 'AWS::Lambda::Function', Properties: { Role: { Ref: 'Subnet' } } },
      OtherSubnet: { Type: 'AWS::EC2::Subnet' },
    });
    const r = (id: string) => graph.resources.get(id);
    expect([r('Fn')?.inVpc, r('Plain')?.inVpc, r('Subnet')?.inVpc]).toEqual([true, false, false]);
    expect(['Subnet', 'Sg', 'EksSg', 'OtherSubnet', 'Fn'].map((id) => r(id)?.holdsLambdaEnis)).toEqual([
      true,
      true,
      false,
      false,
      false,
    ]);
    const times: ResourceTimes = {
      ...FLAT,
      lambdaEniRelease: { create: 0, delete: 240, basis: 'test' },
      types: {
        'AWS::Lambda::Function@vpc': { create: 60, delete: 5, basis: 'test' },
        'AWS::Lambda::Function': { create: 7, delete: 3, basis: 'test' },
      },
    };
    expect(durationOf(r('Fn') as never, times, 'deploy')).toBe(60);
    expect(durationOf(r('Plain') as never, times, 'deploy')).toBe(7);
    expect(durationOf(r('Subnet') as never, times, 'destroy')).toBe(10 + 240);
    expect(durationOf(r('OtherSubnet') as never, times, 'destroy')).toBe(10);
    expect(durationOf(r('Subnet') as never, times, 'deploy')).toBe(10);
  });

  test('durations: a listed type, a custom resource (as the CloudFormation custom resource), anything else the default', () => {
    const times: ResourceTimes = {
      ...FLAT,
      types: { 'AWS::CloudFormation::CustomResource': { create: 90, delete: 60, basis: 'test' } },
    };
    const res = (type: string, deletionPolicy?: string) => ({
      id: 'X',
      type,
      deletionPolicy,
      inVpc: false,
      holdsLambdaEnis: false,
    });
    expect(durationOf(res('Custom::Anything'), times, 'deploy')).toBe(90);
    expect(durationOf(res('Custom::Anything'), times, 'destroy')).toBe(60);
    expect(durationOf(res('AWS::Other::Thing'), times, 'deploy')).toBe(10);
    expect(durationOf(res('My::Custom::Thing'), times, 'deploy')).toBe(10);
    expect(durationOf(res('Custom::Anything'), FLAT, 'deploy')).toBe(10);
    expect(durationOf(res('AWS::Other::Thing', 'Retain'), times, 'destroy')).toBe(0);
    expect(durationOf(res('AWS::Other::Thing', 'Snapshot'), times, 'destroy')).toBe(10);
    expect(durationOf(res('AWS::Other::Thing', 'Retain'), times, 'deploy')).toBe(10);
  });

  test('schedule: a resource starts when its LAST predecessor finishes, and remembers which one and why', () => {
    const graph = g({
      Short: { Type: 'T::Short' },
      Long: { Type: 'T::Long' },
      Both: { Type: 'T', DependsOn: ['Long', 'Short'] },
      Both2: { Type: 'T', DependsOn: ['Short', 'Long'] },
    });
    const times: ResourceTimes = {
      ...FLAT,
      types: {
        'T::Short': { create: 5, delete: 5, basis: 't' },
        'T::Long': { create: 50, delete: 50, basis: 't' },
      },
    };
    const s = schedule(graph, times, 'deploy');
    for (const id of ['Both', 'Both2']) {
      expect(s.resources.get(id)).toMatchObject({ start: 50, duration: 10, finish: 60, waitedFor: 'Long' });
      expect(s.resources.get(id)?.edge?.kinds).toEqual(['DependsOn']);
    }
    expect(s.resources.get('Short')).toMatchObject({
      start: 0,
      finish: 5,
      waitedFor: undefined,
      edge: undefined,
    });
    expect(s.total).toBe(60);
    expect(s.criticalPath.map((r) => r.id)).toEqual(['Long', 'Both']);
    // Equal finishes: the first predecessor found stays the one waited for.
    const tie = schedule(
      g({ A: { Type: 'T' }, B: { Type: 'T' }, C: { Type: 'T', DependsOn: ['A', 'B'] } }),
      FLAT,
      'deploy',
    );
    expect(tie.resources.get('C')?.waitedFor).toBe('A');
    expect(schedule(g({}), FLAT, 'deploy')).toMatchObject({ total: 0, criticalPath: [] });
  });

  test('a weight function overrides durations; a cycle is an error naming a resource on it', () => {
    const graph = g({ A: { Type: 'T' }, B: { Type: 'T', DependsOn: 'A' } });
    expect(schedule(graph, FLAT, 'deploy', (r) => (r.id === 'A' ? 0 : 7)).total).toBe(7);
    const cyclic = g({ A: { Type: 'T', DependsOn: 'B' }, B: { Type: 'T', DependsOn: 'A' } });
    expect(() => schedule(cyclic, FLAT, 'deploy')).toThrow(/^dependency cycle through [AB]$/);
  });

  test('dependencyPath: the chain of edges, shortest first; undefined when there is none', () => {
    const graph = g({
      A: { Type: 'T' },
      B: { Type: 'T', DependsOn: 'A' },
      C: { Type: 'T', DependsOn: ['B', 'A'] },
    });
    expect(dependencyPath(graph, 'C', 'A')?.map((e) => `${e.from}>${e.to}`)).toEqual(['C>A']);
    expect(dependencyPath(graph, 'B', 'A')?.map((e) => `${e.from}>${e.to}`)).toEqual(['B>A']);
    expect(dependencyPath(graph, 'A', 'C')).toBeUndefined();
    expect(dependencyPath(graph, 'A', 'A')).toEqual([]);
    expect(idsOfType(graph, 'T')).toEqual(['A', 'B', 'C']);
  });

  test('formatDuration: m:ss, rounded to the second', () => {
    expect([0, 5, 59.4, 59.6, 60, 61, 605, 1105].map(formatDuration)).toEqual([
      '0:00',
      '0:05',
      '0:59',
      '1:00',
      '1:00',
      '1:01',
      '10:05',
      '18:25',
    ]);
  });
});

describe('the estimate of the app, exactly as docs/cost-and-timing.md states it', () => {
  const graph = buildDeployGraph(appTemplate());
  const doc = fs.readFileSync(path.join(__dirname, '..', '..', '..', 'docs', 'cost-and-timing.md'), 'utf8');

  test('deploy and destroy totals: the figures the docs print', () => {
    const deploy = schedule(graph, TIMES, 'deploy');
    const destroy = schedule(graph, TIMES, 'destroy');
    expect(doc).toContain(
      `Deploy **${formatDuration(deploy.total)}**, destroy **${formatDuration(destroy.total)}**`,
    );
    expect([deploy.total, destroy.total]).toEqual([1105, 850]);
  });

  test('the deploy critical path: key, cluster, networking add-on, node group, CoreDNS, the last manifest', () => {
    const deploy = schedule(graph, TIMES, 'deploy');
    expect(deploy.criticalPath.map((r) => [r.type, r.start, r.duration, r.edge?.kinds ?? []])).toEqual([
      ['AWS::KMS::Key', 0, 25, []],
      ['AWS::EKS::Cluster', 25, 720, ['GetAtt']],
      ['AWS::EKS::Addon', 745, 45, ['Ref']],
      ['AWS::EKS::Nodegroup', 790, 180, ['DependsOn']],
      ['AWS::EKS::Addon', 970, 45, ['DependsOn']],
      ['Custom::AWSCDK-EKS-KubernetesResource', 1015, 90, ['DependsOn']],
    ]);
  });

  test('the destroy critical path ends with a node subnet waiting for the kubectl Lambda ENIs, then the VPC', () => {
    const destroy = schedule(graph, TIMES, 'destroy');
    expect(destroy.criticalPath.map((r) => [r.type, r.start, r.duration])).toEqual([
      ['Custom::AWSCDK-EKS-KubernetesResource', 0, 60],
      ['AWS::EKS::Addon', 60, 15],
      ['AWS::EKS::Nodegroup', 75, 300],
      ['AWS::EKS::Addon', 375, 15],
      ['AWS::EKS::Cluster', 390, 210],
      ['AWS::EC2::Subnet', 600, TIMES.types['AWS::EC2::Subnet'].delete + TIMES.lambdaEniRelease.delete],
      ['AWS::EC2::VPC', 845, 5],
    ]);
    const holders = [...graph.resources.values()].filter((r) => r.holdsLambdaEnis).map((r) => r.type);
    expect(holders).toEqual(['AWS::EC2::Subnet', 'AWS::EC2::Subnet']);
    expect([...graph.resources.values()].filter((r) => r.inVpc).map((r) => r.type)).toEqual([
      'AWS::Lambda::Function',
      'AWS::Lambda::Function',
    ]);
  });
});

describe('parallelism checks, exactly', () => {
  const g = (resources: Record<string, unknown>) =>
    buildDeployGraph({ Resources: resources } as unknown as CfnTemplate);
  const T = (types: Record<string, number>): ResourceTimes => ({
    ...FLAT,
    default: { create: 0, delete: 0, basis: 't' },
    types: Object.fromEntries(
      Object.entries(types).map(([k, v]) => [k, { create: v, delete: v, basis: 't' }]),
    ),
  });
  const byName = (checks: ReturnType<typeof parallelismChecks>, start: string) =>
    checks.find((c) => c.name.startsWith(start));

  test('the database waiting for the cluster, or the cluster for the database: violated, naming who waits for whom', () => {
    const dbWaits = parallelismChecks(
      g({
        Cluster: { Type: 'AWS::EKS::Cluster' },
        Db: { Type: 'AWS::RDS::DBInstance', DependsOn: 'Cluster' },
      }),
      T({ 'AWS::EKS::Cluster': 100 }),
    );
    expect(byName(dbWaits, 'database and cluster')).toEqual({
      name: 'database and cluster on separate branches',
      ok: false,
      detail: 'Db waits for Cluster:\nDb -[DependsOn]-> Cluster (AWS::EKS::Cluster)',
    });
    const clusterWaits = parallelismChecks(
      g({
        Db: { Type: 'AWS::RDS::DBInstance' },
        Cluster: { Type: 'AWS::EKS::Cluster', Properties: { X: { Ref: 'Db' } } },
      }),
      T({ 'AWS::EKS::Cluster': 100 }),
    );
    expect(byName(clusterWaits, 'database and cluster')).toMatchObject({
      ok: false,
      detail: 'Cluster waits for Db:\nCluster -[Ref]-> Db (AWS::RDS::DBInstance)',
    });
    const apart = parallelismChecks(
      g({ Db: { Type: 'AWS::RDS::DBInstance' }, Cluster: { Type: 'AWS::EKS::Cluster' } }),
      T({ 'AWS::EKS::Cluster': 100 }),
    );
    expect(byName(apart, 'database and cluster')).toMatchObject({
      ok: true,
      detail: 'neither waits for the other',
    });
    expect(byName(apart, 'node group')).toBeUndefined();
  });

  test('deploy within 10% of the EKS chain: 110% passes, more fails and lists the non-EKS time on the path', () => {
    const graph = (slow: number) =>
      parallelismChecks(
        g({
          Key: { Type: 'T::Key' },
          Cluster: { Type: 'AWS::EKS::Cluster', Properties: { K: { Ref: 'Key' } } },
        }),
        T({ 'T::Key': slow, 'AWS::EKS::Cluster': 100 }),
      );
    expect(byName(graph(10), 'deploy within')).toMatchObject({
      name: 'deploy within 10% of the EKS chain',
      ok: true,
    });
    const over = byName(graph(11), 'deploy within');
    expect(over?.ok).toBe(false);
    expect(over?.detail).toBe(
      'deploy 1:51 vs EKS chain 1:40 (x1.11); non-EKS time on the critical path 0:11:\n' +
        '  Key (T::Key, 0:11), waited for by Cluster [Ref]',
    );
    expect(byName(graph(0), 'deploy within')?.detail).toBe(
      'deploy 1:40 vs EKS chain 1:40 (x1.00); non-EKS time on the critical path 0:00:',
    );
    // No cluster: no chain to compare with.
    expect(
      byName(parallelismChecks(g({ Key: { Type: 'T::Key' } }), T({ 'T::Key': 5 })), 'deploy within'),
    ).toBeUndefined();
  });

  test('a slow last resource outside the EKS chain is named with no successor', () => {
    const checks = parallelismChecks(
      g({
        Cluster: { Type: 'AWS::EKS::Cluster' },
        After: { Type: 'T::After', Properties: { C: { Ref: 'Cluster' } } },
      }),
      T({ 'T::After': 50, 'AWS::EKS::Cluster': 100 }),
    );
    expect(byName(checks, 'deploy within')?.detail).toBe(
      'deploy 2:30 vs EKS chain 1:40 (x1.50); non-EKS time on the critical path 0:50:\n' +
        '  After (T::After, 0:50), waited for by -',
    );
  });
});
