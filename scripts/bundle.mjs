// Bundles the CLI into dist/bundle/ at build time: Node then loads a few CommonJS files
// instead of resolving ~60 ES modules and their dependencies one by one, which is most of
// the start-up on the small stores operators have (bench/). Each command stays a separate
// chunk, loaded only when that command runs, so `--help` never parses zod or ws.
// CommonJS rather than ESM: `require` of Node's built-ins skips the ESM facade (importing
// node:fs as ESM loads its stream classes), and the CJS loader is the cheaper of the two.
// The tsc output in dist/src/ stays for the tests that import modules directly.
import { readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import path from 'node:path';
import { build } from 'rolldown';

const outDir = 'dist/bundle';

/**
 * commander requires node:child_process (with net, dgram and stream) at load, for executable
 * subcommands this CLI does not have: ~2.5 ms of every start-up. Its one use, `childProcess.spawn`,
 * gets the module on first call instead. The build fails if commander's source moves on, rather
 * than silently keeping the eager require.
 */
const lazyChildProcessInCommander = {
  name: 'lazy-child-process-in-commander',
  transform(code, id) {
    if (!/[\\/]commander[\\/]lib[\\/]command\.js$/.test(id)) return null;
    const eager = "const childProcess = require('node:child_process');";
    if (!code.includes(eager)) throw new Error(`scripts/bundle.mjs: ${id} no longer has: ${eager}`);
    return code.replace(eager, "const childProcess = { spawn: (...args) => require('node:child_process').spawn(...args) };");
  },
};
/**
 * ws tries `require('bufferutil')` (and, on a Node without buffer.isUtf8, 'utf-8-validate'), optional
 * native helpers looked up along every node_modules directory above the bundle: a root run of a
 * package installed below a directory some user can write would load that user's code. The
 * bundle answers those ids with a module that throws, which ws catches and uses its own JS code
 * (as it does when they are not installed): the tool runs no code from outside its own package.
 */
const NO_NATIVE_HELPER = '\0openclaw-sessions:no-native-helper:';
const noOptionalNativeHelpers = {
  name: 'no-optional-native-helpers',
  resolveId(id) {
    return id === 'bufferutil' || id === 'utf-8-validate' ? `${NO_NATIVE_HELPER}${id}` : null;
  },
  load(id) {
    if (!id.startsWith(NO_NATIVE_HELPER)) return null;
    const name = id.slice(NO_NATIVE_HELPER.length);
    return `throw Object.assign(new Error(${JSON.stringify(`${name}: not loaded by openclaw-sessions (ws uses its JS code)`)}), { code: 'MODULE_NOT_FOUND' });`;
  },
};
rmSync(outDir, { recursive: true, force: true });
await build({
  input: { main: 'src/cli/main.ts' },
  platform: 'node',
  external: [/^node:/],
  logLevel: 'warn',
  plugins: [lazyChildProcessInCommander, noOptionalNativeHelpers],
  // The version a run reports, without reading package.json (src/cli/version.ts).
  transform: { define: { OPENCLAW_SESSIONS_VERSION: JSON.stringify(JSON.parse(readFileSync('package.json', 'utf8')).version) } },
  output: {
    dir: outDir,
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    minify: true,
    // `import('node:net')` as `require`: bin/code-cache.js runs the bundle through vm.Script,
    // where a real import() needs a flag on Node 20. A built-in is CommonJS either way.
    dynamicImportInCjs: false,
    sourcemap: false, // the package ships no sources, so a map would point nowhere (issue 12: no source maps)
  },
});

// bin/code-cache.js runs these files through vm.Script, where import() would fail on Node 20, and
// gives them a plain require(id) (no require.resolve/cache/main). The build fails rather than
// shipping code that works only without the cache. Comment lines are skipped.
for (const name of readdirSync(outDir)) {
  const code = readFileSync(path.join(outDir, name), 'utf8');
  if (/^(?!\s*(\*|\/\/)).*\bimport\(/m.test(code)) throw new Error(`scripts/bundle.mjs: ${name} has an import(); make it a require (dynamicImportInCjs: false covers built-ins)`);
  if (/^(?!\s*(\*|\/\/)).*\brequire\.(resolve|cache|main|extensions)\b/m.test(code)) throw new Error(`scripts/bundle.mjs: ${name} uses require.resolve/cache/main/extensions, which bin/code-cache.js does not provide`);
  // Nothing from outside the package (see noOptionalNativeHelpers): a built-in or a bundle file.
  for (const match of code.matchAll(/\brequire\((?:"([^"]*)"|'([^']*)'|`([^`$]*)`)?/g)) {
    const id = match[1] ?? match[2] ?? match[3];
    if (id === undefined) throw new Error(`scripts/bundle.mjs: ${name} has a require of a computed id`);
    if (!id.startsWith('node:') && !builtinModules.includes(id) && !/^\.\/[\w.-]+\.cjs$/.test(id)) throw new Error(`scripts/bundle.mjs: ${name} requires ${id}, which is neither a built-in nor a bundle file`);
  }
  // Its module object is `{ exports }` only (its require resolves as Node's would from the file).
  if (/^(?!\s*(\*|\/\/)).*\bmodule\.(id|filename|loaded|parent|children|paths|path|require)\b/m.test(code)) throw new Error(`scripts/bundle.mjs: ${name} uses a property of Node's module object, which bin/code-cache.js does not provide`);
}

// The top-level help (no command, --help, -h, help), written once here by the bundle's own code so
// the bin can print it without loading the CLI, which was most of a `--help` (issue 11: 1.36× →
// ~1.1× `node -e 0`). Laid out for HELP_WIDTH (80) columns, as every run lays it out unless its
// output is a terminal narrower than that (src/cli/main.ts, bin/openclaw-sessions.js). Written
// with the bundle, so the two cannot drift apart; a build without it leaves the bin to the bundle.
{
  const { run } = createRequire(import.meta.url)(path.resolve(outDir, 'main.cjs'));
  let stdout = '';
  let stderr = '';
  const io = {
    env: {},
    stdout: { write: (text) => (stdout += text), isTTY: false },
    stderr: { write: (text) => (stderr += text) },
    stdinIsTTY: false,
    ask: async () => '',
  };
  const code = await run(['node', 'openclaw-sessions', '--help'], io);
  if (code !== 0 || stderr !== '' || !stdout.startsWith('Usage: openclaw-sessions')) throw new Error(`scripts/bundle.mjs: --help exited ${code}: ${stderr}`);
  // Whole or not at all (a full disk mid-write must not leave a cut help for the bin to print).
  writeFileSync(path.join(outDir, 'help.txt.tmp'), stdout);
  renameSync(path.join(outDir, 'help.txt.tmp'), path.join(outDir, 'help.txt'));
}
