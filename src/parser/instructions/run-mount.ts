import { FlagError, ParseErrorCode, type ParseError } from '../errors.js';
import type { SourceRange } from '../source-range.js';
import { parseRamInBytes } from './byte-size.js';
import { csvFields } from './csv-fields.js';
import { goQuote } from '../go-quote.js';
import { parseGoBool, parseGoUint } from './go-strconv.js';
import { withSuggestion } from './suggest.js';
import type { DeferredMountField, Mount, MountSharing, MountType } from './types.js';

/**
 * `RUN --mount=...`, BuildKit's `parseMount`: a CSV list of `key=value` (and bare `ro`/`rw`/`required`) fields.
 * Keys are case-insensitive. BuildKit checks a mount once its variables are expanded; here every literal value
 * is checked at once and values holding a `$` are left for the builder (see `Mount.deferred`).
 */

const mountTypes: readonly MountType[] = ['bind', 'cache', 'tmpfs', 'secret', 'ssh'];
const sharingModes: readonly MountSharing[] = ['shared', 'private', 'locked'];
const allKeys = [
  'type', 'from', 'source', 'target', 'readonly', 'id', 'sharing', 'required', 'size', 'mode', 'uid', 'gid',
  'src', 'dst', 'destination', 'ro', 'rw', 'readwrite', 'env',
];

/** Canonical key for each accepted spelling. */
const canonicalKeys: Readonly<Record<string, string>> = {
  type: 'type',
  from: 'from',
  source: 'source',
  src: 'source',
  target: 'target',
  dst: 'target',
  destination: 'target',
  readonly: 'readonly',
  ro: 'readonly',
  readwrite: 'readwrite',
  rw: 'readwrite',
  required: 'required',
  size: 'size',
  id: 'id',
  sharing: 'sharing',
  mode: 'mode',
  uid: 'uid',
  gid: 'gid',
  env: 'env',
};

export interface ParseMountOptions {
  /** The flag's range, for errors and `Mount.range`. */
  range: SourceRange;
  file?: string;
  /** Leave values holding `$` for later (default true). Pass false for a value that is already expanded. */
  deferVariables?: boolean;
}

export interface ParseMountResult {
  /** Defined exactly when `errors` is empty. */
  mount: Mount | undefined;
  errors: ParseError[];
}

function isMountType(value: string): value is MountType {
  return (mountTypes as readonly string[]).includes(value);
}

function isSharingMode(value: string): value is MountSharing {
  return (sharingModes as readonly string[]).includes(value);
}

