/** Low-level file helpers shared by every stage of the data flow. */
export { replaceFile, replaceFileSync, type ReplaceFileOptions } from './replace-file.js';
export { parseMountinfo, readProcFile, type MountinfoEntry } from './proc-files.js';
