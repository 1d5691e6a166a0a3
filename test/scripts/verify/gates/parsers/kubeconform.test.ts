import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  buildStandaloneSchemas,
  normalizeKubernetesVersion,
  parseKubeconform,
  schemaLocation,
  standaloneSchema,
} from '../../../../../scripts/verify/gates/parsers/kubeconform';
import { tempDir } from '../../../../temp-dirs';

// The layout of kubernetes-validate's wheel: kind schemas point into one shared _definitions.json.
const DEFINITIONS = {
  'io.k8s.meta.ObjectMeta': {
    type: 'object',
    properties: { name: { type: 'string' } },
    additionalProperties: false,
  },
  'io.k8s.rbac.PolicyRule': {
    type: 'object',
    properties: { meta: { $ref: '#/$defs/io.k8s.meta.ObjectMeta' }, verbs: { type: 'array' } },
    additionalProperties: false,
  },
  'io.k8s.unused.Thing': { type: 'object' },
};
const ROLE = JSON.stringify({
  $id: 'https://kubernetes.io/api/role/rbac/v1',
  'x-kubernetes-group-version-kind': [{ kind: 'Role' }],
  properties: {
    metadata: { $ref: '/api/_definitions.json#/$defs/io.k8s.meta.ObjectMeta' },
    rules: { items: { $ref: '/api/_definitions.json#/$defs/io.k8s.rbac.PolicyRule' } },
  },
  additionalProperties: false,
});

describe('standalone schemas for kubeconform', () => {
  test('embeds exactly the definitions a kind reaches, with local refs, and no foreign $id', () => {
    const schema = standaloneSchema(ROLE, DEFINITIONS) as Record<string, unknown>;
    expect(Object.keys(schema.$defs as object).sort()).toEqual([
      'io.k8s.meta.ObjectMeta',
      'io.k8s.rbac.PolicyRule',
    ]);
    expect(JSON.stringify(schema)).not.toContain('/api/_definitions.json');
    expect(schema.$id).toBeUndefined();
    expect(schema.additionalProperties).toBe(false);
  });

  test('a reference to an unknown definition is an error, not a silently open schema', () => {
    const bad = ROLE.replace('io.k8s.rbac.PolicyRule', 'io.k8s.rbac.Missing');
    expect(() => standaloneSchema(bad, DEFINITIONS)).toThrow(/unknown definition io.k8s.rbac.Missing/);
  });

  test('writes the kubeconform layout once, for top-level kinds only', () => {
    const wheel = tempDir('wheel-');
    const src = path.join(wheel, 'v1.36.0-local-strict');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, '_definitions.json'), JSON.stringify({ $defs: DEFINITIONS }));
    fs.writeFileSync(path.join(src, 'role-rbac-v1.json'), ROLE);
    fs.writeFileSync(path.join(src, 'policyrule-rbac-v1.json'), JSON.stringify({ type: 'object' }));
    const dest = tempDir('schemas-');
    const dir = buildStandaloneSchemas(wheel, '1.36', dest);
    expect(dir).toBe(path.join(dest, 'v1.36.0-standalone-strict'));
    expect(fs.readdirSync(dir).sort()).toEqual(['.complete', 'role-rbac-v1.json']);
    expect(() => buildStandaloneSchemas(wheel, '1.35', dest)).toThrow(
      /no schemas for Kubernetes 1.35.0.*have: v1.36.0-local-strict/,
    );
  });

  test('versions are normalized to MAJOR.MINOR.PATCH', () => {
    expect(normalizeKubernetesVersion('1.36')).toBe('1.36.0');
    expect(normalizeKubernetesVersion('v1.34.2')).toBe('1.34.2');
    expect(() => normalizeKubernetesVersion('latest')).toThrow(/MAJOR.MINOR/);
  });
});

