import type { FindingKind, Framework, SkippedFile, SourceFile, ToolFinding } from './types.js';

/*
 * How Python sources are scanned without a Python parser in Node: a tokenizer that follows
 * Python's lexical rules closely enough for this job (comments; single, triple-quoted and
 * prefixed strings, including f-strings, skipped whole; brackets nesting; backslash
 * continuations), which groups tokens into logical lines. Statements are then read from the
 * tokens of each logical line: imports (with aliases), decorators (MCP servers' `@x.call_tool()`
 * among them), `class X(bases):`, `def`, `x = FastMCP(...)` and calls to CapFence's wrappers.
 * Comments, docstrings and strings that mention `@tool` or `BaseTool` are never tokens, so they
 * never count. A file whose brackets or strings do not close is reported as unparseable and
 * skipped, as the original skips files `ast.parse` rejects. It does the same on every machine: no
 * dependency on an installed Python.
 */

interface Token {
  kind: 'name' | 'op' | 'string' | 'number';
  text: string;
  line: number;
  col: number;
}

class PySyntaxError extends Error {}

const STRING_PREFIX = /^(?:[rRbBuUfF]|[rR][bBfF]|[bBfF][rR])$/;

/** Splits source into logical lines of tokens. Throws `PySyntaxError` on unclosed strings or brackets. */
export function pythonLogicalLines(src: string): Token[][] {
  const lines: Token[][] = [];
  let cur: Token[] = [];
  const stack: { ch: string; line: number }[] = [];
  let i = 0;
  let line = 1;
  let lineStart = 0;
  const n = src.length;
  const push = (t: Token) => cur.push(t);
  const endLine = () => {
    if (cur.length) lines.push(cur);
    cur = [];
  };
  /** A string literal from its opening quote: one token, with the lines it spans counted. */
  const readString = (from: number, raw: boolean, col: number): void => {
    const start = { line, col };
    const end = skipString(src, from, raw);
    for (let k = from; k < end; k++) {
      if (src[k] === '\n') {
        line++;
        lineStart = k + 1;
      }
    }
    push({ kind: 'string', text: src.slice(from, end), ...start });
    i = end;
  };
  while (i < n) {
    const c = src[i] as string;
    if (c === '\n') {
      if (stack.length === 0) endLine();
      i++;
      line++;
      lineStart = i;
      continue;
    }
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      i += src[i + 1] === '\n' ? 2 : 3;
      line++;
      lineStart = i;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || c === '\f') {
      i++;
      continue;
    }
    const col = i - lineStart + 1;
    if (/[A-Za-z_\u0080-\uffff]/.test(c)) {
      let j = i + 1;
      while (j < n && /[A-Za-z0-9_\u0080-\uffff]/.test(src[j] as string)) j++;
      const word = src.slice(i, j);
      if ((src[j] === '"' || src[j] === "'") && STRING_PREFIX.test(word)) {
        readString(j, word.toLowerCase().includes('r'), col);
        continue;
      }
      push({ kind: 'name', text: word, line, col });
      i = j;
      continue;
    }
    if (c === '"' || c === "'") {
      readString(i, false, col);
      continue;
    }
    if (/[0-9]/.test(c) || (c === '.' && /[0-9]/.test(src[i + 1] ?? ''))) {
      let j = i + 1;
      while (j < n && /[0-9A-Za-z_.]/.test(src[j] as string)) j++;
      push({ kind: 'number', text: src.slice(i, j), line, col });
      i = j;
      continue;
    }
    if (c === '(' || c === '[' || c === '{') stack.push({ ch: c, line });
    if (c === ')' || c === ']' || c === '}') {
      const open = stack.pop();
      const want = c === ')' ? '(' : c === ']' ? '[' : '{';
      if (!open || open.ch !== want) throw new PySyntaxError(`unmatched \`${c}\` at line ${line}`);
    }
    // Two-character operators that matter here: `->`, `**`, `==`, `:=`; the rest one by one.
    const two = src.slice(i, i + 2);
    if (['->', '**', '==', '!=', '<=', '>=', ':=', '//'].includes(two)) {
      push({ kind: 'op', text: two, line, col });
      i += 2;
      continue;
    }
    push({ kind: 'op', text: c, line, col });
    i++;
  }
  if (stack.length) {
    const open = stack[stack.length - 1] as { ch: string; line: number };
    throw new PySyntaxError(`\`${open.ch}\` opened at line ${open.line} is never closed`);
  }
  endLine();
  return lines;
}

