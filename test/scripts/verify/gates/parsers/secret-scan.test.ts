import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { writeManifests } from '../../../../../k8s/manifests';
import { triage } from '../../../../../scripts/verify/gates/parsers/findings';
import {
  assetHashCheck,
  assetHashes,
  fingerprintOf,
  parseGitleaks,
  plantCanaryInServerObjects,
  repoFiles,
  stageFiles,
  writeCanary,
} from '../../../../../scripts/verify/gates/parsers/secret-scan';
import { synth } from '../../../../lib/fixtures';
import { testWithTool } from '../../../../required-tool';
import { tempDir } from '../../../../temp-dirs';

const tmp = () => tempDir('gates-secrets-');

/** The gitleaks that scripts/verify/gates.sh installs (GATES_GITLEAKS when run through it). */
function installedGitleaks(): string | undefined {
  if (process.env.GATES_GITLEAKS && fs.existsSync(process.env.GATES_GITLEAKS))
    return process.env.GATES_GITLEAKS;
  const cache = path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), '.cache'), 'zenml-spark-eks');
  const tools = path.join(cache, 'go-tools');
  if (!fs.existsSync(tools)) return undefined;
  const dir = fs
    .readdirSync(tools)
    .find((d) => d.startsWith('gitleaks-') && fs.existsSync(path.join(tools, d, 'gitleaks')));
  return dir ? path.join(tools, dir, 'gitleaks') : undefined;
}

function scan(gitleaks: string, dir: string, label: string) {
  const report = path.join(tmp(), 'report.json');
  const noIgnore = tmp();
  execFileSync(
    gitleaks,
    [
      'dir',
      dir,
      '--no-banner',
      '--ignore-gitleaks-allow',
      '-i',
      noIgnore,
      '--redact=0',
      '-f',
      'json',
      '-r',
      report,
      '--exit-code',
      '0',
    ],
    { stdio: 'ignore', timeout: 60_000 },
  );
  return parseGitleaks(fs.readFileSync(report, 'utf8'), dir, label);
}

const gitleaks = installedGitleaks();
// gitleaks is a Go tool that `bash scripts/verify/gates.sh --install-only` builds. Without it these
// tests are skipped on a developer's machine, and FAIL in CI and under scripts/verify/test.sh.
const withGitleaks = testWithTool(
  'gitleaks',
  gitleaks !== undefined,
  'bash scripts/verify/gates.sh --install-only',
);

// Built at run time: a literal PEM header with 64+ characters after it is what gitleaks' private-key rule flags in this repo's history.
const PEM_LABEL = ['PRIVATE', 'KEY'].join(' ');

