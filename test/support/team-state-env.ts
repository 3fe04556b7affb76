/**
 * A cutover world (cutover-env.ts) with the app's state in moto's S3: a bucket, `migrate state
 * init`, `migrate edge setup`, and the plan's gate alarms.
 */
import {CreateBucketCommand, PutBucketPolicyCommand, S3Client} from '@aws-sdk/client-s3';
import {tlsOnlyStatement} from '../../src/domain/backend.ts';
import {startCutoverEnv, type CutoverEnv} from './cutover-env.ts';
import {createGateAlarms} from './gates.ts';
import {motoClientConfig, resetMoto} from './moto.ts';

export async function startTeamStateEnv(bucket: string): Promise<CutoverEnv> {
  await resetMoto();
  const w = await startCutoverEnv();
  // moto 5.2.1 ignores bucket policy conditions (docs/team-state.md): the TLS-only statement gets a
  // principal moto skips; `state init` recognizes it and keeps it
  const s3 = new S3Client({...motoClientConfig(), forcePathStyle: true});
  await s3.send(new CreateBucketCommand({Bucket: bucket}));
  await s3.send(new PutBucketPolicyCommand({Bucket: bucket, Policy: JSON.stringify({Version: '2012-10-17', Statement: [{...tlsOnlyStatement(bucket), Principal: 'arn:aws:iam::123456789012:root'}]})}));
  s3.destroy();
  for (const args of [['state', 'init', '--app', 'shop', '--bucket', bucket], ['edge', 'setup', '--app', 'shop', '--alb', w.albArn, '--yes']]) {
    const r = await w.cli(args);
    if (r.code !== 0) throw new Error(`${args.join(' ')}: ${r.stderr}`);
  }
  await createGateAlarms();
  return w;
}
