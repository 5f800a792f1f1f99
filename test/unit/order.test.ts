import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareCodeUnits, newestFirstBy } from '../../src/order.js';

interface Item {
  key: string;
  time: number | null;
}

/** The comparator sort newestFirstBy stands for (its docstring). */
function byComparator(items: Item[]): Item[] {
  return [...items].sort((a, b) => (b.time ?? -Infinity) - (a.time ?? -Infinity) || compareCodeUnits(a.key, b.key));
}

test('newestFirstBy orders as the comparator sort: newest first, no time last, ties by key in code units', () => {
  let seed = 7;
  const random = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
  for (const size of [0, 1, 2, 50, 500, 3000]) {
    // Few distinct times, so most items tie; keys with upper case, digits and a shared prefix.
    const items: Item[] = Array.from({ length: size }, (_, i) => ({
      key: `agent:${random() < 0.5 ? 'main' : 'Ops'}:${Math.floor(random() * size * 2)}:${i}`,
      time: random() < 0.1 ? null : random() < 0.05 ? -5 : Math.floor(random() * 20) * 1_000 + (random() < 0.02 ? 0.5 : 0),
    }));
    const sorted = newestFirstBy(items, (item) => item.time, (item) => item.key);
    assert.deepEqual(sorted, byComparator(items), `size ${size}`);
    assert.notEqual(sorted, items, 'a new array');
  }
});

test('newestFirstBy: NaN counts as no time, 0 and -0 are one time, ±Infinity sort at the ends', () => {
  const items: Item[] = [
    { key: 'b', time: Number.NaN },
    { key: 'a', time: null },
    { key: 'd', time: -0 },
    { key: 'c', time: 0 },
    { key: 'e', time: Number.POSITIVE_INFINITY },
    { key: 'f', time: Number.NEGATIVE_INFINITY },
  ];
  assert.deepEqual(
    newestFirstBy(items, (item) => item.time, (item) => item.key).map((item) => item.key),
    ['e', 'c', 'd', 'a', 'b', 'f'],
  );
});
