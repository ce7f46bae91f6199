/**
 * Hand-made tar blocks for hostile archives: every field is taken as given (names of any length, sizes that lie,
 * typeflags no writer would use), which tar-stream and src/layers' writer both refuse to produce.
 */

export interface RawHeader {
  name: string;
  /** Typeflag character: '0' file, '1' hardlink, '2' symlink, '3'/'4' devices, '5' dir, 'x'/'g' PAX, 'L'/'K' GNU. */
  typeflag?: string;
  /** The size field; values above 8^11 - 1 are written in GNU base-256. */
  size?: number;
  mode?: number;
  linkname?: string;
  devMajor?: number;
  devMinor?: number;
}

const BLOCK = 512;

/** One 512-byte ustar header block with a correct checksum. Names longer than 100 bytes are cut (use PAX or GNU). */
export function rawHeader(header: RawHeader): Buffer {
  const block = Buffer.alloc(BLOCK);
  block.write(header.name.slice(0, 100), 0, 100, 'utf8');
  writeOctal(block, 100, 8, header.mode ?? 0o644);
  writeOctal(block, 108, 8, 0);
  writeOctal(block, 116, 8, 0);
  writeSize(block, header.size ?? 0);
  writeOctal(block, 136, 12, 1_000_000_000);
  block.write(header.typeflag ?? '0', 156, 1, 'latin1');
  block.write((header.linkname ?? '').slice(0, 100), 157, 100, 'utf8');
  block.write('ustar\0', 257, 6, 'latin1');
  block.write('00', 263, 2, 'latin1');
  writeOctal(block, 329, 8, header.devMajor ?? 0);
  writeOctal(block, 337, 8, header.devMinor ?? 0);
  writeChecksum(block);
  return block;
}

/** Rewrites the checksum of a header block after its bytes were changed. */
export function writeChecksum(block: Buffer): void {
  block.fill(0x20, 148, 156);
  let sum = 0;
  for (let i = 0; i < BLOCK; i++) sum += block[i];
  block.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 8, 'latin1');
}

/** A whole entry: header, content, padding to the block size. */
export function rawEntry(header: RawHeader, content: Buffer | string = Buffer.alloc(0)): Buffer {
  const body = Buffer.from(content);
  return Buffer.concat([rawHeader({ ...header, size: header.size ?? body.length }), body, Buffer.alloc(padding(body.length))]);
}

/** A PAX extended header ('x', or 'g' for global) carrying `records`. */
export function paxEntry(records: Record<string, string | Buffer>, typeflag: 'x' | 'g' = 'x'): Buffer {
  return rawEntry({ name: 'PaxHeaders/entry', typeflag }, paxRecords(records));
}

export function paxRecords(records: Record<string, string | Buffer>): Buffer {
  const parts: Buffer[] = [];
  for (const [key, value] of Object.entries(records)) {
    const rest = Buffer.concat([Buffer.from(` ${key}=`), Buffer.from(value), Buffer.from('\n')]);
    let length = rest.length + 1;
    while (String(length).length + rest.length !== length) length = String(length).length + rest.length;
    parts.push(Buffer.from(String(length)), rest);
  }
  return Buffer.concat(parts);
}

/** The two zero blocks that end an archive. */
export const END = Buffer.alloc(2 * BLOCK);

export function tarOf(...entries: Buffer[]): Buffer {
  return Buffer.concat([...entries, END]);
}

export function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function writeOctal(block: Buffer, offset: number, width: number, value: number): void {
  block.write(value.toString(8).padStart(width - 1, '0'), offset, width - 1, 'latin1');
}

function writeSize(block: Buffer, size: number): void {
  if (size < 8 ** 11) {
    writeOctal(block, 124, 12, size);
    return;
  }
  block[124] = 0x80;
  let rest = BigInt(size);
  for (let i = 135; i > 124; i--) {
    block[i] = Number(rest & 0xffn);
    rest >>= 8n;
  }
}
