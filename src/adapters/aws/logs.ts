/** LogReader on CloudWatch Logs (SDK v3, loaded lazily): GetLogEvents forward through one stream. */
import type {LogReader} from '../../ports/logs.ts';
import {awsError, capResponses, clientConfig, type AwsClientOptions} from './errors.ts';

export async function createLogReader(options: AwsClientOptions): Promise<LogReader> {
  const logs = await import('@aws-sdk/client-cloudwatch-logs');
  const client = capResponses(new logs.CloudWatchLogsClient(clientConfig(options)));
  return {
    async read(group, stream, token) {
      const lines: string[] = [];
      let next = token;
      // GetLogEvents returns at most 10,000 events or 1 MB per call: read until the token repeats
      for (let page = 0; page < 100; page++) {
        let r;
        try {
          r = await client.send(new logs.GetLogEventsCommand({logGroupName: group, logStreamName: stream, startFromHead: true, ...(next ? {nextToken: next} : {})}));
        } catch (err) {
          if ((err as {name?: string}).name === 'ResourceNotFoundException') return token === undefined && lines.length === 0 ? null : {lines, nextToken: next ?? ''};
          throw awsError(err, `read log stream ${stream} of ${group}`);
        }
        for (const e of r.events ?? []) if (e.message !== undefined) lines.push(e.message);
        const forward = r.nextForwardToken;
        if (!forward || forward === next || !r.events?.length) return {lines, nextToken: forward ?? next ?? ''};
        next = forward;
      }
      return {lines, nextToken: next ?? ''};
    },
  };
}
