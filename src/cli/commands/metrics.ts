/**
 * `openclaw-sessions metrics`: the install's sessions, ACP slots, gateway and last prune as
 * Prometheus gauges — printed, or with `--textfile DIR` written atomically for node_exporter's
 * textfile collector. Read-only towards OpenClaw: no store is written, no store lock taken.
 */
import { EXIT } from '../exit-codes.js';
import { collectMetrics } from '../../metrics/collect.js';
import { renderExposition } from '../../metrics/exposition.js';
import { collectorFamilies, metricFamilies } from '../../metrics/families.js';
import { assertTextfileDir, writeTextfile } from '../../metrics/textfile.js';
import { inventoryOptionsFrom, type StoreFlags } from '../common-options.js';
import type { CliIo } from '../io.js';
import { toolVersion } from '../version.js';
import { LIVE_READ_TIMEOUT_MS } from '../../defaults.js';


export interface MetricsFlags extends StoreFlags {
  textfile?: string;
  rpc: boolean;
}

export async function runMetrics(flags: MetricsFlags, io: CliIo): Promise<number> {
  const started = performance.now();
  if (flags.textfile) assertTextfileDir(flags.textfile);
  let text: string;
  try {
    // The live read is bounded well under the 1-minute timer: a gateway that does not answer in
    // time costs this run its live count (the series is absent), never the next run.
    const input = await collectMetrics(io.env, { ...inventoryOptionsFrom(flags), rpc: flags.rpc, liveTimeoutMs: LIVE_READ_TIMEOUT_MS, toolVersion: toolVersion() });
    text = await renderExposition(metricFamilies(input));
  } catch (error) {
    // Leave a file that says the collection failed rather than last run's numbers looking fresh.
    if (flags.textfile) {
      const failed = await renderExposition(collectorFamilies(false, toolVersion(), (performance.now() - started) / 1000));
      await writeTextfile(flags.textfile, failed).catch(() => undefined);
    }
    throw error;
  }
  if (flags.textfile) {
    await writeTextfile(flags.textfile, text);
    return EXIT.ok;
  }
  io.stdout.write(text);
  return EXIT.ok;
}