/** The index just past the string literal starting at `i` (a quote character). */
function skipString(src: string, i: number, raw: boolean): number {
  const q = src[i] as string;
  const triple = src.slice(i, i + 3) === q.repeat(3);
  let j = i + (triple ? 3 : 1);
  while (j < src.length) {
    const c = src[j];
    if (c === '\\') {
      // Even in a raw string a backslash keeps the next quote from closing it.
      j += 2;
      continue;
    }
    if (triple) {
      if (src.slice(j, j + 3) === q.repeat(3)) return j + 3;
    } else {
      if (c === q) return j + 1;
      if (c === '\n') throw new PySyntaxError('unterminated string literal');
    }
    j++;
  }
  void raw;
  throw new PySyntaxError(triple ? 'unterminated triple-quoted string' : 'unterminated string literal');
}

interface PyImport {
  module: string;
  /** The imported name, or `*module*` for `import a.b as c`. */
  name: string;
}

interface PyDefinition {
  name: string;
  line: number;
  col: number;
  framework: Framework;
  kind: FindingKind;
  guardedBy?: string;
  /**
   * Registered on an MCP server by one of its decorators, which keeps the function it was given:
   * only a guard applied before registration gates it, and a later `CapFenceTool(tool=name)` wraps
   * a copy the server never calls.
   */
  registered?: true;
}

interface PyFacts {
  file: SourceFile;
  definitions: PyDefinition[];
  /** Names passed to a CapFence wrapper, with where. */
  wrapped: Map<string, string>;
}

/** A dotted name starting at `toks[i]`: its parts and the index after it. */
function dotted(toks: Token[], i: number): { parts: string[]; end: number } {
  const parts: string[] = [];
  let j = i;
  while (toks[j]?.kind === 'name') {
    parts.push((toks[j] as Token).text);
    if (toks[j + 1]?.text === '.' && toks[j + 2]?.kind === 'name') j += 2;
    else {
      j++;
      break;
    }
  }
  return { parts, end: j };
}

/** Splits the tokens between brackets opening at `open` into top-level comma-separated groups. */
function argsAt(toks: Token[], open: number): { groups: Token[][]; end: number } {
  const groups: Token[][] = [[]];
  let depth = 0;
  for (let j = open; j < toks.length; j++) {
    const t = toks[j] as Token;
    if (t.kind === 'op' && '([{'.includes(t.text)) {
      depth++;
      if (depth === 1) continue;
    }
    if (t.kind === 'op' && ')]}'.includes(t.text)) {
      depth--;
      if (depth === 0) return { groups: groups.filter((g) => g.length), end: j + 1 };
    }
    if (depth === 1 && t.kind === 'op' && t.text === ',') {
      groups.push([]);
      continue;
    }
    (groups[groups.length - 1] as Token[]).push(t);
  }
  return { groups: groups.filter((g) => g.length), end: toks.length };
}

const isCapfenceWrapper = (name: string | undefined): boolean => !!name && /^CapFence\w*Tool$/.test(name);
const TOOL_BASES = ['BaseTool', 'Tool', 'FunctionTool', 'StructuredTool'];

interface Decorator {
  parts: string[];
  call: boolean;
  tok: Token;
}

/** `@server.call_tool()`: the MCP SDK's low-level server runs every tool through the function it decorates. */
const isCallToolDecorator = (d: Decorator): boolean => d.parts.length > 1 && d.parts[d.parts.length - 1] === 'call_tool';

