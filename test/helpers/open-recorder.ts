/**
 * A preload (`node -r PRELOAD bin/openclaw-sessions.js …`) that records every file one run of the
 * built binary opened through node:fs (openSync, readFileSync, and their callback and promise
 * forms), in order, for tests that assert how often a file is read. Installed before the bundle
 * loads, so the bundle's calls (`fs.openSync(…)` through the module object) reach the wrappers.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface OpenRecord {
  /** Absolute path as given to node:fs, and the flags (numeric or string; 'r' when none). */
  opens: Array<{ path: string; flags: string | number }>;
}

/** Writes the preload at `preload`; the run writes its OpenRecord as JSON to `out` when it exits. */
export function writeOpenRecorder(preload: string, out: string): void {
  writeFileSync(
    preload,
    `const fs = require('node:fs');
const opens = [];
const record = (file, flags) => { if (typeof file === 'string') opens.push({ path: file, flags: flags ?? 'r' }); };
for (const name of ['openSync', 'open']) {
  const original = fs[name];
  fs[name] = function (file, flags, ...rest) { record(file, typeof flags === 'function' ? 'r' : flags); return original.call(this, file, flags, ...rest); };
}
for (const name of ['readFileSync', 'readFile']) {
  const original = fs[name];
  fs[name] = function (file, options, ...rest) { record(file, options && typeof options === 'object' ? options.flag : undefined); return original.call(this, file, options, ...rest); };
}
const promised = fs.promises.open;
fs.promises.open = function (file, flags, ...rest) { record(file, flags); return promised.call(this, file, flags, ...rest); };
process.on('exit', () => fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({ opens })));`,
  );
}

export function readOpenRecord(out: string): OpenRecord {
  return JSON.parse(readFileSync(out, 'utf8')) as OpenRecord;
}

/** Opens of `file` for reading only (no write, create or append flag). */
export function readOpensOf(record: OpenRecord, file: string): number {
  return record.opens.filter((open) => open.path === file && isReadOnly(open.flags)).length;
}

function isReadOnly(flags: string | number): boolean {
  if (typeof flags === 'string') return flags === 'r' || flags === 'rs' || flags === 'sr';
  // O_RDONLY is 0: neither O_WRONLY (1) nor O_RDWR (2) set.
  return (flags & 3) === 0;
}
