import {
  POD_SECURITY_LABELS,
  restrictedContainerSecurityContext,
  restrictedPodSecurityContext,
} from '../../k8s/pod-security';

// The charts' tests compare against these helpers; this pins the helpers to the restricted profile
// itself (https://kubernetes.io/docs/concepts/security/pod-security-standards/), field by field.
describe('the restricted Pod Security Standard, defined once', () => {
  test('namespace labels: restricted enforced, audited and warned', () => {
    expect(POD_SECURITY_LABELS).toEqual({
      'pod-security.kubernetes.io/enforce': 'restricted',
      'pod-security.kubernetes.io/audit': 'restricted',
      'pod-security.kubernetes.io/warn': 'restricted',
    });
  });

  test('pod context: the uid as user, group and fsGroup, non-root, RuntimeDefault seccomp', () => {
    expect(restrictedPodSecurityContext(185)).toEqual({
      runAsNonRoot: true,
      runAsUser: 185,
      runAsGroup: 185,
      fsGroup: 185,
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('container context: no escalation, not privileged, read-only root, every capability dropped', () => {
    expect(restrictedContainerSecurityContext(65534)).toEqual({
      runAsNonRoot: true,
      runAsUser: 65534,
      runAsGroup: 65534,
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });
  });

  test('each call is a fresh object: one chart extending its copy cannot change another chart', () => {
    const a = restrictedContainerSecurityContext(1000);
    a.capabilities.drop.push('NET_RAW');
    expect(restrictedContainerSecurityContext(1000).capabilities.drop).toEqual(['ALL']);
  });
});
