/**
 * The device identity this tool presents to a gateway (facts §8, §10).
 *
 * A gateway admits a client holding only the shared token, but grants it no scopes; a client
 * that also proves a device key gets the scopes it asks for (paired silently on loopback).
 * The gateway remembers a device by the sha256 of its public key, so the key pair is kept on
 * disk and reused: a new key on every run would pile up paired devices on the gateway.
 */
import {
  createHash,
  createPrivateKey,
  createPublicKey,
  generateKeyPairSync,
  randomUUID,
  sign as cryptoSign,
  type KeyObject,
} from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CliError, EXIT } from '../errors.js';

export interface DeviceIdentity {
  /** Hex sha256 of the raw 32-byte Ed25519 public key: what the gateway calls the device id. */
  readonly deviceId: string;
  /** Raw 32-byte public key, base64url without padding (the form `connect` carries). */
  readonly publicKey: string;
  /** Where the key pair is stored. */
  readonly file: string;
  /** Ed25519 signature over the UTF-8 bytes of `payload`, base64url without padding. */
  sign(payload: string): string;
}

/** On-disk form. `version` lets a later format be told apart instead of misread. */
interface StoredIdentity {
  version: 1;
  deviceId: string;
  publicKey: string;
  privateKeyPem: string;
  createdAt: string;
}

const FILE_MODE = 0o600;
const DIR_MODE = 0o700;

/** Raw public key bytes. The JWK `x` member of an Ed25519 key is exactly those 32 bytes. */
function rawPublicKey(key: KeyObject): Buffer {
  const jwk = key.export({ format: 'jwk' });
  if (typeof jwk.x !== 'string') throw new Error('not an Ed25519 key');
  return Buffer.from(jwk.x, 'base64url');
}

export function deviceIdOf(rawPublic: Buffer): string {
  return createHash('sha256').update(rawPublic).digest('hex');
}

function identityFrom(file: string, privateKey: KeyObject): DeviceIdentity {
  const raw = rawPublicKey(createPublicKey(privateKey));
  return {
    deviceId: deviceIdOf(raw),
    publicKey: raw.toString('base64url'),
    file,
    sign(payload: string): string {
      // Ed25519 takes no digest argument: the algorithm hashes internally.
      return cryptoSign(null, Buffer.from(payload, 'utf8'), privateKey).toString('base64url');
    },
  };
}

function parseStored(file: string, text: string): DeviceIdentity {
  const bad = (why: string) =>
    new CliError(EXIT.error, `device identity ${file} is unusable (${why}); move it away to create a new one`);
  let stored: Partial<StoredIdentity>;
  try {
    stored = JSON.parse(text) as Partial<StoredIdentity>;
  } catch {
    throw bad('not JSON');
  }
  if (stored === null || typeof stored !== 'object' || typeof stored.privateKeyPem !== 'string') {
    throw bad('no privateKeyPem');
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(stored.privateKeyPem);
  } catch {
    throw bad('private key does not parse');
  }
  if (key.asymmetricKeyType !== 'ed25519') throw bad(`key type ${key.asymmetricKeyType ?? 'unknown'}, not ed25519`);
  const identity = identityFrom(file, key);
  // The stored id is only a convenience for people reading the file; the key is the truth.
  // A mismatch means the file was edited by hand, and presenting it would confuse pairing.
  if (stored.deviceId !== undefined && stored.deviceId !== identity.deviceId) throw bad('deviceId does not match its key');
  return identity;
}

/** fsync a directory so a rename in it survives a crash; not every platform allows it. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // best effort
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Publishes `text` at `file` only if nothing is there yet. Returns false when another
 * process won the race, in which case the caller must use that process's identity: two runs
 * starting at once must end up the same device.
 */
