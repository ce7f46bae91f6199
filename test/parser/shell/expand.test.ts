import { describe, expect, it } from 'vitest';
import { expandWord, expandWords, type Environment } from '../../../src/parser/shell/index.js';

const env = { SET: 'value', EMPTY: '', PATHY: '/usr/local/bin', SPACED: ' a  b ', FILE: 'archive.tar.gz' };
const x = (word: string, e: Environment = env) => expandWord(word, e);

describe('plain references', () => {
  it('expands $V and ${V}', () => {
    expect(x('$SET')).toBe('value');
    expect(x('${SET}')).toBe('value');
    expect(x('a${SET}b')).toBe('avalueb');
    expect(x('$SET.x')).toBe('value.x');
    expect(x('$SETx')).toBe('');
  });

  it('expands unset and empty variables to nothing', () => {
    expect(x('[$NOPE]')).toBe('[]');
    expect(x('[${NOPE}]')).toBe('[]');
    expect(x('[$EMPTY]')).toBe('[]');
  });

  it('keeps a $ that does not start a name', () => {
    expect(x('$')).toBe('$');
    expect(x('a$')).toBe('a$');
    expect(x('$.x')).toBe('$.x');
    expect(x('$ x')).toBe('$ x');
    expect(x('$/')).toBe('$/');
  });

  it('reads names made of letters (any script), digits and underscores', () => {
    expect(x('$한국', { 한국: 'k' })).toBe('k');
    expect(x('$_a1', { _a1: 'u' })).toBe('u');
    expect(x('$a-b', { a: 'A' })).toBe('A-b');
  });

  it('reads positional and special parameters like BuildKit (never set)', () => {
    expect(x('$1x')).toBe('x');
    expect(x('$12x', { '12': 'twelve' })).toBe('twelvex');
    expect(x('${10}')).toBe('');
    expect(x('$@x')).toBe('x');
    expect(x('$#x')).toBe('x');
    expect(x('${#}')).toBe('');
    expect(x('$$')).toBe('');
    expect(x('${?:-q}')).toBe('q');
    expect(x('$0', { '0': 'zero' })).toBe('zero');
  });
});

