import { describe, expect, it } from 'vitest';
import { BuildErrorCode, InstructionValueError, VariableExpansionError } from '../../../src/builder/errors.js';
import { expandInstruction, StageScope, type ExpandedInstruction, type ExpansionResult } from '../../../src/builder/plan/index.js';
import { plan } from './helpers.js';

/** Expands every step of the last stage with a scope starting from `env`, returning each result. */
function expandAll(text: string, options: { env?: string[]; buildArgs?: Record<string, string> } = {}): ExpansionResult[] {
  const built = plan(text, { buildArgs: options.buildArgs });
  let scope = StageScope.start(built.variables, { env: options.env ?? [] });
  const results: ExpansionResult[] = [];
  for (const step of built.stages[built.target].steps) {
    const result = expandInstruction(step, scope);
    results.push(result);
    scope = result.scope;
  }
  return results;
}

function last(text: string, options: Parameters<typeof expandAll>[1] = {}): ExpansionResult {
  const results = expandAll(text, options);
  return results[results.length - 1];
}

function expanded<K extends ExpandedInstruction['kind']>(result: ExpansionResult, kind: K): Extract<ExpandedInstruction, { kind: K }> {
  expect(result.expanded.kind).toBe(kind);
  return result.expanded as Extract<ExpandedInstruction, { kind: K }>;
}

const env = ['NAME=web', 'DIR=/srv/app', 'WORDS=a b'];

describe('ENV and LABEL', () => {
  it('expand keys and values with the variables before the instruction, removing quotes', () => {
    const result = last('FROM alpine\nENV A=1 B=$A C="${NAME} x" ${NAME}_HOME=$DIR\n', { env });
    expect(expanded(result, 'ENV').pairs).toEqual([
      { key: 'A', value: '1' },
      { key: 'B', value: '' },
      { key: 'C', value: 'web x' },
      { key: 'web_HOME', value: '/srv/app' },
    ]);
    expect(result.used).toEqual({ matched: ['DIR', 'NAME'], unmatched: ['A'] });
    expect(result.scope.get('B')).toBe('');
    expect(result.scope.get('web_HOME')).toBe('/srv/app');
  });

  it('expand the old `ENV key value` form as one word', () => {
    expect(expanded(last('FROM alpine\nENV GREETING hello $NAME  there\n', { env }), 'ENV').pairs).toEqual([
      { key: 'GREETING', value: 'hello web  there' },
    ]);
  });

  it('expand LABEL keys and values without touching the scope', () => {
    const result = last('FROM alpine\nLABEL "org.$NAME.version"="1.0" description="app in $DIR"\n', { env });
    expect(expanded(result, 'LABEL').pairs).toEqual([
      { key: 'org.web.version', value: '1.0' },
      { key: 'description', value: 'app in /srv/app' },
    ]);
    expect(result.scope.environment()).toEqual(env);
  });
});

describe('single-value instructions', () => {
  it('expand WORKDIR, USER, VOLUME and STOPSIGNAL', () => {
    const results = expandAll('FROM alpine\nWORKDIR $DIR/bin\nUSER ${NAME}:${NAME}\nVOLUME $DIR/data ["/x/$NAME"]\nSTOPSIGNAL SIG${SIG:-TERM}\n', { env });
    expect(expanded(results[0], 'WORKDIR').path).toBe('/srv/app/bin');
    expect(expanded(results[1], 'USER').user).toBe('web:web');
    // Shell form: each word is expanded with quote removal, so a JSON-looking word loses its quotes (as BuildKit).
    expect(expanded(results[2], 'VOLUME').volumes).toEqual(['/srv/app/data', '[/x/web]']);
    expect(expanded(results[3], 'STOPSIGNAL').signal).toBe('SIGTERM');
    expect(results[3].used).toEqual({ matched: [], unmatched: ['SIG'] });
  });

  it('does not split words: a value with spaces stays one volume', () => {
    expect(expanded(last('FROM alpine\nVOLUME $WORDS\n', { env }), 'VOLUME').volumes).toEqual(['a b']);
  });

  it('leaves MAINTAINER, SHELL, CMD, ENTRYPOINT, HEALTHCHECK and ONBUILD as written', () => {
    const results = expandAll(
      'FROM alpine\nMAINTAINER $NAME\nSHELL ["/bin/$NAME", "-c"]\nCMD echo $NAME\nENTRYPOINT ["run", "$NAME"]\nHEALTHCHECK CMD check $NAME\nONBUILD RUN echo $NAME\n',
      { env },
    );
    expect(expanded(results[0], 'MAINTAINER').maintainer).toBe('$NAME');
    expect(expanded(results[1], 'SHELL').shell).toEqual(['/bin/$NAME', '-c']);
    expect(expanded(results[2], 'CMD').command).toEqual({ form: 'shell', text: 'echo $NAME' });
    expect(expanded(results[3], 'ENTRYPOINT').command).toEqual({ form: 'exec', args: ['run', '$NAME'] });
    expect(expanded(results[4], 'HEALTHCHECK').healthcheck).toMatchObject({ command: { form: 'shell', text: 'check $NAME' } });
    expect(expanded(results[5], 'ONBUILD').expression).toBe('RUN echo $NAME');
    for (const result of results) expect(result.used).toEqual({ matched: [], unmatched: [] });
  });
});

describe('EXPOSE', () => {
  it('sorts the specs as written, then expands and splits each into words', () => {
    expect(expanded(last('FROM alpine\nEXPOSE 80 $PORTS 53/udp\n', { env: ['PORTS=8080 443'] }), 'EXPOSE').ports).toEqual([
      '8080',
      '443',
      '53/udp',
      '80',
    ]);
  });
});

