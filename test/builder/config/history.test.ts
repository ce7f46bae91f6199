import { describe, expect, it } from 'vitest';
import { historyComment, type HistoryEntry } from '../../../src/builder/config/index.js';
import { simulate } from '../plan/helpers.js';

function history(text: string, options: Parameters<typeof simulate>[1] = {}): HistoryEntry[] {
  return simulate(text, options).target.history;
}

function lines(text: string, options: Parameters<typeof simulate>[1] = {}): string[] {
  return history(text, options).map((entry) => entry.created_by);
}

describe('history created_by, as BuildKit writes it', () => {
  it('metadata instructions', () => {
    expect(
      lines(`FROM alpine
ARG A B=2
ENV X=1 Y="a b"
LABEL k=v other="two words"
MAINTAINER me
USER app
WORKDIR /srv
WORKDIR /
VOLUME /data /logs
STOPSIGNAL SIGTERM
SHELL ["/bin/bash", "-c"]
EXPOSE 443 80/udp
`),
    ).toEqual([
      'ARG A B=2',
      'ENV X=1 Y=a b',
      'LABEL k=v other=two words',
      'MAINTAINER me',
      'USER app',
      'WORKDIR /srv',
      'WORKDIR /',
      'VOLUME [/data /logs]',
      'STOPSIGNAL SIGTERM',
      'SHELL [/bin/bash -c]',
      'EXPOSE [443/tcp 80/udp]',
    ]);
  });

  it('CMD and ENTRYPOINT print the final argv with Go quoting', () => {
    expect(lines('FROM alpine\nCMD echo "hi"\nENTRYPOINT ["a", "b c", "tab\\there"]\nCMD []\n')).toEqual([
      'CMD ["/bin/sh" "-c" "echo \\"hi\\""]',
      'ENTRYPOINT ["a" "b c" "tab\\there"]',
      'CMD []',
    ]);
  });

  it('HEALTHCHECK prints Go\'s %+v of the config', () => {
    expect(lines('FROM alpine\nHEALTHCHECK --interval=90s --retries=2 CMD ["/check"]\nHEALTHCHECK NONE\n')).toEqual([
      'HEALTHCHECK {Test:[CMD /check] Interval:1m30s Timeout:0s StartPeriod:0s StartInterval:0s Retries:2}',
      'HEALTHCHECK {Test:[NONE] Interval:0s Timeout:0s StartPeriod:0s StartInterval:0s Retries:0}',
    ]);
  });

  it('RUN lists the declared ARGs, then the argv, then # buildkit', () => {
    expect(
      lines('FROM alpine\nRUN make\nARG V=1 EMPTY\nENV V=from-env\nRUN ["make", "V=$V"]\n', { buildArgs: { HTTP_PROXY: 'x' } }),
    ).toEqual(['RUN /bin/sh -c make # buildkit', 'ARG V=1 EMPTY', 'ENV V=from-env', 'RUN |2 V=from-env EMPTY= make V=$V # buildkit']);
  });

  it('RUN with heredocs shows what runs', () => {
    expect(lines('FROM alpine\nRUN <<EOF\necho one\necho two\nEOF\nRUN cat <<A > /f\nbody\nA\nRUN <<S\n#!/bin/bash\nS\n')).toEqual([
      'RUN /bin/sh -c echo one\necho two\n # buildkit',
      'RUN /bin/sh -c cat <<A > /f\nbody\nA # buildkit',
      'RUN /bin/sh -c /dev/pipes/S # buildkit',
    ]);
  });

  it('COPY and ADD show expanded flags, sources, heredoc names and destination', () => {
    expect(
      lines(`FROM alpine AS build
FROM alpine
ARG U=app
COPY --from=build --chown=$U:$U --chmod=755 --link /out/a /out/b /usr/bin/
COPY --parents src/./x /dst
COPY <<EOF /etc/motd
hi
EOF
ADD --chown=1 https://example.com/a.tgz /opt/
`),
    ).toEqual([
      'ARG U=app',
      'COPY --chown=app:app --chmod=755 /out/a /out/b /usr/bin/ # buildkit',
      'COPY --parents src/./x /dst # buildkit',
      'COPY <<EOF /etc/motd # buildkit',
      'ADD --chown=1 https://example.com/a.tgz /opt/ # buildkit',
    ]);
  });

  it('marks metadata-only steps as empty layers and comments every entry', () => {
    const entries = history('FROM alpine\nENV A=1\nRUN true\nWORKDIR /\nWORKDIR /app\nCOPY a b\nONBUILD RUN x\n');
    expect(entries.map((entry) => [entry.created_by.split(' ')[0], entry.empty_layer])).toEqual([
      ['ENV', true],
      ['RUN', undefined],
      ['WORKDIR', true],
      ['WORKDIR', undefined],
      ['COPY', undefined],
    ]);
    expect(entries.every((entry) => entry.comment === historyComment && historyComment === 'buildkit.dockerfile.v0')).toBe(true);
  });

  it('keeps the base image\'s history first', () => {
    const base = { config: {}, history: [{ created_by: '/bin/sh -c #(nop) ADD file:abc in /', created: '2024-01-01T00:00:00Z' }] };
    expect(lines('FROM base\nUSER x\n', { images: { 'docker.io/library/base:latest': base } })).toEqual(['/bin/sh -c #(nop) ADD file:abc in /', 'USER x']);
  });
});
