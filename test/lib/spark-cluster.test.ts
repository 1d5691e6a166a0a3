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

  test('managed node group of t3a.xlarge on AL2023 in the private subnets, sized by the settings', () => {
    const { template } = synth({ nodeMinSize: 2, nodeDesiredSize: 3, nodeMaxSize: 5 });
    template.hasResourceProperties('AWS::EKS::Nodegroup', {
      InstanceTypes: ['t3a.xlarge'],
      AmiType: 'AL2023_x86_64_STANDARD',
      ScalingConfig: { MinSize: 2, DesiredSize: 3, MaxSize: 5 },
      Subnets: Match.arrayWith([{ Ref: Match.stringLikeRegexp('Nodes') }]),
    });
  });

  test('another sized instance type flows into the node group', () => {
    synth({ nodeInstanceType: 'm6i.2xlarge' }).template.hasResourceProperties('AWS::EKS::Nodegroup', {
      InstanceTypes: ['m6i.2xlarge'],
      AmiType: 'AL2023_x86_64_STANDARD',
    });
  });

  test("node role carries only the three node policies: none of the guide's full-access ones", () => {
    const { template } = synth();
    const nodegroup = Object.values(template.findResources('AWS::EKS::Nodegroup'))[0];
    const roleId = nodegroup.Properties.NodeRole['Fn::GetAtt'][0];
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

  test('core add-ons as managed add-ons; networking before the nodes, CoreDNS after them', () => {
    const { template } = synth();
    const addons = template.findResources('AWS::EKS::Addon');
    const names = Object.values(addons).map((a) => a.Properties.AddonName);
    expect(names.sort()).toEqual(['coredns', 'eks-pod-identity-agent', 'kube-proxy', 'vpc-cni']);
    const [nodegroupId, nodegroup] = Object.entries(template.findResources('AWS::EKS::Nodegroup'))[0];
    const idOf = (name: string) => Object.keys(addons).find((id) => addons[id].Properties.AddonName === name);
    for (const name of ['vpc-cni', 'kube-proxy', 'eks-pod-identity-agent']) {
      expect(nodegroup.DependsOn).toContain(idOf(name));
    }
    expect(addons[idOf('coredns') as string].DependsOn).toContain(nodegroupId);
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
    // The other manifest is the ZenML server's (test/lib/zenml-server.test.ts); this one is a plain string.
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
    expect(layerDescription('1.35')).not.toEqual(layerDescription('1.36'));
  });
});
