/**
 * Secret scan with gitleaks (its default rule set: cloud keys, private keys, tokens, generic
 * high-entropy assignments) over three targets: the repository as a developer has it (tracked
 * files plus untracked files git does not ignore) and its git history, the cloud assembly
 * (cdk.out/) and the Kubernetes manifests (dist/).
 *
 * gitleaks' own bypasses are turned off: inline `gitleaks:allow` comments are ignored and no
 * .gitleaksignore is read. The only way to allow a finding is an entry in
 * gates/secret-scan-allowlist.yaml, with a reason, applied by findings.ts.
 */
import { createHash, randomBytes, randomInt } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding, ValueCheck } from './findings';

export interface GitleaksFinding {
  RuleID: string;
  Description?: string;
  File: string;
  StartLine: number;
  Secret: string;
  Commit?: string;
}

export function fingerprintOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex').slice(0, 16);
}

/**
 * Turns a gitleaks JSON report into findings. `root` is the directory gitleaks scanned and
 * `label` what the allowlist calls it (repo, cdk.out, dist): resources read `label:relative/path`.
 */
export function parseGitleaks(json: string, root: string, label: string): Finding[] {
  const report: GitleaksFinding[] = JSON.parse(json || '[]') ?? [];
  return report.map((f) => {
    const rel = path.isAbsolute(f.File) ? path.relative(root, f.File) : stripRoot(f.File, root);
    return {
      rule: f.RuleID,
      resource: `${label}:${rel}`,
      location: `${label}:${rel}:${f.StartLine}${f.Commit ? ` (commit ${f.Commit.slice(0, 12)})` : ''}`,
      message: f.Description ?? f.RuleID,
      fingerprint: fingerprintOf(f.Secret),
      secret: f.Secret,
    };
  });
}

function stripRoot(file: string, root: string): string {
  const r = root.replace(/\/+$/, '');
  return file.startsWith(`${r}/`) ? file.slice(r.length + 1) : file;
}

/** Content hashes of the assets a cloud assembly lists (what CDK names asset files and S3 keys by). */
export function assetHashes(outDir: string): Set<string> {
  const hashes = new Set<string>();
  if (!fs.existsSync(outDir)) return hashes;
  for (const file of fs.readdirSync(outDir)) {
    if (!file.endsWith('.assets.json')) continue;
    const doc = JSON.parse(fs.readFileSync(path.join(outDir, file), 'utf8'));
    for (const section of [doc.files ?? {}, doc.dockerImages ?? {}]) {
      for (const id of Object.keys(section)) hashes.add(id);
    }
  }
  return hashes;
}

/**
 * The computed allowlist check: a "secret" that is exactly the content hash of an asset of this
 * assembly (optionally with the file extension CDK appends for S3 keys) is a public file name.
 */
export function assetHashCheck(hashes: ReadonlySet<string>): ValueCheck {
  return (kind, finding) => {
    if (kind !== 'cdk-asset-hash' || finding.secret === undefined) return false;
    const m = /^([0-9a-f]{64})(\.zip|\.json)?$/.exec(finding.secret);
    return m !== null && hashes.has(m[1]);
  };
}

/** Files of the working tree as git sees them: tracked (and not deleted) plus untracked-but-not-ignored. */
export function repoFiles(gitLsFilesOutput: string, exists: (p: string) => boolean): string[] {
  return [...new Set(gitLsFilesOutput.split('\0').filter((f) => f !== ''))].filter(exists).sort();
}

/** Copies the given files (relative to from) into to, keeping their paths: a scan target with nothing else in it. */
export function stageFiles(from: string, files: readonly string[], to: string): void {
  for (const f of files) {
    const src = path.join(from, f);
    const stat = fs.lstatSync(src);
    if (!stat.isFile()) continue; // symlinks and submodules: nothing of ours to scan
    fs.mkdirSync(path.dirname(path.join(to, f)), { recursive: true });
    fs.copyFileSync(src, path.join(to, f));
  }
}

/**
 * A canary the scanner must catch on every run: a syntactically valid but random AWS access key
 * id with its secret, and a PEM private key block. Generated at run time, so no key-shaped string
 * sits in this repository. Returns the rule ids gitleaks must report for the file.
 */
export function writeCanary(dir: string): { file: string; expectRules: string[] } {
  const file = path.join(dir, 'planted.env');
  fs.writeFileSync(file, canaryLines().join('\n'));
  return { file, expectRules: ['aws-access-token', 'private-key'] };
}

/** A random key pair and PEM block, as lines of `key = value` text. */
function canaryLines(): string[] {
  const base32 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';
  const keyId = `AKIA${Array.from({ length: 16 }, () => base32[randomInt(32)]).join('')}`;
  const secretKey = randomBytes(30).toString('base64').replace(/[+/]/g, 'x');
  const pemBody = randomBytes(48 * 6)
    .toString('base64')
    .replace(/(.{64})/g, '$1\n');
  // The PEM markers are split in this source so that the scan of this very file finds no key block.
  return [
    `aws_access_key_id = ${keyId}`,
    `aws_secret_access_key = ${secretKey}`,
    `-----BEGIN RSA ${'PRIVATE'} KEY-----`,
    pemBody.trimEnd(),
    `-----END RSA ${'PRIVATE'} KEY-----`,
    '',
  ];
}

/**
 * Copies of the ZenML server's objects with a canary planted where a leaked credential would
 * be: as the value of a server environment variable in the dist/ YAML, and inside the JSON string
 * of the kubectl-provider resource in the template. The scan must catch both, so a clean result
 * on the real files means something in exactly these encodings. Returns the planted files.
 */
export function plantCanaryInServerObjects(
  dir: string,
  distManifest: string,
  template: string,
): { files: string[]; expectRules: string[] } {
  const files: string[] = [];
  const lines = canaryLines();
  if (fs.existsSync(distManifest)) {
    const value = lines.join('\n').replace(/\n/g, '\n                ');
    const yamlText = fs
      .readFileSync(distManifest, 'utf8')
      .replace(
        /(\n\s+env:\n)(\s+)- name: ZENML_STORE_TYPE/,
        (_m, head: string, indent: string) =>
          `${head}${indent}- name: ZENML_STORE_PASSWORD\n${indent}  value: |\n                ${value}\n${indent}- name: ZENML_STORE_TYPE`,
      );
    const file = path.join(dir, 'dist-zenml-server.k8s.yaml');
    fs.writeFileSync(file, yamlText);
    files.push(file);
  }
  if (fs.existsSync(template)) {
    const doc = JSON.parse(fs.readFileSync(template, 'utf8'));
    for (const r of Object.values<{ Type: string; Properties?: { Manifest?: unknown } }>(
      doc.Resources ?? {},
    )) {
      if (
        r.Type !== 'Custom::AWSCDK-EKS-KubernetesResource' ||
        !JSON.stringify(r.Properties?.Manifest).includes('zenml-server-files')
      )
        continue;
      const planted = JSON.stringify({ name: 'ZENML_STORE_PASSWORD', value: lines.join('\n') });
      const manifest = r.Properties?.Manifest as { 'Fn::Join'?: [string, unknown[]] } | string;
      if (typeof manifest === 'string') (r.Properties as { Manifest: unknown }).Manifest = manifest + planted;
      else manifest['Fn::Join']?.[1].push(planted);
    }
    const file = path.join(dir, 'cdk.out-template.json');
    fs.writeFileSync(file, JSON.stringify(doc, null, 1));
    files.push(file);
  }
  return { files, expectRules: ['aws-access-token', 'private-key'] };
}
