/**
 * HerokuControl.destroyAddon (heroku-client DELETE /apps/{app}/addons/{id_or_name}) against the
 * fake Heroku: the add-on, its attachments and its config vars leave the app; unknown add-ons are
 * 404 (not-found); a read-only token is refused (forbidden).
 */
import {createHerokuControl} from '../../src/adapters/heroku/heroku-control.ts';
import {MigrateError} from '../../src/domain/errors.ts';
import {sampleApp, seedApp, startFakeHeroku, type FakeHeroku} from '../fakes/heroku-server.ts';

let fake: FakeHeroku;
beforeAll(async () => {
  fake = await startFakeHeroku();
  seedApp(fake.state, sampleApp());
});
afterAll(() => fake.close());
const app = () => fake.state.apps[0]!;
const control = (token = 'good') => createHerokuControl({token, apiUrl: fake.url, retry: {maxRetries: 0}, sleep: async () => undefined});

describe('HerokuControl.destroyAddon against the fake', () => {
  it('destroys by id and by name: the add-on, its attachments and config vars go', async () => {
    const pg = app().addons.find((a) => a.addon_service.name === 'heroku-postgresql')!;
    const gone = await control().destroyAddon!('shop', pg.id);
    expect(gone).toEqual({id: pg.id, name: pg.name, state: 'deprovisioned'});
    expect(app().addons.some((a) => a.id === pg.id)).toBe(false);
    expect(app().attachments.some((a) => a.addon.id === pg.id)).toBe(false);
    expect(app().configVars.DATABASE_URL).toBeUndefined();
    expect(app().configVars.HEROKU_POSTGRESQL_AMBER_URL).toBeUndefined();
    expect(app().configVars.REDIS_URL).toBeDefined();
    const byName = await control().destroyAddon!('shop', 'papertrail-shaped-22222');
    expect(byName.name).toBe('papertrail-shaped-22222');
    expect(app().logDrains.some((d) => d.addon?.name === 'papertrail-shaped-22222')).toBe(false);
    expect(fake.requests.filter((r) => r.method === 'DELETE').map((r) => r.status)).toEqual([200, 200]);
  });

  it('an unknown add-on: not-found; a read-only token: forbidden; nothing removed', async () => {
    const before = app().addons.length;
    await expect(control().destroyAddon!('shop', 'nope')).rejects.toMatchObject({code: 'not-found'});
    const err = await control('read-only').destroyAddon!('shop', 'sendgrid-clear-33333').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(MigrateError);
    expect((err as MigrateError).code).toBe('forbidden');
    expect(app().addons.length).toBe(before);
  });
});
