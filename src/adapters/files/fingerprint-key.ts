/**
 * Where the key of the keyed config value fingerprints comes from (docs/safety.md):
 * MIGRATE_FINGERPRINT_KEY (a team shares it through its own secret store: at least 32
 * characters, e.g. 64 hex digits), else a random key made once per user in
 * $XDG_CONFIG_HOME/heroku2aws/fingerprint.key (default ~/.config/...), mode 0600. Never in the
 * repository, never in a plan.
 */
import {randomBytes} from 'node:crypto';
import {mkdir, readFile, writeFile} from 'node:fs/promises';
import {homedir} from 'node:os';
import {join} from 'node:path';
import {MigrateError} from '../../domain/errors.ts';
import {keyedFingerprint} from '../../domain/fingerprint.ts';

type Env = Record<string, string | undefined>;

export const fingerprintKeyFile = (env: Env = process.env) =>
  join(env.XDG_CONFIG_HOME || join(env.HOME || homedir(), '.config'), 'heroku2aws', 'fingerprint.key');

const fromText = (text: string) => Buffer.from(text.trim(), /^[0-9a-f]{64,}$/i.test(text.trim()) ? 'hex' : 'utf8');

export async function loadFingerprintKey(env: Env = process.env): Promise<Buffer> {
  const fromEnv = env.MIGRATE_FINGERPRINT_KEY;
  if (fromEnv !== undefined && fromEnv !== '') {
    const key = fromText(fromEnv);
    if (key.length < 32) {
      throw new MigrateError('usage', `MIGRATE_FINGERPRINT_KEY is too short (${key.length} bytes; at least 32 are needed).`, {
        hint: 'Use a random key, e.g. `openssl rand -hex 32`, kept in your team secret store (never in the repository).',
      });
    }
    return key;
  }
  const file = fingerprintKeyFile(env);
  const existing = await readFile(file, 'utf8').catch((err: NodeJS.ErrnoException) => {
    if (err.code === 'ENOENT') return undefined;
    throw new MigrateError('io', `Cannot read the fingerprint key ${file} (${err.code ?? 'error'}).`, {
      hint: 'Fix its permissions, or set MIGRATE_FINGERPRINT_KEY to a random key (`openssl rand -hex 32`).',
    });
  });
  if (existing !== undefined) {
    const key = fromText(existing);
    if (key.length >= 32) return key;
    throw new MigrateError('usage', `${file} holds no usable fingerprint key (fewer than 32 bytes).`, {hint: `Delete ${file} (a new key is made) or set MIGRATE_FINGERPRINT_KEY.`});
  }
  const key = randomBytes(32);
  try {
    await mkdir(join(file, '..'), {recursive: true, mode: 0o700});
    await writeFile(file, key.toString('hex') + '\n', {mode: 0o600, flag: 'wx'});
    return key;
  } catch (err) {
    // another run made it first: use theirs
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return fromText(await readFile(file, 'utf8'));
    throw new MigrateError('io', `Cannot create the fingerprint key ${file} (${(err as NodeJS.ErrnoException).code ?? 'error'}).`, {
      hint: 'Make the directory writable, or set MIGRATE_FINGERPRINT_KEY to a random key (`openssl rand -hex 32`).',
    });
  }
}

export const loadFingerprinter = async (env: Env = process.env) => keyedFingerprint(await loadFingerprintKey(env));
