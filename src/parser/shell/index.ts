/**
 * Word expansion with the rules of BuildKit's Dockerfile shell lexer
 * (`frontend/dockerfile/shell/lex.go`): `$V`, `${V}`, `${V:-w}` `${V-w}` `${V:+w}` `${V+w}`
 * `${V:?m}` `${V?m}` `${V#p}` `${V##p}` `${V%p}` `${V%%p}` `${V/p/r}` `${V//p/r}`, quotes,
 * the escape token, and field splitting. The only entry point for the rest of the code.
 */
export { expandWord, expandWords, expandWordWithMatches } from './expand.js';
export type { Environment, ExpandOptions, ExpansionWithMatches } from './types.js';
