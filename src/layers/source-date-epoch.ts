/**
 * SOURCE_DATE_EPOCH (reproducible-builds.org): timestamps newer than it are clamped to it.
 */
import { InvalidSourceDateEpochError } from './errors.js';

/** The epoch from an environment value; undefined when unset or empty. */
export function parseSourceDateEpoch(value: string | undefined): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value))) throw new InvalidSourceDateEpochError(value);
  return Number(value);
}

export function checkSourceDateEpoch(epoch: number | undefined): number | undefined {
  if (epoch === undefined) return undefined;
  if (!Number.isSafeInteger(epoch) || epoch < 0) throw new InvalidSourceDateEpochError(String(epoch));
  return epoch;
}

/** Whole seconds of `mtime`, no later than `epoch` when one is set. */
export function clampMtime(mtime: number, epoch: number | undefined): number {
  const seconds = Math.floor(mtime);
  return epoch !== undefined && seconds > epoch ? epoch : seconds;
}
