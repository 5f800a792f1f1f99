// V8 code cache for the bundle (issue 11): start-up on the ~500-entry stores operators have is
// mostly Node compiling the bundle's code, on every run. The build (scripts/code-cache.mjs) runs
// the common commands once and keeps V8's compiled code of every bundle file it loaded, after
// those runs: functions compiled on first call are in it too, which Node 22's own compile cache
// (made before a module runs) leaves out. A run then deserialises instead of compiling.
//
// Trust: a cache is code, and root's cron runs this tool. The cache is written only by the build,
// never at run time. A run uses it only while dist/.code-cache is a real directory (not a link),
// and each file in it a regular file, owned by the owner of this file and writable by no one
// else; files are opened without following links and without blocking (a FIFO), and capped in
// size. It is used for the bundle files the build recorded, in the directory it recorded, while
// each is unchanged since (size, mtime, ctime and inode: an edit that keeps the size and resets
// the mtime still moves the ctime), and only by the very Node binary that built it (its path,
// version, arch, V8, size, mtime and inode). V8 checks each file's header (its version and flags,
// the source's length, the data's length), not the data itself: release V8 has no checksum of it
// (--verify-snapshot-checksum costs as much as the cache saves), so a cache file damaged on disk
// could crash a run or misbehave, as a damaged bundle file or Node binary could. That is why the
// bin uses the cache only for runs that remove none of the operator's sessions or files
// (bin/openclaw-sessions.js): a prune, clean or restore that may remove something always runs code
// compiled from the bundle's source.
// Any doubt means Node compiles as usual.
'use strict';

const fs = require('node:fs');
const path = require('node:path');

const MANIFEST = 'manifest.json';
/** Larger than any real cache file (the largest is ~150 KiB): a file over this is not read. */
const MAX_CACHE_FILE_BYTES = 16 * 1024 * 1024;

/**
 * What a cache is only valid for: the Node binary that made it. V8 rejects data from another V8
 * version; the manifest also refuses another build of the same version (a distro's and nvm's).
 */
function runtimeKey() {
  const node = fs.statSync(process.execPath);
  return `node ${process.version} ${process.arch} v8 ${process.versions.v8} ${process.execPath} ${node.size} ${node.mtimeMs} ${node.ino}`;
}

// The CommonJS wrapper on a line of its own (lineOffset -1): the file's own lines and columns are
// those a stack trace shows, as when Node compiles it.
const WRAPPER_HEAD = '(function (exports, require, module, __filename, __dirname) {\n';
const WRAPPER_TAIL = '\n})';

/** `./<name>.cjs`, as the bundle's files require each other (no directory part): the name, else null. */
function bundleFileOf(id) {
  return /^\.\/[\w.-]+\.cjs$/.test(id) ? id.slice(2) : null;
}

/**
 * A loader for the bundle's own files (dist/bundle/*.cjs), used instead of Node's when there is a
 * code cache: it compiles each file with V8 cache data where `cacheFor` gives some, and resolves
 * the files' requires of each other itself. Node's loader spends ~3–4 ms of a 500-entry `list` on
 * those requires (a realpath, a package.json scope lookup and a node_modules path list per file,
 * issue 11); a bundle file's `./name.cjs` can only mean the file of that name beside it. Every
 * other id (a built-in; the bundle requires nothing else, scripts/bundle.mjs) goes to Node's require.
 *
 * Every bundle file a run loads goes through this one loader (never some through Node's), so each
 * runs once and the bundle's classes stay one class each. The bundle uses only `require(id)`,
 * `exports` and `module.exports` (scripts/bundle.mjs fails the build otherwise).
 *
 * `cacheFor(name, stat)`: cache data for the file of that name whose descriptor has `stat`, or null
 * (compiled from source). `compiled(name, stat, script)`, when given, sees each compiled file (the
 * build's recording). Returns `load(name)` → that file's exports; a file that is not there throws
 * with code MODULE_NOT_FOUND, as Node's loader would.
 */
function bundleLoader(bundleDir, cacheFor, compiled) {
  const vm = require('node:vm');
  const modules = new Map();
  let outside = null;
  const requireInBundle = (id) => {
    const name = bundleFileOf(id);
    if (name !== null) return load(name);
    // A built-in is the same module from anywhere (and this skips loading node:module).
    if (id.startsWith('node:')) return require(id);
    outside ??= require('node:module').createRequire(path.join(bundleDir, 'main.cjs'));
    return outside(id);
  };
  function load(name) {
    const known = modules.get(name);
    if (known) return known.exports;
    const filename = path.join(bundleDir, name);
    const { source, stat } = readSource(filename);
    const module = { exports: {} };
    // Before it runs: a file required again while it loads gets its exports so far, as in Node.
    modules.set(name, module);
    try {
      // No importModuleDynamically: the bundle has no import() (scripts/bundle.mjs checks), and on
      // Node 20 a vm script's import() needs a flag or warns.
      const script = new vm.Script(WRAPPER_HEAD + source + WRAPPER_TAIL, { filename, lineOffset: -1, cachedData: cacheFor(name, stat) ?? undefined });
      script.runInThisContext({ displayErrors: true }).call(module.exports, module.exports, requireInBundle, module, filename, bundleDir);
      compiled?.(name, stat, script);
    } catch (error) {
      modules.delete(name);
      throw error;
    }
    return module.exports;
  }
  return load;
}