describe('modifiers', () => {
  it('${V:-w} and ${V-w}', () => {
    expect(x('${SET:-d}')).toBe('value');
    expect(x('${EMPTY:-d}')).toBe('d');
    expect(x('${NOPE:-d}')).toBe('d');
    expect(x('${SET-d}')).toBe('value');
    expect(x('${EMPTY-d}')).toBe('');
    expect(x('${NOPE-d}')).toBe('d');
    expect(x('${NOPE:-}')).toBe('');
  });

  it('${V:+w} and ${V+w}', () => {
    expect(x('${SET:+alt}')).toBe('alt');
    expect(x('${EMPTY:+alt}')).toBe('');
    expect(x('${NOPE:+alt}')).toBe('');
    expect(x('${SET+alt}')).toBe('alt');
    expect(x('${EMPTY+alt}')).toBe('alt');
    expect(x('${NOPE+alt}')).toBe('');
  });

  it('${V:?m} and ${V?m} when satisfied', () => {
    expect(x('${SET:?m}')).toBe('value');
    expect(x('${SET?m}')).toBe('value');
    expect(x('${EMPTY?m}')).toBe('');
  });

  it('expands words recursively, including nested modifiers', () => {
    expect(x('${NOPE:-$SET}')).toBe('value');
    expect(x('${NOPE:-${EMPTY:-${SET}}}')).toBe('value');
    expect(x('${SET:+[${SET}]}')).toBe('[value]');
    expect(x('${NOPE:-a b}')).toBe('a b');
    expect(x('${NOPE:-"}"}')).toBe('}');
    expect(x("${NOPE:-'a}b'}")).toBe('a}b');
    expect(x('${NOPE:-a\\}b}')).toBe('a}b');
  });

  it('${V#p} and ${V##p} remove prefixes', () => {
    expect(x('${PATHY#/}')).toBe('usr/local/bin');
    expect(x('${PATHY#*/}')).toBe('usr/local/bin');
    expect(x('${PATHY##*/}')).toBe('bin');
    expect(x('${PATHY#/usr}')).toBe('/local/bin');
    expect(x('${PATHY#nomatch}')).toBe('/usr/local/bin');
    expect(x('${FILE#?}')).toBe('rchive.tar.gz');
    expect(x('${FILE#}')).toBe('archive.tar.gz');
    expect(x('${FILE##}')).toBe('archive.tar.gz');
    expect(x('${FILE#*}')).toBe('archive.tar.gz');
    expect(x('${FILE##*}')).toBe('');
    expect(x('${NOPE#x}')).toBe('');
  });

  it('${V%p} and ${V%%p} remove suffixes', () => {
    expect(x('${FILE%.*}')).toBe('archive.tar');
    expect(x('${FILE%%.*}')).toBe('archive');
    expect(x('${FILE%.gz}')).toBe('archive.tar');
    expect(x('${FILE%tar}')).toBe('archive.tar.gz');
    expect(x('${FILE%?}')).toBe('archive.tar.g');
    expect(x('${FILE%}')).toBe('archive.tar.gz');
    expect(x('${FILE%*}')).toBe('archive.tar.gz');
    expect(x('${FILE%%*}')).toBe('');
  });

  it('supports the pattern vectors of BuildKit lex_test.go', () => {
    expect(x('${FOO#*x*y}', { FOO: 'xxyy' })).toBe('y');
    expect(x('${FOO##*x}', { FOO: 'xxyy' })).toBe('yy');
    expect(x('${FOO#?\\?}', { FOO: '???y' })).toBe('?y');
    expect(x('${FOO%%\\**}', { FOO: 'xx**' })).toBe('xx');
    expect(x('${FOO%%\\**\\*}', { FOO: 'a***yy*' })).toBe('a');
    expect(x('${FOO#()[]{\\}^$.\\*\\?|\\\\}', { FOO: '()[]{}^$.*?|\\x' })).toBe('x');
    expect(x('${FOO#$BAR}', { FOO: 'xxyy', BAR: 'x' })).toBe('xyy');
    expect(x('${FOO%%$BAR}', { FOO: 'xxyy', BAR: '' })).toBe('xxyy');
  });

  it('prefers shortest or longest matches for every star', () => {
    expect(x('${FILE#*.*}')).toBe('tar.gz');
    expect(x('${FILE##*.*}')).toBe('');
    expect(x('${FILE%.*.*}')).toBe('archive');
    expect(x('${FILE%*.*}')).toBe('archive.tar');
    expect(x('${FILE%%*.*}')).toBe('');
    expect(x('${FILE#a*a}')).toBe('r.gz');
    expect(x('${FILE##a*a}')).toBe('r.gz');
    expect(x('${FILE/a*a/_}')).toBe('_r.gz');
  });

  it('reverses % patterns the way BuildKit does, escapes included', () => {
    // `*\` reversed is `\*`: a literal star at the end (forwards it would be an invalid escape).
    expect(x('${V%$P}', { V: 'ab*', P: '*\\' })).toBe('ab');
    // `\\*`: an escaped backslash followed by anything.
    expect(x('${V%\\\\*}', { V: 'a\\b\\c' })).toBe('a\\b');
    expect(x('${V%%\\\\*}', { V: 'a\\b\\c' })).toBe('a');
    expect(x('${V%\\*}', { V: 'a\\b*' })).toBe('a\\b');
    expect(x('${V%a\\*c}', { V: 'xa*c' })).toBe('x');
  });

  it('treats [ ] literally, as BuildKit has no bracket expressions', () => {
    expect(x('${V#[ab]}', { V: 'a[ab]' })).toBe('a[ab]');
    expect(x('${V#[ab]}', { V: '[ab]c' })).toBe('c');
    expect(x('${V%[0-9]}', { V: 'x1' })).toBe('x1');
  });

  it('does not let * or ? cross a newline (Go regexp `.`)', () => {
    expect(x('${V#*b}', { V: 'a\nb' })).toBe('a\nb');
    expect(x('${V#a?b}', { V: 'a\nb' })).toBe('a\nb');
    expect(x('${V##*\n}', { V: 'a\nb\nc' })).toBe('b\nc');
    expect(x('${V//?/x}', { V: 'ab\ncd' })).toBe('xx\nxx');
  });

  it('treats a character outside the BMP as one character for ?', () => {
    expect(x('${V#?}', { V: '😀x' })).toBe('x');
    expect(x('${V%?}', { V: 'x😀' })).toBe('x');
    expect(x('${V/?/-}', { V: '😀😀' })).toBe('-😀');
  });

  it('${V/p/r} replaces the first (longest) match', () => {
    expect(x('${PATHY/\\//:}')).toBe(':usr/local/bin');
    expect(x('${PATHY/l*l/L}')).toBe('/usr/L/bin');
    expect(x('${PATHY/o?/0}')).toBe('/usr/l0al/bin');
    expect(x('${PATHY/zzz/L}')).toBe('/usr/local/bin');
    expect(x('${V/$N/$R}', { V: 'http://google.de', N: 'http://', R: 'https://' })).toBe('https://google.de');
    expect(x('${V/$N/ww}', { V: 'xxyy', N: '' })).toBe('wwxxyy');
    expect(x('${NOPE/a/b}')).toBe('');
  });

  it('${V//p/r} replaces every match', () => {
    expect(x('${PATHY//\\//:}')).toBe(':usr:local:bin');
    expect(x('${V//$N/.} - ${V/$N/.}', { V: '/foo*/*/*.txt', N: '\\*/' })).toBe('/foo..*.txt - /foo.*/*.txt');
    expect(x('${V//$N/} - ${V/$N/}', { V: '/tmp/tmp/bar.txt', N: '/tmp' })).toBe('/bar.txt - /tmp/bar.txt');
    expect(x('${V//$N/$R}', { V: '/a/foo/b/c.txt', N: '/?/', R: '/' })).toBe('/foo/c.txt');
    expect(x('${V//\\//\\/}', { V: '/tmp/foo.txt' })).toBe('\\/tmp\\/foo.txt');
    expect(x('${V//$N/ww}', { V: 'xxyy', N: '' })).toBe('wwxwwxwwywwyww');
    expect(x('${V///}', { V: 'xxyy' })).toBe('xxyy');
    expect(x('${V//*/r}', { V: 'abc' })).toBe('r');
    expect(x('${V//a*/r}', { V: 'xab\nab' })).toBe('xr\nr');
  });

  it('${V//p/r} expands $0 and $$ in the replacement like Go ReplaceAllString', () => {
    const e = { V: 'foo', R0: '[$0]', R1: '<$1>', RD: '$$', RB: '${0}!', RX: '$-' };
    expect(x('${V//o/$R0}', e)).toBe('f[o][o]');
    expect(x('${V//o/$R1}', e)).toBe('f<><>');
    expect(x('${V//o/$RD}', e)).toBe('f$$');
    expect(x('${V//o*/$RB}', e)).toBe('foo!');
    expect(x('${V//o/$RX}', e)).toBe('f$-$-');
    // A single replacement inserts the text as is.
    expect(x('${V/o/$R0}', e)).toBe('f[$0]o');
  });

  it('accepts the : form before pattern operators as BuildKit does', () => {
    expect(x('${FILE:#*.}')).toBe('tar.gz');
    expect(x('${FILE:%.*}')).toBe('archive.tar');
  });
});

