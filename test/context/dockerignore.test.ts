import { chmodSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DockerignoreMatcher,
  DockerignorePatternError,
  DockerignoreReadError,
  parseDockerignore,
  readDockerignore,
  walkContext,
} from '../../src/context/index.js';
import { makeTree, tempDir } from './fixtures.js';

interface Row {
  /** The .dockerignore file, one pattern per array item. */
  readonly lines: readonly string[];
  /** A file of the context. */
  readonly path: string;
  /** Whether Docker leaves it out of the context. */
  readonly excluded: boolean;
  /** Why, as Docker (moby/patternmatcher + BuildKit's fsutil walk) behaves. */
  readonly docker: string;
}

const table: readonly Row[] = [
  { lines: ['*.log'], path: 'debug.log', excluded: true, docker: 'a plain glob matches at the context root' },
  { lines: ['*.log'], path: 'logs/debug.log', excluded: false, docker: 'patterns are anchored at the root and * never crosses / (unlike .gitignore)' },
  { lines: ['**/*.log'], path: 'logs/a/debug.log', excluded: true, docker: '**/ matches any number of directories' },
  { lines: ['**/*.log'], path: 'debug.log', excluded: true, docker: '**/ also matches zero directories' },
  { lines: ['/secret.txt'], path: 'secret.txt', excluded: true, docker: 'a leading / is stripped: the same as secret.txt' },
  { lines: ['secret.txt'], path: 'sub/secret.txt', excluded: false, docker: 'a name without / only matches at the root (unlike .gitignore)' },
  { lines: ['build/'], path: 'build/out/app.js', excluded: true, docker: 'the trailing / disappears in filepath.Clean; the directory excludes its contents' },
  { lines: ['build'], path: 'build/app.js', excluded: true, docker: 'a pattern matching a directory excludes everything below it' },
  { lines: ['build'], path: 'buildx/app.js', excluded: false, docker: 'parent matching compares whole path components' },
  { lines: ['./src/../tmp'], path: 'tmp/x', excluded: true, docker: 'patterns are cleaned: ./src/../tmp is tmp' },
  { lines: ['# comment'], path: '# comment', excluded: false, docker: 'a line starting with # is a comment' },
  { lines: ['  # not a comment'], path: '# not a comment', excluded: true, docker: 'only lines whose first character is # are comments; the rest is trimmed and used' },
  { lines: ['  spaced.txt \t'], path: 'spaced.txt', excluded: true, docker: 'leading and trailing white space is trimmed' },
  { lines: ['file?.txt'], path: 'file1.txt', excluded: true, docker: '? matches one character' },
  { lines: ['file?.txt'], path: 'file10.txt', excluded: false, docker: '? matches exactly one character' },
  { lines: ['[a-c]*.md'], path: 'b-notes.md', excluded: true, docker: 'character ranges' },
  { lines: ['[^a-c]*.md'], path: 'b.md', excluded: false, docker: '[^...] negates a class' },
  { lines: ['\\*.txt'], path: '*.txt', excluded: true, docker: '\\ escapes a wildcard: \\* is a literal star' },
  { lines: ['\\*.txt'], path: 'a.txt', excluded: false, docker: 'an escaped star matches nothing but a star' },
  { lines: ['*.txt', '!keep.txt'], path: 'keep.txt', excluded: false, docker: '! re-includes what an earlier pattern excluded' },
  { lines: ['!keep.txt', '*.txt'], path: 'keep.txt', excluded: true, docker: 'the last matching pattern wins: an exception before the exclusion has no effect' },
  { lines: ['docs', '!docs/README.md'], path: 'docs/README.md', excluded: false, docker: 'an exception re-includes a file inside an excluded directory' },
  { lines: ['docs', '!docs/README.md'], path: 'docs/other.md', excluded: true, docker: 'the rest of the excluded directory stays excluded' },
  { lines: ['**', '!src/**', 'src/**/*.test.ts'], path: 'src/a/b.test.ts', excluded: true, docker: 'last match wins across several exclusions and exceptions' },
  { lines: ['**', '!src/**', 'src/**/*.test.ts'], path: 'src/a/b.ts', excluded: false, docker: 'the exception applies where the later exclusion does not match' },
  { lines: ['**', '!**/*.go'], path: 'cmd/tool/main.go', excluded: false, docker: 'a wildcard exception re-includes files deep inside excluded directories' },
  { lines: ['node_modules', '!node_modules/keep/**'], path: 'node_modules/keep/index.js', excluded: false, docker: 'dir/** exceptions re-include a subtree' },
  { lines: ['node_modules', '!node_modules/keep/**'], path: 'node_modules/drop/index.js', excluded: true, docker: 'siblings of the re-included subtree stay excluded' },
  {
    lines: ['a/b', '!a'],
    path: 'a/b/c',
    excluded: true,
    docker: 'the walk matches with its parent results: !a is only tried on a/b/c itself, so it stays excluded',
  },
  { lines: ['**/node_modules'], path: 'pkg/node_modules/x/index.js', excluded: true, docker: '**/name excludes that directory at any depth' },
  { lines: ['temp?'], path: 'temp1/x', excluded: true, docker: 'a wildcard pattern matching a parent directory excludes its contents' },
  { lines: ['**/.git'], path: '.git/config', excluded: true, docker: '**/.git matches .git at the root' },
  { lines: ['.*'], path: 'sub/.env', excluded: false, docker: '.* only matches dot files at the root' },
  { lines: ['.*'], path: '.env', excluded: true, docker: '. is literal, * the rest' },
  { lines: ['dir/**'], path: 'dir/x/y', excluded: true, docker: 'dir/** excludes everything below dir' },
  { lines: ['a.|)$(}+{bc'], path: 'a.|)$(}+{bc', excluded: true, docker: 'regexp metacharacters are literal' },
  { lines: ['/'], path: 'x', excluded: false, docker: 'a bare / stays / after cleaning and matches nothing' },
  { lines: ['*/*.js'], path: 'src/lib/app.js', excluded: false, docker: 'one * is one path component' },
  { lines: ['*/*.js'], path: 'src/app.js', excluded: true, docker: '*/ matches one directory' },
  { lines: ['[[:digit:]]*.log'], path: '2024.log', excluded: true, docker: 'brackets reach Go regexp, so POSIX classes work' },
  { lines: ['**/*.log', '!important.log'], path: 'important.log', excluded: false, docker: 'an exception for one file after a ** exclusion' },
  { lines: ['! /abs/keep.txt', 'abs'], path: 'abs/keep.txt', excluded: true, docker: '"! /x" is the exception "!x" (spaces and / removed), overridden by the later "abs"' },
];

