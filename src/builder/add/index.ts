/**
 * What ADD adds to COPY: URLs downloaded (and checked against `--checksum`), local archives unpacked. The stage
 * runner selects local sources as for COPY, and asks this module for the URL part of the cache key and, on a
 * cache miss, for the sources in Dockerfile order with archives and downloads told apart.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { CopySource, StepSource } from '../copy-layer.js';
import { StepErrorCode, StepProblem } from '../step-errors.js';
import { isArchive } from './archive-entries.js';
import { archiveLimits, type ArchiveLimits } from './archive-limits.js';
import { InvalidChecksumError } from './errors.js';
import { StagingArea } from './extract-archive.js';
import { downloadUrl, hasUrlScheme, isGitSource, isHttpUrl, parseChecksum, redactUrl, remoteFileName, type DownloadedFile, type ExpectedDigest } from './remote-source.js';

export { extractArchive, StagingArea, type ExtractTarget } from './extract-archive.js';
export { TreeView } from './tree-view.js';
export { archiveLimits, defaultArchiveLimits, type ArchiveLimits } from './archive-limits.js';
export * from './errors.js';

export interface AddOptions {
  sources: readonly string[];
  checksum: string | undefined;
  /** `--unpack`: undefined unpacks local archives only, true also downloaded ones, false none. */
  unpack: boolean | undefined;
}

interface RemoteSource {
  url: string;
  name: string;
  expected: ExpectedDigest | undefined;
  downloaded?: DownloadedFile;
}

export class AddSources {
  private readonly remote = new Map<number, RemoteSource>();
  private workDirectory: Promise<string> | undefined;
  private stagingArea: StagingArea | undefined;
  private downloads = 0;

  private constructor(
    private readonly options: AddOptions,
    private readonly tmpRoot: string,
    private readonly signal: AbortSignal | undefined,
    private readonly limits: ArchiveLimits,
  ) {}

  /**
   * Checks the sources and `--checksum`: git and other non-http schemes are refused, as is a checksum for a local
   * source. `limits` (BuildOptions.limits) bound every archive the step unpacks.
   */
  static plan(options: AddOptions, tmpRoot: string, signal: AbortSignal | undefined, limits?: Partial<ArchiveLimits>): AddSources {
    const add = new AddSources(options, tmpRoot, signal, archiveLimits(limits));
    const expected = options.checksum === undefined ? undefined : parseChecksum(options.checksum);
    options.sources.forEach((source, index) => {
      if (isGitSource(source) || (hasUrlScheme(source) && !isHttpUrl(source))) {
        throw new StepProblem(StepErrorCode.RemoteSourceUnsupported, `ADD ${redactUrl(source)}: git and non-http(s) sources are not available in this version`);
      }
      if (isHttpUrl(source)) add.remote.set(index, { url: source, name: remoteFileName(source), expected });
      else if (expected) throw new InvalidChecksumError(`--checksum can only be used with http(s) sources, not '${source}'`);
    });
    return add;
  }

  isRemote(index: number): boolean {
    return this.remote.has(index);
  }

  /**
   * The part of the cache key ADD adds: the unpack mode, and per URL its file name with the checksum, or (without
   * one) the digest and Last-Modified of a fresh download, so an unchanged file keeps the cache.
   */
  async keyPart(): Promise<unknown> {
    const urls: unknown[] = [];
    for (const source of this.remote.values()) {
      if (source.expected) {
        urls.push({ name: source.name, checksum: source.expected.text });
        continue;
      }
      const downloaded = await this.download(source);
      urls.push({ name: source.name, digest: downloaded.digest, lastModified: downloaded.lastModified ?? null });
    }
    return { add: 'unpack-archives', unpack: this.options.unpack ?? null, urls };
  }

  /** The step's sources in Dockerfile order; `local[i]` holds what source `i` selected (empty for a URL). */
  async stepSources(local: readonly (readonly CopySource[])[]): Promise<StepSource[]> {
    const sources: StepSource[] = [];
    for (const [index, group] of local.entries()) {
      const remote = this.remote.get(index);
      if (remote) {
        const downloaded = await this.download(remote);
        const label = redactUrl(remote.url);
        if (this.options.unpack === true && (await isArchive(downloaded.file, label))) sources.push({ kind: 'archive', file: downloaded.file, label });
        else sources.push({ kind: 'downloaded', file: downloaded.file, name: remote.name, mtime: downloaded.lastModified ?? 0 });
        continue;
      }
      for (const source of group) {
        const { entry, path: label } = source.expanded.source;
        const file = path.join(source.root, entry.path);
        if (this.options.unpack !== false && entry.type === 'file' && (await isArchive(file, label))) sources.push({ kind: 'archive', file, label });
        else sources.push(source);
      }
    }
    return sources;
  }

  /** Where unpacked contents wait for the layer writer. */
  staging(): StagingArea {
    this.stagingArea ??= new StagingArea(() => this.directory(), this.limits);
    return this.stagingArea;
  }

  /** Removes downloads and unpacked contents; call once the step's layer is written or reused. */
  async release(): Promise<void> {
    const directory = this.workDirectory;
    this.workDirectory = undefined;
    const made = await directory?.catch(() => undefined);
    if (made) await rm(made, { recursive: true, force: true });
  }

  private directory(): Promise<string> {
    this.workDirectory ??= mkdtemp(path.join(this.tmpRoot, 'add-'));
    return this.workDirectory;
  }

  private async download(source: RemoteSource): Promise<DownloadedFile> {
    if (!source.downloaded) {
      const file = path.join(await this.directory(), `download-${++this.downloads}`);
      source.downloaded = await downloadUrl(source.url, file, { expected: source.expected, signal: this.signal });
    }
    return source.downloaded;
  }
}
