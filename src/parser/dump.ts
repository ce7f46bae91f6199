import { goQuote } from './go-quote.js';
import type { SyntaxNode, SyntaxTree } from './syntax-tree.js';

/** One instruction in BuildKit's `Node.Dump()` format: `run ["--flag"] "arg" ...`, ONBUILD nesting its trigger. */
export function dumpNode(node: SyntaxNode): string {
  let out = node.keyword.toLowerCase();
  if (node.flags.length > 0) out += ` [${node.flags.map((flag) => goQuote(flag.text)).join(' ')}]`;
  if (node.child) out += ` (${dumpNode(node.child)})`;
  for (const arg of node.args) out += ` ${goQuote(arg.value)}`;
  return out.trim();
}

/** The whole file as BuildKit's `AST.Dump()` prints it, with the trailing newline its test data has. */
export function dumpSyntaxTree(tree: SyntaxTree): string {
  return tree.nodes.map((node) => `(${dumpNode(node)})\n`).join('');
}
