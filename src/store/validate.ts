/**
 * zod for what this tool reads at run time (store entries, config, lock files, journal, status
 * files): `zod/mini`, the tree-shakable build of the same validator, with zod's English messages.
 * The full `zod` API stays for the `--json` report schemas, which only the docs and tests load:
 * on the ~500-entry stores operators have, start-up is the whole cost (issue 11, bench/).
 */
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';

// zod/mini ships no messages ("Invalid input"); the tool's error lines quote zod's English ones.
z.config(en());

export { z };