function createExclusive(file: string, text: string): boolean {
  const dir = path.dirname(file);
  const tmp = path.join(dir, `.${path.basename(file)}.${randomUUID()}.tmp`);
  const fd = fs.openSync(tmp, 'wx', FILE_MODE);
  try {
    try {
      fs.writeSync(fd, text);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // The open mode is filtered by the umask; the key must end up 0600 whatever it is.
    fs.chmodSync(tmp, FILE_MODE);
    try {
      // link() fails with EEXIST instead of replacing, which rename() would do silently.
      fs.linkSync(tmp, file);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'EEXIST') return false;
      // Some filesystems have no hard links; there, a plain rename is the best available.
      if (code === 'EPERM' || code === 'ENOTSUP' || code === 'EOPNOTSUPP' || code === 'ENOSYS') {
        if (fs.existsSync(file)) return false;
        fs.renameSync(tmp, file);
        syncDir(dir);
        return true;
      }
      throw error;
    }
    syncDir(dir);
    return true;
  } finally {
    fs.rmSync(tmp, { force: true });
  }
}

function readIfExists(file: string): string | null {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CliError(EXIT.error, `cannot read device identity ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** A private key readable by others is tightened rather than refused: the fix is obvious. */
function tightenMode(file: string): void {
  try {
    const st = fs.statSync(file);
    if ((st.mode & 0o077) !== 0) fs.chmodSync(file, FILE_MODE);
  } catch {
    // a file we could read but not chmod (not ours) still works; nothing better to do
  }
}

/**
 * Loads the identity stored at `file`, or creates one there (file 0600, directory 0700 when
 * this call creates it). Safe against concurrent callers: all of them end with the same key.
 */
export function loadOrCreateDeviceIdentity(file: string): DeviceIdentity {
  const existing = readIfExists(file);
  if (existing !== null) {
    tightenMode(file);
    return parseStored(file, existing);
  }

  const dir = path.dirname(file);
  const firstCreated = fs.mkdirSync(dir, { recursive: true, mode: DIR_MODE });
  // mkdir's mode is filtered by the umask too; fix the directories this call made.
  if (firstCreated !== undefined) {
    for (let d = dir; ; d = path.dirname(d)) {
      fs.chmodSync(d, DIR_MODE);
      if (d === firstCreated || path.dirname(d) === d) break;
    }
  }

  const { privateKey } = generateKeyPairSync('ed25519');
  const identity = identityFrom(file, privateKey);
  const stored: StoredIdentity = {
    version: 1,
    deviceId: identity.deviceId,
    publicKey: identity.publicKey,
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    createdAt: new Date().toISOString(),
  };
  try {
    if (createExclusive(file, `${JSON.stringify(stored, null, 2)}\n`)) return identity;
  } catch (error) {
    throw new CliError(EXIT.error, `cannot write device identity ${file}: ${(error as Error).message}`, { cause: error });
  }
  // Lost the race: the winner's key is the one on disk.
  return parseStored(file, fs.readFileSync(file, 'utf8'));
}

/**
 * The gateway lower-cases (ASCII only) and trims platform and device family before checking
 * a signature, so the signed string must use the same form or verification fails.
 */
function normalizeForAuth(value: string | undefined): string {
  const trimmed = (value ?? '').trim();
  return trimmed.replace(/[A-Z]/g, (c) => c.toLowerCase());
}

/**
 * The string a device signs in `connect` (protocol 3, "v3"):
 * `v3|deviceId|clientId|clientMode|role|scopes,joined|signedAtMs|token|nonce|platform|deviceFamily`.
 * `token` is the shared secret sent in `auth` (empty when none); order and separators matter.
 */
export function deviceAuthPayloadV3(fields: {
  deviceId: string;
  clientId: string;
  clientMode: string;
  role: string;
  scopes: readonly string[];
  signedAtMs: number;
  token?: string | null;
  nonce: string;
  platform?: string;
  deviceFamily?: string;
}): string {
  return [
    'v3',
    fields.deviceId,
    fields.clientId,
    fields.clientMode,
    fields.role,
    fields.scopes.join(','),
    String(fields.signedAtMs),
    fields.token ?? '',
    fields.nonce,
    normalizeForAuth(fields.platform),
    normalizeForAuth(fields.deviceFamily),
  ].join('|');
}
