import {netrcMachine, parseNetrc} from '../../src/adapters/heroku/netrc.ts';

const password = (text: string, host = 'api.heroku.com') => netrcMachine(parseNetrc(text), host)?.password;

describe('netrc parser', () => {
  it('reads the multi-line form the Heroku CLI writes', () => {
    const text = [
      'machine api.heroku.com',
      '  login me@example.com',
      '  password 01234567-89ab-cdef-0123-456789abcdef',
      'machine git.heroku.com',
      '  login me@example.com',
      '  password git-token',
      '',
    ].join('\n');
    expect(parseNetrc(text)).toEqual([
      {machine: 'api.heroku.com', login: 'me@example.com', password: '01234567-89ab-cdef-0123-456789abcdef'},
      {machine: 'git.heroku.com', login: 'me@example.com', password: 'git-token'},
    ]);
  });

  it('reads the single-line form, tabs and CRLF line ends', () => {
    expect(password('machine other.example.com login a password b\r\nmachine api.heroku.com\tlogin me\tpassword tok-1\r\n')).toBe('tok-1');
  });

  it('ignores comments, also between an entry and its fields', () => {
    const text = '# my credentials\nmachine api.heroku.com # the API\n  login me\n  # password commented-out\n  password real-one\n';
    expect(password(text)).toBe('real-one');
  });

  it('reads a password that starts with #', () => {
    expect(password('machine api.heroku.com password #not-a-comment # but this is')).toBe('#not-a-comment');
  });

  it('reads double-quoted values with spaces and escapes', () => {
    expect(password('machine api.heroku.com login "me" password "a b\\"c"')).toBe('a b"c');
  });

  it('never takes the default entry for a named machine', () => {
    const text = 'default login anyone password default-secret\n';
    expect(parseNetrc(text)).toEqual([{machine: null, login: 'anyone', password: 'default-secret'}]);
    expect(password(text)).toBeUndefined();
  });

  it('ends an entry at default: fields after it do not leak into the machine before', () => {
    expect(parseNetrc('machine api.heroku.com login me default password other')).toEqual([
      {machine: 'api.heroku.com', login: 'me'},
      {machine: null, password: 'other'},
    ]);
  });

  it('skips macdef bodies up to the next blank line', () => {
    const text = ['machine ftp.example.com login x password y', 'macdef init', 'password not-a-token', 'machine fake', '', 'machine api.heroku.com password after-macro'].join('\n');
    expect(parseNetrc(text).map((e) => e.machine)).toEqual(['ftp.example.com', 'api.heroku.com']);
    expect(password(text)).toBe('after-macro');
  });

  it('takes the first entry for a machine and matches hosts case-insensitively', () => {
    expect(password('machine API.Heroku.com password first\nmachine api.heroku.com password second')).toBe('first');
  });

  it('ignores unknown keywords and tolerates a truncated file', () => {
    expect(parseNetrc('machine api.heroku.com port 443 password p')).toEqual([{machine: 'api.heroku.com', password: 'p'}]);
    expect(parseNetrc('machine api.heroku.com password')).toEqual([{machine: 'api.heroku.com'}]);
    expect(parseNetrc('machine')).toEqual([]);
    expect(parseNetrc('')).toEqual([]);
  });

  it('returns no password for an entry without one', () => {
    expect(password('machine api.heroku.com login me')).toBeUndefined();
  });
});