/** A bundle file's text and the stat of the very descriptor it was read from. */
function readSource(filename) {
  let fd;
  try {
    fd = fs.openSync(filename, 'r');
  } catch (error) {
    if (error.code !== 'ENOENT') throw error;
    throw Object.assign(new Error(`Cannot find module '${filename}'`), { code: 'MODULE_NOT_FOUND' });
  }
  try {
    return { source: fs.readFileSync(fd, 'utf8'), stat: fs.fstatSync(fd) };
  } finally {
    fs.closeSync(fd);
  }
}

/** The facts that say a bundle file is the one the build compiled. */
function identity(stat) {
  return { size: stat.size, mtimeMs: stat.mtimeMs, ctimeMs: stat.ctimeMs, ino: stat.ino };
}

function sameIdentity(stat, recorded) {
  const now = identity(stat);
  return Object.keys(now).every((key) => now[key] === recorded[key]);
}

/**
 * A cache file's bytes: opened without following a link or waiting on a FIFO; null unless it is a
 * regular file of `owner`, writable by no one else, at most MAX_CACHE_FILE_BYTES. The rules of
 * src/store/safe-fs.ts's readRegularFile plus ownership; written again here because this file
 * runs before the bundle is loaded (and decides how it is loaded).
 */
function readTrusted(file, owner) {
  const fd = fs.openSync(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
  try {
    const stat = fs.fstatSync(fd);
    if (!stat.isFile() || stat.uid !== owner || (stat.mode & 0o022) !== 0 || stat.size > MAX_CACHE_FILE_BYTES) return null;
    return fs.readFileSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

/**
 * The bundle's loader with the code cache, when the cache can be trusted (see the top of this
 * file): `load(name)` → exports of dist/bundle/<name> (bundleLoader). null when there is no usable
 * cache (then Node's own loader loads the bundle). `packageRoot`: the directory holding bin/ and
 * dist/. Never throws.
 */
function useCodeCache(packageRoot) {
  const bundleDir = path.join(packageRoot, 'dist', 'bundle');
  const cacheDir = path.join(packageRoot, 'dist', '.code-cache');
  let manifest;
  let owner;
  try {
    owner = fs.lstatSync(__filename).uid;
    const dir = fs.lstatSync(cacheDir);
    if (!dir.isDirectory() || dir.uid !== owner || (dir.mode & 0o022) !== 0) return null;
    const text = readTrusted(path.join(cacheDir, MANIFEST), owner);
    manifest = text && JSON.parse(text.toString('utf8'));
    // The directory too: on Node 20 V8 keeps the file name a cache was made with for stack traces.
    if (!manifest || manifest.runtime !== runtimeKey() || manifest.bundleDir !== bundleDir || typeof manifest.files !== 'object' || manifest.files === null) return null;
  } catch {
    return null;
  }
  return bundleLoader(bundleDir, (name, stat) => {
    const recorded = Object.prototype.hasOwnProperty.call(manifest.files, name) ? manifest.files[name] : null;
    if (!recorded || typeof recorded !== 'object' || !sameIdentity(stat, recorded)) return null;
    try {
      return readTrusted(path.join(cacheDir, `${name}.v8`), owner);
    } catch {
      return null;
    }
  });
}

/**
 * For the build only (scripts/code-cache.mjs): `load(name)` loads the bundle's files as a run with
 * a cache does (bundleLoader), compiling from source, so that their compiled code can be kept;
 * `save(cacheDir)` writes every loaded file's cache and the manifest into `cacheDir` (an empty
 * directory of the caller's, private until the caller opens it up). Call `save` after running the
 * commands whose code should be in the cache.
 */
function recordCodeCache(packageRoot) {
  const bundleDir = path.join(packageRoot, 'dist', 'bundle');
  const loaded = [];
  const load = bundleLoader(bundleDir, () => null, (name, stat, script) => loaded.push({ name, stat, script }));
  function save(cacheDir) {
    const files = {};
    for (const { name, stat, script } of loaded) {
      // 'wx': a file that is already there (or a link planted there) is an error, never written through.
      fs.writeFileSync(path.join(cacheDir, `${name}.v8`), script.createCachedData(), { flag: 'wx', mode: 0o644 });
      files[name] = identity(stat);
    }
    fs.writeFileSync(path.join(cacheDir, MANIFEST), `${JSON.stringify({ runtime: runtimeKey(), bundleDir, files }, null, 2)}\n`, { flag: 'wx', mode: 0o644 });
    return Object.keys(files);
  }
  return { load, save };
}

module.exports = { useCodeCache, recordCodeCache };
