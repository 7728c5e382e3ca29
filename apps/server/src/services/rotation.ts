/**
 * Key rotation: every sealed secret (today, the cookies of platform accounts) is opened with
 * whichever key of the ring sealed it and sealed again with the current key.
 */
import type { Models, SecretBox } from '@zpub/shared/node';

export interface RotationReport {
  /** Already sealed with the current key. */
  current: number;
  /** Sealed again with the current key (or, on a dry run, would be). */
  resealed: number;
  /** Could not be opened with any key of the ring: their ids, never their contents. */
  unreadable: string[];
}

export async function resealAccounts(models: Models, box: SecretBox, opts: { dryRun: boolean }): Promise<RotationReport> {
  const report: RotationReport = { current: 0, resealed: 0, unreadable: [] };
  for await (const doc of models.Account.find({}).select('cookiesSealed').lean().cursor({ batchSize: 200 })) {
    const id = doc._id.toString();
    let sealed = doc.cookiesSealed;
    // A value replaced meanwhile (a re-pasted cookie) is read again; a few tries are plenty.
    for (let tries = 0; ; tries++) {
      if (!box.isStale(sealed)) {
        report.current++;
        break;
      }
      let plain: string;
      try {
        plain = box.open(sealed);
      } catch {
        report.unreadable.push(id);
        break;
      }
      if (opts.dryRun) {
        report.resealed++;
        break;
      }
      // Compare-and-set: never overwrite a value written after we read ours.
      const res = await models.Account.updateOne({ _id: doc._id, cookiesSealed: sealed }, { $set: { cookiesSealed: box.seal(plain) } });
      if (res.modifiedCount === 1) {
        report.resealed++;
        break;
      }
      const now = await models.Account.findById(doc._id).select('cookiesSealed').lean();
      if (!now) break; // removed meanwhile: nothing left to protect
      if (tries >= 3) {
        report.unreadable.push(id);
        break;
      }
      sealed = now.cookiesSealed;
    }
  }
  return report;
}