describe('secret scan', () => {
  withGitleaks(
    'catches a planted AWS key pair and private key in a temp dir, and nothing in a clean file',
    () => {
      const dir = tmp();
      const canary = writeCanary(dir);
      fs.writeFileSync(path.join(dir, 'clean.ts'), "export const bucket = 'zenml-spark-artifacts';\n");
      const findings = scan(gitleaks as string, dir, 'canary');
      const rules = new Set(findings.map((f) => f.rule));
      for (const rule of canary.expectRules) expect(rules).toContain(rule);
      expect(findings.every((f) => f.resource === 'canary:planted.env')).toBe(true);
      // The allowlist never holds the value: a finding carries only its sha256 prefix for matching.
      expect(findings.every((f) => /^[0-9a-f]{16}$/.test(f.fingerprint ?? ''))).toBe(true);
    },
  );

  withGitleaks('an allowlist entry for one value does not hide a second key in the same file', () => {
    const dir = tmp();
    writeCanary(dir);
    const findings = scan(gitleaks as string, dir, 'canary');
    const aws = findings.find((f) => f.rule === 'aws-access-token');
    const t = triage(findings, [
      {
        rule: 'aws-access-token',
        resources: ['canary:planted.env'],
        fingerprint: aws?.fingerprint,
        reason: 'pretend it was reviewed',
      },
    ]);
    expect(t.acknowledged.map((f) => f.rule)).toEqual(['aws-access-token']);
    expect(t.unacknowledged.map((f) => f.rule)).toContain('private-key');
  });

  withGitleaks(
    "the ZenML server's objects: a credential planted in them is caught, and the real ones hold none",
    () => {
      // GIVEN the server's manifest as dist/ has it and the template as cdk.out/ has it
      const real = tmp();
      writeManifests(real);
      const template = path.join(real, 'ZenmlSpark.template.json');
      fs.writeFileSync(template, JSON.stringify(synth().template.toJSON(), null, 1));
      const serverManifest = path.join(real, 'zenml-server.k8s.yaml');
      // WHEN a canary is planted in copies, as a server environment value
      const planted = tmp();
      const canary = plantCanaryInServerObjects(planted, serverManifest, template);
      expect(canary.files.map((f) => path.basename(f)).sort()).toEqual([
        'cdk.out-template.json',
        'dist-zenml-server.k8s.yaml',
      ]);
      const findings = scan(gitleaks as string, planted, 'server-canary');
      // THEN gitleaks catches both kinds in both encodings (YAML, and a JSON string in the template)
      for (const file of canary.files) {
        const rules = new Set(
          findings.filter((f) => f.resource === `server-canary:${path.basename(file)}`).map((f) => f.rule),
        );
        for (const rule of canary.expectRules)
          expect([path.basename(file), rule, rules.has(rule)]).toEqual([path.basename(file), rule, true]);
      }
      // AND the real objects, scanned the same way, hold no credential at all
      const clean = tmp();
      fs.copyFileSync(serverManifest, path.join(clean, 'zenml-server.k8s.yaml'));
      const resources = synth().template.findResources('Custom::AWSCDK-EKS-KubernetesResource');
      const server = Object.values(resources).filter((r) => JSON.stringify(r).includes('zenml-server-files'));
      expect(server).toHaveLength(1);
      fs.writeFileSync(path.join(clean, 'server-manifest-resource.json'), JSON.stringify(server[0], null, 1));
      expect(scan(gitleaks as string, clean, 'real').map((f) => `${f.rule} ${f.location}`)).toEqual([]);
    },
  );

  test('the canary is random on every run and no key sits in this repository', () => {
    const a = fs.readFileSync(writeCanary(tmp()).file, 'utf8');
    const b = fs.readFileSync(writeCanary(tmp()).file, 'utf8');
    expect(a).not.toBe(b);
    expect(a).toMatch(/^aws_access_key_id = AKIA[A-Z2-7]{16}$/m);
  });

  test('gitleaks findings are named root:relative/path with a fingerprint of the value', () => {
    const json = JSON.stringify([
      {
        RuleID: 'generic-api-key',
        File: '/scan/root/test/a.ts',
        StartLine: 9,
        Secret: 's3cr3t-value',
        Commit: '',
      },
    ]);
    const [f] = parseGitleaks(json, '/scan/root', 'repo');
    expect(f).toEqual(
      expect.objectContaining({
        rule: 'generic-api-key',
        resource: 'repo:test/a.ts',
        location: 'repo:test/a.ts:9',
      }),
    );
    expect(f.fingerprint).toBe(fingerprintOf('s3cr3t-value'));
    expect(parseGitleaks('null', '/x', 'repo')).toEqual([]);
  });

  test('an asset hash is allowed only when the assembly lists that asset', () => {
    const out = tmp();
    const hash = 'f178182c7c3aac6ad18bdaae53a2d38f72b2cf690d17b9efa635c7ce37f77d71';
    fs.writeFileSync(
      path.join(out, 'S.assets.json'),
      JSON.stringify({ files: { [hash]: {} }, dockerImages: {} }),
    );
    const check = assetHashCheck(assetHashes(out));
    const f = (secret: string) => ({
      rule: 'generic-api-key',
      resource: 'cdk.out:S.template.json',
      location: '',
      message: '',
      secret,
    });
    expect(check('cdk-asset-hash', f(`${hash}.zip`))).toBe(true);
    expect(check('cdk-asset-hash', f(hash))).toBe(true);
    expect(check('cdk-asset-hash', f(`${'0'.repeat(64)}.zip`))).toBe(false);
    expect(check('cdk-asset-hash', f('AKIAIOSFODNN7EXAMPLE'))).toBe(false);
  });

  test('repo files: git listing deduplicated, deleted files dropped; staging copies only those', () => {
    const files = repoFiles('a.ts\0dir/b.ts\0a.ts\0gone.ts\0', (f) => f !== 'gone.ts');
    expect(files).toEqual(['a.ts', 'dir/b.ts']);
    const from = tmp();
    fs.mkdirSync(path.join(from, 'dir'));
    for (const f of ['a.ts', 'dir/b.ts', 'ignored.log']) fs.writeFileSync(path.join(from, f), f);
    const to = tmp();
    stageFiles(from, files, to);
    expect(fs.readdirSync(to).sort()).toEqual(['a.ts', 'dir']);
  });
});

