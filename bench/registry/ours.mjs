/**
 * One push or pull with build-image's registry client (dist/), as the benchmark times it: a process of its own, like
 * the skopeo run it is compared with.
 *   node bench/registry/ours.mjs push STORE DIGEST HOST/REPO:TAG   the image from a content store to the registry
 *   node bench/registry/ours.mjs pull STORE HOST/REPO:TAG          into a content store (the benchmark empties it first)
 *   node bench/registry/ours.mjs startup                           node's start-up and our imports only, for scale
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../dist');
const { ContentStore } = await import(path.join(dist, 'cache/index.js'));
const { RegistryClient, pullImage, pushImage } = await import(path.join(dist, 'registry/index.js'));

const [operation, storeRoot, ...rest] = process.argv.slice(2);
if (operation === 'startup') process.exit(0);
const store = await ContentStore.open({ root: storeRoot });
try {
  const client = new RegistryClient();
  if (operation === 'push') {
    const [digest, reference] = rest;
    const root = await store.getRoot('image', digest.replace(':', '-'));
    if (!root) throw new Error(`the store ${storeRoot} holds no image ${digest}`);
    await pushImage({ store, client, references: reference, descriptor: root.descriptor });
  } else if (operation === 'pull') {
    await pullImage(rest[0], { store, client });
  } else {
    throw new Error(`usage: ours.mjs push STORE DIGEST REF | pull STORE REF`);
  }
} finally {
  await store.close();
}
