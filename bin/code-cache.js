// V8 code cache for the bundle (issue 11): start-up on the ~500-entry stores operators have is
// mostly Node compiling the bundle's code, on every run. The build (scripts/code-cache.mjs) runs
// the common commands once and keeps V8's compiled code of every bundle file it loaded, after
// those runs: functions compiled on first call are in it too, which Node 22's own compile cache
// (made before a module runs) leaves out. A run then deserialises instead of compiling.
//
// Trust: a cache is code, and root's cron runs this tool. The cache is written only by the build,
// never at run time. A run uses it only while dist/.code-cache is a real directory (not a link)
// owned by the owner of this file and writable by no one else, reads its files without following
// links, and only for the bundle files the build recorded, unchanged since (size and mtime, as
// Python's .pyc). It is made for one Node (version, arch, V8): any other Node, or any doubt,
// means Node compiles as usual. V8 checks the data again and falls back itself when it does not fit.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const MANIFEST = 'manifest.json';

/** What a cache is only valid for: V8 rejects data from another V8, so does the manifest, first. */
function runtimeKey() {
  return `node ${process.version} ${process.arch} v8 ${process.versions.v8}`;
}

/** Node's CommonJS handler for a `.cjs` file (Node 20 has none of its own and uses `.js`'s). */
function cjsHandler(Module) {
  return Object.prototype.hasOwnProperty.call(Module._extensions, '.cjs') ? Module._extensions['.cjs'] : Module._extensions['.js'];
}

/** Compiles and runs one bundle file as Node's loader would, with V8 cache data when given. */
function compileAndRun(Module, module, filename, source, cachedData) {
  const vm = require('node:vm');
  // No importModuleDynamically: the bundle has no import() (scripts/bundle.mjs checks), and on
  // Node 20 a vm script's import() needs a flag or warns.
  const script = new vm.Script(Module.wrap(source), { filename, cachedData });
  const wrapper = script.runInThisContext({ displayErrors: true });
  wrapper.call(module.exports, module.exports, (id) => module.require(id), module, filename, path.dirname(filename));
  return script;
}

/** A file's bytes, read without following a link; null when it is not a regular file. */
function readNoFollow(file) {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    if (!fs.fstatSync(fd).isFile()) return null;
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * Serves the bundle's files from the code cache when it can be trusted (see the top of this file).
 * `packageRoot`: the directory holding bin/ and dist/. Installs nothing when there is no usable
 * cache; never throws (a cache is only ever a speed-up).
 */
function useCodeCache(packageRoot) {
  const bundleDir = path.join(packageRoot, 'dist', 'bundle');
  const cacheDir = path.join(packageRoot, 'dist', '.code-cache');
  let manifest;
  try {
    const owner = fs.lstatSync(__filename).uid;
    const dir = fs.lstatSync(cacheDir);
    if (!dir.isDirectory() || dir.uid !== owner || (dir.mode & 0o022) !== 0) return false;
    const text = readNoFollow(path.join(cacheDir, MANIFEST));
    manifest = text && JSON.parse(text.toString('utf8'));
    if (!manifest || manifest.runtime !== runtimeKey() || typeof manifest.files !== 'object' || manifest.files === null) return false;
  } catch {
    return false;
  }
  const Module = require('node:module');
  const fallback = cjsHandler(Module);
  Module._extensions['.cjs'] = function loadFromCodeCache(module, filename) {
    const name = path.basename(filename);
    const recorded = path.dirname(filename) === bundleDir && Object.prototype.hasOwnProperty.call(manifest.files, name) ? manifest.files[name] : null;
    let source = null;
    let cachedData = null;
    if (recorded) {
      try {
        // The size and mtime are those of the very bytes read (fstat after the read).
        const fd = fs.openSync(filename, 'r');
        try {
          source = fs.readFileSync(fd, 'utf8');
          const stat = fs.fstatSync(fd);
          if (stat.size === recorded.size && stat.mtimeMs === recorded.mtimeMs) cachedData = readNoFollow(path.join(cacheDir, `${name}.v8`));
        } finally {
          fs.closeSync(fd);
        }
      } catch {
        cachedData = null;
      }
    }
    if (!cachedData) return fallback(module, filename);
    compileAndRun(Module, module, filename, source, cachedData);
  };
  return true;
}

/**
 * For the build only (scripts/code-cache.mjs): loads the bundle's files so that their compiled
 * code can be kept. Returns `save(cacheDir)`, which writes every loaded file's cache and the
 * manifest; call it after running the commands whose code should be in the cache.
 */
function recordCodeCache(packageRoot) {
  const bundleDir = path.join(packageRoot, 'dist', 'bundle');
  const Module = require('node:module');
  const fallback = cjsHandler(Module);
  const loaded = [];
  Module._extensions['.cjs'] = function loadAndRecord(module, filename) {
    if (path.dirname(filename) !== bundleDir) return fallback(module, filename);
    const script = compileAndRun(Module, module, filename, fs.readFileSync(filename, 'utf8'), undefined);
    loaded.push({ filename, script });
  };
  return function save(cacheDir) {
    const files = {};
    for (const { filename, script } of loaded) {
      const name = path.basename(filename);
      const stat = fs.statSync(filename);
      fs.writeFileSync(path.join(cacheDir, `${name}.v8`), script.createCachedData());
      fs.chmodSync(path.join(cacheDir, `${name}.v8`), 0o644);
      files[name] = { size: stat.size, mtimeMs: stat.mtimeMs };
    }
    fs.writeFileSync(path.join(cacheDir, MANIFEST), `${JSON.stringify({ runtime: runtimeKey(), files }, null, 2)}\n`);
    fs.chmodSync(path.join(cacheDir, MANIFEST), 0o644);
    return Object.keys(files);
  };
}

module.exports = { useCodeCache, recordCodeCache };
