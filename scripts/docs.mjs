// `npm run docs`: rewrites the README's generated sections (flag and exit-code tables) from the
// tables in src/cli/options.ts and src/cli/exit-codes.ts. Runs on the built dist/.
import { readFileSync, writeFileSync } from 'node:fs';
import { updateReadme } from '../dist/src/cli/readme.js';

const readme = new URL('../README.md', import.meta.url);
const before = readFileSync(readme, 'utf8');
const after = updateReadme(before);
if (after !== before) writeFileSync(readme, after);
console.log(after === before ? 'README.md is up to date' : 'README.md updated');