describe('quotes', () => {
  it('single quotes keep everything literal', () => {
    expect(x("'$SET \\n \"'")).toBe('$SET \\n "');
    expect(x("a'b'c")).toBe('abc');
  });

  it('double quotes expand $ and honour \\" \\$ \\\\ only', () => {
    expect(x('"$SET"')).toBe('value');
    expect(x('"a\\"b"')).toBe('a"b');
    expect(x('"\\$SET"')).toBe('$SET');
    expect(x('"\\\\"')).toBe('\\');
    expect(x('"\\n"')).toBe('\\n');
    expect(x('"it\'s"')).toBe("it's");
    expect(x('"${NOPE:-"inner"}"')).toBe('inner');
  });

  it('keeps quotes with rawQuotes', () => {
    const o = { rawQuotes: true };
    expect(expandWord(`"a $SET" 'b $SET'`, env, o)).toBe(`"a value" 'b $SET'`);
    expect(expandWord(`x""y`, env, o)).toBe(`x""y`);
  });

  it('treats quotes as plain characters with skipProcessQuotes', () => {
    const o = { skipProcessQuotes: true };
    expect(expandWord(`"$SET" '$SET'`, env, o)).toBe(`"value" 'value'`);
    expect(expandWord(`'unterminated`, env, o)).toBe(`'unterminated`);
  });
});

describe('escapes', () => {
  it('backslash escapes the next character and is dropped', () => {
    expect(x('\\$SET')).toBe('$SET');
    expect(x('a\\ b')).toBe('a b');
    expect(x('\\\\$SET')).toBe('\\value');
    expect(x('a\\')).toBe('a');
    expect(x("\\'x")).toBe("'x");
    expect(x('\\😀')).toBe('😀');
  });

  it('backtick is the escape token after `# escape=`` `', () => {
    const o = { escapeToken: '`' } as const;
    expect(expandWord('`$SET', env, o)).toBe('$SET');
    expect(expandWord('C:\\path\\$SET', env, o)).toBe('C:\\path\\value');
    expect(expandWord('"a`"b"', env, o)).toBe('a"b');
    expect(expandWord('"``"', env, o)).toBe('`');
    expect(expandWord('"`x"', env, o)).toBe('`x');
    expect(expandWord('a`', env, o)).toBe('a');
    expect(expandWord('${NOPE:-a`}b}', env, o)).toBe('a}b');
  });

  it('keeps escape characters with rawEscapes', () => {
    const o = { rawEscapes: true };
    expect(expandWord('\\$SET', env, o)).toBe('\\$SET');
    expect(expandWord('a\\ b\\', env, o)).toBe('a\\ b\\');
    expect(expandWord('"\\$SET"', env, o)).toBe('\\$SET');
    // BuildKit writes the kept escape and then the unescaped backslash again.
    expect(expandWord('"\\n"', env, o)).toBe('\\\\n');
    // The word of :- / :+ / :? never keeps escapes, even with rawEscapes.
    expect(expandWord('${NOPE:-\\$x}', env, o)).toBe('$x');
    expect(expandWord('`$SET', env, { rawEscapes: true, escapeToken: '`' })).toBe('`$SET');
  });

  it('pattern words keep escapes so \\* stays literal', () => {
    expect(x('${V#\\*}', { V: '*a' })).toBe('a');
    expect(x('${V#*}', { V: '*a' })).toBe('*a');
  });
});

