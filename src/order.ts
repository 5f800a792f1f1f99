/**
 * String order by UTF-16 code units: what `Array.prototype.sort` does by default, as a
 * comparator. Not `localeCompare`: its first call builds an ICU collator (~6 ms of a ~70 ms
 * start-up, issue 11) and it costs ~0.3 s over 100k keys; keys, agent ids and run ids are ASCII
 * identifiers, for which both orders agree on letters of one case.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