describe('.dockerignore rules (Docker behaviour table)', () => {
  it('has at least 30 rows', () => {
    expect(table.length).toBeGreaterThanOrEqual(30);
  });

  it.each(table.map((row) => [row.lines.join(' | '), row.path, row.excluded, row] as const))(
    '%s — %s excluded=%s',
    async (_lines, file, excluded, row) => {
      const patterns = parseDockerignore(row.lines.join('\n'));
      const matcher = DockerignoreMatcher.compile(patterns);
      expect(matcher.isExcluded(file), row.docker).toBe(excluded);

      // The same answer from a real walk of a context holding the file.
      const root = makeTree({ [file]: 'x' }, 'ignore-row');
      const listed = (await walkContext(root, { excludes: matcher })).map((e) => e.path);
      expect(listed.includes(file), row.docker).toBe(!excluded);
    },
  );
});

describe('parseDockerignore', () => {
  it('strips a BOM, splits CRLF lines, skips comments and blank lines', () => {
    expect(parseDockerignore('\uFEFF# c\r\na\r\n\r\n   \n  b/  \n#x\nc')).toEqual(['a', 'b', 'c']);
  });

  it('cleans patterns, strips one leading / and keeps ! in front', () => {
    expect(parseDockerignore('/a/./b/../c\n! /inverted/abs/path\n!\n! \n/\n//x\n./y/\n')).toEqual([
      'a/c',
      '!inverted/abs/path',
      '!',
      '!',
      '/',
      'x',
      'y',
    ]);
  });

  it('accepts bytes', () => {
    expect(parseDockerignore(Buffer.from('x\ny\n'))).toEqual(['x', 'y']);
  });

  it('refuses lines bufio.Scanner cannot hold', () => {
    expect(() => parseDockerignore(`ok\n${'a'.repeat(70_000)}\n`, 'ctx/.dockerignore')).toThrow(DockerignoreReadError);
  });
});

