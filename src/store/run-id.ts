/**
 * A run's id, as journals, event logs and `restore` name it: sortable and unique enough for
 * humans to type (20261128T162400Z-3fa9), the UTC second the run started and 16 random bits.
 * Math.random, not node:crypto: the id is a name, not a secret (knowing it grants nothing), both
 * give 16 bits from an OS-seeded generator, and node:crypto costs ~3 ms of every start-up of a
 * dry run or a `clean` (issue 11).
 */
export function newRunId(now = new Date()): string {
  const suffix = Math.floor(Math.random() * 0x10000)
    .toString(16)
    .padStart(4, '0');
  return `${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}-${suffix}`;
}
