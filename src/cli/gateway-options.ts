/**
 * Flags naming the gateway to talk to, in OpenClaw's own spelling (`openclaw gateway call`,
 * `openclaw gateway status`, `openclaw tui`: `--url`, `--token`, `--password`). Without them
 * the gateway is found by its lock and port; `OPENCLAW_GATEWAY_URL` and `gateway.mode:
 * "remote"` + `gateway.remote.url` name one too (docs/openclaw-gateway.md).
 */
import type { Command } from 'commander';

export interface GatewayTargetFlags {
  url?: string;
  token?: string;
  password?: string;
}

export function addGatewayOptions(command: Command): Command {
  return command
    .option('--url <url>', 'the gateway\'s WebSocket URL (ws://127.0.0.1:18789, wss://host): talk to it over RPC only, never signal it (default: $OPENCLAW_GATEWAY_URL, gateway.remote.url, or found by its lock and port)')
    .option('--token <token>', 'gateway token (default: $OPENCLAW_GATEWAY_TOKEN or the config)')
    .option('--password <password>', 'gateway password (default: $OPENCLAW_GATEWAY_PASSWORD or the config)');
}

export function gatewayFlagsFrom(flags: GatewayTargetFlags): GatewayTargetFlags {
  return { url: flags.url, token: flags.token, password: flags.password };
}
