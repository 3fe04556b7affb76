/** SHA-256 fingerprints of config values: lets plans and snapshots detect change without holding values. */
import {createHash} from 'node:crypto';

export const fingerprint = (value: string) => 'sha256:' + createHash('sha256').update(value, 'utf8').digest('hex');
