import { dirname, extname, join } from 'node:path';
import ts from 'typescript';
import type { FindingKind, Framework, SkippedFile, SourceFile, ToolFinding } from './types.js';

/*
 * How TypeScript and JavaScript sources are scanned: each file is parsed on its own with the
 * TypeScript compiler's parser (no type checker: it needs no tsconfig and no installed
 * dependencies, and it is fast). Names are resolved through the file's imports, so aliases
 * (`import { tool as t } from 'ai'`), namespace imports and `require()` all count, and comments
 * and strings never do. A tool is gated when it is an argument of a CapFence gate call, when its
 * body is one (`execute: gate(...)`), or when a binding that holds it (a variable, an object or
 * array it is put in, a function that returns it) is passed to one, in its own file or in any file
 * that imports it, through re-exports.
 */

/** Which exported names of which modules define tools, per framework. */
const TOOL_FACTORIES: readonly { modules: readonly string[]; names: readonly string[]; framework: Framework }[] = [
  { modules: ['ai', '@ai-sdk/provider-utils'], names: ['tool', 'dynamicTool'], framework: 'vercel-ai' },
  { modules: ['@openai/agents', '@openai/agents-core'], names: ['tool'], framework: 'openai-agents' },
  { modules: ['@langchain/core/tools', '@langchain/core', 'langchain/tools', 'langchain'], names: ['tool'], framework: 'langchain' },
];
const LANGCHAIN_MODULES = ['@langchain/core/tools', '@langchain/core', 'langchain/tools', 'langchain'];
const LANGCHAIN_CLASSES = ['DynamicStructuredTool', 'DynamicTool'];
const LANGCHAIN_BASES = ['StructuredTool', 'Tool', 'DynamicStructuredTool', 'DynamicTool'];
const MCP_SERVER_MODULES = ['@modelcontextprotocol/sdk/server/mcp.js', '@modelcontextprotocol/sdk/server/mcp'];
const isMcpSdkModule = (m: string): boolean => m.startsWith('@modelcontextprotocol/sdk');

/** CapFence's wrappers, and which argument of each holds the tool (or server). */
const GATE_ARG: Readonly<Record<string, number>> = {
  gate: 0,
  gateVercelTool: 0,
  gateVercelTools: 0,
  gateOpenAITool: 0,
  gateLangChainTool: 0,
  gateMcpServer: 0,
  gateMcpHandler: 1,
};

/** Where CapFence is imported from: the package, or a relative path (inside this repository, or a vendored copy). */
const isCapfenceModule = (m: string): boolean => m === 'capfence' || m.startsWith('capfence/') || m.startsWith('.') || m.startsWith('/');
const isRelative = (m: string): boolean => m.startsWith('.') || m.startsWith('/');

export const TS_EXTENSIONS = ['.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs'];

interface Imported {
  module: string;
  /** The exported name, `*` for a namespace or a whole `require()`, `default` for a default import. */
  name: string;
}

interface Definition {
  node: ts.Node;
  framework: Framework;
  kind: FindingKind;
  name: string;
  /** Set when the definition itself shows the gate (`execute: gate(...)`, a handler wrapped in place). */
  gatedBy?: string;
  /** The local bindings that hold the tool, any of which being gated gates it. */
  holders: string[];
  /** For MCP registrations: the server binding and where the registration happens (order matters). */
  server?: { root: string; pos: number };
}

/** What one file contributes to the cross-file pass. */
export interface FileFacts {
  file: SourceFile;
  imports: Map<string, Imported>;
  /** Exported name → local name. */
  exports: Map<string, string>;
  reexports: { from: string; imported: string; exported: string }[];
  starExports: string[];
  /** Local name → the names it was made from (`const a = b`, `const a = new B()`). */
  aliases: Map<string, Set<string>>;
  /** Local bindings passed to a gate call, with where. */
  gated: Map<string, string>;
  /** Server bindings passed to `gateMcpServer`, with the position of that call. */
  gatedServers: Map<string, number>;
  definitions: Definition[];
}

