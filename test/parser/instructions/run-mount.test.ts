import { describe, expect, it } from 'vitest';
import { FlagError, ParseErrorCode } from '../../../src/parser/errors.js';
import { parseMount, toInstruction, type Mount } from '../../../src/parser/instructions/index.js';
import { context, fail, ok, summary, syntaxNode } from './helpers.js';

function mount(value: string): Mount {
  const run = ok('RUN', { keyword: 'RUN', flags: [{ name: 'mount', value }], args: ['true'] });
  expect(run.mounts).toHaveLength(1);
  return run.mounts[0];
}

function mountErrors(value: string): string[] {
  const errors = fail({ keyword: 'RUN', flags: [{ name: 'mount', value }], args: ['true'] });
  for (const error of errors) {
    expect(error).toBeInstanceOf(FlagError);
    expect(error.code).toBe(ParseErrorCode.InvalidFlagValue);
  }
  return errors.map((error) => error.detail);
}

describe('RUN --mount', () => {
  describe('bind (the default type)', () => {
    it('defaults to a read-only bind mount', () => {
      expect(mount('target=/src')).toEqual({
        text: 'target=/src',
        range: expect.anything(),
        type: 'bind',
        from: undefined,
        source: undefined,
        target: '/src',
        readOnly: true,
        id: undefined,
        sharing: undefined,
        required: false,
        mode: undefined,
        uid: undefined,
        gid: undefined,
        sizeLimit: undefined,
        env: undefined,
        deferred: [],
      });
    });

    it('reads from, source/src and target/dst/destination', () => {
      expect(mount('type=bind,from=build,source=/out,target=/in')).toMatchObject({ type: 'bind', from: 'build', source: '/out', target: '/in' });
      expect(mount('src=a,dst=/b')).toMatchObject({ source: 'a', target: '/b' });
      expect(mount('destination=/c')).toMatchObject({ target: '/c' });
    });

    it('reads rw/readwrite and ro/readonly, bare or with a Go boolean', () => {
      expect(mount('target=/a,rw').readOnly).toBe(false);
      expect(mount('target=/a,readwrite').readOnly).toBe(false);
      expect(mount('target=/a,rw=true').readOnly).toBe(false);
      expect(mount('target=/a,rw=0').readOnly).toBe(true);
      expect(mount('target=/a,ro').readOnly).toBe(true);
      expect(mount('target=/a,readonly=false').readOnly).toBe(false);
      expect(mount('target=/a,ro=F').readOnly).toBe(false);
    });

    it('rejects a bad boolean', () => {
      expect(mountErrors('target=/a,rw=yes')).toEqual(['invalid value for rw: yes']);
      expect(mountErrors('target=/a,readonly=nope')).toEqual(['invalid value for readonly: nope']);
    });

    it('treats keys and the type case-insensitively', () => {
      expect(mount('TYPE=Cache,Target=/c')).toMatchObject({ type: 'cache', target: '/c' });
    });

    it('rejects cache and file options on a bind mount', () => {
      expect(mountErrors('target=/a,sharing=shared')).toEqual(['invalid cache sharing set for bind mount']);
      expect(mountErrors('target=/a,mode=0700')).toEqual(['mode not allowed for "bind" type mounts']);
      expect(mountErrors('target=/a,uid=1')).toEqual(['uid not allowed for "bind" type mounts']);
      expect(mountErrors('target=/a,gid=1')).toEqual(['gid not allowed for "bind" type mounts']);
      expect(mountErrors('target=/a,required')).toEqual(["unexpected key 'required' for mount type 'bind'"]);
      expect(mountErrors('target=/a,size=1m')).toEqual(["unexpected key 'size' for mount type 'bind'"]);
    });
  });

  describe('cache', () => {
    it('is writable by default and takes id, sharing, mode, uid, gid, from, source', () => {
      expect(mount('type=cache,target=/root/.cache,id=go,sharing=locked,mode=0755,uid=1000,gid=1001,from=base,source=/c')).toMatchObject({
        type: 'cache',
        target: '/root/.cache',
        readOnly: false,
        id: 'go',
        sharing: 'locked',
        mode: 0o755,
        uid: 1000,
        gid: 1001,
        from: 'base',
        source: '/c',
      });
    });

    it('accepts every sharing mode, any case', () => {
      expect(mount('type=cache,target=/c,sharing=shared').sharing).toBe('shared');
      expect(mount('type=cache,target=/c,sharing=PRIVATE').sharing).toBe('private');
      expect(mount('type=cache,target=/c,sharing=locked').sharing).toBe('locked');
    });

    it('rejects an unknown sharing mode, with a suggestion', () => {
      expect(mountErrors('type=cache,target=/c,sharing=lockd')).toEqual(['unsupported sharing value "lockd" (did you mean locked?)']);
      expect(mountErrors('type=cache,target=/c,sharing=xyzzyq')).toEqual(['unsupported sharing value "xyzzyq"']);
    });

    it('can be made read-only', () => {
      expect(mount('type=cache,target=/c,ro').readOnly).toBe(true);
    });

    it('reads mode as octal and rejects bad numbers', () => {
      expect(mount('type=cache,target=/c,mode=777').mode).toBe(0o777);
      expect(mountErrors('type=cache,target=/c,mode=999')).toEqual(['invalid value 999 for mode']);
      expect(mountErrors('type=cache,target=/c,mode=0x1')).toEqual(['invalid value 0x1 for mode']);
      expect(mountErrors('type=cache,target=/c,uid=-1')).toEqual(['invalid value -1 for uid']);
      expect(mountErrors('type=cache,target=/c,gid=4294967296')).toEqual(['invalid value 4294967296 for gid']);
      expect(mount('type=cache,target=/c,gid=4294967295').gid).toBe(4294967295);
    });

    it('does not take required or size', () => {
      expect(mountErrors('type=cache,target=/c,required=true')).toEqual(["unexpected key 'required' for mount type 'cache'"]);
      expect(mountErrors('type=cache,target=/c,size=10')).toEqual(["unexpected key 'size' for mount type 'cache'"]);
    });
  });

  describe('tmpfs', () => {
    it('is writable and takes a size with units', () => {
      expect(mount('type=tmpfs,target=/tmp')).toMatchObject({ type: 'tmpfs', readOnly: false, sizeLimit: undefined });
      expect(mount('type=tmpfs,target=/tmp,size=512').sizeLimit).toBe(512);
      expect(mount('type=tmpfs,target=/tmp,size=64m').sizeLimit).toBe(64 * 1024 * 1024);
      expect(mount('type=tmpfs,target=/tmp,size=1GiB').sizeLimit).toBe(1024 ** 3);
      expect(mount('type=tmpfs,target=/tmp,size=2kb').sizeLimit).toBe(2048);
      expect(mount('type=tmpfs,target=/tmp,size=1.5k').sizeLimit).toBe(1536);
    });

    it('rejects a bad size', () => {
      expect(mountErrors('type=tmpfs,target=/tmp,size=lots')).toEqual(['invalid value for size: lots']);
      expect(mountErrors('type=tmpfs,target=/tmp,size=10x')).toEqual(['invalid value for size: 10x']);
      expect(mountErrors('type=tmpfs,target=/tmp,size=-1')).toEqual(['invalid value for size: -1']);
    });

    it('does not take mode, uid, gid, sharing or required', () => {
      expect(mountErrors('type=tmpfs,target=/t,mode=1')).toEqual(['mode not allowed for "tmpfs" type mounts']);
      expect(mountErrors('type=tmpfs,target=/t,sharing=shared')).toEqual(['invalid cache sharing set for tmpfs mount']);
      expect(mountErrors('type=tmpfs,target=/t,required')).toEqual(["unexpected key 'required' for mount type 'tmpfs'"]);
    });
  });

  describe('secret', () => {
    it('takes id, target, required, env, mode, uid, gid and is read-only', () => {
      expect(mount('type=secret,id=npmrc,target=/root/.npmrc,required,mode=0400,uid=1,gid=2')).toMatchObject({
        type: 'secret',
        id: 'npmrc',
        target: '/root/.npmrc',
        required: true,
        mode: 0o400,
        uid: 1,
        gid: 2,
        readOnly: true,
      });
      expect(mount('type=secret,id=token,env=TOKEN')).toMatchObject({ id: 'token', env: 'TOKEN' });
      expect(mount('type=secret,id=token,required=false').required).toBe(false);
      expect(mount('type=secret,source=token').source).toBe('token');
    });

    it('reads required regardless of where type is written', () => {
      expect(mount('required,type=secret,id=a').required).toBe(true);
    });

    it('rejects a bad required value', () => {
      expect(mountErrors('type=secret,id=a,required=maybe')).toEqual(['invalid value for required: maybe']);
    });

    it('needs one of id, source or target', () => {
      expect(mountErrors('type=secret')).toEqual(['invalid secret mount. one of source, target required']);
      expect(mountErrors('type=secret,required')).toEqual(['invalid secret mount. one of source, target required']);
    });

    it('refuses from, sharing, and source with id', () => {
      expect(mountErrors('type=secret,id=a,from=x')).toEqual(['secret mount should not have a from']);
      expect(mountErrors('type=secret,id=a,sharing=shared')).toEqual(['secret mount should not define sharing']);
      expect(mountErrors('type=secret,id=a,source=b')).toEqual(["both source and id can't be set"]);
      expect(mountErrors('type=secret,id=a,size=1')).toEqual(["unexpected key 'size' for mount type 'secret'"]);
    });
  });

  describe('ssh', () => {
    it('takes id, target, required, mode, uid, gid', () => {
      expect(mount('type=ssh')).toMatchObject({ type: 'ssh', readOnly: true, required: false });
      expect(mount('type=ssh,id=github,target=/run/ssh.sock,required=true,mode=0600,uid=10,gid=20')).toMatchObject({
        id: 'github',
        target: '/run/ssh.sock',
        required: true,
        mode: 0o600,
        uid: 10,
        gid: 20,
      });
    });

    it('does not take sharing or size', () => {
      expect(mountErrors('type=ssh,sharing=locked')).toEqual(['invalid cache sharing set for ssh mount']);
      expect(mountErrors('type=ssh,size=1')).toEqual(["unexpected key 'size' for mount type 'ssh'"]);
    });
  });

  describe('fields', () => {
    it('rejects an unknown type, with a suggestion', () => {
      expect(mountErrors('type=cahce,target=/c')).toEqual(['unsupported mount type "cahce" (did you mean cache?)']);
      expect(mountErrors('type=volume,target=/c')).toEqual(['unsupported mount type "volume"']);
    });

    it('rejects an unknown key, with a suggestion', () => {
      expect(mountErrors('target=/a,tagret=/b')).toEqual(["unexpected key 'tagret' in 'tagret=/b' (did you mean target?)"]);
      expect(mountErrors('target=/a,whatever=1')).toEqual(["unexpected key 'whatever' in 'whatever=1'"]);
    });

    it('rejects a bare field other than ro/rw/readonly/readwrite/required', () => {
      expect(mountErrors('target=/a,cache')).toEqual(["invalid field 'cache' must be a key=value pair"]);
    });

    it('reports every problem of a mount', () => {
      expect(mountErrors('type=tmpfs,target=/t,mode=1,uid=x,zzzzzz=1')).toEqual([
        'invalid value x for uid',
        "unexpected key 'zzzzzz' in 'zzzzzz=1'",
        'mode not allowed for "tmpfs" type mounts',
        'uid not allowed for "tmpfs" type mounts',
      ]);
    });

    it('reads CSV quoting', () => {
      expect(mount('type=bind,"target=/a,b"').target).toBe('/a,b');
      expect(mount('"target=/say ""hi"""').target).toBe('/say "hi"');
    });

    it('rejects broken CSV and an empty value', () => {
      expect(mountErrors('target=/a"b')).toEqual(['failed to parse csv mounts: parse error on line 1, column 10: bare " in non-quoted-field']);
      expect(mountErrors('"target=/a')).toEqual(['failed to parse csv mounts: parse error on line 1, column 2: extraneous or missing " in quoted-field']);
      expect(mountErrors('')).toEqual(['failed to parse csv mounts: EOF']);
    });

    it('lets the last of a repeated key win', () => {
      expect(mount('target=/a,target=/b').target).toBe('/b');
    });
  });

  describe('variables', () => {
    it('keeps string values with $ as written and lists them as deferred', () => {
      const m = mount('type=cache,target=$HOME/.cache,id=${ID}');
      expect(m).toMatchObject({ target: '$HOME/.cache', id: '${ID}' });
      expect(m.deferred).toEqual([
        { key: 'target', value: '$HOME/.cache' },
        { key: 'id', value: '${ID}' },
      ]);
    });

    it('skips the checks of typed values holding $', () => {
      const m = mount('type=cache,target=/c,sharing=$SHARING,mode=$MODE,uid=${UID},ro=$RO');
      expect(m).toMatchObject({ sharing: undefined, mode: undefined, uid: undefined });
      expect(m.deferred.map((field) => field.key)).toEqual(['sharing', 'mode', 'uid', 'ro']);
      expect(mount('type=tmpfs,target=/t,size=$SIZE').sizeLimit).toBeUndefined();
      expect(mount('type=secret,id=a,required=$REQ').required).toBe(false);
    });

    it('skips the per-type checks when the type itself holds $', () => {
      const m = mount('type=$TYPE,target=/c,sharing=locked,mode=0700,size=1m,required');
      expect(m.deferred).toEqual([{ key: 'type', value: '$TYPE' }]);
      expect(m.sharing).toBe('locked');
    });

    it('refuses variables in from (define an alias stage instead)', () => {
      expect(mountErrors('from=$BASE,target=/a')).toEqual(["'from' doesn't support variable expansion, define alias stage instead"]);
      expect(mountErrors('from=${BASE}x,target=/a')).toEqual(["'from' doesn't support variable expansion, define alias stage instead"]);
      expect(mount('from=stage$,target=/a').from).toBe('stage$');
    });
  });

  describe('parseMount (for the builder, after expansion)', () => {
    const range = syntaxNode({ keyword: 'RUN', args: ['x'] }).range;

    it('checks every value when variables are not deferred', () => {
      const result = parseMount('type=cache,target=/c,sharing=$S', { range, file: 'Dockerfile', deferVariables: false });
      expect(result.mount).toBeUndefined();
      expect(result.errors.map((error) => error.detail)).toEqual(['unsupported sharing value "$S"']);
      expect(result.errors[0].file).toBe('Dockerfile');
    });

    it('returns the typed mount', () => {
      const result = parseMount('type=cache,target=/c,sharing=private', { range, deferVariables: false });
      expect(result.errors).toEqual([]);
      expect(result.mount).toMatchObject({ type: 'cache', target: '/c', sharing: 'private', deferred: [] });
    });
  });

  it('parses several mounts in order, each located at its flag', () => {
    const node = syntaxNode({
      keyword: 'RUN',
      flags: [
        { name: 'mount', value: 'type=cache,target=/a' },
        { name: 'mount', value: 'type=secret,id=s' },
        { name: 'mount', value: 'type=tmpfs,target=/t,uid=1' },
      ],
      args: ['make'],
    });
    const { errors } = toInstruction(node, context);
    expect(summary(errors)).toEqual([[ParseErrorCode.InvalidFlagValue, 'uid not allowed for "tmpfs" type mounts']]);
    expect(errors[0].range).toEqual(node.flags[2].range);

    const good = ok('RUN', {
      keyword: 'RUN',
      flags: [
        { name: 'mount', value: 'type=cache,target=/a' },
        { name: 'mount', value: 'type=secret,id=s' },
      ],
      args: ['make'],
    });
    expect(good.mounts.map((m) => m.type)).toEqual(['cache', 'secret']);
  });
});
