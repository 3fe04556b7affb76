/**
 * The guard's CloudFormation stack `<app>-guard` (pure: template from the plan's gate alarms and
 * the recorded Cloudflare ids). docs/guard.md describes each resource:
 * - the function (Node.js 22, code from the uploaded bundle, reserved concurrency 1, a dead-letter
 *   queue, its log group with retention, its configuration as one environment variable);
 * - an EventBridge rule on "CloudWatch Alarm State Change" to ALARM for exactly the plan's gate
 *   alarm ARNs, and a one-minute schedule as backstop, both invoking the function;
 * - an SNS topic (alarm changes and function failures; `--notify EMAIL` subscribes);
 * - a role that can read only the Cloudflare token's own secret, which a resource policy in turn
 *   lets no other principal read.
 * ARNs are built with the partition, region and account pseudo parameters.
 */
import {GUARD_CONFIG_ENV, guardStackName} from './guard.ts';
import type {CfnTemplate, Json, JsonObject, StackParameter} from './stacks/types.ts';

export interface GuardStackInput {
  app: string;
  alarms: string[];
  edge: {zoneId: string; accountId: string; hostname: string; namePrefix: string; loadBalancerId: string; herokuPoolId: string; awsPoolId: string};
  /** days the function's logs are kept */
  logRetentionDays?: number;
}

export interface GuardStackValues {
  app: string;
  codeBucket: string;
  codeKey: string;
  tokenSecretArn: string;
  notifyEmail?: string;
  stateBucket?: string;
  statePrefix?: string;
}

const sub = (text: string): Json => ({'Fn::Sub': text});
const ref = (name: string): Json => ({Ref: name});
const getAtt = (name: string, attr: string): Json => ({'Fn::GetAtt': [name, attr]});
const alarmArnSub = (name: string) => `arn:\${AWS::Partition}:cloudwatch:\${AWS::Region}:\${AWS::AccountId}:alarm:${name}`;

/** An alarm on one metric, >= 1 in a minute, missing data OK, telling the guard's topic. */
const notifyingAlarm = (name: string, description: string, metric: JsonObject): Json => ({
  Type: 'AWS::CloudWatch::Alarm',
  Properties: {
    AlarmName: name,
    AlarmDescription: description,
    ...metric,
    Period: 60,
    EvaluationPeriods: 1,
    Threshold: 1,
    ComparisonOperator: 'GreaterThanOrEqualToThreshold',
    TreatMissingData: 'notBreaching',
    AlarmActions: [ref('Topic')],
  },
});

/** the function's name: `<app>-guard` (also the stack's) */
export const guardFunctionName = guardStackName;