function scriptKind(path: string): ts.ScriptKind {
  switch (extname(path)) {
    case '.tsx':
      return ts.ScriptKind.TSX;
    case '.jsx':
      return ts.ScriptKind.JSX;
    case '.js':
    case '.mjs':
    case '.cjs':
      // JSX is legal in many .js files (React); the TSX-flavoured JS parser accepts both.
      return ts.ScriptKind.JSX;
    default:
      return ts.ScriptKind.TS;
  }
}

const strip = (e: ts.Expression): ts.Expression => {
  let cur = e;
  for (;;) {
    if (ts.isParenthesizedExpression(cur) || ts.isAsExpression(cur) || ts.isSatisfiesExpression(cur) || ts.isNonNullExpression(cur) || ts.isTypeAssertionExpression(cur) || ts.isAwaitExpression(cur)) cur = cur.expression;
    else return cur;
  }
};

/** The identifier an expression is rooted at: `a` for `a`, `a.b[c]`, `new a()`, `a()`, `a.b()`. */
function rootOf(e: ts.Expression): string | undefined {
  const x = strip(e);
  if (ts.isIdentifier(x)) return x.text;
  if (x.kind === ts.SyntaxKind.ThisKeyword) return 'this';
  if (ts.isPropertyAccessExpression(x) || ts.isElementAccessExpression(x)) return rootOf(x.expression);
  if (ts.isNewExpression(x) || ts.isCallExpression(x)) return rootOf(x.expression);
  return undefined;
}

const nameText = (n: ts.PropertyName | ts.BindingName): string | undefined =>
  ts.isIdentifier(n) || ts.isStringLiteral(n) || ts.isNumericLiteral(n) || ts.isPrivateIdentifier(n) ? n.text : undefined;

function requireModule(e: ts.Expression | undefined): string | undefined {
  if (!e) return undefined;
  const x = strip(e);
  if (ts.isCallExpression(x) && x.arguments.length === 1) {
    const arg = x.arguments[0] as ts.Expression;
    const isRequire = ts.isIdentifier(x.expression) && x.expression.text === 'require';
    const isImport = x.expression.kind === ts.SyntaxKind.ImportKeyword;
    if ((isRequire || isImport) && ts.isStringLiteralLike(arg)) return arg.text;
  }
  return undefined;
}

const bindsName = (name: ts.BindingName, text: string): boolean =>
  ts.isIdentifier(name) ? name.text === text : name.elements.some((e) => !ts.isOmittedExpression(e) && bindsName(e.name, text));

/** Whether a declaration between `id` and the top of its file (a parameter, a local variable, function or class) hides the top-level name. */
function shadowed(id: ts.Identifier): boolean {
  const text = id.text;
  for (let n: ts.Node | undefined = id.parent; n && !ts.isSourceFile(n); n = n.parent) {
    if (ts.isFunctionLike(n) && n.parameters.some((p) => bindsName(p.name, text))) return true;
    if ((ts.isFunctionExpression(n) || ts.isClassExpression(n)) && n.name?.text === text) return true;
    if (ts.isBlock(n) || ts.isModuleBlock(n) || ts.isCaseClause(n) || ts.isDefaultClause(n)) {
      for (const st of n.statements) {
        if (ts.isVariableStatement(st) && st.declarationList.declarations.some((d) => bindsName(d.name, text))) return true;
        if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name?.text === text) return true;
      }
    }
    if ((ts.isForStatement(n) || ts.isForOfStatement(n) || ts.isForInStatement(n)) && n.initializer && ts.isVariableDeclarationList(n.initializer) && n.initializer.declarations.some((d) => bindsName(d.name, text))) return true;
    if (ts.isCatchClause(n) && n.variableDeclaration && bindsName(n.variableDeclaration.name, text)) return true;
  }
  return false;
}