describe('COPY and ADD', () => {
  it('expand sources, destination, --chown and --chmod but not --from or --exclude', () => {
    const result = last('FROM alpine AS src\nFROM alpine\nCOPY --from=src --chown=$NAME:$NAME --chmod=${MODE:-644} --exclude=$NAME ${DIR}/a "b"c $DIR/\n', {
      env,
    });
    const copy = expanded(result, 'COPY');
    expect(copy).toMatchObject({
      from: 'src',
      chown: 'web:web',
      chmod: '644',
      exclude: ['$NAME'],
      sources: ['/srv/app/a', 'bc'],
      destination: '/srv/app/',
      heredocs: [],
      link: false,
      parents: false,
    });
  });

  it('expand heredoc bodies only when the heredoc name is unquoted, keeping quotes', () => {
    const results = expandAll('FROM alpine\nCOPY <<EOF <<"RAW" /etc/\nname="$NAME" \\$HOME\nEOF\nkeep $NAME\nRAW\n', { env });
    expect(expanded(results[0], 'COPY').heredocs).toEqual([
      { name: 'EOF', content: 'name="web" $HOME\n' },
      { name: 'RAW', content: 'keep $NAME\n' },
    ]);
  });

  it('expand ADD --checksum', () => {
    const add = expanded(last('FROM alpine\nADD --checksum=sha256:$SUM https://example.com/a.tgz /a\n', { env: ['SUM=abc'] }), 'ADD');
    expect(add.checksum).toBe('sha256:abc');
    expect(add.sources).toEqual(['https://example.com/a.tgz']);
  });

  it('report only the declared ARGs they reference as cache inputs', () => {
    const results = expandAll('FROM alpine\nARG SRC=src UNUSED=x\nENV DEST=/app\nCOPY $SRC $DEST\n');
    expect(results[2].cacheArgs).toEqual([{ name: 'SRC', value: 'src' }]);
    expect(results[2].used.matched).toEqual(['DEST', 'SRC']);
  });
});

describe('RUN', () => {
  it('keeps the command for the shell and gives it the whole environment', () => {
    const result = last('FROM alpine\nARG V=1\nENV E=2\nRUN echo $V $E > /out\n', { env: ['PATH=/bin'] });
    const run = expanded(result, 'RUN');
    expect(run.command).toEqual({ form: 'shell', text: 'echo $V $E > /out' });
    expect(run.environment).toEqual(['PATH=/bin', 'V=1', 'E=2']);
    expect(run.args).toEqual([{ name: 'V', value: '1' }]);
    expect(result.cacheArgs).toEqual([{ name: 'V', value: '1' }]);
    expect(result.used).toEqual({ matched: [], unmatched: [] });
  });

  it('keeps heredocs raw: the shell expands them', () => {
    const run = expanded(last('FROM alpine\nRUN <<EOF\necho $NAME\nEOF\n', { env }), 'RUN');
    expect(run.heredocs.map((heredoc) => heredoc.content)).toEqual(['echo $NAME\n']);
  });

  it('expands every key=value of a mount and checks the result', () => {
    const run = expanded(
      last('FROM alpine\nARG CACHE=/root/.cache\nRUN --mount=type=$TYPE,id=$NAME-cache,target=${CACHE},sharing=locked --network=none go build\n', {
        env: ['TYPE=cache', 'NAME=web'],
      }),
      'RUN',
    );
    expect(run.mounts).toHaveLength(1);
    expect(run.mounts[0]).toMatchObject({ type: 'cache', id: 'web-cache', target: '/root/.cache', sharing: 'locked', readOnly: false, deferred: [] });
    expect(run.network).toBe('none');
  });

  it('refuses a mount that is invalid once expanded', () => {
    let error: unknown;
    try {
      expandAll('FROM alpine\nRUN --mount=type=$TYPE,target=/x true\n', { env: ['TYPE=volume'] });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(InstructionValueError);
    expect((error as InstructionValueError).code).toBe(BuildErrorCode.InvalidMount);
    expect((error as InstructionValueError).message).toMatch(/^Dockerfile:2:1: unsupported mount type "volume"/);
  });
});

describe('escape character and errors', () => {
  it('uses the Dockerfile\'s escape character', () => {
    const results = expandAll('# escape=`\nFROM alpine\nWORKDIR C:\\app\\`$NAME\nWORKDIR /$NAME\n', { env });
    expect(expanded(results[0], 'WORKDIR').path).toBe('C:\\app\\$NAME');
    expect(expanded(results[1], 'WORKDIR').path).toBe('/web');
  });

  it('reports expansion failures at the instruction', () => {
    let error: unknown;
    try {
      expandAll('FROM alpine\nENV A=1\nWORKDIR ${MISSING:?set MISSING}\n');
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VariableExpansionError);
    expect((error as VariableExpansionError).code).toBe(BuildErrorCode.ExpansionFailed);
    expect((error as VariableExpansionError).message).toMatch(/^Dockerfile:3:1: failed to expand "\$\{MISSING:\?set MISSING\}": .*set MISSING/);
  });

  it('accepts a bare instruction as well as a planned step', () => {
    const built = plan('FROM alpine\nUSER $NAME\n');
    const scope = StageScope.start(built.variables, { env });
    expect(expanded(expandInstruction(built.stages[0].steps[0].instruction, scope), 'USER').user).toBe('web');
  });
});