describe('skipUnsetEnv', () => {
  const o = { skipUnsetEnv: true };
  it('leaves unset references as written', () => {
    expect(expandWord('$NOPE-$SET', env, o)).toBe('$NOPE-value');
    expect(expandWord('${NOPE}', env, o)).toBe('${NOPE}');
    expect(expandWord('${NOPE:-d}', env, o)).toBe('${NOPE:-d}');
    expect(expandWord('${NOPE:-$SET}', env, o)).toBe('${NOPE:-value}');
    expect(expandWord('${NOPE#x}', env, o)).toBe('${NOPE#x}');
    expect(expandWord('${NOPE?}', env, o)).toBe('${NOPE?}');
    expect(expandWord('${NOPE/a/b}', env, o)).toBe('${NOPE/a/b}');
    // BuildKit re-spells // with one slash.
    expect(expandWord('${NOPE//a/b}', env, o)).toBe('${NOPE/a/b}');
    // Unknown modifiers are not checked for unset variables.
    expect(expandWord('${NOPE:x}', env, o)).toBe('${NOPE:x}');
  });

  it('still expands set (also empty) variables', () => {
    expect(expandWord('${EMPTY:-d}', env, o)).toBe('d');
    expect(expandWord('$EMPTY.', env, o)).toBe('.');
  });
});

describe('expandWords', () => {
  const w = (word: string, e: Environment = env) => expandWords(word, e);
  it('splits on unquoted whitespace, including whitespace from expansions', () => {
    expect(w('a b\tc\n d')).toEqual(['a', 'b', 'c', 'd']);
    expect(w('x${SPACED}y')).toEqual(['x', 'a', 'b', 'y']);
    expect(w('x"${SPACED}"y')).toEqual(['x a  b y']);
    expect(w("'a b' c")).toEqual(['a b', 'c']);
    expect(w('a\\ b c')).toEqual(['a b', 'c']);
    expect(w('   ')).toEqual([]);
    expect(w('')).toEqual([]);
    expect(w('a "" b')).toEqual(['a', 'b']);
    expect(w('""')).toEqual([]);
  });

  it('splits on Unicode white space as Go does', () => {
    expect(w('a\u00a0b\u3000c\u2028d')).toEqual(['a', 'b', 'c', 'd']);
    expect(w('a\ufeffb')).toEqual(['a\ufeffb']);
  });

  it('honours options', () => {
    expect(expandWords(`"a b" c`, env, { rawQuotes: true })).toEqual(['"a b"', 'c']);
    expect(expandWords(`$NOPE "x y"`, env, { skipUnsetEnv: true })).toEqual(['$NOPE', 'x y']);
  });
});

describe('environment shapes', () => {
  it('accepts a record, a Map and a lookup function', () => {
    expect(x('$A-$B', { A: '1' })).toBe('1-');
    expect(x('$A-$B', new Map([['A', '1']]))).toBe('1-');
    expect(x('$A-$B', (n) => (n === 'A' ? '1' : undefined))).toBe('1-');
  });

  it('distinguishes unset from empty in every shape', () => {
    expect(x('${A-u}${B-u}', { A: '' })).toBe('u');
    expect(x('${A-u}${B-u}', new Map([['A', '']]))).toBe('u');
    expect(x('${A-u}${B-u}', (n) => (n === 'A' ? '' : undefined))).toBe('u');
  });

  it('never reads inherited properties of a record', () => {
    expect(x('[$toString][$__proto__][$constructor][${hasOwnProperty-u}]', {})).toBe('[][][][u]');
  });
});

describe('Go text/scanner details', () => {
  it('drops a byte-order mark at the very start only', () => {
    expect(x('\ufeff$SET')).toBe('value');
    expect(x('a\ufeff')).toBe('a\ufeff');
  });
});
