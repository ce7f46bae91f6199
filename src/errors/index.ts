/** src/errors: what every folder's errors share. This file is the folder's only door. */
export { CodedError } from './coded-error.js';
