/**
 * The gateway's HTTP health endpoints on its port (docs/openclaw.md §7): `/readyz` (ready), `/healthz`.
 */
export async function isGatewayReady(port: number, options: { tls?: boolean; timeoutMs?: number } = {}): Promise<boolean> {
  const url = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}/readyz`;
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(options.timeoutMs ?? 2000) });
    await response.body?.cancel();
    return response.ok;
  } catch {
    return false;
  }
}

/** Port: the 9.x lock's `port`, else OPENCLAW_GATEWAY_PORT, else `gateway.port`, else 18789. */
export function resolveGatewayPort(lockPort: number | undefined, envPort: string | undefined, configPort: number | undefined): number {
  if (lockPort) return lockPort;
  const fromEnv = Number(envPort);
  if (Number.isInteger(fromEnv) && fromEnv > 0 && fromEnv < 65536) return fromEnv;
  return configPort ?? 18789;
}