export function parseMount(text: string, options: ParseMountOptions): ParseMountResult {
  const errors: ParseError[] = [];
  const fail = (detail: string): void => {
    errors.push(new FlagError(ParseErrorCode.InvalidFlagValue, detail, options.range, options.file));
  };
  const deferVariables = options.deferVariables ?? true;

  const csv = csvFields(text);
  if (!csv.ok) {
    fail(`failed to parse csv mounts: ${csv.message}`);
    return { mount: undefined, errors };
  }

  const mount: Mount = {
    text,
    range: options.range,
    type: 'bind',
    from: undefined,
    source: undefined,
    target: undefined,
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
  };
  /** Keys written (canonical), whether or not their value could be read. */
  const given = new Set<string>();
  let readOnlyWritten = false;
  let typeDeferred = false;

  const readBool = (key: string, value: string): boolean | undefined => {
    const parsed = parseGoBool(value);
    if (parsed === undefined) fail(`invalid value for ${key}: ${value}`);
    return parsed;
  };

  const readUint = (key: string, value: string, base: 8 | 10): number | undefined => {
    const parsed = parseGoUint(value, base, 32);
    if (!parsed.ok) {
      fail(`invalid value ${value} for ${key}`);
      return undefined;
    }
    return parsed.value;
  };

  for (const field of csv.fields) {
    const equals = field.indexOf('=');
    const key = (equals === -1 ? field : field.slice(0, equals)).toLowerCase();
    const canonical = Object.hasOwn(canonicalKeys, key) ? canonicalKeys[key] : undefined;

    if (equals === -1) {
      if (canonical === 'readonly' || canonical === 'readwrite') {
        mount.readOnly = canonical === 'readonly';
        readOnlyWritten = true;
        given.add(canonical);
      } else if (canonical === 'required') {
        mount.required = true;
        given.add(canonical);
      } else {
        fail(`invalid field '${field}' must be a key=value pair`);
      }
      continue;
    }

    const value = field.slice(equals + 1);
    if (canonical === undefined) {
      fail(withSuggestion(`unexpected key '${key}' in '${field}'`, key, allKeys, true));
      continue;
    }
    given.add(canonical);

    if (canonical === 'from' && deferVariables) {
      const dollar = value.indexOf('$');
      if (dollar !== -1 && dollar !== value.length - 1) {
        fail(`'${key}' doesn't support variable expansion, define alias stage instead`);
        continue;
      }
    }
    const deferred = deferVariables && canonical !== 'from' && value.includes('$');
    if (deferred) {
      const entry: DeferredMountField = { key, value };
      mount.deferred.push(entry);
    }

    switch (canonical) {
      case 'from':
        mount.from = value;
        break;
      case 'source':
        mount.source = value;
        break;
      case 'target':
        mount.target = value;
        break;
      case 'id':
        mount.id = value;
        break;
      case 'env':
        mount.env = value;
        break;
      case 'type': {
        if (deferred) {
          typeDeferred = true;
          break;
        }
        const type = value.toLowerCase();
        if (isMountType(type)) {
          mount.type = type;
          typeDeferred = false;
        } else {
          fail(withSuggestion(`unsupported mount type ${goQuote(value)}`, value, mountTypes, true));
        }
        break;
      }
      case 'readonly':
      case 'readwrite': {
        readOnlyWritten = true;
        if (deferred) break;
        const flag = readBool(key, value);
        if (flag !== undefined) mount.readOnly = canonical === 'readonly' ? flag : !flag;
        break;
      }
      case 'required': {
        if (deferred) break;
        const flag = readBool(key, value);
        if (flag !== undefined) mount.required = flag;
        break;
      }
      case 'size': {
        if (deferred) break;
        const size = parseRamInBytes(value);
        if (size === undefined) fail(`invalid value for ${key}: ${value}`);
        else mount.sizeLimit = size;
        break;
      }
      case 'sharing': {
        if (deferred) break;
        const sharing = value.toLowerCase();
        if (isSharingMode(sharing)) mount.sharing = sharing;
        else fail(withSuggestion(`unsupported sharing value ${goQuote(value)}`, value, sharingModes, true));
        break;
      }
      case 'mode':
        if (!deferred) mount.mode = readUint(key, value, 8);
        break;
      case 'uid':
        if (!deferred) mount.uid = readUint(key, value, 10);
        break;
      case 'gid':
        if (!deferred) mount.gid = readUint(key, value, 10);
        break;
    }
  }

  if (!readOnlyWritten) mount.readOnly = !(mount.type === 'cache' || mount.type === 'tmpfs');
  if (!typeDeferred) checkAgainstType(mount, given, fail);

  return errors.length === 0 ? { mount, errors } : { mount: undefined, errors };
}

/** The per-type rules, applied once all fields are read (so field order does not matter). */
function checkAgainstType(mount: Mount, given: ReadonlySet<string>, fail: (detail: string) => void): void {
  const type = mount.type;
  if (given.has('required') && type !== 'secret' && type !== 'ssh') {
    fail(`unexpected key 'required' for mount type '${type}'`);
  }
  if (given.has('size') && type !== 'tmpfs') {
    fail(`unexpected key 'size' for mount type '${type}'`);
  }
  const fileInfoAllowed = type === 'secret' || type === 'ssh' || type === 'cache';
  if (!fileInfoAllowed) {
    for (const key of ['mode', 'uid', 'gid']) {
      if (given.has(key)) fail(`${key} not allowed for ${goQuote(type)} type mounts`);
    }
  }
  if (type === 'secret') {
    if (mount.from) fail('secret mount should not have a from');
    if (given.has('sharing')) fail('secret mount should not define sharing');
    if (!mount.source && !mount.target && !mount.id) fail('invalid secret mount. one of source, target required');
    if (mount.source && mount.id) fail("both source and id can't be set");
  } else if (given.has('sharing') && type !== 'cache') {
    fail(`invalid cache sharing set for ${type} mount`);
  }
}