export function guardStack(input: GuardStackInput): CfnTemplate {
  const fn = guardFunctionName(input.app);
  const alarmArns = input.alarms.map((a) => sub(alarmArnSub(a)));
  // the function's configuration (no secret in it): Fn::Sub fills region, account and parameters
  const config = JSON.stringify({
    app: input.app,
    region: '${AWS::Region}',
    edge: input.edge,
    alarms: input.alarms.map((name) => ({name, arn: alarmArnSub(name)})),
    tokenSecretArn: '${TokenSecretArn}',
    state: {bucket: '${StateBucket}', prefix: '${StatePrefix}'},
  });
  const resources: JsonObject = {
    DeadLetterQueue: {
      Type: 'AWS::SQS::Queue',
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {QueueName: `${fn}-dlq`, MessageRetentionPeriod: 1209600, SqsManagedSseEnabled: true},
    },
    LogGroup: {
      Type: 'AWS::Logs::LogGroup',
      DeletionPolicy: 'Delete',
      UpdateReplacePolicy: 'Delete',
      Properties: {LogGroupName: `/aws/lambda/${fn}`, RetentionInDays: input.logRetentionDays ?? 30},
    },
    Role: {
      Type: 'AWS::IAM::Role',
      Properties: {
        Description: `The heroku2aws guard of ${input.app}: read its Cloudflare token and alarm states, write its logs, journal to the team state`,
        AssumeRolePolicyDocument: {Version: '2012-10-17', Statement: [{Effect: 'Allow', Principal: {Service: 'lambda.amazonaws.com'}, Action: 'sts:AssumeRole'}]},
        Policies: [
          {
            PolicyName: 'guard',
            PolicyDocument: {
              Version: '2012-10-17',
              Statement: [
                {Sid: 'Logs', Effect: 'Allow', Action: ['logs:CreateLogStream', 'logs:PutLogEvents'], Resource: getAtt('LogGroup', 'Arn')},
                {Sid: 'Token', Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: ref('TokenSecretArn')},
                {Sid: 'Alarms', Effect: 'Allow', Action: 'cloudwatch:DescribeAlarms', Resource: alarmArns},
                {Sid: 'DeadLetters', Effect: 'Allow', Action: 'sqs:SendMessage', Resource: getAtt('DeadLetterQueue', 'Arn')},
                {'Fn::If': ['HasStateBucket', {Sid: 'TeamState', Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: sub('arn:${AWS::Partition}:s3:::${StateBucket}/${StateKeyPrefix}*')}, {Ref: 'AWS::NoValue'}]},
                {'Fn::If': ['HasStateBucket', {Sid: 'TeamStateList', Effect: 'Allow', Action: 's3:ListBucket', Resource: sub('arn:${AWS::Partition}:s3:::${StateBucket}')}, {Ref: 'AWS::NoValue'}]},
              ],
            },
          },
        ],
      },
    },
    TokenPolicy: {
      Type: 'AWS::SecretsManager::ResourcePolicy',
      Properties: {
        SecretId: ref('TokenSecretArn'),
        BlockPublicPolicy: true,
        ResourcePolicy: {
          Version: '2012-10-17',
          Statement: [
            {
              Sid: 'OnlyTheGuardReadsTheToken',
              Effect: 'Deny',
              Principal: '*',
              Action: 'secretsmanager:GetSecretValue',
              Resource: '*',
              Condition: {StringNotEquals: {'aws:PrincipalArn': getAtt('Role', 'Arn')}},
            },
          ],
        },
      },
    },
    Function: {
      Type: 'AWS::Lambda::Function',
      Properties: {
        FunctionName: fn,
        Description: `heroku2aws guard of ${input.app}: on a gate alarm, all traffic back to Heroku`,
        Runtime: 'nodejs22.x',
        Handler: 'index.handler',
        Architectures: ['arm64'],
        MemorySize: 256,
        Timeout: 120,
        ReservedConcurrentExecutions: 1,
        Role: getAtt('Role', 'Arn'),
        Code: {S3Bucket: ref('CodeBucket'), S3Key: ref('CodeKey')},
        DeadLetterConfig: {TargetArn: getAtt('DeadLetterQueue', 'Arn')},
        LoggingConfig: {LogGroup: ref('LogGroup'), LogFormat: 'Text'},
        Environment: {Variables: {[GUARD_CONFIG_ENV]: sub(config), NODE_OPTIONS: '--enable-source-maps'}},
      },
    },
    InvokeConfig: {
      Type: 'AWS::Lambda::EventInvokeConfig',
      Properties: {FunctionName: ref('Function'), Qualifier: '$LATEST', MaximumRetryAttempts: 2, MaximumEventAgeInSeconds: 900},
    },
    Topic: {Type: 'AWS::SNS::Topic', Properties: {TopicName: fn, DisplayName: `${input.app} guard`}},
    TopicPolicy: {
      Type: 'AWS::SNS::TopicPolicy',
      Properties: {
        Topics: [ref('Topic')],
        PolicyDocument: {
          Version: '2012-10-17',
          Statement: [
            {Sid: 'AlarmChanges', Effect: 'Allow', Principal: {Service: 'events.amazonaws.com'}, Action: 'sns:Publish', Resource: ref('Topic'), Condition: {ArnEquals: {'aws:SourceArn': getAtt('AlarmRule', 'Arn')}}},
            {Sid: 'FunctionFailures', Effect: 'Allow', Principal: {Service: 'cloudwatch.amazonaws.com'}, Action: 'sns:Publish', Resource: ref('Topic'), Condition: {StringEquals: {'aws:SourceAccount': ref('AWS::AccountId')}}},
          ],
        },
      },
    },
    Subscription: {Type: 'AWS::SNS::Subscription', Condition: 'HasEmail', Properties: {TopicArn: ref('Topic'), Protocol: 'email', Endpoint: ref('NotifyEmail')}},
    AlarmRule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: `${fn}-alarms`,
        Description: `The gate alarms of ${input.app} entering ALARM`,
        State: 'ENABLED',
        EventPattern: {source: ['aws.cloudwatch'], 'detail-type': ['CloudWatch Alarm State Change'], resources: alarmArns, detail: {state: {value: ['ALARM']}}},
        Targets: [
          {Id: 'guard', Arn: getAtt('Function', 'Arn')},
          {
            Id: 'notify',
            Arn: ref('Topic'),
            InputTransformer: {
              InputPathsMap: {alarm: '$.detail.alarmName', reason: '$.detail.state.reason'},
              InputTemplate: `"heroku2aws guard of ${input.app}: alarm <alarm> is in ALARM; the guard moves all traffic back to Heroku. <reason>"`,
            },
          },
        ],
      },
    },
    ScheduleRule: {
      Type: 'AWS::Events::Rule',
      Properties: {
        Name: `${fn}-backstop`,
        Description: `Every minute the guard of ${input.app} re-reads its alarms (a missed event cannot leave traffic on a failing side)`,
        State: 'ENABLED',
        ScheduleExpression: 'rate(1 minute)',
        Targets: [{Id: 'guard', Arn: getAtt('Function', 'Arn')}],
      },
    },
    AlarmRulePermission: {
      Type: 'AWS::Lambda::Permission',
      Properties: {FunctionName: ref('Function'), Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: getAtt('AlarmRule', 'Arn')},
    },
    SchedulePermission: {
      Type: 'AWS::Lambda::Permission',
      Properties: {FunctionName: ref('Function'), Action: 'lambda:InvokeFunction', Principal: 'events.amazonaws.com', SourceArn: getAtt('ScheduleRule', 'Arn')},
    },
    FailureAlarm: notifyingAlarm(`${fn}-failing`, `The guard of ${input.app} failed (errors, or events in its dead-letter queue): traffic may not have moved back. Check its logs and migrate status.`, {
      Namespace: 'AWS/Lambda',
      MetricName: 'Errors',
      Dimensions: [{Name: 'FunctionName', Value: ref('Function')}],
      Statistic: 'Sum',
    }),
    DeadLetterAlarm: notifyingAlarm(`${fn}-dead-letters`, `Events the guard of ${input.app} could not handle are in its dead-letter queue.`, {
      Namespace: 'AWS/SQS',
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Dimensions: [{Name: 'QueueName', Value: getAtt('DeadLetterQueue', 'QueueName')}],
      Statistic: 'Maximum',
    }),
  };
  return {
    AWSTemplateFormatVersion: '2010-09-09',
    Description: `heroku2aws guard of ${input.app}: gate alarms -> all traffic back to Heroku, armed until finalize`,
    Metadata: {'heroku2aws:app': input.app, 'heroku2aws:part': 'guard'},
    Parameters: {
      CodeBucket: {Type: 'String', Description: 'S3 bucket holding the function bundle'},
      CodeKey: {Type: 'String', Description: 'S3 key of the function bundle (a zip)'},
      TokenSecretArn: {Type: 'String', Description: "ARN of the Cloudflare token's own secret", AllowedPattern: '^arn:[a-z-]+:secretsmanager:.+'},
      NotifyEmail: {Type: 'String', Default: '', Description: 'email address subscribed to the guard topic (empty: none)'},
      StateBucket: {Type: 'String', Default: '', Description: 'the team state bucket (empty: none)'},
      StatePrefix: {Type: 'String', Default: '', Description: 'the team state prefix (the app lives under PREFIX/APP/)'},
      StateKeyPrefix: {Type: 'String', Default: '', Description: "the key prefix of this app's objects in the team state bucket (PREFIX/APP/)"},
    },
    Conditions: {
      HasEmail: {'Fn::Not': [{'Fn::Equals': [ref('NotifyEmail'), '']}]},
      HasStateBucket: {'Fn::Not': [{'Fn::Equals': [ref('StateBucket'), '']}]},
    },
    Resources: resources,
    Outputs: {
      FunctionName: {Value: ref('Function')},
      FunctionArn: {Value: getAtt('Function', 'Arn')},
      TopicArn: {Value: ref('Topic')},
      DeadLetterQueueUrl: {Value: ref('DeadLetterQueue')},
      AlarmRuleArn: {Value: getAtt('AlarmRule', 'Arn')},
      ScheduleRuleArn: {Value: getAtt('ScheduleRule', 'Arn')},
    },
  };
}

export function guardStackParameters(v: GuardStackValues): StackParameter[] {
  return [
    {ParameterKey: 'CodeBucket', ParameterValue: v.codeBucket},
    {ParameterKey: 'CodeKey', ParameterValue: v.codeKey},
    {ParameterKey: 'TokenSecretArn', ParameterValue: v.tokenSecretArn},
    {ParameterKey: 'NotifyEmail', ParameterValue: v.notifyEmail ?? ''},
    {ParameterKey: 'StateBucket', ParameterValue: v.stateBucket ?? ''},
    {ParameterKey: 'StatePrefix', ParameterValue: v.statePrefix ?? ''},
    {ParameterKey: 'StateKeyPrefix', ParameterValue: v.stateBucket ? `${v.statePrefix ? `${v.statePrefix}/` : ''}${v.app}/` : ''},
  ];
}
