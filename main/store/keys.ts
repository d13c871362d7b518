import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The audit signing key pair. The private key never enters the database or the renderer. */
export interface SigningKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** sha256 of the raw public key, hex: how checkpoints name the key that signed them. */
  keyId: string;
  publicKeyPem: string;
}

const PRIVATE = 'audit-ed25519.key';
const PUBLIC = 'audit-ed25519.pub';
const COMMITMENT = 'payload-hmac.key';

function writeSecret(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.${Date.now()}.tmp`;
  writeFileSync(tmp, data, { mode: 0o600, flag: 'wx' });
  try {
    // link() fails if the key exists: when two processes create it at once, the first one wins
    // and both read the same key back.
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  } finally {
    unlinkSync(tmp);
  }
}

function ensureDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  try {
    chmodSync(dir, 0o700);
  } catch {
    // Not ours to change (a shared folder): the files themselves are still 0600.
  }
}

/** The key id of a public key: sha256 of its raw 32 bytes. */
export function keyIdOf(publicKey: KeyObject): string {
  const raw = publicKey.export({ format: 'der', type: 'spki' }).subarray(-32);
  return createHash('sha256').update(raw).digest('hex');
}

/** Loads the audit signing key pair from `dir`, creating it on first use. */
export function loadOrCreateSigningKeys(dir: string): SigningKeys {
  ensureDir(dir);
  const privPath = join(dir, PRIVATE);
  const pubPath = join(dir, PUBLIC);
  if (!existsSync(privPath)) {
    const { privateKey, publicKey } = generateKeyPairSync('ed25519');
    writeSecret(privPath, privateKey.export({ format: 'pem', type: 'pkcs8' }).toString());
    if (!existsSync(pubPath)) writeFileSync(pubPath, publicKey.export({ format: 'pem', type: 'spki' }).toString(), { mode: 0o644 });
  }
  const privateKey = createPrivateKey(readFileSync(privPath, 'utf8'));
  const publicKey = createPublicKey(privateKey);
  const publicKeyPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
  if (!existsSync(pubPath)) writeFileSync(pubPath, publicKeyPem, { mode: 0o644 });
  return { privateKey, publicKey, keyId: keyIdOf(publicKey), publicKeyPem };
}

/** Reads a public key file: PEM (ours) or base64 of the raw 32 bytes (the original's format). */
export function readPublicKey(path: string): KeyObject {
  const text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('-----BEGIN')) return createPublicKey(text);
  const raw = Buffer.from(text, 'base64');
  if (raw.length !== 32) throw new Error(`\`${path}\` is neither a PEM public key nor a base64 raw ed25519 key`);
  return createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });
}

/** The secret behind payload commitments (HMAC-SHA256), created on first use. */
export function loadOrCreateCommitmentKey(dir: string): Buffer {
  ensureDir(dir);
  const path = join(dir, COMMITMENT);
  if (!existsSync(path)) writeSecret(path, randomBytes(32).toString('hex'));
  return Buffer.from(readFileSync(path, 'utf8').trim(), 'hex');
}
