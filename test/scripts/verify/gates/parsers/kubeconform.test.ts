import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  buildStandaloneSchemas,
  normalizeKubernetesVersion,
  parseKubeconform,
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
