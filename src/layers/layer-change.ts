/**
 * The change list: what one layer adds, replaces or removes, independent of where the changes came from
 * (a COPY from a context, a diff of two trees, an overlayfs upper directory).
 */

/** Extended attributes by name; values are raw bytes (security.capability is binary). */
export type Xattrs = ReadonlyMap<string, Buffer>;

/** Metadata every added entry carries. */
export interface EntryMetadata {
  /** Layer-relative POSIX path without a leading slash, `.` or `..` components, e.g. `usr/bin/env`. */
  readonly path: string;
  /** Permission bits including setuid, setgid and sticky (`mode & 0o7777`). */
  readonly mode: number;
  readonly uid: number;
  readonly gid: number;
  /** Modification time in seconds since the epoch; the tar keeps whole seconds. */
  readonly mtime: number;
  readonly xattrs?: Xattrs;
  /**
   * Identity of the inode (e.g. `${dev}:${ino}`) for entries that may be hardlinked. Non-directory adds that
   * share a key are written once, at the first path in sort order, and as hardlinks to it everywhere else.
   */
  readonly hardlinkKey?: string;
}

/** A regular file whose content is read from `source`: an absolute path on disk, or the bytes themselves. */
export interface AddFile extends EntryMetadata {
  readonly kind: 'add';
  readonly type: 'file';
  readonly source: string | Uint8Array;
}

export interface AddDirectory extends EntryMetadata {
  readonly kind: 'add';
  readonly type: 'directory';
}

export interface AddSymlink extends EntryMetadata {
  readonly kind: 'add';
  readonly type: 'symlink';
  readonly linkTarget: string;
}

export interface AddDevice extends EntryMetadata {
  readonly kind: 'add';
  readonly type: 'character-device' | 'block-device';
  readonly devMajor: number;
  readonly devMinor: number;
}

export interface AddFifo extends EntryMetadata {
  readonly kind: 'add';
  readonly type: 'fifo';
}

/** Something that exists in the new state: written as a tar entry. */
export type LayerAdd = AddFile | AddDirectory | AddSymlink | AddDevice | AddFifo;

/** A path removed in the new state: written as a `.wh.<name>` whiteout. */
export interface LayerDelete {
  readonly kind: 'delete';
  readonly path: string;
}

/** A directory whose lower content is hidden entirely: written as `<dir>/.wh..wh..opq`. */
export interface LayerOpaque {
  readonly kind: 'opaque';
  readonly path: string;
}

export type LayerChange = LayerAdd | LayerDelete | LayerOpaque;

export type LayerEntryType = LayerAdd['type'];