describe('secret scan parsing, every shape', () => {
  test('a path relative to the scanned root, a commit and a missing description', () => {
    const [f] = parseGitleaks(
      JSON.stringify([
        {
          RuleID: 'generic-api-key',
          File: '/scan/root/a/b.env',
          StartLine: 4,
          Secret: 's',
          Commit: '0123456789abcdef0123',
        },
      ]),
      '/scan/root/',
      'repo',
    );
    expect(f).toEqual({
      rule: 'generic-api-key',
      resource: 'repo:a/b.env',
      location: 'repo:a/b.env:4 (commit 0123456789ab)',
      message: 'generic-api-key',
      fingerprint: fingerprintOf('s'),
      secret: 's',
    });
    const [rel] = parseGitleaks(
      JSON.stringify([{ RuleID: 'r', Description: 'd', File: 'scan/root/x.txt', StartLine: 1, Secret: 't' }]),
      'scan/root',
      'dist',
    );
    expect([rel.resource, rel.location, rel.message]).toEqual(['dist:x.txt', 'dist:x.txt:1', 'd']);
    const [other] = parseGitleaks(
      JSON.stringify([{ RuleID: 'r', File: 'elsewhere/y', StartLine: 2, Secret: 'u' }]),
      'scan/root',
      'dist',
    );
    expect(other.resource).toBe('dist:elsewhere/y');
    expect(parseGitleaks('', '/r', 'repo')).toEqual([]);
    expect(parseGitleaks('null', '/r', 'repo')).toEqual([]);
  });

  test('the asset-hash allowlist: the whole value is one listed hash, optionally .zip or .json; nothing else', () => {
    const dir = tempDir('gates-assets-');
    const a = 'a'.repeat(64);
    const b = 'b'.repeat(64);
    fs.writeFileSync(
      path.join(dir, 'S.assets.json'),
      JSON.stringify({ files: { [a]: {} }, dockerImages: { [b]: {} } }),
    );
    fs.writeFileSync(path.join(dir, 'Other.assets.json'), JSON.stringify({}));
    fs.writeFileSync(path.join(dir, 'not-assets.json'), JSON.stringify({ files: { ['c'.repeat(64)]: {} } }));
    const hashes = assetHashes(dir);
    expect([...hashes].sort()).toEqual([a, b]);
    expect(assetHashes(path.join(dir, 'missing')).size).toBe(0);
    const check = assetHashCheck(hashes);
    const f = (secret?: string) => ({ rule: 'r', resource: 'x', location: 'l', message: 'm', secret });
    expect([a, `${a}.zip`, `${a}.json`, b].map((s) => check('cdk-asset-hash', f(s)))).toEqual([
      true,
      true,
      true,
      true,
    ]);
    for (const s of [`x${a}`, `${a}x`, `${a}.tar`, 'c'.repeat(64), a.slice(1), undefined]) {
      expect(check('cdk-asset-hash', f(s))).toBe(false);
    }
    expect(check('other' as 'cdk-asset-hash', f(a))).toBe(false);
  });

  test('the canary: an AWS key id and secret, and one PEM block, new on every run', () => {
    const dir = tempDir('gates-canary-');
    const { file, expectRules } = writeCanary(dir);
    expect(expectRules).toEqual(['aws-access-token', 'private-key']);
    const lines = fs.readFileSync(file, 'utf8').split('\n');
    expect(lines[0]).toMatch(/^aws_access_key_id = AKIA[A-Z2-7]{16}$/);
    expect(lines[1]).toMatch(/^aws_secret_access_key = [A-Za-z0-9x]{40}$/);
    expect(lines[2]).toBe(`-----BEGIN RSA ${PEM_LABEL}-----`);
    expect(lines.slice(3, -2).every((l) => /^[A-Za-z0-9+/=]{1,64}$/.test(l))).toBe(true);
    expect(lines.slice(3, -2).join('')).toHaveLength(384);
    expect(lines.at(-2)).toBe(`-----END RSA ${PEM_LABEL}-----`);
    expect(lines.at(-1)).toBe('');
    expect(fs.readFileSync(writeCanary(tempDir('gates-canary-')).file, 'utf8')).not.toBe(lines.join('\n'));
  });

  test('the server canary goes into a string manifest and into a joined one, only of the ZenML server', () => {
    const dir = tempDir('gates-plant-');
    const template = path.join(tempDir('gates-tpl-'), 't.json');
    fs.writeFileSync(
      template,
      JSON.stringify({
        Resources: {
          Str: {
            Type: 'Custom::AWSCDK-EKS-KubernetesResource',
            Properties: { Manifest: '[{"name":"zenml-server-files"}]' },
          },
          Joined: {
            Type: 'Custom::AWSCDK-EKS-KubernetesResource',
            Properties: { Manifest: { 'Fn::Join': ['', ['[{"name":"zenml-server-files"', '}]']] } },
          },
          Other: {
            Type: 'Custom::AWSCDK-EKS-KubernetesResource',
            Properties: { Manifest: '[{"name":"rbac"}]' },
          },
          NotKube: { Type: 'AWS::S3::Bucket', Properties: { Manifest: 'zenml-server-files' } },
        },
      }),
    );
    const { files, expectRules } = plantCanaryInServerObjects(dir, path.join(dir, 'no-dist.yaml'), template);
    expect(expectRules).toEqual(['aws-access-token', 'private-key']);
    expect(files).toEqual([path.join(dir, 'cdk.out-template.json')]);
    const planted = JSON.parse(fs.readFileSync(files[0], 'utf8')).Resources;
    expect(planted.Str.Properties.Manifest).toMatch(
      /^\[\{"name":"zenml-server-files"\}\]\{"name":"ZENML_STORE_PASSWORD","value":"aws_access_key_id = AKIA/,
    );
    expect(planted.Joined.Properties.Manifest['Fn::Join'][1]).toHaveLength(3);
    expect(planted.Joined.Properties.Manifest['Fn::Join'][1][2]).toMatch(/^\{"name":"ZENML_STORE_PASSWORD"/);
    expect(planted.Other.Properties.Manifest).toBe('[{"name":"rbac"}]');
    expect(planted.NotKube.Properties.Manifest).toBe('zenml-server-files');
    expect(
      plantCanaryInServerObjects(tempDir('gates-plant-'), '/no/dist.yaml', '/no/template.json').files,
    ).toEqual([]);
  });
});
