/**
 * A preload (`node -r PRELOAD bin/openclaw-sessions.js …`) that records what one run of the built
 * binary loaded, for tests that assert it by name (start-up, the code cache): Node's built-ins, the
 * bundle files Node's own loader loaded (require.cache), and the bundle files the code cache's
 * loader compiled through vm.Script, each with what V8 did with its cache data.
 */
import { readFileSync, writeFileSync } from 'node:fs';

export interface LoadRecord {
  /** Node's built-in modules (`process.moduleLoadList`). */
  builtins: string[];
  /** Bundle files (names in dist/bundle/) loaded by Node's loader. */
  required: string[];
  /** Bundle files compiled by the code cache's loader, with the cache data's fate: V8 took it, refused it, or none was given. */
  compiled: Array<[name: string, cache: 'used' | 'rejected' | 'none']>;
}

/** Writes the preload at `preload`; the run writes its LoadRecord as JSON to `out` when it exits. */
export function writeLoadRecorder(preload: string, out: string): void {
  writeFileSync(
    preload,
    `const fs = require('node:fs');
const vm = require('node:vm');
const inBundle = (file) => typeof file === 'string' && file.includes('dist/bundle/');
const nameOf = (file) => file.split('dist/bundle/')[1];
const compiled = [];
const Script = vm.Script;
vm.Script = class extends Script {
  constructor(code, options) {
    super(code, options);
    if (options && inBundle(options.filename)) compiled.push([nameOf(options.filename), options.cachedData ? (this.cachedDataRejected ? 'rejected' : 'used') : 'none']);
  }
};
process.on('exit', () => fs.writeFileSync(${JSON.stringify(out)}, JSON.stringify({
  builtins: process.moduleLoadList.filter((m) => m.startsWith('NativeModule ')).map((m) => m.slice(13)),
  required: Object.keys(require.cache).filter(inBundle).map(nameOf),
  compiled,
})));`,
  );
}

export function readLoadRecord(out: string): LoadRecord {
  return JSON.parse(readFileSync(out, 'utf8')) as LoadRecord;
}
