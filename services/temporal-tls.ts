import 'reflect-metadata'; // @peculiar/x509's dependency injection needs it loaded first
import { webcrypto } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as x509 from '@peculiar/x509';
import { TEMPORAL_SERVER_NAME, type Config } from '../core/config';

// Certificates of the embedded Temporal's gate (services/temporal-gate.ts): a CA made for this
// data folder, a server certificate for the gate and one client certificate for this project's
// processes. The CA's private key is thrown away once both are signed: no one can issue another.
// Everything is in secrets/temporal-tls (700, files 600); a client is whoever can read it.

const ALG = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;
const VALID_DAYS = 825;
/** Certificates closer than this to their end are made again at `clues up`. */
const RENEW_DAYS = 30;
const FILES = ['ca.pem', 'server.pem', 'server-key.pem', 'client.pem', 'client-key.pem'] as const;

x509.cryptoProvider.set(webcrypto as unknown as Parameters<typeof x509.cryptoProvider.set>[0]);

const pemKey = async (key: webcrypto.CryptoKey) =>
  `-----BEGIN PRIVATE KEY-----\n${Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key)).toString('base64').replace(/(.{64})/g, '$1\n').trimEnd()}\n-----END PRIVATE KEY-----\n`;
const serial = () => Buffer.from(webcrypto.getRandomValues(new Uint8Array(16))).toString('hex').replace(/^[89a-f]/, '1');
const newKeys = () => webcrypto.subtle.generateKey(ALG, true, ['sign', 'verify']) as Promise<webcrypto.CryptoKeyPair>;

async function leaf(ca: { cert: x509.X509Certificate; keys: webcrypto.CryptoKeyPair }, name: string, usage: 'server' | 'client', notAfter: Date) {
  const keys = await newKeys();
  const cert = await x509.X509CertificateGenerator.create({
    serialNumber: serial(),
    subject: `CN=${name}`,
    issuer: ca.cert.subject,
    notBefore: new Date(Date.now() - 60_000),
    notAfter,
    signingAlgorithm: ALG,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([usage === 'server' ? x509.ExtendedKeyUsage.serverAuth : x509.ExtendedKeyUsage.clientAuth]),
      ...(usage === 'server' ? [new x509.SubjectAlternativeNameExtension([{ type: 'dns', value: TEMPORAL_SERVER_NAME }, { type: 'ip', value: '127.0.0.1' }])] : []),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert),
    ],
  });
  return { cert: cert.toString('pem'), key: await pemKey(keys.privateKey) };
}

function needsNew(dir: string): boolean {
  if (!FILES.every((f) => existsSync(join(dir, f)))) return true;
  try {
    const notAfter = new x509.X509Certificate(readFileSync(join(dir, 'server.pem'), 'utf8')).notAfter;
    return notAfter.getTime() - Date.now() < RENEW_DAYS * 86_400_000;
  } catch {
    return true;
  }
}

/** Makes the CA, the gate's and the clients' certificates, unless valid ones exist. */
export async function ensureTemporalTls(cfg: Config): Promise<'exists' | 'created'> {
  const dir = cfg.paths.temporalTls;
  if (!needsNew(dir)) return 'exists';
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const notAfter = new Date(Date.now() + VALID_DAYS * 86_400_000);
  const caKeys = await newKeys();
  const caCert = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: serial(),
    name: `CN=clues Temporal CA (${cfg.dataDir.slice(-40)})`,
    notBefore: new Date(Date.now() - 60_000),
    notAfter,
    signingAlgorithm: ALG,
    keys: caKeys,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(caKeys.publicKey),
    ],
  });
  const ca = { cert: caCert, keys: caKeys };
  const server = await leaf(ca, TEMPORAL_SERVER_NAME, 'server', notAfter);
  const client = await leaf(ca, 'clues', 'client', notAfter);
  const files: Record<(typeof FILES)[number], string> = {
    'ca.pem': caCert.toString('pem'),
    'server.pem': server.cert,
    'server-key.pem': server.key,
    'client.pem': client.cert,
    'client-key.pem': client.key,
  };
  // Written beside, then renamed: a process reading them meanwhile sees the old set or the new.
  for (const [name, text] of Object.entries(files)) {
    writeFileSync(join(dir, `${name}.new`), text, { mode: 0o600 });
    renameSync(join(dir, `${name}.new`), join(dir, name));
  }
  return 'created';
}
