/** The pure rules of `migrate deploy` and the change-set rendering. */
import {
  changeSetName,
  checkImageUri,
  failureReasons,
  isNoChangeReason,
  parseSubnets,
  secretDrift,
  stackAction,
  summarizeChanges,
  templateBody,
  type ResourceChange,
} from '../../src/domain/deploy.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {TEMPLATE_BODY_LIMIT, type CfnTemplate} from '../../src/domain/stacks/index.ts';
import {renderChangeSet, renderDeployResult} from '../../src/render/deploy.ts';

const change = (action: string, logicalId: string, resourceType: string, replacement?: string): ResourceChange => ({action, logicalId, resourceType, causes: [], ...(replacement ? {replacement} : {})});

describe('stackAction', () => {
  it.each([
    [null, 'create'],
    ['REVIEW_IN_PROGRESS', 'create'],
    ['CREATE_COMPLETE', 'update'],
    ['UPDATE_COMPLETE', 'update'],
    ['UPDATE_ROLLBACK_COMPLETE', 'update'],
    ['IMPORT_COMPLETE', 'update'],
  ])('%s -> %s', (status, action) => expect(stackAction('s', status, 'us-east-1')).toBe(action));

  it.each(['CREATE_IN_PROGRESS', 'UPDATE_IN_PROGRESS', 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS', 'ROLLBACK_IN_PROGRESS', 'DELETE_IN_PROGRESS', 'ROLLBACK_COMPLETE', 'ROLLBACK_FAILED', 'UPDATE_ROLLBACK_FAILED', 'DELETE_FAILED'])(
    '%s is refused with what to do',
    (status) => {
      try {
        stackAction('heroku2aws-shop-shared', status, 'us-east-1');
        throw new Error('not refused');
      } catch (err) {
        expect(err).toBeInstanceOf(MigrateError);
        expect((err as MigrateError).message).toContain(status);
        expect((err as MigrateError).hint).toMatch(/aws cloudformation/);
      }
    },
  );
});

describe('change sets', () => {
  const changes = [
    change('Add', 'Alarm', 'AWS::CloudWatch::Alarm'),
    change('Modify', 'TaskDefinition', 'AWS::ECS::TaskDefinition', 'True'),
    change('Modify', 'Service', 'AWS::ECS::Service', 'False'),
    change('Modify', 'LoadBalancer', 'AWS::ElasticLoadBalancingV2::LoadBalancer', 'Conditional'),
    change('Modify', 'TargetGroup', 'AWS::ElasticLoadBalancingV2::TargetGroup', 'False'),
    change('Remove', 'LogGroup', 'AWS::Logs::LogGroup'),
  ];

  it('counts and guards: replacing or removing a stateful resource is guarded, modifying it in place is not', () => {
    const s = summarizeChanges(changes);
    expect([s.add.length, s.modify.length, s.remove.length]).toEqual([1, 4, 1]);
    expect(s.replace.map((c) => c.logicalId)).toEqual(['TaskDefinition', 'LoadBalancer']);
    expect(s.guarded.map((g) => g.change.logicalId)).toEqual(['LoadBalancer', 'LogGroup']);
  });

  it('renders replacements highlighted and says what is needed', () => {
    const review = {stackName: 'heroku2aws-shop-shared', part: 'shared', action: 'update' as const, changeSetId: 'cs', changes, summary: summarizeChanges(changes), templateMinified: true};
    const plain = renderChangeSet(review);
    expect(plain).toMatch(/^Change set for heroku2aws-shop-shared \(update\): 1 to add, 4 to modify \(2 replaced\), 1 to remove/);
    expect(plain).toMatch(/± TaskDefinition\s+AWS::ECS::TaskDefinition\s+REPLACED \(Replacement: True\)/);
    expect(plain).toMatch(/! LoadBalancer\s+AWS::ElasticLoadBalancingV2::LoadBalancer\s+REPLACED \(Replacement: Conditional\) - stateful: a new load balancer gets a new DNS name/);
    expect(plain).toMatch(/! LogGroup .*REMOVED - stateful/);
    expect(plain).toMatch(/2 stateful resource\(s\) replaced or removed: needs --allow-replace/);
    expect(plain).toMatch(/template sent minified/);
    expect(plain).not.toContain('\u001b[');
    const colored = renderChangeSet(review, true);
    expect(colored).toContain('\u001b[1;31m  ! LoadBalancer');
    expect(colored).toContain('\u001b[32m  + Alarm');
  });

  it('recognizes both of CloudFormation\'s "nothing to change" answers', () => {
    expect(isNoChangeReason("The submitted information didn't contain changes. Submit different information to create a change set.")).toBe(true);
    expect(isNoChangeReason('No updates are to be performed.')).toBe(true);
    expect(isNoChangeReason('Template format error: Unresolved resource dependencies')).toBe(false);
  });

  it('change set names are valid CloudFormation names', () => {
    expect(changeSetName(new Date('2026-11-26T06:19:12.345Z'))).toBe('heroku2aws-20261126T061912Z');
    expect(changeSetName(new Date())).toMatch(/^[a-zA-Z][-a-zA-Z0-9]{0,127}$/);
  });

  it('failure reasons put real causes before the "cancelled" noise', () => {
    const ev = (logicalId: string, status: string, reason?: string) => ({id: logicalId, at: '', logicalId, resourceType: 'T', status, ...(reason ? {reason} : {})});
    expect(failureReasons([ev('A', 'CREATE_FAILED', 'Resource creation cancelled'), ev('B', 'CREATE_FAILED', 'subnet does not exist'), ev('C', 'CREATE_COMPLETE')]).map((e) => e.logicalId)).toEqual(['B']);
    expect(failureReasons([ev('A', 'CREATE_FAILED', 'Resource creation cancelled')]).map((e) => e.logicalId)).toEqual(['A']);
  });
});

describe('template body', () => {
  const template = (n: number): CfnTemplate => ({
    AWSTemplateFormatVersion: '2010-09-09',
    Description: 'x',
    Metadata: {},
    Parameters: {},
    Resources: Object.fromEntries(Array.from({length: n}, (_, i) => [`Group${i}`, {Type: 'AWS::EC2::SecurityGroup', Properties: {GroupDescription: 'g', Tags: [{Key: 'a', Value: 'b'}]}}])),
    Outputs: {},
  });
  it('pretty while it fits, minified when only that fits, refused (S3) beyond', () => {
    expect(templateBody('s', template(5))).toMatchObject({minified: false});
    const big = templateBody('s', template(400));
    expect(big.minified).toBe(true);
    expect(Buffer.byteLength(big.body)).toBeLessThanOrEqual(TEMPLATE_BODY_LIMIT);
    expect(JSON.parse(big.body)).toEqual(template(400));
    expect(() => templateBody('s', template(1000))).toThrow(/even minified[\s\S]*/);
  });
});

describe('flags and drift', () => {
  it('images need a tag or digest', () => {
    expect(checkImageUri('123456789012.dkr.ecr.us-east-1.amazonaws.com/shop:3f2a1c9')).toBeTruthy();
    expect(checkImageUri(`registry.example.com:5000/team/shop@sha256:${'a'.repeat(64)}`)).toBeTruthy();
    expect(() => checkImageUri('registry.example.com:5000/team/shop')).toThrow(/no tag or digest/);
    expect(() => checkImageUri('Shop:latest')).toThrow(/not an image reference/);
  });

  it('subnets: ids, at least two, no duplicates', () => {
    expect(parseSubnets('--private-subnets', ' subnet-0a1b2c3d , subnet-4e5f6a7b ')).toEqual(['subnet-0a1b2c3d', 'subnet-4e5f6a7b']);
    expect(() => parseSubnets('--private-subnets', 'subnet-0a1b2c3d,sg-123')).toThrow(/'sg-123', which is not a subnet id/);
    expect(() => parseSubnets('--private-subnets', 'subnet-0a1b2c3d,subnet-0a1b2c3d')).toThrow(/twice/);
  });

  it('secret drift: missing plan keys, unknown secret keys, remapped add-on keys', () => {
    expect(secretDrift(['A', 'B', 'C'], ['A', 'C', 'D', 'REDIS_URL'], ['REDIS_URL'])).toEqual({missing: ['B'], unknown: ['D'], extra: ['REDIS_URL']});
  });
});

describe('result rendering', () => {
  it('says when nothing changed', () => {
    const text = renderDeployResult({
      app: 'shop',
      region: 'us-east-1',
      imageUri: 'r/shop:v1',
      stacks: [{stackName: 'heroku2aws-shop-shared', part: 'shared', kind: 'shared', result: 'no changes', changeSetId: null, changes: [], status: 'UPDATE_COMPLETE', stackId: 'id', outputs: {}, events: []}],
      release: {ran: false, skipped: 'already released', taskDefinitionArn: 'td'},
      alb: {albArn: 'arn', albDnsName: 'shop.elb.amazonaws.com', albFullName: 'app/shop/1'},
      changed: false,
      checks: [],
      warnings: [],
    });
    expect(text).toMatch(/heroku2aws-shop-shared\s+no changes/);
    expect(text).toMatch(/Release phase: skipped \(already released\)/);
    expect(text).toMatch(/No changes: every stack is up to date and nothing was changed\.$/);
  });
});
