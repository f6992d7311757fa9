import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

/**
 * Runs a TypeScript child (`node --import tsx script args`); when `killAfterMs` is given, sends it
 * SIGKILL that long after it first prints `marker`. Resolves with how it ended and what it printed.
 */
export function runKillable(script: string, args: string[], marker: string, killAfterMs: number | undefined): Promise<{ killed: boolean; code: number | null; output: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    let timer: NodeJS.Timeout | undefined;
    child.stdout.setEncoding('utf8');
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (d: string) => (output += d));
    child.stdout.on('data', (d: string) => {
      output += d;
      if (killAfterMs !== undefined && timer === undefined && output.includes(marker)) timer = setTimeout(() => child.kill('SIGKILL'), killAfterMs);
    });
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ killed: signal === 'SIGKILL', code, output });
    });
  });
}
