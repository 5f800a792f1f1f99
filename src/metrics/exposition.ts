/**
 * Metric families → the Prometheus text exposition format (version 0.0.4, what node_exporter's
 * textfile collector reads), rendered by prom-client on a private Registry: no default process
 * metrics, no global state, escaping and HELP/TYPE lines done by the library.
 */
import { Gauge, Registry } from 'prom-client';
import type { MetricFamily } from './families.js';

export async function renderExposition(families: readonly MetricFamily[]): Promise<string> {
  const registry = new Registry();
  for (const f of families) {
    // A gauge with no labels and no value would render as 0: absent families never get here.
    if (f.samples.length === 0) continue;
    const gauge = new Gauge({ name: f.name, help: f.help, labelNames: [...f.labelNames], registers: [registry] });
    for (const sample of f.samples) {
      if (f.labelNames.length === 0) gauge.set(sample.value);
      else gauge.set(sample.labels, sample.value);
    }
  }
  return registry.metrics();
}