/** Reads one file's imports, tool definitions and wrapper calls. */
function scanPythonFile(file: SourceFile): PyFacts {
  const facts: PyFacts = { file, definitions: [], wrapped: new Map() };
  const imports = new Map<string, PyImport>();
  const fastMcp = new Set<string>();
  let decorators: Decorator[] = [];

  const origin = (parts: string[]): { module: string; name: string } => {
    // `crewai.tools.BaseTool` → module `crewai.tools`; an alias resolves to what it imported.
    const head = parts[0] as string;
    const imp = imports.get(head);
    if (parts.length === 1) return imp ? { module: imp.module, name: imp.name === '*module*' ? head : imp.name } : { module: '', name: head };
    const module = imp ? (imp.name === '*module*' ? imp.module : `${imp.module}.${imp.name}`) : head;
    return { module: [module, ...parts.slice(1, -1)].join('.'), name: parts[parts.length - 1] as string };
  };
  const frameworkOfModule = (m: string): Framework | undefined =>
    /(^|\.)crewai(\.|$)/.test(m) ? 'crewai' : /(^|\.)langchain/.test(m) ? 'langchain' : /autogen/.test(m) ? 'autogen' : /llama_index/.test(m) ? 'llamaindex' : /(^|\.)agents(\.|$)/.test(m) ? 'openai-agents' : /(^|\.)(mcp|fastmcp)(\.|$)/.test(m) ? 'mcp' : undefined;

  const baseFramework = (parts: string[]): Framework | undefined => {
    const o = origin(parts);
    if (!TOOL_BASES.includes(o.name)) return undefined;
    const fw = frameworkOfModule(o.module);
    if (fw && fw !== 'mcp' && fw !== 'openai-agents') return fw;
    // The original's defaults: a dotted `x.BaseTool` is LangChain's; a bare unimported `BaseTool` is generic; `Tool`/`FunctionTool` are AutoGen's.
    if (parts.length > 1) return o.name === 'BaseTool' || o.name === 'StructuredTool' ? 'langchain' : 'autogen';
    return o.name === 'BaseTool' ? 'base_tool' : o.name === 'StructuredTool' ? 'langchain' : 'autogen';
  };

  const decoratorFramework = (d: Decorator): Framework | undefined => {
    const last = d.parts[d.parts.length - 1] as string;
    if (last === 'function_tool') return 'openai-agents';
    if (last !== 'tool' && last !== 'Tool') return undefined;
    if (d.parts.length === 1) {
      const o = origin(d.parts);
      return o.module ? frameworkOfModule(o.module) ?? 'langchain' : 'langchain';
    }
    const recv = d.parts.slice(0, -1);
    if (recv.length === 1 && fastMcp.has(recv[0] as string)) return 'mcp';
    const o = origin(d.parts);
    return frameworkOfModule(o.module) ?? 'langchain';
  };

  for (const toks of pythonLogicalLines(file.text)) {
    const first = toks[0] as Token;
    // Wrapper calls can appear anywhere in a line: `safe = CapFenceTool(tool=X(), ...)`.
    for (let j = 0; j < toks.length; j++) {
      const t = toks[j] as Token;
      if (t.kind !== 'name' || !isCapfenceWrapper(t.text) || toks[j + 1]?.text !== '(') continue;
      if (toks[j - 1]?.text === 'class' || toks[j - 1]?.text === 'def') continue;
      const { groups } = argsAt(toks, j + 1);
      const kw = groups.find((g) => g[0]?.text === 'tool' && g[1]?.text === '=');
      const arg = kw ? kw.slice(2) : groups[0]?.[1]?.text === '=' ? undefined : groups[0];
      const target = arg ? dotted(arg, 0).parts : [];
      const name = target[target.length - 1];
      if (name && !facts.wrapped.has(name)) facts.wrapped.set(name, `${t.text}(tool=${name}) at ${file.rel}:${t.line}`);
    }
    if (first.text === 'import' && first.kind === 'name') {
      for (const g of argsAt([{ ...first, kind: 'op', text: '(' }, ...toks.slice(1), { ...first, kind: 'op', text: ')' }], 0).groups) {
        const d = dotted(g, 0);
        const as = g[d.end]?.text === 'as' ? g[d.end + 1]?.text : undefined;
        if (as) imports.set(as, { module: d.parts.join('.'), name: '*module*' });
        else if (d.parts[0]) imports.set(d.parts[0], { module: d.parts[0], name: '*module*' });
      }
      decorators = [];
      continue;
    }
    if (first.text === 'from' && first.kind === 'name') {
      const d = dotted(toks, 1);
      let k = d.end;
      // Relative imports: `from . import x`, `from ..pkg import y`.
      const dots = toks.slice(1).findIndex((t) => t.text !== '.');
      const module = d.parts.length ? d.parts.join('.') : '.'.repeat(Math.max(0, dots));
      while (k < toks.length && toks[k]?.text !== 'import') k++;
      const rest = toks.slice(k + 1).filter((t) => t.text !== '(' && t.text !== ')');
      for (const g of argsAt([{ ...first, kind: 'op', text: '(' }, ...rest, { ...first, kind: 'op', text: ')' }], 0).groups) {
        const name = g[0]?.text;
        const as = g[1]?.text === 'as' ? g[2]?.text : undefined;
        if (name && name !== '*') imports.set(as ?? name, { module, name });
      }
      decorators = [];
      continue;
    }
    if (first.text === '@') {
      const d = dotted(toks, 1);
      decorators.push({ parts: d.parts, call: toks[d.end]?.text === '(', tok: first });
      continue;
    }
    let k = 0;
    if (toks[k]?.text === 'async') k++;
    const kw = toks[k];
    if (kw?.kind === 'name' && (kw.text === 'def' || kw.text === 'class') && toks[k + 1]?.kind === 'name') {
      const nameTok = toks[k + 1] as Token;
      let fw: Framework | undefined;
      let kind: FindingKind = 'tool';
      let defining = -1;
      if (kw.text === 'class' && toks[k + 2]?.text === '(') {
        for (const g of argsAt(toks, k + 2).groups) {
          if (g[1]?.text === '=') continue; // metaclass=..., keyword arguments
          fw = baseFramework(dotted(g, 0).parts);
          if (fw) break;
        }
      }
      if (kw.text === 'def') {
        defining = decorators.findIndex((d) => isCallToolDecorator(d) || decoratorFramework(d) !== undefined);
        const d = decorators[defining];
        if (d && isCallToolDecorator(d)) [fw, kind] = ['mcp', 'call-handler'];
        else if (d) fw = decoratorFramework(d);
      }
      // Decorators apply bottom-up: an MCP server registers the function as it is when its decorator
      // runs, so there a guard counts only below that decorator.
      const registered = fw === 'mcp' && defining >= 0;
      const guard = decorators.find((d, i) => d.parts[d.parts.length - 1] === 'capfence_guard' && (!registered || i > defining));
      const guardedBy = guard ? `@capfence_guard at ${file.rel}:${guard.tok.line}` : undefined;
      if (fw) facts.definitions.push({ name: nameTok.text, line: first.line, col: first.col, framework: fw, kind, ...(guardedBy ? { guardedBy } : {}), ...(registered ? { registered: true as const } : {}) });
      decorators = [];
      continue;
    }
    // `mcp = FastMCP("name")` (or `mcp: FastMCP = F("name")` with `F` an alias): later `@mcp.tool()` registers MCP tools.
    const eq = toks[1]?.text === '=' ? 1 : toks[1]?.text === ':' ? toks.findIndex((t) => t.text === '=') : -1;
    if (first.kind === 'name' && eq > 0) {
      const d = dotted(toks, eq + 1);
      if (d.parts.length && origin(d.parts).name === 'FastMCP' && toks[d.end]?.text === '(') fastMcp.add(first.text);
    }
    decorators = [];
  }
  return facts;
}

/** Scans Python files; the original's rule for gating: the tool's name wrapped by CapFence in any scanned file. */
export function scanPython(files: SourceFile[]): { tools: ToolFinding[]; skipped: SkippedFile[] } {
  const facts: PyFacts[] = [];
  const skipped: SkippedFile[] = [];
  for (const f of files) {
    try {
      facts.push(scanPythonFile(f));
    } catch (e) {
      skipped.push({ file: f.rel, reason: `cannot parse: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  const wrapped = new Map<string, string>();
  for (const f of facts) for (const [k, v] of f.wrapped) if (!wrapped.has(k)) wrapped.set(k, v);
  const tools: ToolFinding[] = [];
  for (const f of facts) {
    for (const d of f.definitions) {
      const gatedBy = d.guardedBy ?? (d.registered ? undefined : wrapped.get(d.name));
      tools.push({ file: f.file.rel, line: d.line, column: d.col, language: 'python', framework: d.framework, kind: d.kind, name: d.name, gated: gatedBy !== undefined, ...(gatedBy ? { gatedBy } : {}) });
    }
  }
  return { tools, skipped };
}
