import {readFileSync} from 'node:fs';
import {MigrateError} from '../../src/domain/errors.ts';
import {formatJsonPath, lineColumn, parseAppJson} from '../../src/domain/sources/appjson.ts';

const examples = new URL('../../examples/', import.meta.url);
const CANARY = 'CANARY-default-value-9d1c';

function parseError(text: string, file = 'app.json'): MigrateError {
  try {
    parseAppJson(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(MigrateError);
    return error as MigrateError;
  }
  throw new Error('expected parseAppJson to throw');
}

/** `line:column` (1-based) of the first occurrence of needle at or after `from`, computed independently of the parser. */
function pos(text: string, needle: string, from = 0): string {
  const offset = text.indexOf(needle, from);
  if (offset < 0) throw new Error(`${needle} not in text`);
  const before = text.slice(0, offset).split('\n');
  return `${before.length}:${(before.at(-1) ?? '').length + 1}`;
}

const manifestOf = (json: unknown) => parseAppJson(JSON.stringify(json, null, 2), 'app.json').manifest;

describe('parseAppJson: fields', () => {
  it('reads an empty object as an empty manifest', () => {
    expect(parseAppJson('{}', 'app.json')).toEqual({
      manifest: {env: [], addons: [], formation: [], buildpacks: [], scripts: {}},
      warnings: [],
    });
  });

  it.each([
    ['a string default', {A: 'x'}, {name: 'A', required: true, hasValue: true}],
    ['an empty string default', {A: ''}, {name: 'A', required: true, hasValue: true}],
    ['an object with a value', {A: {description: 'd', value: 'x'}}, {name: 'A', required: true, hasValue: true}],
    ['an object without a value', {A: {description: 'd'}}, {name: 'A', required: true, hasValue: false}],
    ['required: false', {A: {required: false}}, {name: 'A', required: false, hasValue: false}],
    ['required: true with a value', {A: {value: 'x', required: true}}, {name: 'A', required: true, hasValue: true}],
    ['generator: secret', {A: {description: 'd', generator: 'secret'}}, {name: 'A', required: true, hasValue: false, generator: 'secret'}],
    ['null fields (absent)', {A: {value: null, required: null, generator: null, description: null}}, {name: 'A', required: true, hasValue: false}],
    ['an empty object', {A: {}}, {name: 'A', required: true, hasValue: false}],
  ])('reads env as %s', (_name, env, expected) => {
    expect(manifestOf({env}).env).toEqual([expected]);
  });

  it('keeps env in file order', () => {
    expect(manifestOf({env: {Z: 'z', A: {}, M: {generator: 'secret'}}}).env.map((e) => e.name)).toEqual(['Z', 'A', 'M']);
  });

  it('never keeps an env value: a canary default is absent from the result, its warnings and its errors', () => {
    const text = JSON.stringify({
      env: {
        PLAIN: CANARY,
        OBJ: {description: 'd', value: CANARY},
        NUM: 12345987,
        BOOLVAL: {value: true},
      },
      formation: {web: {quantity: 1}},
    });
    const result = parseAppJson(text, 'app.json');
    const out = JSON.stringify(result);
    expect(out).not.toContain(CANARY);
    expect(out).not.toContain('12345987');
    expect(result.manifest.env.every((e) => Object.keys(e).every((k) => ['name', 'required', 'hasValue', 'generator'].includes(k)))).toBe(true);
    expect(result.warnings).toEqual([
      `app.json:${pos(text, '12345987')}: env.NUM is a number; Heroku expects a string value.`,
      `app.json:${pos(text, 'true')}: env.BOOLVAL.value is a boolean; Heroku expects a string.`,
    ]);
    // an error next to a secret value does not quote it either
    const error = parseError(JSON.stringify({env: {S: {value: CANARY, required: 'yes'}}}));
    expect(`${error.message} ${error.hint}`).not.toContain(CANARY);
    // nor does a syntax error on the line that holds it
    const syntax = parseError(`{"env": {"S": ${CANARY}}}`);
    expect(`${syntax.message} ${syntax.hint}`).not.toContain(CANARY);
    expect(syntax.message).toBe('app.json:1:15: invalid JSON: unexpected token: expected a value (a string in double quotes, a number, true, false, null, an object or an array).');
  });

  it('warns about env names that are not portable', () => {
    expect(parseAppJson('{"env": {"my-var": "x"}}', 'app.json').warnings).toEqual([
      'app.json:1:20: env.my-var is not a portable environment variable name (letters, digits and "_", not starting with a digit).',
    ]);
  });

  it.each([
    ['service only', 'heroku-postgresql', {service: 'heroku-postgresql'}],
    ['service:plan', 'heroku-redis:mini', {service: 'heroku-redis', plan: 'mini'}],
    ['a partner add-on', 'papertrail:choklad', {service: 'papertrail', plan: 'choklad'}],
    ['surrounding spaces', ' scheduler:standard ', {service: 'scheduler', plan: 'standard'}],
    ['an object with plan only', {plan: 'sendgrid:starter'}, {service: 'sendgrid', plan: 'starter'}],
    ['an object with plan and as', {plan: 'heroku-postgresql:standard-0', as: 'DATABASE'}, {service: 'heroku-postgresql', plan: 'standard-0', as: 'DATABASE'}],
    ['an object without a plan name', {plan: 'heroku-postgresql', as: 'ANALYTICS_DB'}, {service: 'heroku-postgresql', as: 'ANALYTICS_DB'}],
    [
      'an object with options',
      {plan: 'heroku-postgresql:standard-0', as: 'DATABASE', options: {version: '16', fork: false, size: 3, nested: null}},
      {service: 'heroku-postgresql', plan: 'standard-0', as: 'DATABASE', options: {version: '16', fork: false, size: 3}},
    ],
    ['null options and as', {plan: 'heroku-redis', as: null, options: null}, {service: 'heroku-redis'}],
  ])('reads an add-on given as %s', (_name, addon, expected) => {
    expect(manifestOf({addons: [addon]}).addons).toEqual([expected]);
  });

  it('warns about nested add-on options and non-standard attachment names', () => {
    const text = '{"addons": [{"plan": "heroku-redis", "as": "cache", "options": {"x": {"y": 1}}}]}';
    const result = parseAppJson(text, 'app.json');
    expect(result.manifest.addons).toEqual([{service: 'heroku-redis', as: 'cache'}]);
    expect(result.warnings).toEqual([
      `app.json:${pos(text, '"cache"')}: addons[0].as should be upper case letters, digits and "_", starting with a letter (Heroku derives AS_URL from it).`,
      `app.json:${pos(text, '{"y"')}: addons[0].options.x is an object; only string, number and boolean options are kept.`,
    ]);
  });

  it.each([
    ['the object map', {web: {quantity: 2, size: 'standard-2x'}, worker: {quantity: 0, size: 'performance-m'}}],
    ['the old array form', [{process: 'web', quantity: 2, size: 'standard-2x'}, {process: 'worker', quantity: 0, size: 'performance-m'}]],
    ['the array form with "type"', [{type: 'web', quantity: 2, size: 'standard-2x'}, {type: 'worker', quantity: 0, size: 'performance-m'}]],
    ['sizes in any case', {web: {quantity: 2, size: 'Standard-2X'}, worker: {quantity: 0, size: 'PERFORMANCE-M'}}],
  ])('reads formation as %s', (_name, formation) => {
    expect(manifestOf({formation}).formation).toEqual([
      {type: 'web', quantity: 2, size: 'standard-2x'},
      {type: 'worker', quantity: 0, size: 'performance-m'},
    ]);
  });

  it('leaves a missing quantity or size absent (the caller picks defaults)', () => {
    expect(manifestOf({formation: {web: {}, worker: {quantity: 3}, clock: {size: 'basic'}, x: {quantity: null, size: null}}}).formation).toEqual([
      {type: 'web'},
      {type: 'worker', quantity: 3},
      {type: 'clock', size: 'basic'},
      {type: 'x'},
    ]);
  });

  it.each([
    ['1X', 'standard-1x'],
    ['2X', 'standard-2x'],
    ['PX', 'performance-l'],
  ])('maps the legacy size %s to %s with a warning', (legacy, modern) => {
    const text = `{"formation": {"web": {"size": "${legacy}"}}}`;
    const result = parseAppJson(text, 'app.json');
    expect(result.manifest.formation).toEqual([{type: 'web', size: modern}]);
    expect(result.warnings).toEqual([`app.json:${pos(text, `"${legacy}"`)}: formation.web.size uses the legacy size name "${legacy}"; read as ${modern}.`]);
  });

  it('warns when the array form repeats a type; the last entry wins', () => {
    const text = '{"formation": [{"process": "web", "quantity": 1}, {"process": "web", "quantity": 4}]}';
    const result = parseAppJson(text, 'app.json');
    expect(result.manifest.formation).toEqual([{type: 'web', quantity: 4}]);
    expect(result.warnings).toEqual([`app.json:${pos(text, '{"process"', 20)}: formation[1] repeats process type "web"; the last entry wins.`]);
  });

  it('reads buildpacks, stack, name and scripts', () => {
    expect(
      manifestOf({
        name: ' My Shop ',
        buildpacks: [{url: 'heroku/nodejs'}, {url: 'https://github.com/heroku/heroku-buildpack-apt'}],
        stack: 'heroku-24',
        scripts: {postdeploy: 'npm run seed', 'pr-predestroy': {command: 'bin/cleanup', size: 'Standard-2X'}, test: 'npm test'},
      }),
    ).toEqual({
      name: 'My Shop',
      env: [],
      addons: [],
      formation: [],
      buildpacks: ['heroku/nodejs', 'https://github.com/heroku/heroku-buildpack-apt'],
      stack: 'heroku-24',
      scripts: {postdeploy: {command: 'npm run seed'}, 'pr-predestroy': {command: 'bin/cleanup', size: 'standard-2x'}},
    });
  });

  it.each([
    ['a string', 'bin/seed', {command: 'bin/seed'}],
    ['an object', {command: 'bin/seed', size: 'performance-m'}, {command: 'bin/seed', size: 'performance-m'}],
    ['an object without size', {command: 'bin/seed'}, {command: 'bin/seed'}],
  ])('reads scripts.postdeploy as %s', (_name, postdeploy, expected) => {
    expect(manifestOf({scripts: {postdeploy}}).scripts).toEqual({postdeploy: expected});
  });

  it('ignores unknown top-level keys and null known ones', () => {
    const result = parseAppJson(
      JSON.stringify({description: 1, keywords: 'x', logo: {}, image: 'heroku/nodejs', success_url: '/', website: null, name: null, stack: null, env: null, addons: null, formation: null, buildpacks: null, scripts: null, environments: null}),
      'app.json',
    );
    expect(result).toEqual({manifest: {env: [], addons: [], formation: [], buildpacks: [], scripts: {}}, warnings: []});
  });

  it('warns about environments only when they change the formation', () => {
    const text = JSON.stringify(
      {
        environments: {
          test: {scripts: {test: 'npm test'}, addons: ['heroku-postgresql:in-dyno']},
          review: {formation: {web: {quantity: 1, size: 'basic'}}},
        },
      },
      null,
      2,
    );
    expect(parseAppJson(text, 'app.json').warnings).toEqual([`app.json:${pos(text, '{', text.indexOf('"formation"'))}: environments.review.formation is ignored: the migration uses the top-level formation.`]);
    expect(pos(text, '{', text.indexOf('"formation"'))).toBe('12:20');
    expect(parseAppJson('{"environments": {"test": {"env": {"A": "b"}}}}', 'app.json').warnings).toEqual([]);
  });
});

describe('parseAppJson: syntax errors name file:line:column and what was expected', () => {
  it('reports a truncated file at its end, with the object left open', () => {
    const text = readFileSync(new URL('broken/truncated-app.json/app.json', examples), 'utf8');
    const error = parseError(text, 'examples/broken/truncated-app.json/app.json');
    expect(error.code).toBe('input');
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(
      'examples/broken/truncated-app.json/app.json:8:1: invalid JSON: unexpected end of file: expected a property name in double quotes; the object opened at 3:10 is not closed (is the file truncated?).',
    );
    expect(error.hint).toMatch(/Fix the JSON at that position/);
  });

  it.each([
    ['a stray comma before }', '{\n  "name": "shop",\n  "stack": "heroku-24",\n}\n', "3:23: invalid JSON: unexpected ',' before '}': JSON allows no trailing comma; delete it."],
    ['a stray comma before ]', '{\n  "buildpacks": [\n    {"url": "heroku/nodejs"},\n  ]\n}', "3:29: invalid JSON: unexpected ',' before ']': JSON allows no trailing comma; delete it."],
    ['a stray comma with CRLF line ends', '{\r\n  "name": "shop",\r\n}\r\n', "2:17: invalid JSON: unexpected ',' before '}': JSON allows no trailing comma; delete it."],
    ['a double comma', '{"a": 1,, "b": 2}', '1:9: invalid JSON: expected a property name in double quotes.'],
    ['a missing comma between lines', '{\n  "name": "shop"\n  "stack": "heroku-24"\n}', "3:3: invalid JSON: expected ',' or '}' (is a ',' missing at the end of line 2?)."],
    ['a missing comma in an array', '{"a": [1 2]}', "1:10: invalid JSON: expected ',' or ']'."],
    ['a missing colon', '{"a" 1}', "1:6: invalid JSON: expected ':' after the property name."],
    ['an unquoted key', '{\n  name: "shop"\n}', '2:3: invalid JSON: expected a property name in double quotes.'],
    ['single quotes', "{'name': 'shop'}", '1:2: invalid JSON: single quotes are not JSON; use double quotes.'],
    ['a comment', '{\n  // the name\n  "name": "shop"\n}', '2:3: invalid JSON: comments are not allowed in JSON.'],
    ['an unclosed string', '{\n  "name": "shop\n}', '2:11: invalid JSON: the string starting here is not closed (a \'"\' is missing before the end of the line).'],
    ['a raw tab in a string', '{"name": "a\tb"}', '1:10: invalid JSON: control character in the string starting here (write tabs and line breaks as \\t and \\n).'],
    ['a bad escape', '{"name": "a\\qb"}', '1:10: invalid JSON: invalid escape in the string starting here (valid: \\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX).'],
    ['a bad number', '{"formation": {"web": {"quantity": 1.}}}', '1:36: invalid JSON: invalid number (JSON numbers look like 12, -3, 0.5 or 1e3).'],
    ['content after the document', '{"name": "shop"}\n{"stack": "heroku-24"}\n', '2:1: invalid JSON: unexpected content after the end of the JSON document.'],
    ['an extra closing brace', '{"name": "shop"}}', '1:17: invalid JSON: unexpected content after the end of the JSON document.'],
    ['an unclosed array at the end', '{"buildpacks": [{"url": "heroku/nodejs"}', "1:41: invalid JSON: unexpected end of file: expected ']' to close the array opened at 1:16 (is the file truncated?)."],
    ['an unclosed nested object at the end', '{"env": {"A": "b"}, "formation": {"web": {"quantity": 1}\n', "2:1: invalid JSON: unexpected end of file: expected '}' to close the object opened at 1:34 (is the file truncated?)."],
    ['a value cut after the colon', '{"name":', '1:9: invalid JSON: unexpected end of file: expected a value (a string in double quotes, a number, true, false, null, an object or an array); the object opened at 1:1 is not closed (is the file truncated?).'],
    ['an empty file', '', '1:1: invalid JSON: the file is empty; expected an object ({...}).'],
    ['a blank file', '\n  \n', '3:1: invalid JSON: the file is empty; expected an object ({...}).'],
    ['a BOM before a stray comma (columns as an editor shows them)', '\uFEFF{"a": 1,}', "1:8: invalid JSON: unexpected ',' before '}': JSON allows no trailing comma; delete it."],
  ])('%s', (_name, text, message) => {
    const error = parseError(text);
    expect(error.code).toBe('input');
    expect(error.message).toBe(`app.json:${message}`);
  });

  it('accepts a BOM', () => {
    expect(parseAppJson('\uFEFF{"name": "shop"}', 'app.json').manifest.name).toBe('shop');
  });
});

describe('parseAppJson: wrong types name the JSON path and its position', () => {
  it.each([
    ['[]', '1:1: the top level must be an object ({...}), found an array.'],
    ['"shop"', '1:1: the top level must be an object ({...}), found a string.'],
    ['{"name": 5}', '1:10: name must be a string, found a number.'],
    ['{"stack": ""}', '1:11: stack must not be empty.'],
    ['{"env": []}', '1:9: env must be an object mapping variable names to a default value or {description, value, required, generator}, found an array.'],
    ['{"env": {"A": null}}', '1:15: env.A must be a string (the default value) or an object {description, value, required, generator}, found null.'],
    ['{"env": {"A": {"required": "no"}}}', '1:28: env.A.required must be true or false, found a string.'],
    ['{"env": {"A": {"value": ["x"]}}}', '1:25: env.A.value must be a string, found an array.'],
    ['{"env": {"A": {"generator": "uuid"}}}', '1:29: env.A.generator must be "secret" (the only generator app.json supports).'],
    ['{"env": {"A": {"description": 3}}}', '1:31: env.A.description must be a string, found a number.'],
    ['{"addons": "heroku-redis"}', '1:12: addons must be an array of "service[:plan]" strings or {plan, as, options} objects, found a string.'],
    ['{"addons": [42]}', '1:13: addons[0] must be a "service[:plan]" string or a {plan, as, options} object, found a number.'],
    ['{"addons": ["heroku redis"]}', '1:13: addons[0] must be an add-on "service" or "service:plan", e.g. "heroku-redis:mini".'],
    ['{"addons": ["heroku-redis:"]}', '1:13: addons[0] must be an add-on "service" or "service:plan", e.g. "heroku-redis:mini".'],
    ['{"addons": [{"as": "DATABASE"}]}', '1:13: addons[0] has no "plan" (e.g. "plan": "heroku-postgresql:essential-0").'],
    ['{"addons": [{"plan": ["x"]}]}', '1:22: addons[0].plan must be a string, found an array.'],
    ['{"addons": [{"plan": "heroku-redis", "as": 1}]}', '1:44: addons[0].as must be a string, found a number.'],
    ['{"addons": [{"plan": "heroku-redis", "options": "x"}]}', '1:49: addons[0].options must be an object, found a string.'],
    [
      '{"addons": [{"plan": "heroku-postgresql", "as": "DATABASE"},\n {"plan": "heroku-postgresql", "as": "DATABASE"}]}',
      '2:38: addons[1].as repeats the attachment name of addons[0]; each "as" must be unique.',
    ],
    ['{"formation": "web"}', '1:15: formation must be an object mapping process types to {quantity, size}, found a string.'],
    ['{"formation": {"web": 1}}', '1:23: formation.web must be an object {quantity, size}, found a number.'],
    ['{"formation": {"web": {"quantity": "2"}}}', '1:36: formation.web.quantity must be a whole number >= 0, found a string.'],
    ['{"formation": {"web": {"quantity": -1}}}', '1:36: formation.web.quantity must be a whole number >= 0.'],
    ['{"formation": {"web": {"quantity": 1.5}}}', '1:36: formation.web.quantity must be a whole number >= 0.'],
    ['{"formation": {"web": {"size": 2}}}', '1:32: formation.web.size must be a string, found a number.'],
    ['{"formation": {"my web": {}}}', '1:26: formation["my web"] is not a valid process type (letters, digits, "_" and "-").'],
    ['{"formation": [{"quantity": 1}]}', '1:16: formation[0] has no "process" (the process type, e.g. "web").'],
    ['{"formation": ["web"]}', '1:16: formation[0] must be an object {process, quantity, size}, found a string.'],
    ['{"formation": [{"process": "web", "quantity": true}]}', '1:47: formation[0].quantity must be a whole number >= 0, found a boolean.'],
    ['{"buildpacks": "heroku/nodejs"}', '1:16: buildpacks must be an array of {"url": "..."} objects, found a string.'],
    ['{"buildpacks": ["heroku/nodejs"]}', '1:17: buildpacks[0] must be an object {"url": "..."}, found a string.'],
    ['{"buildpacks": [{"name": "x"}]}', '1:17: buildpacks[0] has no "url".'],
    ['{"scripts": []}', '1:13: scripts must be an object, found an array.'],
    ['{"scripts": {"postdeploy": 1}}', '1:28: scripts.postdeploy must be a command string or an object {command, size}, found a number.'],
    ['{"scripts": {"postdeploy": {"size": "basic"}}}', '1:28: scripts.postdeploy has no "command".'],
    ['{"scripts": {"postdeploy": "  "}}', '1:28: scripts.postdeploy must not be empty.'],
    ['{"scripts": {"pr-predestroy": {"command": 5}}}', '1:43: scripts.pr-predestroy.command must be a string, found a number.'],
    ['{"environments": []}', '1:18: environments must be an object, found an array.'],
  ])('%s', (text, message) => {
    const error = parseError(text);
    expect(error.code).toBe('input');
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(`app.json:${message}`);
    expect(error.hint).toBeTruthy();
  });
});

describe('parseAppJson: duplicate keys', () => {
  it('warns with the key and both lines; the last one wins', () => {
    const file = 'examples/broken/duplicate-keys/app.json';
    const result = parseAppJson(readFileSync(new URL('broken/duplicate-keys/app.json', examples), 'utf8'), file);
    expect(result.warnings).toEqual([
      `${file}:5: duplicate key "LOG_LEVEL" in env (first at line 4); the last one wins.`,
      `${file}:11: duplicate key "quantity" in formation.web (first at line 9); the last one wins.`,
      `${file}:15: duplicate key "stack" at the top level (first at line 14); the last one wins.`,
    ]);
    expect(result.manifest).toEqual({
      name: 'dupes',
      env: [{name: 'LOG_LEVEL', required: true, hasValue: true}],
      addons: [],
      formation: [{type: 'web', quantity: 3, size: 'standard-1x'}],
      buildpacks: [],
      stack: 'heroku-24',
      scripts: {},
    });
  });

  it('reports a type error at the position of the value that won', () => {
    const error = parseError('{\n  "formation": {"web": {"quantity": 1}},\n  "formation": {"web": {"quantity": "x"}}\n}');
    expect(error.message).toBe('app.json:3:37: formation.web.quantity must be a whole number >= 0, found a string.');
  });

  it('does not confuse equal keys in different objects', () => {
    expect(parseAppJson('{"formation": {"web": {"size": "basic"}, "worker": {"size": "basic"}}}', 'app.json').warnings).toEqual([]);
  });
});

describe('parseAppJson: the shop example and determinism', () => {
  const text = readFileSync(new URL('shop/app.json', examples), 'utf8');

  it('reads every form used by the example', () => {
    const {manifest, warnings} = parseAppJson(text, 'app.json');
    expect(warnings).toEqual([]);
    expect(manifest).toEqual({
      name: 'shop',
      env: [
        {name: 'NODE_ENV', required: true, hasValue: true},
        {name: 'LOG_LEVEL', required: true, hasValue: true},
        {name: 'SESSION_SECRET', required: true, hasValue: false, generator: 'secret'},
        {name: 'STRIPE_API_KEY', required: true, hasValue: false},
        {name: 'SENTRY_DSN', required: false, hasValue: false},
        {name: 'WEB_CONCURRENCY', required: false, hasValue: true},
      ],
      addons: [
        {service: 'heroku-postgresql', plan: 'standard-0', as: 'DATABASE', options: {version: '16'}},
        {service: 'heroku-redis', plan: 'premium-0'},
        {service: 'scheduler', plan: 'standard'},
        {service: 'papertrail', plan: 'choklad'},
        {service: 'sendgrid', plan: 'starter'},
      ],
      formation: [
        {type: 'web', quantity: 2, size: 'standard-2x'},
        {type: 'worker', quantity: 1, size: 'standard-1x'},
        {type: 'clock', quantity: 1, size: 'standard-1x'},
      ],
      buildpacks: ['heroku/nodejs'],
      stack: 'heroku-24',
      scripts: {postdeploy: {command: 'npm run seed'}},
    });
    expect(JSON.stringify(manifest)).not.toContain('production');
  });

  it('gives the same result for the same input', () => {
    expect(JSON.stringify(parseAppJson(text, 'app.json'))).toBe(JSON.stringify(parseAppJson(text, 'app.json')));
  });
});

describe('helpers', () => {
  it.each([
    ['', 0, 1, 1],
    ['ab', 2, 1, 3],
    ['a\nb', 2, 2, 1],
    ['a\r\nb', 3, 2, 1],
    ['a\rb', 2, 2, 1],
    ['a\r\n', 2, 1, 3],
  ])('lineColumn(%j, %i) = %i:%i', (text, offset, line, column) => {
    expect(lineColumn(text, offset)).toEqual({line, column});
  });

  it('formats JSON paths', () => {
    expect(formatJsonPath([])).toBe('the top level');
    expect(formatJsonPath(['formation', 'web', 'quantity'])).toBe('formation.web.quantity');
    expect(formatJsonPath(['addons', 2, 'plan'])).toBe('addons[2].plan');
    expect(formatJsonPath(['env', 'MY VAR'])).toBe('env["MY VAR"]');
    expect(formatJsonPath(['scripts', 'pr-predestroy'])).toBe('scripts.pr-predestroy');
  });
});
