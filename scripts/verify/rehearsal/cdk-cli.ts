/**
 * The real CDK CLI (the pinned devDependency) as the rehearsal runs it: output echoed with a
 * prefix and kept in a log file, each command bounded in time and registered with the shared
 * shutdown handler.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { trackChild } from '../../lib/processes';
import { REPO_ROOT } from '../../lib/settings';
import { RehearsalError } from './checks';

const CDK = path.join(REPO_ROOT, 'node_modules', '.bin', 'cdk');
const CLI_TIMEOUT_MS = 6 * 60_000;

/** Runs the CDK CLI, echoing its output with a prefix, and returns the output for assertions. */
export function runCdk(args: string[], env: NodeJS.ProcessEnv, logFile: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(CDK, [...args, '--no-notices'], {
      cwd: REPO_ROOT,
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    trackChild(child);
    let out = '';
    const onData = (b: Buffer) => {
      const s = b.toString('utf8');
      out += s;
      fs.appendFileSync(logFile, s);
      // The AWS SDK's Node-version notice is noise here; everything else is the CLI talking.
      for (const line of s.split('\n')) {
        if (
          line.trim() &&
          !/NodeVersionSupportWarning|node >=22|a\.co\/|trace-warnings|continue receiving|security updates|published after|You are running node|^\s*$|npm warn/.test(
            line,
          )
        ) {
          console.log(`   │ ${line}`);
        }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    const timer = setTimeout(() => child.kill('SIGKILL'), CLI_TIMEOUT_MS);
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else
        reject(
          new RehearsalError(
            `cdk ${args[0]} failed (exit ${code ?? signal}); see ${path.relative(REPO_ROOT, logFile)}`,
          ),
        );
    });
  });
}
