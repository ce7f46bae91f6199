import { ParseError, ParseErrorCode } from '../errors.js';
import type { Heredoc, SyntaxNode } from '../syntax-tree.js';
import { convertAdd } from './add.js';
import { convertArg } from './arg.js';
import { convertCmd, convertEntrypoint } from './command-line.js';
import { convertCopy } from './copy.js';
import { convertExpose } from './expose.js';
import { convertFrom } from './from.js';
import { convertHealthcheck } from './healthcheck.js';
import { convertEnv, convertLabel } from './key-values.js';
import { convertOnbuild } from './onbuild.js';
import { Problems, type Converter } from './request.js';
import { convertRun } from './run.js';
import { convertShell } from './shell.js';
import { convertVolume } from './volume.js';
import { convertMaintainer, convertStopsignal, convertUser, convertWorkdir } from './single-value.js';
import { withSuggestion } from './suggest.js';
import type { Instruction, InstructionKind, ToInstructionContext, ToInstructionResult } from './types.js';

const converters: Readonly<Record<InstructionKind, Converter>> = {
  FROM: convertFrom,
  RUN: convertRun,
  CMD: convertCmd,
  LABEL: convertLabel,
  MAINTAINER: convertMaintainer,
  EXPOSE: convertExpose,
  ENV: convertEnv,
  ADD: convertAdd,
  COPY: convertCopy,
  ENTRYPOINT: convertEntrypoint,
  VOLUME: convertVolume,
  USER: convertUser,
  WORKDIR: convertWorkdir,
  ARG: convertArg,
  ONBUILD: convertOnbuild,
  STOPSIGNAL: convertStopsignal,
  HEALTHCHECK: convertHealthcheck,
  SHELL: convertShell,
};

const instructionNames = Object.keys(converters);

function isInstructionKind(name: string): name is InstructionKind {
  return Object.hasOwn(converters, name);
}

function convertNode(node: SyntaxNode, heredocs: Heredoc[], context: ToInstructionContext, problems: Problems): Instruction | undefined {
  const name = node.name || node.keyword.toUpperCase();
  if (!isInstructionKind(name)) {
    problems.add(
      ParseErrorCode.UnknownInstruction,
      withSuggestion(`unknown instruction: ${node.keyword}`, node.keyword, instructionNames, false),
      node.keywordRange,
    );
    return undefined;
  }
  return converters[name]({
    node,
    args: node.args,
    heredocs,
    context,
    problems,
    convertTrigger: (child, childHeredocs) => convertNode(child, childHeredocs, context, problems),
  });
}

/**
 * One syntax node to its typed instruction, BuildKit's `ParseInstruction`: the instruction's flags are checked,
 * its arguments shaped and validated, and every problem found is returned (not only the first). `instruction` is
 * defined exactly when `errors` is empty. Only `ParseError`s come out of here; nothing is thrown.
 */
export function toInstruction(node: SyntaxNode, context: ToInstructionContext): ToInstructionResult {
  const problems = new Problems(context.file);
  let instruction: Instruction | undefined;
  try {
    instruction = convertNode(node, node.heredocs, context, problems);
  } catch (error) {
    if (error instanceof ParseError) problems.errors.push(error);
    else {
      const detail = error instanceof Error ? error.message : String(error);
      problems.add(ParseErrorCode.Syntax, `internal error while reading ${node.keyword}: ${detail}`, node.range);
    }
  }
  if (problems.errors.length > 0) return { instruction: undefined, errors: problems.errors };
  if (instruction === undefined) {
    problems.add(ParseErrorCode.Syntax, `could not read ${node.keyword}`, node.range);
    return { instruction: undefined, errors: problems.errors };
  }
  return { instruction, errors: [] };
}
