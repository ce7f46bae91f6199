/**
 * build-image's public API. Everything a program embedding the builder needs is exported from here, and
 * nothing else is public.
 */
export {
  parse,
  parseSyntax,
  parseOrThrow,
  dumpSyntaxTree,
  heredocContent,
  ParseError,
  FlagError,
  HeredocError,
  ExpansionError,
  DockerfileSyntaxError,
  ParseErrorCode,
  expandWord,
  expandWords,
  expandWordWithMatches,
} from './parser/index.js';
export type {
  ParseOptions,
  ParseResult,
  SyntaxParseResult,
  ParseWarning,
  SourcePosition,
  SourceRange,
  Comment,
  Directive,
  Heredoc,
  SyntaxArgument,
  SyntaxFlag,
  SyntaxNode,
  SyntaxTree,
  Environment,
  ExpandOptions,
  ExpansionWithMatches,
  Instruction,
  InstructionKind,
  InstructionOf,
  CommandLine,
  Mount,
  MountType,
  KeyValuePair,
  ArgDeclaration,
  Healthcheck,
  HeredocSource,
  FromInstruction,
  RunInstruction,
  CopyInstruction,
  AddInstruction,
} from './parser/index.js';
export { build, startBuild, BuildError, BuildErrorCode, BuildStepError, DockerfileInvalidError, StepErrorCode } from './builder/index.js';
export type { BuildOptions, BuildResult, BuildRun, OutputSpec, ProgressEvent, StepInfo, StepResult } from './builder/index.js';
export { spawnInUserNamespace, UserNamespaceError } from './executor/index.js';
export type { SpawnInUserNamespaceOptions, UserNamespaceChild, UserNamespaceMapping, UserNamespaceStdio, IdRange } from './executor/index.js';
