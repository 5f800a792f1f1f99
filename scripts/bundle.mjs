// Bundles the CLI into dist/bundle/ at build time: Node then loads a few CommonJS files
// instead of resolving ~60 ES modules and their dependencies one by one, which is most of
// the start-up on the small stores operators have (bench/). Each command stays a separate
// chunk, loaded only when that command runs, so `--help` never parses zod or ws.
// CommonJS rather than ESM: `require` of Node's built-ins skips the ESM facade (importing
// node:fs as ESM loads its stream classes), and the CJS loader is the cheaper of the two.
// The tsc output in dist/src/ stays for the tests that import modules directly.
import { rmSync } from 'node:fs';
import { build } from 'rolldown';

const outDir = 'dist/bundle';
rmSync(outDir, { recursive: true, force: true });
await build({
  input: { main: 'src/cli/main.ts' },
  platform: 'node',
  // ws's optional native helpers; absent, ws uses its JS code.
  external: [/^node:/, 'bufferutil', 'utf-8-validate'],
  logLevel: 'warn',
  output: {
    dir: outDir,
    format: 'cjs',
    entryFileNames: '[name].cjs',
    chunkFileNames: '[name]-[hash].cjs',
    minify: true,
    sourcemap: false, // the package ships no sources, so a map would point nowhere (issue 12: no source maps)
  },
});
