import {debugEnables, safeDebugEnv} from '../../src/cli/debug-guard.ts';

describe('debug guard (DEBUG / NODE_DEBUG)', () => {
  it("reads the debug package's syntax: commas or spaces, wildcards, -skips", () => {
    expect(debugEnables('*', 'http')).toBe(true);
    expect(debugEnables('oclif:*,http', 'http')).toBe(true);
    expect(debugEnables('oclif:* h*', 'http')).toBe(true);
    expect(debugEnables('oclif:*', 'http')).toBe(false);
    expect(debugEnables('*,-http', 'http')).toBe(false);
    expect(debugEnables('ioredis:*', 'ioredis:redis')).toBe(true);
  });

  it('switches off http and ioredis:* in DEBUG and keeps the rest', () => {
    const plan = safeDebugEnv({DEBUG: '*', PATH: '/bin'});
    expect(plan.env).toEqual({DEBUG: '*,-http,-ioredis:*', PATH: '/bin'});
    expect(plan.restart).toBe(false);
    expect(debugEnables(plan.env.DEBUG!, 'http')).toBe(false);
    expect(debugEnables(plan.env.DEBUG!, 'ioredis:connection')).toBe(false);
    expect(debugEnables(plan.env.DEBUG!, 'oclif:main')).toBe(true);
  });

  it('leaves a harmless DEBUG, an empty one and no DEBUG alone', () => {
    for (const env of [{DEBUG: 'oclif:*'}, {DEBUG: ''}, {}]) expect(safeDebugEnv(env)).toEqual({env, restart: false, notes: []});
  });

  it('drops the network sections of NODE_DEBUG (wildcards included) and asks for a restart', () => {
    expect(safeDebugEnv({NODE_DEBUG: 'http,net,timer'})).toMatchObject({env: {NODE_DEBUG: 'timer'}, restart: true});
    expect(safeDebugEnv({NODE_DEBUG: 'HTTP'}).restart).toBe(true);
    const all = safeDebugEnv({NODE_DEBUG: '*'});
    expect(all.restart).toBe(true);
    expect(all.env).not.toHaveProperty('NODE_DEBUG');
    expect(safeDebugEnv({NODE_DEBUG: 'ht*'}).env).not.toHaveProperty('NODE_DEBUG');
    expect(safeDebugEnv({NODE_DEBUG: 'module,timer'})).toEqual({env: {NODE_DEBUG: 'module,timer'}, restart: false, notes: []});
  });
});
