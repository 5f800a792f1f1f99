/**
 * Flags naming the gateway to talk to, in OpenClaw's own spelling (`openclaw gateway call`,
 * `openclaw gateway status`, `openclaw tui`: `--url`, `--token`, `--password`; declared in
 * options.ts). Without them the gateway is found by its lock and port; `OPENCLAW_GATEWAY_URL`
 * and `gateway.mode: "remote"` + `gateway.remote.url` name one too (docs/openclaw-gateway.md).
 */
export interface GatewayTargetFlags {
  url?: string;
  token?: string;
  password?: string;
}

export function gatewayFlagsFrom(flags: GatewayTargetFlags): GatewayTargetFlags {
  return { url: flags.url, token: flags.token, password: flags.password };
}
