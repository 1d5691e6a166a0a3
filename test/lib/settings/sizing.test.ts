import { SERVER_RESOURCES } from '../../../k8s/zenml-server-chart';
import {
  DAEMONSET_PODS,
  fitOnOneNode,
  kubeReservedCpuMillis,
  kubeReservedMemoryMiB,
  largestStep,
  memoryOverheadMiB,
  nodeBudget,
  STEP_RESOURCES,
  SYSTEM_POOL_PODS,
  stepPods,
  systemPoolFit,
  ZENML_SERVER_POD,
} from '../../../lib/settings/sizing';

describe('node budget (EKS AL2023 nodeadm rules)', () => {
  test('t3a.xlarge: the arithmetic written in docs/spark-pipeline.md', () => {
    const b = nodeBudget('t3a.xlarge');
    expect(b.capacity).toEqual({ cpuMillis: 4000, memoryMiB: 15155 }); // 16384 MiB x 0.925
    expect(b.kubeReserved).toEqual({ cpuMillis: 80, memoryMiB: 893 }); // 60+10+5+5 m; 11 x 58 + 255
    expect(b.evictionHardMemoryMiB).toBe(100);
    expect(b.allocatable).toEqual({ cpuMillis: 3920, memoryMiB: 14162 });
    // Only the DaemonSets share a Spark node: CoreDNS and the rest stay on the system pool.
    expect(b.daemonSets).toEqual({ cpuMillis: 175, memoryMiB: 128 });
    expect(b.forSpark).toEqual({ cpuMillis: 3745, memoryMiB: 14034 });
    expect(b.podSlots).toBe(58 - 3);
  });

  test('kube-reserved CPU follows the per-core percentages', () => {
    expect(kubeReservedCpuMillis(1)).toBe(60);
    expect(kubeReservedCpuMillis(2)).toBe(70);
    expect(kubeReservedCpuMillis(4)).toBe(80);
    expect(kubeReservedCpuMillis(8)).toBe(90);
  });

  test('kube-reserved memory is 11 MiB per pod plus 255 MiB', () => {
    expect(kubeReservedMemoryMiB(58)).toBe(893);
    expect(kubeReservedMemoryMiB(110)).toBe(1465);
  });

  test('an instance type without data is an error that names the setting and the known types', () => {
    expect(() => nodeBudget('x9.huge')).toThrow(
      /^nodeInstanceType='x9.huge': no sizing data; known: .*t3a.xlarge/,
    );
  });
});

describe('the system pool: every system pod on ONE node', () => {
  test('what it holds: CoreDNS x2, the autoscaler, the ZenML server, a history server budget', () => {
    expect(SYSTEM_POOL_PODS.map((p) => [p.name, p.count, p.cpuMillis, p.memoryMiB])).toEqual([
      ['coredns', 2, 100, 70],
      ['cluster-autoscaler', 1, 100, 600],
      ['zenml-server', 1, 250, 512],
      ['spark-history-server', 1, 250, 1024],
    ]);
    expect(DAEMONSET_PODS.map((p) => p.name)).toEqual(['aws-node', 'kube-proxy', 'eks-pod-identity-agent']);
  });

  test('t3a.medium (the default): 2 vCPU, 4 GiB, 17 pods; room left after all of them', () => {
    const fit = systemPoolFit('t3a.medium');
    expect(fit.budget.allocatable).toEqual({ cpuMillis: 1930, memoryMiB: 3246 }); // 3788 - (11 x 17 + 255) - 100
    expect(fit.budget.forSpark).toEqual({ cpuMillis: 1755, memoryMiB: 3118 }); // after the DaemonSets
    expect(fit.need).toEqual({ cpuMillis: 800, memoryMiB: 2276, pods: 5 });
    expect(fit.spare).toEqual({ cpuMillis: 955, memoryMiB: 842, pods: 9 });
    expect(fit.fits).toBe(true);
  });

  test('t3a.small: 2 GiB cannot hold them (memory), so the settings reject it', () => {
    const fit = systemPoolFit('t3a.small');
    expect(fit.budget.allocatable.memoryMiB).toBe(1451); // 1894 - (11 x 8 + 255) - 100
    expect(fit.spare.memoryMiB).toBeLessThan(0);
    expect(fit.fits).toBe(false);
  });
});

