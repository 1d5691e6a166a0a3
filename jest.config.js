/**
 * Unit tests only. The emulator (moto), ZenML CLI and real Kubernetes API server suites are slower and need Python tools;
 * scripts/verify/test.sh runs them as their own suites.
 */
module.exports = {
  testEnvironment: 'node',
  // Test files are independent CPU-bound processes: use every core (jest's default leaves one idle).
  maxWorkers: '100%',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '\\.(emulator|zenml|zenml-server|kube)\\.test\\.ts$'],
  transform: { '^.+\\.tsx?$': ['@swc/jest'] },
  setupFilesAfterEnv: ['aws-cdk-lib/testhelpers/jest-autoclean'],
  // In the clone, not in the temp dir: scripts/verify/test.sh gives every suite a temp dir of its
  // own and fails on anything left in it; a transform cache is meant to stay.
  cacheDirectory: '<rootDir>/.cache/jest',
};