/** Collects one file's facts: imports, exports, aliases, gate calls and tool definitions. */
export function scanTypeScriptFile(file: SourceFile): FileFacts {
  const sf = ts.createSourceFile(file.path, file.text, ts.ScriptTarget.Latest, true, scriptKind(file.path));
  const facts: FileFacts = { file, imports: new Map(), exports: new Map(), reexports: [], starExports: [], aliases: new Map(), gated: new Map(), gatedServers: new Map(), definitions: [] };
  const { imports } = facts;
  const mcpServers = new Set<string>();
  const at = (n: ts.Node): string => {
    const { line } = sf.getLineAndCharacterOfPosition(n.getStart(sf));
    return `${file.rel}:${line + 1}`;
  };

  // Pass 1: imports and exports (they may come after their use in the file).
  for (const st of sf.statements) {
    if (ts.isImportDeclaration(st) && ts.isStringLiteral(st.moduleSpecifier) && st.importClause && !st.importClause.isTypeOnly) {
      const module = st.moduleSpecifier.text;
      const c = st.importClause;
      if (c.name) imports.set(c.name.text, { module, name: 'default' });
      if (c.namedBindings && ts.isNamespaceImport(c.namedBindings)) imports.set(c.namedBindings.name.text, { module, name: '*' });
      if (c.namedBindings && ts.isNamedImports(c.namedBindings)) {
        for (const el of c.namedBindings.elements) if (!el.isTypeOnly) imports.set(el.name.text, { module, name: (el.propertyName ?? el.name).text });
      }
    } else if (ts.isImportEqualsDeclaration(st) && ts.isExternalModuleReference(st.moduleReference) && ts.isStringLiteral(st.moduleReference.expression)) {
      imports.set(st.name.text, { module: st.moduleReference.expression.text, name: '*' });
    } else if (ts.isExportDeclaration(st) && !st.isTypeOnly) {
      const from = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : undefined;
      if (!st.exportClause) {
        if (from) facts.starExports.push(from);
      } else if (ts.isNamedExports(st.exportClause)) {
        for (const el of st.exportClause.elements) {
          const local = (el.propertyName ?? el.name).text;
          if (from) facts.reexports.push({ from, imported: local, exported: el.name.text });
          else facts.exports.set(el.name.text, local);
        }
      } else if (from) {
        // `export * as ns from './x'`: the namespace carries every export of x.
        facts.reexports.push({ from, imported: '*', exported: st.exportClause.name.text });
      }
    } else if (ts.isExportAssignment(st)) {
      const e = strip(st.expression);
      facts.exports.set('default', ts.isIdentifier(e) ? e.text : '<default>');
    }
    const mods = ts.canHaveModifiers(st) ? ts.getModifiers(st) : undefined;
    if (mods?.some((m) => m.kind === ts.SyntaxKind.ExportKeyword)) {
      const isDefault = mods.some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name)) facts.exports.set(d.name.text, d.name.text);
      } else if ((ts.isFunctionDeclaration(st) || ts.isClassDeclaration(st)) && st.name) {
        facts.exports.set(isDefault ? 'default' : st.name.text, st.name.text);
      }
    }
  }

  /** What a callee refers to, through the imports: `{module, name}`; nothing when a local binding shadows the import. */
  const resolve = (callee: ts.Expression): Imported | undefined => {
    const c = strip(callee);
    if (ts.isIdentifier(c)) return shadowed(c) ? undefined : imports.get(c.text);
    if (ts.isPropertyAccessExpression(c)) {
      const base = strip(c.expression);
      if (ts.isIdentifier(base)) {
        const imp = shadowed(base) ? undefined : imports.get(base.text);
        if (imp && (imp.name === '*' || imp.name === 'default')) return { module: imp.module, name: c.name.text };
      }
      const mod = requireModule(base);
      if (mod) return { module: mod, name: c.name.text };
    }
    return undefined;
  };
  const gateName = (call: ts.CallExpression): string | undefined => {
    const r = resolve(call.expression);
    return r && isCapfenceModule(r.module) && r.name in GATE_ARG ? r.name : undefined;
  };
  const factory = (callee: ts.Expression): Framework | undefined => {
    const r = resolve(callee);
    if (!r) return undefined;
    return TOOL_FACTORIES.find((f) => f.modules.includes(r.module) && f.names.includes(r.name))?.framework;
  };
  const isLangChain = (e: ts.Expression, names: readonly string[]): boolean => {
    const r = resolve(e);
    return !!r && LANGCHAIN_MODULES.includes(r.module) && names.includes(r.name);
  };
  const isMcpServerClass = (e: ts.Expression): boolean => {
    const r = resolve(e);
    return !!r && (MCP_SERVER_MODULES.includes(r.module) || isMcpSdkModule(r.module)) && r.name === 'McpServer';
  };
  /** The SDK's `CallToolRequestSchema`, however it is imported (renamed, through a namespace, `require()`). */
  const isCallToolSchema = (e: ts.Expression | undefined): boolean => {
    const r = e ? resolve(e) : undefined;
    return !!r && isMcpSdkModule(r.module) && r.name === 'CallToolRequestSchema';
  };
  const importsMcpSdk = [...imports.values()].some((i) => isMcpSdkModule(i.module));

  /** A gate call, or a binding that holds one (`const h = gate(...)`): true when `e` is already gated. */
  const gatedValue = new Map<string, string>();
  const gateOf = (e: ts.Expression | undefined): string | undefined => {
    if (!e) return undefined;
    const x = strip(e);
    if (ts.isCallExpression(x)) {
      const g = gateName(x);
      if (g) return `${g}() at ${at(x)}`;
    }
    if (ts.isIdentifier(x)) return gatedValue.get(x.text);
    return undefined;
  };

  const addAlias = (to: string, from: string | undefined) => {
    if (!from || from === to) return;
    let set = facts.aliases.get(to);
    if (!set) facts.aliases.set(to, (set = new Set()));
    set.add(from);
  };

  // Pass 2: bindings, gate calls, MCP servers (in source order, which MCP registration needs).
  const visitBindings = (n: ts.Node): void => {
    if (ts.isVariableDeclaration(n) && n.initializer) {
      const init = strip(n.initializer);
      const mod = requireModule(init);
      if (ts.isIdentifier(n.name)) {
        if (mod) imports.set(n.name.text, { module: mod, name: '*' });
        else if (!ts.isObjectLiteralExpression(init) && !ts.isArrayLiteralExpression(init) && !ts.isArrowFunction(init) && !ts.isFunctionExpression(init)) addAlias(n.name.text, rootOf(init));
        const g = gateOf(init);
        if (g) gatedValue.set(n.name.text, g);
        if (ts.isNewExpression(init) && isMcpServerClass(init.expression)) mcpServers.add(n.name.text);
        if (ts.isCallExpression(init) && gateName(init) === 'gateMcpServer') {
          const arg = init.arguments[0];
          if (arg && ts.isNewExpression(strip(arg)) && isMcpServerClass((strip(arg) as ts.NewExpression).expression)) {
            mcpServers.add(n.name.text);
            facts.gatedServers.set(n.name.text, init.getStart(sf));
          }
        }
      } else if (ts.isObjectBindingPattern(n.name)) {
        // `const { tool: t } = require('ai')` and `const { tool } = await import('ai')`.
        for (const el of n.name.elements) {
          if (!ts.isIdentifier(el.name)) continue;
          const imported = el.propertyName ? nameText(el.propertyName) : el.name.text;
          if (mod && imported) imports.set(el.name.text, { module: mod, name: imported });
          else addAlias(el.name.text, rootOf(init));
        }
      }
    }
    if (ts.isParameter(n) && ts.isIdentifier(n.name) && n.type && ts.isTypeReferenceNode(n.type) && ts.isIdentifier(n.type.typeName) && isMcpServerClass(n.type.typeName)) mcpServers.add(n.name.text);
    if (ts.isBinaryExpression(n) && n.operatorToken.kind === ts.SyntaxKind.EqualsToken && ts.isIdentifier(n.left)) {
      addAlias(n.left.text, rootOf(n.right));
      const g = gateOf(n.right);
      if (g) gatedValue.set(n.left.text, g);
    }
    if (ts.isCallExpression(n)) {
      const g = gateName(n);
      const arg = g ? n.arguments[GATE_ARG[g] as number] : undefined;
      for (const root of arg ? rootsOf(arg) : []) {
        if (!facts.gated.has(root)) facts.gated.set(root, `${g}(${root}) at ${at(n)}`);
        if (g === 'gateMcpServer' && !facts.gatedServers.has(root)) facts.gatedServers.set(root, n.getStart(sf));
      }
    }
    ts.forEachChild(n, visitBindings);
  };
  visitBindings(sf);

  /**
   * The bindings a gate call's argument stands for: `{ a, b: c }` is `a` and `c`; the parameter of a
   * callback (`list.forEach((t) => gate(t))`) is the list.
   */
  function rootsOf(arg: ts.Expression): string[] {
    const x = strip(arg);
    if (ts.isObjectLiteralExpression(x)) {
      return x.properties.flatMap((p) =>
        ts.isShorthandPropertyAssignment(p) ? [p.name.text] : ts.isPropertyAssignment(p) ? rootsOf(p.initializer) : ts.isSpreadAssignment(p) ? rootsOf(p.expression) : [],
      );
    }
    if (ts.isArrayLiteralExpression(x)) return x.elements.flatMap((e) => rootsOf(ts.isSpreadElement(e) ? e.expression : e));
    const root = rootOf(x);
    if (!root) return [];
    const out = [root];
    const param = ts.findAncestor(x, (a) => (ts.isArrowFunction(a) || ts.isFunctionExpression(a)) && a.parameters.some((p) => ts.isIdentifier(p.name) && p.name.text === root));
    const call = param?.parent;
    if (call && ts.isCallExpression(call) && ts.isPropertyAccessExpression(call.expression)) {
      const list = rootOf(call.expression.expression);
      if (list) out.push(list);
    }
    return out;
  }

  /** The name of the property or variable a node is the value of, for naming a tool. */
  const bindingName = (n: ts.Node): string | undefined => {
    // Up through wrappers and calls (`gateVercelTool(tool(...))`) to the property or variable it lands in.
    let cur: ts.Node = n;
    for (let i = 0; i < 8 && cur.parent; i++) {
      const p: ts.Node = cur.parent;
      if (ts.isPropertyAssignment(p)) return nameText(p.name);
      if (ts.isExportAssignment(p)) return 'default';
      if (ts.isVariableDeclaration(p)) return ts.isIdentifier(p.name) ? p.name.text : undefined;
      if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken) return p.left.getText(sf).slice(0, 60);
      if (!(ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isSatisfiesExpression(p) || ts.isAwaitExpression(p) || ts.isCallExpression(p) || ts.isNonNullExpression(p))) return undefined;
      cur = p;
    }
    return undefined;
  };
  const stringProp = (obj: ts.Expression | undefined, key: string): string | undefined => {
    const o = obj ? strip(obj) : undefined;
    if (!o || !ts.isObjectLiteralExpression(o)) return undefined;
    for (const p of o.properties) {
      if (ts.isPropertyAssignment(p) && nameText(p.name) === key && ts.isStringLiteralLike(p.initializer)) return p.initializer.text;
    }
    return undefined;
  };
  const propValue = (obj: ts.Expression | undefined, keys: readonly string[]): ts.Expression | undefined => {
    const o = obj ? strip(obj) : undefined;
    if (!o || !ts.isObjectLiteralExpression(o)) return undefined;
    for (const p of o.properties) {
      const k = p.name ? nameText(p.name) : undefined;
      if (!k || !keys.includes(k)) continue;
      if (ts.isPropertyAssignment(p)) return p.initializer;
      if (ts.isShorthandPropertyAssignment(p)) return p.name;
    }
    return undefined;
  };

  /**
   * Walks up from a definition through what merely carries its value (parentheses, object and array
   * literals, returns, callbacks, conditionals) and collects the bindings that end up holding it.
   * Stops early, gated, when the value is handed to a gate call.
   */
  const holdersOf = (def: ts.Node): { holders: string[]; gatedBy?: string } => {
    const holders: string[] = [];
    let cur: ts.Node = def;
    for (let guard = 0; guard < 200; guard++) {
      const p = cur.parent;
      if (!p || ts.isSourceFile(p)) break;
      if (ts.isCallExpression(p) && p.arguments.includes(cur as ts.Expression)) {
        const g = gateName(p);
        if (g && p.arguments[GATE_ARG[g] as number] === cur) return { holders, gatedBy: `${g}() at ${at(p)}` };
        // `list.push(tool(...))`, `registry.add(...)`: the receiver holds it; the call's result may too.
        if (ts.isPropertyAccessExpression(p.expression)) {
          const r = rootOf(p.expression.expression);
          if (r) holders.push(r);
        }
        cur = p;
        continue;
      }
      if (ts.isVariableDeclaration(p)) {
        if (ts.isIdentifier(p.name)) holders.push(p.name.text);
        break;
      }
      if (ts.isBinaryExpression(p) && p.operatorToken.kind === ts.SyntaxKind.EqualsToken && p.right === cur) {
        const r = rootOf(p.left);
        if (r) holders.push(r);
        cur = p;
        continue;
      }
      if (ts.isExportAssignment(p)) {
        holders.push('<default>');
        break;
      }
      if (ts.isReturnStatement(p) || (ts.isArrowFunction(p) && p.body === cur)) {
        const fn = ts.isReturnStatement(p) ? ts.findAncestor(p, ts.isFunctionLike) : p;
        if (!fn) break;
        if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn)) && fn.name) holders.push(fn.name.text);
        if (ts.isMethodDeclaration(fn) && fn.name) {
          const cls = ts.findAncestor(fn, ts.isClassLike);
          if (cls?.name) holders.push(cls.name.text);
        }
        cur = fn;
        continue;
      }
      if (ts.isPropertyDeclaration(p)) {
        const cls = ts.findAncestor(p, ts.isClassLike);
        if (cls?.name) holders.push(cls.name.text);
        break;
      }
      if (
        ts.isParenthesizedExpression(p) || ts.isAsExpression(p) || ts.isSatisfiesExpression(p) || ts.isNonNullExpression(p) || ts.isAwaitExpression(p) ||
        ts.isPropertyAssignment(p) || ts.isShorthandPropertyAssignment(p) || ts.isObjectLiteralExpression(p) || ts.isArrayLiteralExpression(p) ||
        ts.isSpreadElement(p) || ts.isSpreadAssignment(p) || ts.isConditionalExpression(p) || ts.isBinaryExpression(p) ||
        ts.isFunctionExpression(p) || ts.isArrowFunction(p) || ts.isNewExpression(p)
      ) {
        cur = p;
        continue;
      }
      break;
    }
    return { holders };
  };

  // Pass 3: tool definitions.
  const visitDefs = (n: ts.Node): void => {
    if (ts.isCallExpression(n)) {
      const fw = factory(n.expression);
      if (fw) {
        const [a0, a1] = n.arguments;
        const name =
          fw === 'langchain' ? stringProp(a1, 'name') : fw === 'openai-agents' ? stringProp(a0, 'name') : undefined;
        const body = fw === 'langchain' ? a0 : propValue(a0, ['execute']);
        const inner = gateOf(body);
        const { holders, gatedBy } = holdersOf(n);
        facts.definitions.push({ node: n, framework: fw, kind: 'tool', name: name ?? bindingName(n) ?? holders[holders.length - 1] ?? '(anonymous)', holders, ...((inner ?? gatedBy) ? { gatedBy: (inner ?? gatedBy) as string } : {}) });
      } else if (ts.isPropertyAccessExpression(n.expression) && (n.expression.name.text === 'registerTool' || n.expression.name.text === 'tool')) {
        const method = n.expression.name.text;
        const root = rootOf(n.expression.expression);
        // `registerTool(name, config, handler)` is the MCP SDK's signature; `.tool(...)` is too common a
        // name, so it counts only on a known McpServer.
        const onServer = (root !== undefined && mcpServers.has(root)) || (method === 'registerTool' && (importsMcpSdk || n.arguments.length === 3));
        if (onServer && n.arguments.length >= 2) {
          const first = n.arguments[0] as ts.Expression;
          const name = ts.isStringLiteralLike(first) ? first.text : first.getText(sf).slice(0, 60);
          const handler = n.arguments[n.arguments.length - 1];
          const inner = gateOf(handler);
          facts.definitions.push({ node: n, framework: 'mcp', kind: 'tool', name, holders: [], ...(inner ? { gatedBy: inner } : {}), ...(root ? { server: { root, pos: n.getStart(sf) } } : {}) });
        }
      } else if (ts.isPropertyAccessExpression(n.expression) && n.expression.name.text === 'setRequestHandler' && n.arguments.length === 2 && isCallToolSchema(n.arguments[0])) {
        // The low-level `Server` API: one handler runs every tool. Only a gate around the handler
        // itself counts; `gateMcpServer` wraps `registerTool`, which a request handler bypasses.
        const inner = gateOf(n.arguments[1]);
        facts.definitions.push({ node: n, framework: 'mcp', kind: 'call-handler', name: 'tools/call', holders: [], ...(inner ? { gatedBy: inner } : {}) });
      }
    } else if (ts.isNewExpression(n) && isLangChain(n.expression, LANGCHAIN_CLASSES)) {
      const fields = n.arguments?.[0];
      const inner = gateOf(propValue(fields, ['func']));
      const { holders, gatedBy } = holdersOf(n);
      facts.definitions.push({ node: n, framework: 'langchain', kind: 'tool', name: stringProp(fields, 'name') ?? bindingName(n) ?? holders[holders.length - 1] ?? '(anonymous)', holders, ...((inner ?? gatedBy) ? { gatedBy: (inner ?? gatedBy) as string } : {}) });
    } else if ((ts.isClassDeclaration(n) || ts.isClassExpression(n)) && n.heritageClauses) {
      const ext = n.heritageClauses.find((h) => h.token === ts.SyntaxKind.ExtendsKeyword)?.types[0];
      if (ext && isLangChain(ext.expression, LANGCHAIN_BASES)) {
        const className = n.name?.text ?? bindingName(n);
        const holders = className ? [className] : holdersOf(n).holders;
        facts.definitions.push({ node: n, framework: 'langchain', kind: 'tool', name: className ?? '(anonymous class)', holders });
      }
    }
    ts.forEachChild(n, visitDefs);
  };
  visitDefs(sf);
  return facts;
}

