/**
 * Tests that need a tool the test command installs (gitleaks, ...). On a developer's machine
 * without the tool they are skipped with a warning; where the tools are promised — in CI
 * (`CI=true`) and under scripts/verify/test.sh, which installs them first and sets
 * ZSE_REQUIRE_TOOLS=1 — a missing tool FAILS the test: a security test that silently skips
 * itself protects nothing.
 */

/** Whether a missing tool is a failure here rather than a skip. */
export function toolsRequired(env: NodeJS.ProcessEnv = process.env): boolean {
  return env.CI === 'true' || env.ZSE_REQUIRE_TOOLS === '1';
}

/**
 * `test` when the tool is there; otherwise a failing test (tools required) or `test.skip` with a
 * warning naming the install command.
 */
export function testWithTool(
  tool: string,
  found: boolean,
  install: string,
  env: NodeJS.ProcessEnv = process.env,
): jest.It {
  if (found) return test;
  if (toolsRequired(env)) {
    const failing = ((name: string) =>
      test(name, () => {
        throw new Error(
          `${tool} is not installed, and this test may not be skipped here (CI=true or ZSE_REQUIRE_TOOLS=1): ${install}`,
        );
      })) as unknown as jest.It;
    return failing;
  }
  console.warn(`${tool} not installed (${install}): the tests that need it are skipped`);
  return test.skip;
}
