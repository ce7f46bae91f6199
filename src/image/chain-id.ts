import { digestOf, parseDigest } from './digest.js';

/**
 * OCI chain IDs of a layer stack, one per layer: ChainID(L0) = DiffID(L0),
 * ChainID(Ln) = sha256(ChainID(Ln-1) + " " + DiffID(Ln)). The chain ID of layer n names the filesystem that layers
 * 0..n make together, so it keys unpacked snapshots.
 */
export function chainIds(diffIds: readonly string[]): string[] {
  const result: string[] = [];
  let previous: string | undefined;
  for (const diffId of diffIds) {
    parseDigest(diffId);
    previous = previous === undefined ? diffId : digestOf(`${previous} ${diffId}`);
    result.push(previous);
  }
  return result;
}

/** The chain ID of the whole stack (of its top layer); undefined for no layers. */
export function chainId(diffIds: readonly string[]): string | undefined {
  return chainIds(diffIds).at(-1);
}
