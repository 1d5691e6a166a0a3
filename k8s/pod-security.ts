/**
 * The `restricted` Pod Security Standard, as every namespace and pod of this project meets it.
 *
 * Source of the rules: Kubernetes "Pod Security Standards", restricted profile
 * (https://kubernetes.io/docs/concepts/security/pod-security-standards/): non-root, no privilege
 * escalation, all capabilities dropped, the RuntimeDefault seccomp profile. A read-only root
 * filesystem and no privileged mode go beyond it (checkov's CKV_K8S_22 and CKV_K8S_16).
 * One definition, so that a chart cannot quietly drift below the others.
 */

/**
 * Namespace labels for Pod Security admission: `restricted` enforced, audited and warned. Every pod
 * that runs in such a namespace must carry the contexts below (the API server refuses it otherwise).
 */
export const POD_SECURITY_LABELS = {
  'pod-security.kubernetes.io/enforce': 'restricted',
  'pod-security.kubernetes.io/audit': 'restricted',
  'pod-security.kubernetes.io/warn': 'restricted',
} as const;

/** A pod-level securityContext for `uid` (user, group and fsGroup): non-root, RuntimeDefault seccomp. */
export function restrictedPodSecurityContext(uid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    fsGroup: uid,
    seccompProfile: { type: 'RuntimeDefault' },
  };
}

/**
 * A container-level securityContext for `uid`: non-root, no privilege escalation, not privileged,
 * a read-only root filesystem (writable paths are emptyDir mounts), all capabilities dropped,
 * RuntimeDefault seccomp. A fresh object per call, so a caller may extend its copy.
 */
export function restrictedContainerSecurityContext(uid: number) {
  return {
    runAsNonRoot: true,
    runAsUser: uid,
    runAsGroup: uid,
    allowPrivilegeEscalation: false,
    privileged: false,
    readOnlyRootFilesystem: true,
    capabilities: { drop: ['ALL'] },
    seccompProfile: { type: 'RuntimeDefault' },
  };
}
