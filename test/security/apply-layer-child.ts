/**
 * Applies one layer file onto a directory and prints the outcome as JSON; the security suite runs it as an
 * unprivileged user (setpriv) to see what a non-root applier does with device nodes.
 */
import { applyLayer, LayerError } from '../../src/layers/index.js';

const [layerFile, target] = process.argv.slice(2);
try {
  const stats = await applyLayer(layerFile, target);
  process.stdout.write(JSON.stringify({ uid: process.getuid?.(), stats }));
} catch (error) {
  const typed = error instanceof LayerError;
  process.stdout.write(JSON.stringify({ uid: process.getuid?.(), error: { typed, code: (error as { code?: unknown }).code, message: String((error as Error).message) } }));
}
