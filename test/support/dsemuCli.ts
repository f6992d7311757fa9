import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';

// The dsemu command line, run as a user runs it: `node --import tsx src/cli.ts ...` in a child process.

export const ROOT = join(import.meta.dirname, '..', '..');

/** Runs dsemu (standard input from `input`) and gives its exit code and output, whatever the code. */
export function runDsemu(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

/**
 * `dsemu start` with `args`, once its sync agent runs: its log so far (one JSON line each, stderr
 * being no terminal; read to the end so that the pipe never fills), and `stop` (SIGTERM, then its exit code).
 */
export async function startDsemu(args: string[]): Promise<{ logged: Record<string, unknown>[]; stop(): Promise<number | null> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'start', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  const logged: Record<string, unknown>[] = [];
  await new Promise<void>((resolve, reject) => {
    createInterface({ input: child.stderr }).on('line', (line) => {
      logged.push(JSON.parse(line) as Record<string, unknown>);
      if (String(logged.at(-1)!.msg).startsWith('sync agent')) resolve();
    });
    void exited.then((code) => reject(new Error(`dsemu start exited (${code}) before its agent started`)));
  });
  return {
    logged,
    stop: () => {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