describe('DockerignoreMatcher.compile errors', () => {
  it.each([
    ['!', 'a lone ! is an illegal exclusion'],
    ['[', 'an unclosed class'],
    ['a[', 'an unclosed class after text'],
    ['[]a]', 'an empty class'],
    ['x\\', 'a trailing backslash'],
    ['[z-a]', 'a reversed range (Go regexp rejects it)'],
  ])('%s: %s', (pattern) => {
    const error = (() => {
      try {
        DockerignoreMatcher.compile([pattern]);
      } catch (e) {
        return e;
      }
      return undefined;
    })();
    expect(error).toBeInstanceOf(DockerignorePatternError);
    expect((error as DockerignorePatternError).code).toBe('CONTEXT_DOCKERIGNORE_PATTERN');
  });

  it('reads "!/" from a file as an illegal exclusion, as Docker does', () => {
    expect(() => DockerignoreMatcher.compile(parseDockerignore('!/\n'))).toThrow(/illegal exclusion/);
  });
});

describe('readDockerignore', () => {
  it('prefers <Dockerfile>.dockerignore beside the Dockerfile', async () => {
    const root = makeTree({ '.dockerignore': 'from-root\n', 'build/app.Dockerfile': 'FROM x\n', 'build/app.Dockerfile.dockerignore': 'specific\n' });
    const result = await readDockerignore(root, { dockerfile: path.join(root, 'build/app.Dockerfile') });
    expect(result.patterns).toEqual(['specific']);
    expect(result.file).toBe(path.join(root, 'build/app.Dockerfile.dockerignore'));
    expect(result.matcher.isExcluded('specific')).toBe(true);
    expect(result.matcher.isExcluded('from-root')).toBe(false);
  });

  it('uses an existing but empty <Dockerfile>.dockerignore', async () => {
    const root = makeTree({ '.dockerignore': 'from-root\n', Dockerfile: 'FROM x\n', 'Dockerfile.dockerignore': '' });
    const result = await readDockerignore(root, { dockerfile: path.join(root, 'Dockerfile') });
    expect(result.patterns).toEqual([]);
    expect(result.file).toBe(path.join(root, 'Dockerfile.dockerignore'));
  });

  it('falls back to the context .dockerignore', async () => {
    const root = makeTree({ '.dockerignore': 'from-root\n', Dockerfile: 'FROM x\n' });
    const result = await readDockerignore(root, { dockerfile: path.join(root, 'Dockerfile') });
    expect(result.patterns).toEqual(['from-root']);
    expect(result.file).toBe(path.join(root, '.dockerignore'));
  });

  it('has no rules when neither file exists or .dockerignore is a directory', async () => {
    const root = makeTree({ '.dockerignore': { dir: true } });
    const result = await readDockerignore(root);
    expect(result).toMatchObject({ patterns: [], file: undefined });
    expect(result.matcher.empty).toBe(true);
  });

  it('reports an unreadable file', async () => {
    if (process.getuid?.() === 0) return; // root reads everything
    const root = tempDir();
    writeFileSync(path.join(root, '.dockerignore'), 'x\n');
    chmodSync(path.join(root, '.dockerignore'), 0);
    await expect(readDockerignore(root)).rejects.toBeInstanceOf(DockerignoreReadError);
  });
});

describe('re-includes inside excluded directories (walk)', () => {
  it('keeps the excluded parents of a re-included file, holding only it', async () => {
    const root = makeTree({ 'docs/README.md': 'r', 'docs/a.md': 'a', 'docs/deep/b.md': 'b', 'src/x.ts': 'x' });
    const entries = await walkContext(root, { excludes: ['docs', '!docs/README.md'] });
    expect(entries.map((e) => e.path)).toEqual(['docs', 'docs/README.md', 'src', 'src/x.ts']);
  });

  it('enters excluded directories when a wildcard exception may match inside', async () => {
    const root = makeTree({ 'a/b/c/keep.md': 'k', 'a/b/c/drop.txt': 'd', 'a/x.txt': 'x', 'top.md': 't' });
    const entries = await walkContext(root, { excludes: ['a', '!**/*.md'] });
    expect(entries.map((e) => e.path)).toEqual(['a', 'a/b', 'a/b/c', 'a/b/c/keep.md', 'top.md']);
  });

  it('drops an excluded directory when nothing inside is re-included', async () => {
    const root = makeTree({ 'a/b/drop.txt': 'd', 'keep.md': 'k' });
    mkdirSync(path.join(root, 'a/empty'));
    const entries = await walkContext(root, { excludes: ['a', '!**/*.md'] });
    expect(entries.map((e) => e.path)).toEqual(['keep.md']);
  });
});
