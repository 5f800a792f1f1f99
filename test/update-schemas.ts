/**
 * `npm run schemas`: rewrites every docs/*.schema.json from its zod definition (src/report/schemas.ts).
 * The schemas test fails until this has been run and the result committed.
 */
import { writeFileSync } from 'node:fs';
import { JSON_SCHEMAS, renderJsonSchema } from '../src/report/schemas.js';
import { REPO } from './helpers/golden.js';

for (const { file, schema } of JSON_SCHEMAS) {
  writeFileSync(`${REPO}${file}`, renderJsonSchema(schema));
  process.stdout.write(`wrote ${file}\n`);
}