/** Every binding `name` stands for, following aliases (`const b = a` makes gating `b` gate `a`). */
function closure(facts: FileFacts, names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  const stack = [...names];
  while (stack.length) {
    const n = stack.pop() as string;
    if (out.has(n)) continue;
    out.add(n);
    for (const a of facts.aliases.get(n) ?? []) stack.push(a);
  }
  return out;
}

const MODULE_SUFFIXES = ['', '.ts', '.tsx', '.mts', '.cts', '.js', '.jsx', '.mjs', '.cjs', '/index.ts', '/index.tsx', '/index.js', '/index.mjs'];

/** Resolves a relative import to a scanned file (`./x.js` may be `x.ts` on disk). */
function resolveModule(fromPath: string, spec: string, byPath: Map<string, FileFacts>): FileFacts | undefined {
  if (!isRelative(spec)) return undefined;
  const base = join(dirname(fromPath), spec);
  const candidates = [base];
  const ext = extname(base);
  if (['.js', '.jsx', '.mjs', '.cjs'].includes(ext)) {
    const stem = base.slice(0, -ext.length);
    candidates.push(`${stem}.ts`, `${stem}.tsx`, `${stem}.mts`, `${stem}.cts`);
  }
  for (const c of candidates) for (const s of MODULE_SUFFIXES) {
    const f = byPath.get(c + s);
    if (f) return f;
  }
  return undefined;
}

