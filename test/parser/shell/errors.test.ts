import { describe, expect, it } from 'vitest';
import { ExpansionError, ParseError, ParseErrorCode } from '../../../src/parser/errors.js';
import { expandWord, expandWords, type ExpandOptions } from '../../../src/parser/shell/index.js';

const env = { SET: 'value', EMPTY: '' };

function failure(word: string, options?: ExpandOptions): ExpansionError {
  try {
    expandWord(word, env, options);
  } catch (error) {
    expect(error).toBeInstanceOf(ExpansionError);
    return error as ExpansionError;
  }
  throw new Error(`expected ${JSON.stringify(word)} to fail`);
}

describe('expansion errors', () => {
  it('are ExpansionError / ParseError with code EXPANSION_ERROR and no location', () => {
    const error = failure('${NOPE:?needed}');
    expect(error).toBeInstanceOf(ParseError);
    expect(error.name).toBe('ExpansionError');
    expect(error.code).toBe(ParseErrorCode.Expansion);
    expect(error.code).toBe('EXPANSION_ERROR');
    expect(error.detail).toBe('NOPE: needed');
    expect(error.message).toBe('NOPE: needed');
    expect(error.range).toBeUndefined();
  });

  it('use BuildKit messages for ${V:?m} and ${V?m}', () => {
    expect(failure('${NOPE:?m}').message).toBe('NOPE: m');
    expect(failure('${EMPTY:?m}').message).toBe('EMPTY: m');
    expect(failure('${NOPE?m}').message).toBe('NOPE: m');
    expect(failure('${NOPE:?}').message).toBe('NOPE: is not allowed to be unset');
    expect(failure('${EMPTY:?}').message).toBe('EMPTY: is not allowed to be empty');
    expect(failure('${NOPE?}').message).toBe('NOPE: is not allowed to be unset');
    expect(failure('${NOPE:?must set $SET}').message).toBe('NOPE: must set value');
  });

  it('report unterminated quotes', () => {
    expect(failure('"abc').message).toBe('unexpected end of statement while looking for matching double-quote');
    expect(failure("'abc").message).toBe('unexpected end of statement while looking for matching single-quote');
    expect(failure('"abc\\"').message).toBe('unexpected end of statement while looking for matching double-quote');
  });

  it('report bad substitutions and missing braces', () => {
    expect(failure('${}').message).toBe('syntax error: bad substitution');
    expect(failure('${:-x}').message).toBe('syntax error: bad substitution');
    expect(failure('${{x}}').message).toBe('syntax error: bad substitution');
    expect(failure('${').message).toBe("syntax error: missing '}'");
    expect(failure('a${SET').message).toBe("syntax error: missing '}'");
    expect(failure('${SET:-abc').message).toBe("syntax error: missing '}'");
    expect(failure('${SET:').message).toBe("syntax error: missing '}'");
    expect(failure('${SET:-a\\}').message).toBe("syntax error: missing '}'");
    expect(failure('${SET/abc').message).toBe("syntax error: missing '/' in ${}");
    expect(failure('${SET//}').message).toBe("syntax error: missing '/' in ${}");
    expect(failure('${SET/a/b').message).toBe("syntax error: missing '}'");
  });

  it('turn any error at the end of input inside ${...} into a missing brace, as BuildKit does', () => {
    expect(failure('${SET:-"abc}').message).toBe("syntax error: missing '}'");
    expect(failure("${SET:-'abc}").message).toBe("syntax error: missing '}'");
    expect(failure('${SET:-${NOPE:?m}').message).toBe("syntax error: missing '}'");
    expect(failure('${SET/${NOPE:?m}').message).toBe("syntax error: missing '/' in ${}");
    // Not at the end: the inner error stands.
    expect(failure('${SET:-${NOPE:?m}}').message).toBe('NOPE: m');
    expect(failure('${SET:-${NOPE:?m}}x').message).toBe('NOPE: m');
  });

  it('report unsupported modifiers', () => {
    expect(failure('${SET:=x}').message).toBe('unsupported modifier (:=) in substitution');
    expect(failure('${SET=x}').message).toBe('unsupported modifier (=) in substitution');
    expect(failure('${SET:x}').message).toBe('unsupported modifier (:x) in substitution');
    expect(failure('${SET:/a/b}').message).toBe('unsupported modifier (:/) in substitution');
    expect(failure('${.}').message).toBe('unsupported modifier (.) in substitution');
    expect(failure('${#SET}').message).toBe('unsupported modifier (S) in substitution');
    expect(failure('${SET:}x}').message).toBe('unsupported modifier (:}) in substitution');
  });

  it('report invalid glob escapes', () => {
    expect(failure('${SET#\\x}').message).toBe("invalid pattern (\\x) in substitution: invalid escape '\\x'");
    expect(failure('${SET%a\\x}').message).toBe("invalid pattern (a\\x) in substitution: invalid escape '\\x'");
    expect(failure('${SET/\\x/y}').message).toBe("invalid pattern (\\x) in substitution: invalid escape '\\x'");
    expect(() => expandWord('${SET#$P}', { SET: 'v', P: 'a\\' })).toThrow(ExpansionError);
    // Checked even when the variable is unset.
    expect(failure('${NOPE#\\x}').message).toContain('invalid escape');
  });

  it('fail the same way from expandWords', () => {
    expect(() => expandWords('a "b', env)).toThrow(ExpansionError);
    expect(() => expandWords('${NOPE?}', env)).toThrow('NOPE: is not allowed to be unset');
  });

  it('are not raised for unset variables under skipUnsetEnv', () => {
    expect(expandWord('${NOPE:?m}', env, { skipUnsetEnv: true })).toBe('${NOPE:?m}');
    expect(failure('${EMPTY:?m}', { skipUnsetEnv: true }).message).toBe('EMPTY: m');
  });

  it('rejects an unknown escape token at run time', () => {
    expect(() => expandWord('x', env, { escapeToken: '^' as never })).toThrow(TypeError);
  });
});
