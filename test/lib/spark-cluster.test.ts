import { Match } from 'aws-cdk-lib/assertions';
import { synth } from './fixtures';

const clusterProps = (settings = {}) =>
  Object.values(synth(settings).template.findResources('AWS::EKS::Cluster'))[0].Properties;

describe('SparkCluster', () => {
  test('native AWS::EKS::Cluster (aws-eks-v2) at the configured version, in the private subnets', () => {
    const props = clusterProps();
    expect(props).toMatchObject({ Name: 'zenml-spark', Version: '1.36' });
    for (const subnet of props.ResourcesVpcConfig.SubnetIds) expect(subnet.Ref).toMatch(/Nodes/);
    expect(synth().template.findResources('AWS::CloudFormation::Stack')).toEqual({});
  });

  test('control-plane logging: all five log types, into a log group the stack owns', () => {
    const { template } = synth();
    expect(clusterProps().Logging.ClusterLogging.EnabledTypes.map((t: { Type: string }) => t.Type)).toEqual([
      'api',
      'audit',
      'authenticator',
      'controllerManager',
      'scheduler',
    ]);
    template.hasResource('AWS::Logs::LogGroup', {
      Properties: { LogGroupName: '/aws/eks/zenml-spark/cluster', RetentionInDays: 30 },
      DeletionPolicy: 'Delete',
    });
  });

  test('secrets encryption with a rotating KMS key that only AWS services can create grants on', () => {
    const { template } = synth();
    const [keyId, key] = Object.entries(template.findResources('AWS::KMS::Key'))[0];
    expect(clusterProps().EncryptionConfig).toEqual([
      { Provider: { KeyArn: { 'Fn::GetAtt': [keyId, 'Arn'] } }, Resources: ['secrets'] },
    ]);
    expect(key.Properties.EnableKeyRotation).toBe(true);
    expect(key.Properties.KeyPolicy.Statement).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          Effect: 'Deny',
          Action: 'kms:CreateGrant',
          Condition: {
            BoolIfExists: { 'kms:GrantIsForAWSResource': 'false', 'aws:PrincipalIsAWSService': 'false' },
          },
        }),
      ]),
    );
  });

  test('API endpoint private by default; public only from the configured CIDRs', () => {
    expect(clusterProps().ResourcesVpcConfig).toMatchObject({
      EndpointPrivateAccess: true,
      EndpointPublicAccess: false,
    });
    expect(clusterProps({ clusterEndpointPublicCidrs: ['203.0.113.0/24'] }).ResourcesVpcConfig).toMatchObject(
      {
        EndpointPrivateAccess: true,
        EndpointPublicAccess: true,
        PublicAccessCidrs: ['203.0.113.0/24'],
      },
    );
  });

  // biome-ignore lint/suspicious/noExplicitAny: template JSON read back for assertions
  type Nodegroup = { id: string; Properties: any; DependsOn: string[] };
  const nodegroups = (settings = {}): { system: Nodegroup; spark: Nodegroup } => {
    const all = synth(settings).template.findResources('AWS::EKS::Nodegroup');
    const byPool = (pool: string) => {
      const found = Object.entries(all).filter(
        ([, r]) => r.Properties.Labels['zenml-spark-eks/pool'] === pool,
      );
      expect(found).toHaveLength(1);
      return { id: found[0][0], ...found[0][1] } as Nodegroup;
    };
    expect(Object.keys(all)).toHaveLength(2);
    return { system: byPool('system'), spark: byPool('spark') };
  };

  test('two pools on AL2023 x86_64 in the private subnets: a fixed system pool and the Spark pool from 0', () => {
    const { system, spark } = nodegroups();
    for (const ng of [system, spark]) {
      expect(ng.Properties.AmiType).toBe('AL2023_x86_64_STANDARD');
      expect(ng.Properties.Subnets).toEqual(
        expect.arrayContaining([{ Ref: expect.stringMatching(/Nodes/) }]),
      );
    }
    expect(system.Properties).toMatchObject({
      InstanceTypes: ['t3a.medium'],
      ScalingConfig: { MinSize: 1, DesiredSize: 1, MaxSize: 1 },
      DiskSize: 20,
      Labels: { 'zenml-spark-eks/pool': 'system' },
    });
    expect(system.Properties.Taints).toBeUndefined();
    expect(spark.Properties).toMatchObject({
      InstanceTypes: ['t3a.xlarge'],
      ScalingConfig: { MinSize: 0, DesiredSize: 0, MaxSize: 4 },
      DiskSize: 50,
      Labels: { 'zenml-spark-eks/pool': 'spark' },
      Taints: [{ Key: 'zenml-spark-eks/pool', Value: 'spark', Effect: 'NO_SCHEDULE' }],
    });
  });

  test("the pools' labels and the Spark taint are also node-template tags, for the autoscaler at 0 nodes", () => {
    const { system, spark } = nodegroups();
    expect(spark.Properties.Tags).toMatchObject({
      'k8s.io/cluster-autoscaler/node-template/label/zenml-spark-eks/pool': 'spark',
      'k8s.io/cluster-autoscaler/node-template/taint/zenml-spark-eks/pool': 'spark:NoSchedule',
    });
    expect(system.Properties.Tags).toMatchObject({
      'k8s.io/cluster-autoscaler/node-template/label/zenml-spark-eks/pool': 'system',
    });
    expect(Object.keys(system.Properties.Tags).filter((k) => k.includes('/taint/'))).toEqual([]);
  });

  test('sized by the settings: Spark pool type and min/max (desired starts at min), system pool type and count', () => {
    const { system, spark } = nodegroups({
      nodeMinSize: 1,
      nodeMaxSize: 6,
      nodeInstanceType: 'm6i.2xlarge',
      systemNodeInstanceType: 't3.medium',
      systemNodeCount: 2,
    });
    expect(spark.Properties).toMatchObject({
      InstanceTypes: ['m6i.2xlarge'],
      ScalingConfig: { MinSize: 1, DesiredSize: 1, MaxSize: 6 },
    });
    expect(system.Properties).toMatchObject({
      InstanceTypes: ['t3.medium'],
      ScalingConfig: { MinSize: 2, DesiredSize: 2, MaxSize: 2 },
    });
  });

  test("both pools share one node role with only the three node policies: none of the guide's full-access ones", () => {
    const { template } = synth();
    const { system, spark } = nodegroups();
    const roleId = spark.Properties.NodeRole['Fn::GetAtt'][0];
    expect(system.Properties.NodeRole).toEqual(spark.Properties.NodeRole);
    const role = template.toJSON().Resources[roleId];
    const policies = role.Properties.ManagedPolicyArns.map((p: { 'Fn::Join': [string, string[]] }) =>
      p['Fn::Join'][1].at(-1)?.replace(/^:iam::aws:policy\//, ''),
    );
    expect(policies.sort()).toEqual([
      'AmazonEC2ContainerRegistryReadOnly',
      'AmazonEKSWorkerNodePolicy',
      'AmazonEKS_CNI_Policy',
    ]);
    expect(role.Properties.Policies).toBeUndefined();
    const json = JSON.stringify(template.toJSON());
    for (const broad of ['AmazonS3FullAccess', 'AmazonRDSFullAccess', 'SecretsManagerReadWrite']) {
      expect(json).not.toContain(broad);
    }
  });

  test('core add-ons as managed add-ons; networking before both pools, CoreDNS after the system pool only', () => {
    const { template } = synth();
    const addons = template.findResources('AWS::EKS::Addon');
    const names = Object.values(addons).map((a) => a.Properties.AddonName);
    expect(names.sort()).toEqual(['coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    const { system, spark } = nodegroups();
    const idOf = (name: string) => Object.keys(addons).find((id) => addons[id].Properties.AddonName === name);
    for (const ng of [system, spark]) {
      for (const name of ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']) {
        expect(ng.DependsOn).toContain(idOf(name));
      }
    }
    // CoreDNS cannot run on the tainted Spark pool, which may be at 0: it waits for the system pool.
    const corednsDeps = addons[idOf('coredns') as string].DependsOn;
    expect(corednsDeps).toContain(system.id);
    expect(corednsDeps).not.toContain(spark.id);
    expect(clusterProps().BootstrapSelfManagedAddons).toBe(false);
  });

  test('access entries grant cluster admin to the configured principals only', () => {
    const arn = 'arn:aws:iam::123456789012:role/PlatformAdmin';
    const { template } = synth({ clusterAdminPrincipalArns: [arn] });
    template.hasResourceProperties('AWS::EKS::AccessEntry', {
      PrincipalArn: arn,
      AccessPolicies: [
        Match.objectLike({
          AccessScope: { Type: 'cluster' },
          PolicyArn: Match.objectLike({
            'Fn::Join': Match.arrayWith([
              Match.arrayWith([':eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy']),
            ]),
          }),
        }),
      ],
    });
    // Without principals only the kubectl handler has an entry; the CloudFormation role gets none.
    expect(clusterProps().AccessConfig).toEqual({
      AuthenticationMode: 'API',
      BootstrapClusterCreatorAdminPermissions: false,
    });
    const entries = Object.values(synth().template.findResources('AWS::EKS::AccessEntry'));
    expect(entries.map((e) => e.Properties.PrincipalArn['Fn::GetAtt'][0])).toEqual([
      expect.stringMatching(/KubectlProviderHandler/),
    ]);
  });

  test('spark namespace, service account and RBAC applied at deploy through the kubectl provider', () => {
    const { template } = synth();
    // The others are the cluster autoscaler's and the ZenML server's (Fn::Join: they carry deploy-time values).
    const manifests = Object.values(template.findResources('Custom::AWSCDK-EKS-KubernetesResource')).filter(
      (m) => typeof m.Properties.Manifest === 'string',
    );
    expect(manifests).toHaveLength(1);
    const objects = JSON.parse(manifests[0].Properties.Manifest) as {
      kind: string;
      metadata: { name: string };
    }[];
    expect(objects.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual(
      expect.arrayContaining(['Namespace/spark-namespace', 'ServiceAccount/spark-service-account']),
    );
    expect(objects.map((o) => o.kind)).toEqual(expect.arrayContaining(['Role', 'RoleBinding']));
    expect(objects.map((o) => o.kind)).not.toContain('ClusterRoleBinding');
  });

  test('applyKubernetesManifests=false: no kubectl provider Lambda and no manifest', () => {
    const { template } = synth({ applyKubernetesManifests: false });
    template.resourceCountIs('Custom::AWSCDK-EKS-KubernetesResource', 0);
    template.resourceCountIs('AWS::Lambda::LayerVersion', 0);
    expect(Object.keys(template.findResources('AWS::Lambda::Function'))).not.toContainEqual(
      expect.stringMatching(/Kubectl/),
    );
  });

  test('Kubernetes 1.34/1.35 use the v35 kubectl layer, 1.36 the v36 one', () => {
    const layerDescription = (v: string) =>
      Object.values(synth({ kubernetesVersion: v }).template.findResources('AWS::Lambda::LayerVersion'))
        .map((l) => l.Properties.Description)
        .join(' ');
    expect(layerDescription('1.35')).toMatch(/kubectl/i);
    expect(layerDescription('1.34')).toEqual(layerDescription('1.35'));
    expect(layerDescription('1.35')).not.toEqual(layerDescription('1.36'));
  });

  test('deploy order: the cluster waits only for its log group; each pool also for the NAT routes of its subnets', () => {
    const resources = synth().template.toJSON().Resources as Record<
      string,
      { Type: string; DependsOn?: string[] }
    >;
    const idsOf = (type: string) => Object.keys(resources).filter((id) => resources[id].Type === type);
    const [logGroup] = idsOf('AWS::Logs::LogGroup').filter((id) =>
      id.startsWith('SparkClusterControlPlaneLogs'),
    );
    // Not the VPC's routes and NAT: the control plane needs only its subnets, which it references.
    expect(resources[idsOf('AWS::EKS::Cluster')[0]].DependsOn).toEqual([logGroup]);
    const natRoutes = idsOf('AWS::EC2::Route').filter((id) =>
      /^NetworkVpcNodesSubnet\dDefaultRoute/.test(id),
    );
    expect(natRoutes).toHaveLength(2);
    for (const pool of idsOf('AWS::EKS::Nodegroup'))
      expect([pool, resources[pool].DependsOn]).toEqual([pool, expect.arrayContaining(natRoutes)]);
  });

  test('stable logical ids for the pools and add-ons (a renamed one is replaced), add-ons removed with the stack', () => {
    const { template } = synth();
    const ids = (type: string) =>
      Object.keys(template.findResources(type)).map((id) => id.replace(/[0-9A-F]{8}$/, ''));
    expect(ids('AWS::EKS::Nodegroup').sort()).toEqual([
      'SparkClusterNodegroupSparkNodes',
      'SparkClusterNodegroupSystemNodes',
    ]);
    expect(ids('AWS::EKS::Addon').sort()).toEqual([
      'SparkClusterCoreDnsAddon',
      'SparkClusterEksPodIdentityAgentAddon',
      'SparkClusterKubeProxyAddon',
      'SparkClusterVpcCniAddon',
    ]);
    for (const addon of Object.values(template.findResources('AWS::EKS::Addon')))
      expect(addon.Properties.PreserveOnDelete).toBe(false);
  });

  test("the secrets key's description names the cluster", () => {
    synth().template.hasResourceProperties('AWS::KMS::Key', {
      Description: 'Envelope encryption of Kubernetes secrets in zenml-spark',
    });
  });
});
