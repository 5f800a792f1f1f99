/**
 * This tool's own device identity for the gateway's WebSocket RPC (docs/openclaw.md §8, §10): an Ed25519
 * key pair kept 0600 under the state dir. Without a device the shared token admits a client
 * with no scopes; loopback devices are paired silently on first connect.
 */
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { lstatSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { lazySchema, z } from '../store/validate.js';
import { ToolError } from '../errors.js';
import { READ_CAPS, readRegularFile } from '../store/safe-fs.js';
import { writeFileAtomicSync } from '../store/atomic-write.js';

const storedIdentitySchema = lazySchema(() => z.object({
  version: z.literal(1),
  privateKeyPem: z.string(),
  createdAt: z.string(),
}));

export interface DeviceIdentity {
  /** Hex sha256 of the raw 32-byte public key. */
  id: string;
  /** base64url (no padding) of the raw 32-byte public key. */
  publicKey: string;
  sign(payload: string): string;
}

export function devicePathFor(stateDir: string): string {
  return path.join(stateDir, 'openclaw-sessions', 'device.json');
}

export function identityFromKey(privateKey: KeyObject): DeviceIdentity {
  const raw = rawPublicKey(createPublicKey(privateKey));
  return {
    id: createHash('sha256').update(raw).digest('hex'),
    publicKey: raw.toString('base64url'),
    sign: (payload) => sign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64url'),
  };
}

/** The last 32 bytes of the SPKI DER encoding are the raw Ed25519 key. */
export function rawPublicKey(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ format: 'der', type: 'spki' });
  return der.subarray(der.length - 32);
}

export function loadOrCreateDevice(file: string): DeviceIdentity {
  try {
    const stored = storedIdentitySchema().parse(JSON.parse(readRegularFile(file, { maxBytes: READ_CAPS.small, what: 'device identity' }).bytes.toString('utf8')));
    return identityFromKey(createPrivateKey(stored.privateKeyPem));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') {
      // A damaged identity file is replaced: the gateway simply sees a new device.
    }
  }
  const { privateKey } = generateKeyPairSync('ed25519');
  const pem = privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
  const dir = path.dirname(file);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  assertPrivateDirectory(dir);
  // Created exclusively, never through a link, mode set on the descriptor (atomic-write.ts).
  writeFileAtomicSync(file, JSON.stringify({ version: 1, privateKeyPem: pem, createdAt: new Date().toISOString() }, null, 2));
  return identityFromKey(privateKey);
}

/**
 * The identity's directory must be a real directory of the user this run acts as, writable by
 * nobody else: another user who can write it could swap the key file (issue 16 finding 3).
 */
function assertPrivateDirectory(dir: string): void {
  const stat = lstatSync(dir);
  const uid = process.geteuid?.();
  let problem: string | null = null;
  if (!stat.isDirectory()) problem = 'it is not a directory (a symlink?)';
  else if (uid !== undefined && stat.uid !== uid) problem = `it belongs to uid ${stat.uid}, not to uid ${uid} this run acts as`;
  else if ((stat.mode & 0o022) !== 0) problem = `it is writable by others (mode ${(stat.mode & 0o777).toString(8)})`;
  if (problem) throw new ToolError('unsafe', `refusing to keep the device identity in ${dir}: ${problem}; fix it with chmod 700 / chown, or remove the directory`);
}

/** The string a device signs when connecting (docs/openclaw.md §10, "v3"). */
export function connectSignaturePayload(fields: {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAt: number;
  token: string;
  nonce: string;
  platform: string;
  deviceFamily?: string;
}): string {
  // The gateway lower-cases and trims platform and family before checking (normalizeDeviceMetadataForAuth).
  const norm = (value: string | undefined): string => (value ?? '').trim().toLowerCase();
  return ['v3', fields.deviceId, fields.clientId, fields.clientMode, fields.role, fields.scopes.join(','), String(fields.signedAt), fields.token, fields.nonce, norm(fields.platform), norm(fields.deviceFamily)].join('|');
}
