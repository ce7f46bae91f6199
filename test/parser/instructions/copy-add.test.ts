import { describe, expect, it } from 'vitest';
import { ParseErrorCode } from '../../../src/parser/errors.js';
import { toInstruction } from '../../../src/parser/instructions/index.js';
import { context, fail, ok, summary, syntaxNode } from './helpers.js';

const noDestination = (keyword: string): string =>
  `${keyword} requires at least two arguments, but only one was provided. Destination could not be determined`;

describe('COPY', () => {
  it('splits sources and destination, keeping ranges', () => {
    const node = syntaxNode({ keyword: 'COPY', args: ['package.json', 'yarn.lock', '/app/'] });
    const { instruction } = toInstruction(node, context);
    expect(instruction?.kind).toBe('COPY');
    if (instruction?.kind !== 'COPY') return;
    expect(instruction.sources).toEqual([
      { value: 'package.json', range: node.args[0].range },
      { value: 'yarn.lock', range: node.args[1].range },
    ]);
    expect(instruction.destination).toEqual({ value: '/app/', range: node.args[2].range });
    expect(instruction.heredocSources).toEqual([]);
    expect(instruction).toMatchObject({ from: undefined, chown: undefined, chmod: undefined, link: false, parents: false, exclude: [] });
  });

  it('reads the JSON form', () => {
    const copy = ok('COPY', { keyword: 'COPY', args: ['a b', '/dest dir/'], json: true });
    expect(copy.sources.map((source) => source.value)).toEqual(['a b']);
    expect(copy.destination.value).toBe('/dest dir/');
  });

  it('keeps variables unexpanded', () => {
    const copy = ok('COPY', { keyword: 'COPY', flags: ['--from=$STAGE', '--chown=${UID}:${GID}'], args: ['$SRC', '${DEST}'] });
    expect(copy.from?.value).toBe('$STAGE');
    expect(copy.chown?.value).toBe('${UID}:${GID}');
    expect(copy.sources[0].value).toBe('$SRC');
    expect(copy.destination.value).toBe('${DEST}');
  });

  it('reads every flag', () => {
    const copy = ok('COPY', {
      keyword: 'COPY',
      flags: ['--from=build', '--chown=1000:1000', '--chmod=0644', '--link', '--parents', '--exclude=*.tmp', '--exclude=.git'],
      args: ['./src', '/app'],
    });
    expect(copy.from?.value).toBe('build');
    expect(copy.chown?.value).toBe('1000:1000');
    expect(copy.chmod?.value).toBe('0644');
    expect(copy.link).toBe(true);
    expect(copy.parents).toBe(true);
    expect(copy.exclude.map((flag) => flag.value)).toEqual(['*.tmp', '.git']);
  });

  it('rejects ADD-only flags', () => {
    expect(summary(fail({ keyword: 'COPY', flags: ['--checksum=sha256:abc'], args: ['a', 'b'] }))).toEqual([
      [ParseErrorCode.UnknownFlag, 'unknown flag: --checksum'],
    ]);
    expect(summary(fail({ keyword: 'COPY', flags: ['--keep-git-dir'], args: ['a', 'b'] }))).toEqual([
      [ParseErrorCode.UnknownFlag, 'unknown flag: --keep-git-dir'],
    ]);
  });

  it('needs a destination', () => {
    expect(summary(fail({ keyword: 'COPY', args: ['only'] }))).toEqual([[ParseErrorCode.MissingArguments, noDestination('COPY')]]);
    expect(summary(fail({ keyword: 'COPY' }))).toEqual([[ParseErrorCode.MissingArguments, noDestination('COPY')]]);
    expect(summary(fail({ keyword: 'COPY', args: ['only'], json: true }))).toEqual([[ParseErrorCode.MissingArguments, noDestination('COPY')]]);
  });

  it('takes heredocs as sources, chomping <<- bodies', () => {
    const node = syntaxNode({
      keyword: 'COPY',
      args: ['<<EOF', 'file.txt', '<<-"END"', '/dest/'],
      heredocs: [
        { name: 'EOF', content: 'hello $NAME\n' },
        { name: 'END', content: '\t\tindented\n', chomp: true, expand: false },
      ],
    });
    const { instruction, errors } = toInstruction(node, context);
    expect(errors).toEqual([]);
    if (instruction?.kind !== 'COPY') throw new Error('expected COPY');
    expect(instruction.sources.map((source) => source.value)).toEqual(['file.txt']);
    expect(instruction.heredocSources.map(({ name, content, expand, range }) => ({ name, content, expand, range }))).toEqual([
      { name: 'EOF', content: 'hello $NAME\n', expand: true, range: node.args[0].range },
      { name: 'END', content: 'indented\n', expand: false, range: node.args[2].range },
    ]);
    expect(instruction.heredocSources[1].heredoc).toBe(node.heredocs[1]);
  });

  it('matches a heredoc by name when ranges do not line up', () => {
    const node = syntaxNode({ keyword: 'COPY', args: ['<<DATA', '/d'], heredocs: [{ name: 'DATA', content: 'x\n' }] });
    node.heredocs[0].openerRange = node.keywordRange;
    const { instruction } = toInstruction(node, context);
    expect(instruction?.kind === 'COPY' && instruction.heredocSources.map((source) => source.content)).toEqual(['x\n']);
  });

  it('treats a heredoc-like word with no heredoc as a path', () => {
    expect(ok('COPY', { keyword: 'COPY', args: ['<<EOF', '/d'] }).sources.map((s) => s.value)).toEqual(['<<EOF']);
    expect(ok('COPY', { keyword: 'COPY', args: ['<<EOF', '/d'], json: true }).heredocSources).toEqual([]);
  });

  it('refuses a heredoc as the destination', () => {
    const node = syntaxNode({ keyword: 'COPY', args: ['a', '<<EOF'], heredocs: [{ name: 'EOF', content: 'x\n' }] });
    const { errors } = toInstruction(node, context);
    expect(summary(errors)).toEqual([[ParseErrorCode.InvalidHeredoc, 'COPY cannot accept a heredoc as a destination']]);
    expect(errors[0].range).toEqual(node.args[1].range);
  });
});

