/** Files a reader, or another process starting at the same moment, never sees half written. */
import { closeSync, linkSync, openSync, readFileSync, renameSync, unlinkSync, writeFileSync, writeSync } from 'node:fs';
import { randomBytes } from 'node:crypto';

/** A file's text, or null when there is no such file. */
export function readText(path: string): string | null {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as { code?: unknown }).code === 'ENOENT') return null;
    throw error;
  }
}

function tempPath(path: string): string {
  return `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
}

/** Writes a temporary file and renames it over `path`, so readers never see a partial file. */
export function writeAtomic(path: string, content: string, mode: number): void {
  const temp = tempPath(path);
  try {
    writeFileSync(temp, content, { mode, flag: 'wx' });
    renameSync(temp, path);
  } catch (error) {
    removeQuietly(temp);
    throw error;
  }
}

/**
 * Creates `path` with `content` only when it does not exist yet, atomically:
 * the complete temporary file is hard-linked into place, which fails when
 * another process got there first. Returns false in that case.
 */
export function createExclusive(path: string, content: string, mode: number): boolean {
  const temp = tempPath(path);
  try {
    writeFileSync(temp, content, { mode, flag: 'wx' });
    try {
      linkSync(temp, path);
      return true;
    } catch (error) {
      const code = (error as { code?: unknown }).code;
      if (code === 'EEXIST') return false;
      if (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS') throw error;
    }
    // File systems without hard links: exclusive create, then write.
    let fd: number;
    try {
      fd = openSync(path, 'wx', mode);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'EEXIST') return false;
      throw error;
    }
    try {
      writeSync(fd, content);
    } finally {
      closeSync(fd);
    }
    return true;
  } finally {
    removeQuietly(temp);
  }
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // already gone
  }
}
