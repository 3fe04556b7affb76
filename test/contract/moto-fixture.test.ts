import {GetCallerIdentityCommand, STSClient} from '@aws-sdk/client-sts';
import {CreateSecretCommand, ListSecretsCommand, SecretsManagerClient} from '@aws-sdk/client-secrets-manager';
import {motoClientConfig, resetMoto} from '../support/moto.ts';

describe('moto fixture', () => {
  beforeAll(() => resetMoto());

  it('answers STS through the real SDK with the moto account', async () => {
    const sts = new STSClient(motoClientConfig());
    const id = await sts.send(new GetCallerIdentityCommand({}));
    expect(id.Account).toBe('123456789012');
  });

  it('resets state between suites', async () => {
    const sm = new SecretsManagerClient(motoClientConfig());
    await sm.send(new CreateSecretCommand({Name: 'fixture-check', SecretString: '{}'}));
    expect((await sm.send(new ListSecretsCommand({}))).SecretList?.map((s) => s.Name)).toContain('fixture-check');
    await resetMoto();
    expect((await sm.send(new ListSecretsCommand({}))).SecretList ?? []).toHaveLength(0);
  });
});