describe('ADD', () => {
  it('reads sources, destination and every flag', () => {
    const add = ok('ADD', {
      keyword: 'ADD',
      flags: ['--chown=app', '--chmod=755', '--link=true', '--checksum=sha256:0123', '--keep-git-dir', '--unpack=false', '--exclude=docs/'],
      args: ['https://example.com/a.tar.gz', 'git@github.com:moby/buildkit.git', '/src/'],
    });
    expect(add.sources.map((source) => source.value)).toEqual(['https://example.com/a.tar.gz', 'git@github.com:moby/buildkit.git']);
    expect(add.destination.value).toBe('/src/');
    expect(add.chown?.value).toBe('app');
    expect(add.chmod?.value).toBe('755');
    expect(add.link).toBe(true);
    expect(add.checksum?.value).toBe('sha256:0123');
    expect(add.keepGitDir).toBe(true);
    expect(add.unpack).toBe(false);
    expect(add.exclude.map((flag) => flag.value)).toEqual(['docs/']);
  });

  it('leaves unpack undefined when not given', () => {
    const add = ok('ADD', { keyword: 'ADD', args: ['a.tar', '/'] });
    expect(add).toMatchObject({ unpack: undefined, keepGitDir: false, link: false, checksum: undefined, exclude: [] });
    expect(ok('ADD', { keyword: 'ADD', flags: ['--unpack'], args: ['a.tar', '/'] }).unpack).toBe(true);
  });

  it('rejects COPY-only flags and bad booleans', () => {
    expect(summary(fail({ keyword: 'ADD', flags: ['--from=x', '--parents', '--keep-git-dir=sure'], args: ['a', 'b'] }))).toEqual([
      [ParseErrorCode.UnknownFlag, 'unknown flag: --from'],
      [ParseErrorCode.UnknownFlag, 'unknown flag: --parents'],
      [ParseErrorCode.InvalidFlagValue, 'expecting boolean value for flag --keep-git-dir, not: sure'],
    ]);
  });

  it('needs a destination', () => {
    expect(summary(fail({ keyword: 'ADD', args: ['a'] }))).toEqual([[ParseErrorCode.MissingArguments, noDestination('ADD')]]);
  });

  it('takes heredoc sources and refuses a heredoc destination', () => {
    const add = ok('ADD', { keyword: 'ADD', args: ['<<EOF', '/x'], heredocs: [{ name: 'EOF', content: 'y\n' }] });
    expect(add.heredocSources.map((source) => source.name)).toEqual(['EOF']);
    expect(summary(fail({ keyword: 'ADD', args: ['a', '2<<EOF'], heredocs: [{ name: 'EOF', content: '' }] }))).toEqual([
      [ParseErrorCode.InvalidHeredoc, 'ADD cannot accept a heredoc as a destination'],
    ]);
  });
});