describe('kubeconform output', () => {
  test('every object that is not valid is a finding, with its rule', () => {
    const out = JSON.stringify({
      resources: [
        {
          filename: '/d/a.yaml',
          kind: 'Role',
          name: 'r',
          version: 'rbac.authorization.k8s.io/v1',
          status: 'statusValid',
        },
        {
          filename: '/d/a.yaml',
          kind: 'ServiceAccount',
          name: 'x',
          version: 'v1',
          status: 'statusInvalid',
          msg: "problem validating schema. Check JSON formatting: at '/metadata': additional properties 'nmespace' not allowed",
        },
        {
          filename: '/d/b.yaml',
          kind: 'Widget',
          name: 'w',
          version: 'example.com/v1',
          status: 'statusError',
          msg: 'could not find schema for Widget',
        },
      ],
    });
    const { valid, findings } = parseKubeconform(out, '/d');
    expect(valid).toBe(1);
    expect(findings.map((f) => [f.rule, f.resource, f.location])).toEqual([
      ['schema-violation', 'ServiceAccount/x', 'a.yaml (v1)'],
      ['missing-schema', 'Widget/w', 'b.yaml (example.com/v1)'],
    ]);
    expect(findings[0].message).toBe("at '/metadata': additional properties 'nmespace' not allowed");
  });
});

describe('kubeconform, the rest of its shapes', () => {
  test('skipped and other errors are findings too; missing names and versions show as ?', () => {
    const { valid, findings } = parseKubeconform(
      JSON.stringify({
        resources: [
          { filename: '/d/c.yaml', kind: '', name: '', version: '', status: 'statusSkipped' },
          {
            filename: '/d/c.yaml',
            kind: 'Job',
            name: 'j',
            version: 'batch/v1',
            status: 'statusError',
            msg: 'boom',
          },
          { filename: '/elsewhere/e.yaml', kind: 'Pod', name: 'p', version: 'v1', status: 'statusInvalid' },
        ],
      }),
      '/d',
    );
    expect(valid).toBe(0);
    expect(findings).toEqual([
      { rule: 'skipped', resource: '?/?', location: 'c.yaml (?)', message: 'statusSkipped' },
      { rule: 'error', resource: 'Job/j', location: 'c.yaml (batch/v1)', message: 'boom' },
      {
        rule: 'schema-violation',
        resource: 'Pod/p',
        location: '../elsewhere/e.yaml (v1)',
        message: 'statusInvalid',
      },
    ]);
    expect(parseKubeconform('{}', '/d')).toEqual({ findings: [], valid: 0 });
  });

  test('a finished schema directory is reused as it is; files that are not kinds are left out', () => {
    const wheel = tempDir('wheel-');
    const src = path.join(wheel, 'v1.36.0-local-strict');
    fs.mkdirSync(src);
    fs.writeFileSync(path.join(src, '_definitions.json'), JSON.stringify({ $defs: DEFINITIONS }));
    fs.writeFileSync(path.join(src, 'role-rbac-v1.json'), ROLE);
    fs.writeFileSync(path.join(src, 'all.json'), ROLE);
    fs.writeFileSync(path.join(src, '_other.json'), ROLE);
    fs.writeFileSync(path.join(src, 'notes.txt'), ROLE);
    const dest = tempDir('schemas-');
    const dir = buildStandaloneSchemas(wheel, 'v1.36.0', dest);
    expect(fs.readdirSync(dir).sort()).toEqual(['.complete', 'role-rbac-v1.json']);
    fs.writeFileSync(path.join(dir, 'marker.json'), '{}');
    fs.rmSync(src, { recursive: true });
    expect(buildStandaloneSchemas(wheel, '1.36', dest)).toBe(dir);
    expect(fs.existsSync(path.join(dir, 'marker.json'))).toBe(true);
    expect(fs.readdirSync(dest)).toEqual(['v1.36.0-standalone-strict']);
    expect(() => buildStandaloneSchemas(path.join(wheel, 'none'), '1.35', dest)).toThrow(
      /no schemas for Kubernetes 1\.35\.0 in .* \(have: none\)$/,
    );
    expect(schemaLocation('/s')).toBe(
      '/s/{{ .NormalizedKubernetesVersion }}-standalone{{ .StrictSuffix }}/{{ .ResourceKind }}{{ .KindSuffix }}.json',
    );
  });

  test('versions: only MAJOR.MINOR[.PATCH], optionally with v, surrounding spaces ignored', () => {
    expect(normalizeKubernetesVersion(' 1.36 ')).toBe('1.36.0');
    expect(normalizeKubernetesVersion('10.123.45')).toBe('10.123.45');
    for (const bad of ['1', '1.36.0.1', 'x1.36', '1.36-rc', 'v1.x']) {
      expect(() => normalizeKubernetesVersion(bad)).toThrow(
        `Kubernetes version '${bad}': expected MAJOR.MINOR[.PATCH]`,
      );
    }
  });
});
