import {
  fitOnOneNode,
  kubeReservedCpuMillis,
  kubeReservedMemoryMiB,
  memoryOverheadMiB,
  nodeBudget,
  STEP_RESOURCES,
  SYSTEM_PODS,
  stepPods,
  ZENML_SERVER_POD,
} from '../../k8s/spark-sizing';
import { SERVER_RESOURCES } from '../../k8s/zenml-server-chart';

describe('node budget (EKS AL2023 nodeadm rules)', () => {
  test('t3a.xlarge: the arithmetic written in docs/spark-pipeline.md', () => {
    const b = nodeBudget('t3a.xlarge');
    expect(b.capacity).toEqual({ cpuMillis: 4000, memoryMiB: 15155 }); // 16384 MiB x 0.925
    expect(b.kubeReserved).toEqual({ cpuMillis: 80, memoryMiB: 893 }); // 60+10+5+5 m; 11 x 58 + 255
    expect(b.evictionHardMemoryMiB).toBe(100);
    expect(b.allocatable).toEqual({ cpuMillis: 3920, memoryMiB: 14162 });
    // aws-node, kube-proxy, pod identity agent, 2 x CoreDNS and the ZenML server (250m/512Mi).
    expect(b.systemPods).toEqual({ cpuMillis: 375 + 250, memoryMiB: 268 + 512 });
    expect(b.forSpark).toEqual({ cpuMillis: 3295, memoryMiB: 13382 });
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

describe('the ZenML server counted beside the steps', () => {
  test('its requests are a named system pod with a basis, and the chart asks for exactly those', () => {
    const server = SYSTEM_PODS.find((p) => p.name === 'zenml-server');
    expect(server).toEqual(expect.objectContaining({ cpuMillis: 250, memoryMiB: 512 }));
    expect(server?.basis).toMatch(/measured 270-300 MB RSS/);
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

  test('the trainer, the largest step: 3000m and 12904Mi of 3295m and 13382Mi', () => {
    const fit = fitOnOneNode(STEP_RESOURCES.trainer, 't3a.xlarge');
    expect(fit.pods.total).toEqual({ cpuMillis: 3000, memoryMiB: 2868 + 2 * 5018 });
    expect(fit.spare).toEqual({ cpuMillis: 295, memoryMiB: 478 });
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
