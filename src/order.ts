/**
 * String order by UTF-16 code units: what `Array.prototype.sort` does by default, as a
 * comparator. Not `localeCompare`: its first call builds an ICU collator (~6 ms of a ~70 ms
 * start-up, issue 11) and it costs ~0.3 s over 100k keys; keys, agent ids and run ids are ASCII
 * identifiers, for which both orders agree on letters of one case.
 */
export function compareCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * `items` ordered by `timeOf` descending, ties by `keyOf` in code-unit order, as a new array: what
 * `list` did with `sort((a, b) => { const t = (timeOf(b) ?? -Infinity) - (timeOf(a) ?? -Infinity);
 * return t !== 0 ? t : compareCodeUnits(keyOf(a), keyOf(b)); })`. That comparator gave NaN, which
 * sort takes as "equal", for two items with no time (null) or the same infinite one, so those keep
 * their input order among themselves; so they do here. An invalid entry has no time: invalid
 * entries come last, in the store's order. NaN counts as null.
 * The distinct times are sorted as numbers by a Float64Array's own sort, so no JavaScript
 * comparator runs except within a tie: a comparator sort of 500 sessions, each call still cold in
 * V8's interpreter, was ~0.9 ms of a 500-entry `list` (issue 11, marks). `timeOf` is called once
 * per item.
 */
export function newestFirstBy<T>(items: readonly T[], timeOf: (item: T) => number | null, keyOf: (item: T) => string): T[] {
  const byTime = new Map<number, T[]>();
  for (const item of items) {
    const raw = timeOf(item);
    const time = raw === null || Number.isNaN(raw) ? -Infinity : raw;
    const same = byTime.get(time);
    if (same) same.push(item);
    else byTime.set(time, [item]);
  }
  const times = Float64Array.from(byTime.keys()).sort();
  const out: T[] = [];
  for (let i = times.length - 1; i >= 0; i--) {
    const same = byTime.get(times[i]!)!;
    if (same.length > 1 && Number.isFinite(times[i])) same.sort((a, b) => compareCodeUnits(keyOf(a), keyOf(b)));
    for (const item of same) out.push(item);
  }
  return out;
}
