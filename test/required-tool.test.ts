import { testWithTool, toolsRequired } from './required-tool';

describe('tests that need an installed tool', () => {
  test('a missing tool is a failure in CI and under scripts/verify/test.sh, a skip elsewhere', () => {
    expect(toolsRequired({ CI: 'true' })).toBe(true);
    expect(toolsRequired({ ZSE_REQUIRE_TOOLS: '1' })).toBe(true);
    expect(toolsRequired({})).toBe(false);
    expect(toolsRequired({ CI: 'false', ZSE_REQUIRE_TOOLS: '0' })).toBe(false);
  });

  test('GIVEN the tool THEN the tests run; GIVEN none and not required THEN they are skipped', () => {
    expect(testWithTool('gitleaks', true, 'install it', { CI: 'true' })).toBe(test);
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => {});
    expect(testWithTool('gitleaks', false, 'install it', {})).toBe(test.skip);
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('gitleaks not installed (install it)'));
    warn.mockRestore();
  });

  test('GIVEN no tool where it is required THEN neither a plain test nor a skip', () => {
    const t = testWithTool('gitleaks', false, 'install it', { ZSE_REQUIRE_TOOLS: '1' });
    expect(t).not.toBe(test);
    expect(t).not.toBe(test.skip);
  });
});