/** The file and local binding an import refers to, following re-exports. */
function exportedLocal(f: FileFacts, imp: Imported, byPath: Map<string, FileFacts>, depth = 0): [FileFacts, string] | undefined {
  if (depth > 20) return undefined;
  const t = resolveModule(f.file.path, imp.module, byPath);
  if (!t) return undefined;
  const local = t.exports.get(imp.name);
  if (local) {
    const again = t.imports.get(local);
    return again ? exportedLocal(t, again, byPath, depth + 1) ?? [t, local] : [t, local];
  }
  for (const r of t.reexports) if (r.exported === imp.name) return exportedLocal(t, { module: r.from, name: r.imported }, byPath, depth + 1);
  for (const s of t.starExports) {
    const found = exportedLocal(t, { module: s, name: imp.name }, byPath, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/**
 * Cross-file pass: a binding gated in one file gates what it was imported as, through re-exports
 * and namespaces, until nothing changes. Returns the findings.
 */
export function resolveTypeScript(all: FileFacts[]): ToolFinding[] {
  const byPath = new Map(all.map((f) => [f.file.path, f]));
  // Per file: gated local bindings and why.
  const gated = new Map<FileFacts, Map<string, string>>();
  const work: [FileFacts, string, string][] = [];
  const mark = (f: FileFacts, local: string, why: string) => {
    let m = gated.get(f);
    if (!m) gated.set(f, (m = new Map()));
    for (const n of closure(f, [local])) {
      if (m.has(n)) continue;
      m.set(n, why);
      work.push([f, n, why]);
    }
  };
  /** Marks what `name` exported from `f` is, following re-exports. */
  const markExport = (f: FileFacts, name: string, why: string, seen = new Set<string>()) => {
    const key = `${f.file.path}#${name}`;
    if (seen.has(key)) return;
    seen.add(key);
    if (name === '*') {
      for (const local of f.exports.values()) mark(f, local, why);
      for (const r of f.reexports) {
        const t = resolveModule(f.file.path, r.from, byPath);
        if (t) markExport(t, r.imported, why, seen);
      }
      for (const s of f.starExports) {
        const t = resolveModule(f.file.path, s, byPath);
        if (t) markExport(t, '*', why, seen);
      }
      return;
    }
    const local = f.exports.get(name);
    if (local) mark(f, local, why);
    for (const r of f.reexports) {
      if (r.exported !== name) continue;
      const t = resolveModule(f.file.path, r.from, byPath);
      if (t) markExport(t, r.imported, why, seen);
    }
    for (const s of f.starExports) {
      const t = resolveModule(f.file.path, s, byPath);
      if (t && name !== 'default') markExport(t, name, why, seen);
    }
  };
  for (const f of all) for (const [local, why] of f.gated) mark(f, local, why);
  while (work.length) {
    const [f, local, why] = work.pop() as [FileFacts, string, string];
    const imp = f.imports.get(local);
    if (!imp) continue;
    const target = resolveModule(f.file.path, imp.module, byPath);
    if (target) markExport(target, imp.name, why);
  }

  const findings: ToolFinding[] = [];
  for (const f of all) {
    const m = gated.get(f) ?? new Map<string, string>();
    const sf = f.definitions[0]?.node.getSourceFile();
    for (const d of f.definitions) {
      let gatedBy = d.gatedBy;
      if (!gatedBy) for (const h of d.holders) if (m.has(h)) { gatedBy = m.get(h); break; }
      // `gateMcpServer(server)` gates the registrations that come after it, not those before.
      if (!gatedBy && d.server) {
        const pos = f.gatedServers.get(d.server.root);
        if (pos !== undefined && pos < d.server.pos) gatedBy = f.gated.get(d.server.root) ?? `gateMcpServer(${d.server.root})`;
        const imp = f.imports.get(d.server.root);
        if (!gatedBy && imp) {
          // A server imported from a module that gated it: that module ran first, so every registration here is gated.
          const origin = exportedLocal(f, imp, byPath);
          if (origin && origin[0].gatedServers.has(origin[1])) gatedBy = `gateMcpServer(${origin[1]}) in ${origin[0].file.rel}`;
        }
      }
      const start = d.node.getStart(sf);
      const { line, character } = (sf as ts.SourceFile).getLineAndCharacterOfPosition(start);
      const ext = extname(f.file.path);
      findings.push({
        file: f.file.rel,
        line: line + 1,
        column: character + 1,
        language: ['.js', '.jsx', '.mjs', '.cjs'].includes(ext) ? 'javascript' : 'typescript',
        framework: d.framework,
        kind: d.kind,
        name: d.name,
        gated: gatedBy !== undefined,
        ...(gatedBy ? { gatedBy } : {}),
      });
    }
  }
  return findings;
}

/** Scans TypeScript/JavaScript files; a file that cannot be parsed at all is skipped, with the reason. */
export function scanTypeScript(files: SourceFile[]): { tools: ToolFinding[]; skipped: SkippedFile[] } {
  const facts: FileFacts[] = [];
  const skipped: SkippedFile[] = [];
  for (const f of files) {
    try {
      facts.push(scanTypeScriptFile(f));
    } catch (e) {
      skipped.push({ file: f.rel, reason: `cannot scan: ${e instanceof Error ? e.message : String(e)}` });
    }
  }
  return { tools: resolveTypeScript(facts), skipped };
}
