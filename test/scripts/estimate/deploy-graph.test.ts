import type { CfnTemplate } from '../../../scripts/estimate/cloud-assembly';
import {
  buildDeployGraph,
  dependencyPath,
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