describe("Spark's PySpark memory overhead", () => {
  test('0.4 of the heap, at least 384 MiB', () => {
    expect(memoryOverheadMiB(512)).toBe(384); // 0.4 x 512 = 205 < 384
    expect(memoryOverheadMiB(960)).toBe(384);
    expect(memoryOverheadMiB(2048)).toBe(820); // ceil(819.2)
    expect(memoryOverheadMiB(3072)).toBe(1229);
  });

  test('a pod asks for heap + overhead; a step for its driver plus every executor', () => {
    const pods = stepPods({
      driverCores: 1,
      driverMemoryMiB: 1024,
      executorInstances: 3,
      executorCores: 2,
      executorMemoryMiB: 2000,
    });
    expect(pods.driver).toEqual({ cpuMillis: 1000, memoryMiB: 1024 + 410 });
    expect(pods.executor).toEqual({ cpuMillis: 2000, memoryMiB: 2000 + 800 });
    expect(pods.total).toEqual({ cpuMillis: 7000, memoryMiB: 1434 + 3 * 2800 });
  });
});

describe('the ZenML server counted on the system pool', () => {
  test('its requests are a named system-pool pod with a basis, and the chart asks for exactly those', () => {
    const server = SYSTEM_POOL_PODS.find((p) => p.name === 'zenml-server');
    expect(server).toEqual(expect.objectContaining({ count: 1, cpuMillis: 250, memoryMiB: 512 }));
    expect(server?.basis).toMatch(/k8s\/zenml-server-chart\.ts/);
    expect(SERVER_RESOURCES).toEqual({
      requests: { cpu: '250m', memory: '512Mi' },
      limits: { cpu: '1000m', memory: '1024Mi' },
    });
    expect(ZENML_SERVER_POD.memoryLimitMiB).toBe(1024);
  });
});

describe('every step fits on ONE node', () => {
  test.each(Object.entries(STEP_RESOURCES))(
    '%s: driver + executors fit on a t3a.xlarge',
    (_step, resources) => {
      const fit = fitOnOneNode(resources, 't3a.xlarge');
      expect(fit.pods.total.cpuMillis).toBeLessThanOrEqual(fit.budget.forSpark.cpuMillis);
      expect(fit.pods.total.memoryMiB).toBeLessThanOrEqual(fit.budget.forSpark.memoryMiB);
      expect(fit.fits).toBe(true);
      // Each pod alone also fits the node (the scheduler places pods, not steps).
      expect(fit.pods.executor.memoryMiB).toBeLessThan(fit.budget.forSpark.memoryMiB);
    },
  );

  test('the trainer, the largest step: 3000m and 12904Mi of 3745m and 14034Mi', () => {
    expect(largestStep().name).toBe('trainer');
    const fit = fitOnOneNode(STEP_RESOURCES.trainer, 't3a.xlarge');
    expect(fit.pods.total).toEqual({ cpuMillis: 3000, memoryMiB: 2868 + 2 * 5018 });
    expect(fit.spare).toEqual({ cpuMillis: 745, memoryMiB: 1130, pods: 52 });
  });

  test('one more executor does not fit, so the check can fail', () => {
    const fit = fitOnOneNode({ ...STEP_RESOURCES.trainer, executorInstances: 3 }, 't3a.xlarge');
    expect(fit.fits).toBe(false);
    expect(fit.spare.cpuMillis).toBeLessThan(0);
  });

  test('the steps do not fit a t3a.large', () => {
    expect(fitOnOneNode(STEP_RESOURCES.importer, 't3a.large').fits).toBe(false);
  });
});
