/**
 * Parsing of each tool's machine output into findings named the way the acknowledgement files
 * name them. The samples have the shape cfn-lint 1.58, checkov 3.3 and kubeconform 0.8 print.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import {
  type AssemblyIndex,
  normalizeConstructPath,
  readAssemblyIndex,
  resourceName,
  synthAcknowledgement,
} from '../../../../../scripts/verify/gates/parsers/assembly-index';
import {
  cfnLintExitIsResult,
  isError,
  parseCfnLint,
} from '../../../../../scripts/verify/gates/parsers/cfn-lint';
import { kubernetesResourceName, parseCheckov } from '../../../../../scripts/verify/gates/parsers/checkov';
import { tempDir } from '../../../../temp-dirs';

/** A minimal cloud assembly: one stack, construct metadata with logical ids and acknowledgements. */
function assembly(): AssemblyIndex {
  const dir = tempDir('gates-assembly-');
  fs.writeFileSync(
    path.join(dir, 'manifest.json'),
    JSON.stringify({
      artifacts: {
        ZenmlSpark: {
          type: 'aws:cloudformation:stack',
          properties: { templateFile: 'ZenmlSpark.template.json' },
        },
      },
    }),
  );
  fs.writeFileSync(
    path.join(dir, 'ZenmlSpark.metadata.json'),
    JSON.stringify({
      '/ZenmlSpark/ArtifactStore/Bucket/Resource': [
        { type: 'aws:cdk:logicalId', data: 'ArtifactStoreBucket47CE7D81' },
      ],
      '/ZenmlSpark/ArtifactStore/Bucket': [
        {
          type: 'aws:cdk:acknowledged-rules',
          data: { 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check': 'why' },
        },
      ],
      '/ZenmlSpark/SparkCluster/Cluster/Resource': [
        { type: 'aws:cdk:logicalId', data: 'SparkCluster586255DB' },
      ],
      '/ZenmlSpark/MetadataDatabase/Instance/SubnetGroup/Default': [
        { type: 'aws:cdk:logicalId', data: 'MetadataDatabaseInstanceSubnetGroupD862BF19' },
      ],
    }),
  );
  return readAssemblyIndex(dir);
}

describe('assembly index', () => {
  test('maps logical ids to construct paths without the L1 leaf', () => {
    const index = assembly();
    const paths = index.stacks[0].constructPaths;
    expect(paths.get('ArtifactStoreBucket47CE7D81')).toBe('ZenmlSpark/ArtifactStore/Bucket');
    expect(paths.get('MetadataDatabaseInstanceSubnetGroupD862BF19')).toBe(
      'ZenmlSpark/MetadataDatabase/Instance/SubnetGroup',
    );
  });

  test('finds a synth acknowledgement on the construct or an ancestor, not on a sibling', () => {
    const index = assembly();
    const id = 'cdk-validator-cfnguard::s3_bucket_versioning_enabled_check';
    expect(synthAcknowledgement(index, 'ZenmlSpark/ArtifactStore/Bucket', id)).toBe('why');
    expect(synthAcknowledgement(index, 'ZenmlSpark/ArtifactStore/Bucket/Policy', id)).toBe('why');
    expect(synthAcknowledgement(index, 'ZenmlSpark/ArtifactStore/AccessLogs', id)).toBeUndefined();
  });

  test('a missing cloud assembly names the command that makes it', () => {
    expect(() => readAssemblyIndex(path.join(os.tmpdir(), 'no-such-assembly'))).toThrow(/npm run synth/);
  });
});

describe('cfn-lint output', () => {
  const sample = JSON.stringify([
    {
      Filename: '/abs/cdk.out/ZenmlSpark.template.json',
      Level: 'Warning',
      Location: { Start: { LineNumber: 2313 }, Path: ['Resources', 'SparkCluster586255DB', 'DependsOn', 13] },
      Message: "'NetworkVpc' dependency already enforced",
      Rule: { Id: 'W3005' },
    },
    {
      Filename: '/abs/cdk.out/ZenmlSpark.template.json',
      Level: 'Error',
      Location: { Start: { LineNumber: 1 }, Path: ['Outputs', 'X'] },
      Message: 'bad output',
      Rule: { Id: 'E6001' },
    },
  ]);

  test('names a resource finding by construct path and a template finding by its section', () => {
    const findings = parseCfnLint(sample, assembly());
    expect(findings.map((f) => [f.rule, f.severity, f.resource])).toEqual([
      ['W3005', 'Warning', 'ZenmlSpark/SparkCluster/Cluster'],
      ['E6001', 'Error', 'ZenmlSpark.template.json#Outputs/X'],
    ]);
    expect(findings.map(isError)).toEqual([false, true]);
  });

  test('exit codes: a bit mask of levels is a result, anything else a crash', () => {
    expect([0, 2, 4, 6, 8, 14].every(cfnLintExitIsResult)).toBe(true);
    expect([1, 16, 32, null].some(cfnLintExitIsResult)).toBe(false);
  });
});

describe('checkov output', () => {
  const report = (
    checkType: string,
    resource: string,
    checkId: string,
    file = '/ZenmlSpark.template.json',
  ) => ({
    check_type: checkType,
    results: {
      failed_checks: [
        { check_id: checkId, check_name: 'n', resource, file_path: file, file_line_range: [3, 9] },
      ],
      parsing_errors: [],
    },
    summary: { passed: 7, failed: 1, skipped: 0, parsing_errors: 0, resource_count: 2 },
  });

  test('CloudFormation resources by construct path, Kubernetes ones as Kind/namespace/name', () => {
    const parsed = parseCheckov(
      JSON.stringify([
        report('cloudformation', 'AWS::S3::Bucket.ArtifactStoreBucket47CE7D81', 'CKV_AWS_21'),
        report(
          'kubernetes',
          'Job.spark-namespace.spark-run-importer',
          'CKV_K8S_38',
          '/pipeline-jobs.k8s.yaml',
        ),
      ]),
      assembly(),
    );
    expect(parsed.map((p) => [p.framework, p.passed, p.findings[0].rule, p.findings[0].resource])).toEqual([
      ['cloudformation', 7, 'CKV_AWS_21', 'ZenmlSpark/ArtifactStore/Bucket'],
      ['kubernetes', 7, 'CKV_K8S_38', 'Job/spark-namespace/spark-run-importer'],
    ]);
  });

  test('a logical id of a template the assembly does not list keeps a file#id name', () => {
    const [r] = parseCheckov(
      JSON.stringify(report('cloudformation', 'AWS::S3::Bucket.B1', 'CKV_AWS_21', '/Other.template.json')),
      assembly(),
    );
    expect(r.findings[0].resource).toBe('Other.template.json#B1');
  });

  test('a single-framework report (an object, not a list) is read too', () => {
    expect(
      parseCheckov(JSON.stringify(report('kubernetes', 'Role.ns.r', 'CKV_K8S_1')), undefined),
    ).toHaveLength(1);
  });

  test('graph checks that append pod labels to the name still get Kind/namespace/name', () => {
    expect(
      kubernetesResourceName(
        'Pod.spark-namespace.spark-run-trainer.app.kubernetes.io/component-spark-driver.cdk8s.io/metadata.addr-c84b60d1',
      ),
    ).toBe('Pod/spark-namespace/spark-run-trainer');
  });
});

describe("the tools' outputs, every shape", () => {
  test('construct paths: leading slashes and only a trailing Resource or Default leaf dropped', () => {
    expect(normalizeConstructPath('//ZenmlSpark/A/Resource')).toBe('ZenmlSpark/A');
    expect(normalizeConstructPath('/ZenmlSpark/A/Default')).toBe('ZenmlSpark/A');
    expect(normalizeConstructPath('/ZenmlSpark/Resource/B')).toBe('ZenmlSpark/Resource/B');
    expect(normalizeConstructPath('/ZenmlSpark/A/ResourceX')).toBe('ZenmlSpark/A/ResourceX');
  });

  test('the index: stacks only (not other artifacts, not stacks without a template), metadata from the manifest when no file', () => {
    const dir = tempDir('gates-assembly-');
    fs.writeFileSync(
      path.join(dir, 'manifest.json'),
      JSON.stringify({
        artifacts: {
          Tree: { type: 'cdk:tree', properties: { file: 'tree.json' } },
          NoTemplate: { type: 'aws:cloudformation:stack', properties: {} },
          Inline: {
            type: 'aws:cloudformation:stack',
            properties: { templateFile: 'Inline.template.json' },
            metadata: {
              '/Inline/Thing/Resource': [
                { type: 'aws:cdk:logicalId', data: 'Thing123' },
                { type: 'aws:cdk:logicalId', data: { not: 'a string' } },
                { type: 'aws:cdk:acknowledged-rules', data: { 'a::b': { reason: 'as object' }, 'c::d': 7 } },
                { type: 'aws:cdk:acknowledged-rules', data: null },
                { type: 'aws:cdk:warning', data: 'ignored' },
              ],
            },
          },
        },
      }),
    );
    const index = readAssemblyIndex(dir);
    expect(index.stacks.map((s) => [s.artifactId, s.templateFile, [...s.constructPaths]])).toEqual([
      ['Inline', 'Inline.template.json', [['Thing123', 'Inline/Thing']]],
    ]);
    expect([...(index.synthAcknowledgements.get('Inline/Thing/Resource') ?? [])]).toEqual([
      ['a::b', 'as object'],
      ['c::d', '7'],
    ]);
    expect(resourceName(index, '/abs/Inline.template.json', 'Thing123')).toBe('Inline/Thing');
    expect(resourceName(index, 'Inline.template.json', 'Unknown1')).toBe('Inline.template.json#Unknown1');
    expect(resourceName(index, 'Other.template.json', 'Thing123')).toBe('Other.template.json#Thing123');
    // On the L1 leaf itself, or on the Default leaf; never on a resource that only shares a prefix.
    expect(synthAcknowledgement(index, 'Inline/Thing', 'a::b')).toBe('as object');
    expect(synthAcknowledgement(index, 'Inline/Thing/Child', 'a::b')).toBeUndefined();
    expect(synthAcknowledgement(index, 'Inline/Thin', 'a::b')).toBeUndefined();
  });

  test('cfn-lint: a template-level finding, a finding with no path, errors by level or by an E rule', () => {
    const index = { outDir: '/o', stacks: [], synthAcknowledgements: new Map() };
    const findings = parseCfnLint(
      JSON.stringify([
        {
          Filename: 'T.json',
          Level: 'Informational',
          Location: { Start: { LineNumber: 1 }, Path: null },
          Message: 'm',
          Rule: { Id: 'I1' },
        },
        {
          Filename: 'dir/T.json',
          Level: 'Warning',
          Location: { Start: { LineNumber: 2 }, Path: ['Resources', 5] },
          Message: 'm',
          Rule: { Id: 'W2' },
        },
      ]),
      index,
    );
    expect(findings.map((f) => [f.resource, f.location])).toEqual([
      ['T.json#template', 'T.json:1 '],
      ['T.json#Resources/5', 'T.json:2 Resources/5'],
    ]);
    expect(parseCfnLint('', index)).toEqual([]);
    const f = (rule: string, severity?: string) => ({
      rule,
      resource: 'r',
      location: 'l',
      message: 'm',
      severity,
    });
    expect(
      [f('E1', 'Warning'), f('W1', 'Error'), f('W1', 'Warning'), f('XE1'), f('e1')].map(isError),
    ).toEqual([true, true, false, false, false]);
  });

  test('checkov: one report object or a list, entries that are not reports skipped, severity and line optional', () => {
    const one = {
      check_type: 'kubernetes',
      results: {
        failed_checks: [
          {
            check_id: 'CKV_K8S_1',
            check_name: 'n',
            resource: 'Job.ns.j',
            file_path: '/d/x.yaml',
            severity: 'HIGH',
          },
        ],
      },
      summary: { passed: 1, failed: 1, skipped: 0, parsing_errors: 0, resource_count: 1 },
    };
    const [fw] = parseCheckov(JSON.stringify(one), undefined);
    expect(fw).toEqual({
      framework: 'kubernetes',
      passed: 1,
      resources: 1,
      parsingErrors: [],
      findings: [
        {
          rule: 'CKV_K8S_1',
          resource: 'Job/ns/j',
          location: 'kubernetes:x.yaml Job.ns.j',
          message: 'n',
          severity: 'HIGH',
        },
      ],
    });
    expect(parseCheckov(JSON.stringify([null, 3, { no: 'check_type' }, one]), undefined)).toHaveLength(1);
    const cfnWithoutIndex = parseCheckov(
      JSON.stringify({
        ...one,
        check_type: 'cloudformation',
        results: {
          failed_checks: [
            { ...one.results.failed_checks[0], resource: 'AWS::S3::Bucket.B1', severity: null },
          ],
        },
      }),
      undefined,
    );
    expect(cfnWithoutIndex[0].findings[0]).toMatchObject({
      resource: 'AWS::S3::Bucket.B1',
      severity: undefined,
    });
    expect(kubernetesResourceName('Service')).toBe('Service');
  });
});
