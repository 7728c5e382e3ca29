/**
 * `node apps/server/dist/rotate-key.js [--dry-run]`: re-seals every stored secret with
 * ZPUB_SECRET_KEY, reading old values with the keys in ZPUB_SECRET_KEY_PREVIOUS. Reads the same
 * environment as the server (MONGODB_URI, DATA_DIR, ...). The steps are in docs/security.md.
 */
import { connectMongo, loadSecretBox } from '@zpub/shared/node';
import { loadEnv } from '../env';
import { resealAccounts } from '../services/rotation';

const args = process.argv.slice(2);
const unknown = args.filter((a) => a !== '--dry-run');
if (args.includes('--help') || unknown.length > 0) {
  console.error('usage: ZPUB_SECRET_KEY=<new> ZPUB_SECRET_KEY_PREVIOUS=<old> node apps/server/dist/rotate-key.js [--dry-run]');
  process.exit(unknown.length > 0 && !args.includes('--help') ? 2 : 0);
}
const dryRun = args.includes('--dry-run');

async function main(): Promise<number> {
  const env = loadEnv();
  const { box, source } = loadSecretBox({
    key: env.ZPUB_SECRET_KEY,
    previous: env.ZPUB_SECRET_KEY_PREVIOUS,
    dataDir: env.DATA_DIR,
    production: env.NODE_ENV === 'production',
  });
  console.log(`current key ${box.currentKeyId} (from ${source === 'env' ? 'ZPUB_SECRET_KEY' : `${env.DATA_DIR}/secret.key`})${dryRun ? '; dry run, nothing is written' : ''}`);
  const { conn, models } = await connectMongo(env.MONGODB_URI);
  try {
    const report = await resealAccounts(models, box, { dryRun });
    console.log(`accounts: ${report.resealed} ${dryRun ? 'to re-seal' : 're-sealed'}, ${report.current} already current, ${report.unreadable.length} unreadable`);
    if (report.unreadable.length > 0) {
      console.error(
        `These accounts were sealed with a key that is in neither ZPUB_SECRET_KEY nor ZPUB_SECRET_KEY_PREVIOUS (or were damaged): ${report.unreadable.join(', ')}.\n` +
          'Add the missing key to ZPUB_SECRET_KEY_PREVIOUS and run again; do not drop an old key while this list is not empty.',
      );
      return 1;
    }
    if (!dryRun) console.log('done: every secret is sealed with the current key; ZPUB_SECRET_KEY_PREVIOUS can be removed once every server and worker runs with the new key.');
    return 0;
  } finally {
    await conn.close();
  }
}

main().then(
  (code) => process.exit(code),
  (err: Error) => {
    console.error(`rotate-key failed: ${err.message}`);
    process.exit(1);
  },
);
