import { mkdirSync, mkdtempSync, rmSync, writeFileSync, chmodSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after } from 'node:test';

/** A temp dir removed when the test file ends. */
export function tempDir(prefix = 'ocs-'): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), prefix));
  after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function writeFile(file: string, content: string | object, mode = 0o600): string {
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2), { mode });
  chmodSync(file, mode);
  return file;
}

export function storePath(stateDir: string, agentId: string): string {
  return path.join(stateDir, 'agents', agentId, 'sessions', 'sessions.json');
}

/** Child processes a test file starts; any still running when the file ends are killed. */
export function trackedChildren(): import('node:child_process').ChildProcess[] {
  const children: import('node:child_process').ChildProcess[] = [];
  after(async () => {
    for (const child of children) {
      if (child.exitCode === null && child.signalCode === null) {
        const closed = new Promise((resolve) => child.once('close', resolve));
        child.kill('SIGKILL');
        await closed;
      }
    }
  });
  return children;
}
