import assert from 'node:assert/strict';
import { test } from 'node:test';
import { compareCodeUnits, newestFirstBy } from '../../src/order.js';

interface Item {
  key: string;
  time: number | null;
}

/** The comparator `list` sorted with before newestFirstBy (its docstring), verbatim. */
function byComparator(items: Item[]): Item[] {
  return [...items].sort((a, b) => {
    const byTime = (b.time ?? -Infinity) - (a.time ?? -Infinity);
    if (byTime !== 0) return byTime;
    return compareCodeUnits(a.key, b.key);
  });
}

const newestFirst = (items: Item[]): Item[] => newestFirstBy(items, (item) => item.time, (item) => item.key);

test('newestFirstBy orders as the comparator it replaced: newest first, ties by key, items without a time last in input order', () => {
  let seed = 7;
  const random = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (const size of [0, 1, 2, 50, 500, 3000]) {
    // Few distinct times, so most items tie; keys with upper case, digits and a shared prefix;
    // some without a time (an invalid entry), some at ±Infinity.
    const items: Item[] = Array.from({ length: size }, (_, i) => {
      const roll = random();
      const time = roll < 0.1 ? null : roll < 0.13 ? -Infinity : roll < 0.15 ? Infinity : roll < 0.2 ? -5 : Math.floor(random() * 20) * 1_000 + (random() < 0.02 ? 0.5 : 0);
      return { key: `agent:${random() < 0.5 ? 'main' : 'Ops'}:${Math.floor(random() * size * 2)}:${i}`, time };
    });
    const sorted = newestFirst(items);
    assert.deepEqual(sorted, byComparator(items), `size ${size}`);
    assert.notEqual(sorted, items, 'a new array');
  }
});

test('newestFirstBy: invalid entries (no time) keep the store order; NaN counts as no time; 0 and -0 are one time', () => {
  const items: Item[] = [
    { key: 'agent:main:zzz-invalid', time: null },
    { key: 'b', time: Number.NaN },
    { key: 'agent:main:aaa-invalid', time: null },
    { key: 'd', time: -0 },
    { key: 'c', time: 0 },
    { key: 'e', time: 10 },
  ];
  assert.deepEqual(
    newestFirst(items).map((item) => item.key),
    ['e', 'c', 'd', 'agent:main:zzz-invalid', 'b', 'agent:main:aaa-invalid'],
  );
});
