/**
 * The AWS calls of `migrate guard` beyond change sets and secrets: uploading the function bundle
 * to S3 (content-addressed: skipped when the key exists), invoking the function for `guard test
 * --confirm`, and deleting the guard stack. SDK clients are loaded lazily.
 */
import type {AssetStore, FunctionInvoker, StackRemover} from '../../ports/guard.ts';
import {MigrateError} from '../../domain/errors.ts';
import {awsError, clientConfig, type AwsClientOptions} from './errors.ts';

export async function createAssetStore(options: AwsClientOptions): Promise<AssetStore> {
  const s3 = await import('@aws-sdk/client-s3');
  const client = new s3.S3Client({...clientConfig(options), forcePathStyle: Boolean(process.env.AWS_ENDPOINT_URL || process.env.AWS_ENDPOINT_URL_S3)});
  return {
    async put(bucket, key, body) {
      try {
        await client.send(new s3.HeadObjectCommand({Bucket: bucket, Key: key}));
        return {uploaded: false};
      } catch (err) {
        const e = err as {name?: string; $metadata?: {httpStatusCode?: number}};
        if (e.name !== 'NotFound' && e.$metadata?.httpStatusCode !== 404) throw awsError(err, `read s3://${bucket}/${key}`);
      }
      try {
        await client.send(new s3.PutObjectCommand({Bucket: bucket, Key: key, Body: body, ContentType: 'application/zip'}));
      } catch (err) {
        throw awsError(err, `upload the guard bundle to s3://${bucket}/${key}`);
      }
      return {uploaded: true};
    },
  };
}

export async function createFunctionInvoker(options: AwsClientOptions): Promise<FunctionInvoker> {
  const lambda = await import('@aws-sdk/client-lambda');
  const client = new lambda.LambdaClient(clientConfig(options));
  return {
    async invoke(functionName, payload) {
      let r;
      try {
        r = await client.send(new lambda.InvokeCommand({FunctionName: functionName, InvocationType: 'RequestResponse', Payload: new TextEncoder().encode(JSON.stringify(payload))}));
      } catch (err) {
        throw awsError(err, `invoke function ${functionName}`);
      }
      const text = r.Payload ? new TextDecoder().decode(r.Payload).slice(0, 64_000) : 'null';
      let answer: unknown;
      try {
        answer = JSON.parse(text);
      } catch {
        answer = text;
      }
      if (r.FunctionError) {
        const message = (answer as {errorMessage?: unknown} | null)?.errorMessage;
        throw new MigrateError('aws', `The guard function ${functionName} failed: ${typeof message === 'string' ? message.slice(0, 500) : r.FunctionError}.`, {
          hint: `Read its log: aws logs tail /aws/lambda/${functionName} --since 10m`,
        });
      }
      return answer;
    },
  };
}

export async function createStackRemover(options: AwsClientOptions & {maxWaitSeconds?: number}): Promise<StackRemover> {
  const cfn = await import('@aws-sdk/client-cloudformation');
  const client = new cfn.CloudFormationClient(clientConfig(options));
  return {
    async deleteStack(stackName) {
      try {
        const r = await client.send(new cfn.DescribeStacksCommand({StackName: stackName}));
        if (!r.Stacks?.length || r.Stacks[0]?.StackStatus === 'DELETE_COMPLETE') return false;
      } catch (err) {
        if ((err as {name?: string}).name === 'ValidationError' && /does not exist/i.test((err as Error).message ?? '')) return false;
        throw awsError(err, `describe stack ${stackName}`);
      }
      try {
        await client.send(new cfn.DeleteStackCommand({StackName: stackName}));
        await cfn.waitUntilStackDeleteComplete({client, minDelay: 5, maxDelay: 15, maxWaitTime: options.maxWaitSeconds ?? 900}, {StackName: stackName});
      } catch (err) {
        throw awsError(err, `delete stack ${stackName}`);
      }
      return true;
    },
  };
}
