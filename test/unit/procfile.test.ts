import {readFileSync} from 'node:fs';
import {MigrateError} from '../../src/domain/errors.ts';
import {parseProcfile} from '../../src/domain/sources/procfile.ts';

const examples = new URL('../../examples/', import.meta.url);

function parseError(text: string, file = 'Procfile'): MigrateError {
  try {
    parseProcfile(text, file);
  } catch (error) {
    expect(error).toBeInstanceOf(MigrateError);
    return error as MigrateError;
  }
  throw new Error('expected parseProcfile to throw');
}

describe('parseProcfile', () => {
  it.each([
    ['one process', 'web: npm start\n', [{type: 'web', command: 'npm start'}]],
    ['no final newline', 'web: npm start', [{type: 'web', command: 'npm start'}]],
    ['comments and blank lines', '# processes\n\nweb: npm start\n   \n# worker: off\nworker: node worker.js\n', [
      {type: 'web', command: 'npm start'},
      {type: 'worker', command: 'node worker.js'},
    ]],
    ['CRLF line ends', 'web: npm start\r\nworker: node w.js\r\n', [
      {type: 'web', command: 'npm start'},
      {type: 'worker', command: 'node w.js'},
    ]],
    ['old Mac CR line ends', 'web: a\rworker: b\r', [
      {type: 'web', command: 'a'},
      {type: 'worker', command: 'b'},
    ]],
    ['a byte order mark', '\uFEFFweb: npm start\n', [{type: 'web', command: 'npm start'}]],
    ['indentation, tabs and trailing spaces', '  web:\tbundle exec puma -C config/puma.rb   \n', [{type: 'web', command: 'bundle exec puma -C config/puma.rb'}]],
    ['colons and # inside the command', 'web: gunicorn app:app --bind 0.0.0.0:$PORT # not a comment\n', [
      {type: 'web', command: 'gunicorn app:app --bind 0.0.0.0:$PORT # not a comment'},
    ]],
    ['types with digits, "_" and "-"', 'urgent_worker-2: rake jobs:work\nWeb2: x\n', [
      {type: 'urgent_worker-2', command: 'rake jobs:work'},
      {type: 'Web2', command: 'x'},
    ]],
    ['release is a process type like the others', 'release: npm run migrate\nweb: npm start\n', [
      {type: 'release', command: 'npm run migrate'},
      {type: 'web', command: 'npm start'},
    ]],
  ])('reads %s', (_name, text, processes) => {
    const result = parseProcfile(text, 'Procfile');
    expect(result.processes).toEqual(processes);
    expect(result.warnings).toEqual([]);
  });

  it('keeps the last of duplicated types (as Heroku does), in first-seen order, with a warning naming both lines', () => {
    const result = parseProcfile('web: old\nworker: w\n\nweb: new\n', 'app/Procfile');
    expect(result.processes).toEqual([
      {type: 'web', command: 'new'},
      {type: 'worker', command: 'w'},
    ]);
    expect(result.warnings).toEqual(['app/Procfile:4: process type "web" is declared again (first at line 1); the last declaration wins, as on Heroku.']);
  });

  it('accepts a missing space after the colon, with a warning', () => {
    const result = parseProcfile('web:npm start\n', 'Procfile');
    expect(result.processes).toEqual([{type: 'web', command: 'npm start'}]);
    expect(result.warnings).toEqual([expect.stringMatching(/^Procfile:1: no space after "web:"/)]);
  });

  it('warns about a Procfile without processes', () => {
    expect(parseProcfile('# nothing yet\n\n', 'Procfile')).toEqual({processes: [], warnings: ['Procfile: declares no process types.']});
  });

  it.each([
    ['a type without a command', 'web: npm start\n\nworker:\n', 'Procfile:3: process type "worker" has no command.'],
    ['a type with only spaces after the colon', 'worker:   \t\n', 'Procfile:1: process type "worker" has no command.'],
    ['a line without a colon', 'web npm start\n', 'Procfile:1: expected `<type>: <command>`, found no ":" on this line.'],
    ['an empty type', '# x\n: npm start\n', 'Procfile:2: malformed process type: the process type is empty.'],
    ['a space before the colon', 'web : npm start\n', 'Procfile:1: malformed process type: the process type contains spaces (it must be followed directly by ":").'],
    ['characters outside the type alphabet', 'wörker: x\n', 'Procfile:1: malformed process type: the process type has characters other than letters, digits, "_" and "-".'],
    ['a CRLF file', 'web: a\r\nworker:\r\n', 'Procfile:2: process type "worker" has no command.'],
  ])('rejects %s, naming the line', (_name, text, message) => {
    const error = parseError(text);
    expect(error.code).toBe('input');
    expect(error.exitCode).toBe(1);
    expect(error.message).toBe(message);
    expect(error.hint).toMatch(/`<type>: <command>`/);
  });

  it('suggests the colon for a line that Heroku would read as `type command`', () => {
    expect(parseError('worker node worker.js\n').hint).toMatch(/^If you meant `worker: \.\.\.`, add the ":"/);
  });

  it('never quotes the line in an error (it may hold a credential)', () => {
    const canary = 'CANARY-procfile-7f3a';
    for (const text of [`API_KEY=${canary} node x.js\n`, `web ${canary}\n`, `w${canary}$: x\n`]) {
      const error = parseError(text);
      expect(`${error.message} ${error.hint}`).not.toContain(canary);
    }
  });

  it('rejects the broken example fixture at its line', () => {
    const text = readFileSync(new URL('broken/bad-procfile/Procfile', examples), 'utf8');
    expect(parseError(text, 'examples/broken/bad-procfile/Procfile').message).toBe('examples/broken/bad-procfile/Procfile:3: process type "worker" has no command.');
  });

  it('reads the shop example', () => {
    const text = readFileSync(new URL('shop/Procfile', examples), 'utf8');
    expect(parseProcfile(text, 'Procfile').processes.map((p) => p.type)).toEqual(['web', 'worker', 'clock', 'release']);
  });
});
