/**
 * Access to the throwaway control plane that scripts/verify/kube/control-plane.sh starts, for the
 * `kubernetes` suite and any other suite that needs a real API server: a kubectl runner bound to
 * its admin kubeconfig, impersonation, and a reader for its audit log.
 *
 * Everything here reads the variables control-plane.sh writes (KUBECONFIG, KUBECTL, KUBE_SERVER,
 * KUBE_CA_FILE, KUBE_AUDIT_LOG); without them it throws one line saying how to start the suite.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

export interface ControlPlane {
  /** Admin kubeconfig (system:masters). */
  readonly kubeconfig: string;
  readonly kubectl: string;
  /** https://127.0.0.1:<port> */
  readonly server: string;
  readonly caFile: string;
  readonly auditLog: string;
}

export function controlPlane(env: NodeJS.ProcessEnv = process.env): ControlPlane {
  const { KUBECONFIG, KUBECTL, KUBE_SERVER, KUBE_CA_FILE, KUBE_AUDIT_LOG } = env;
  if (!KUBECONFIG || !KUBECTL || !KUBE_SERVER || !KUBE_CA_FILE || !KUBE_AUDIT_LOG) {
    throw new Error(
      'no control plane: run this through `bash scripts/verify/test-kubernetes.sh` (it sets KUBECONFIG, KUBECTL, KUBE_*)',
    );
  }
  return {
    kubeconfig: KUBECONFIG,
    kubectl: KUBECTL,
    server: KUBE_SERVER,
    caFile: KUBE_CA_FILE,
    auditLog: KUBE_AUDIT_LOG,
  };
}

export interface KubectlResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (`-f -`). */
  readonly input?: string;
  /** Impersonate this user (`--as`), e.g. system:serviceaccount:ns:name. */
  readonly as?: string;
  /** Impersonate these groups too (`--as-group`), with `as`. */
  readonly asGroups?: readonly string[];
  /** Bound on the call. @default 60 s */
  readonly timeoutMs?: number;
}

/** Runs kubectl against the control plane as its admin; never throws on a non-zero exit. */
export function kubectl(
  cp: ControlPlane,
  args: readonly string[],
  options: KubectlOptions = {},
): KubectlResult {
  const full = [
    '--kubeconfig',
    cp.kubeconfig,
    ...(options.as ? ['--as', options.as] : []),
    ...(options.asGroups ?? []).flatMap((g) => ['--as-group', g]),
    ...args,
  ];
  const r = spawnSync(cp.kubectl, full, {
    input: options.input,
    encoding: 'utf8',
    timeout: options.timeoutMs ?? 60_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  if (r.error) throw new Error(`kubectl ${args.join(' ')}: ${r.error.message}`);
  return { code: r.status ?? 1, stdout: r.stdout, stderr: r.stderr };
}

/** kubectl that must succeed: throws with its stderr otherwise. */
export function kubectlOk(cp: ControlPlane, args: readonly string[], options: KubectlOptions = {}): string {
  const r = kubectl(cp, args, options);
  if (r.code !== 0) throw new Error(`kubectl ${args.join(' ')} failed (exit ${r.code}): ${r.stderr.trim()}`);
  return r.stdout;
}

/**
 * `kubectl auth can-i` as another identity (a user, with `asGroups` its groups): true for "yes".
 * `resource` may name a subresource (`pods/log`); namespace '*' asks across all namespaces.
 */
export function canI(
  cp: ControlPlane,
  as: string,
  verb: string,
  resource: string,
  namespace?: string,
  asGroups?: readonly string[],
): boolean {
  const scope = namespace === '*' ? ['--all-namespaces'] : namespace ? ['-n', namespace] : [];
  // kubectl reads `pods/log` as TYPE/NAME; a subresource goes in its own flag.
  const [type, subresource] = resource.split('/');
  const sub = subresource ? ['--subresource', subresource] : [];
  const r = kubectl(cp, ['auth', 'can-i', verb, type, ...sub, ...scope], { as, asGroups });
  // can-i exits 1 for "no"; anything else on stderr is an error worth seeing.
  if (r.code !== 0 && r.stdout.trim() !== 'no') {
    throw new Error(`kubectl auth can-i ${verb} ${resource}: ${r.stderr.trim()}`);
  }
  return r.stdout.trim() === 'yes';
}

/** One line of the API server's audit log (audit.k8s.io/v1 Event, Metadata level). */
export interface AuditEvent {
  readonly auditID: string;
  readonly stage: string;
  readonly verb: string;
  readonly requestURI: string;
  readonly user: { readonly username: string };
  readonly objectRef?: {
    readonly resource?: string;
    readonly subresource?: string;
    readonly namespace?: string;
    readonly name?: string;
    readonly apiGroup?: string;
  };
  readonly responseStatus?: { readonly code?: number };
  readonly annotations?: Record<string, string>;
  readonly requestReceivedTimestamp: string;
}

/** Every completed request (stage ResponseComplete) in the audit log, oldest first. */
export function auditEvents(cp: ControlPlane): AuditEvent[] {
  return readFileSync(cp.auditLog, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as AuditEvent)
    .filter((e) => e.stage === 'ResponseComplete');
}

/** The service-account user name the API server gives a pod's token. */
export function serviceAccountUser(namespace: string, name: string): string {
  return `system:serviceaccount:${namespace}:${name}`;
}

/** A short-lived token of a service account (TokenRequest), as a pod would mount it. */
export function serviceAccountToken(cp: ControlPlane, namespace: string, name: string): string {
  return kubectlOk(cp, ['create', 'token', name, '-n', namespace, '--duration=1h']).trim();
}
