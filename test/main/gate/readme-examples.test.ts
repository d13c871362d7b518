// @vitest-environment node
// The README's "Wrap any tool" examples, run as they are: each block is compiled to JavaScript,
// its imports pointed at this checkout's node_modules and build, and run with node in a temp dir
// holding the README's policy. The MCP example is a stdio server: a real MCP client starts it.
import { execFile } from 'node:child_process';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempHome } from '../../helpers/temp.js';
import { ensureBuilt } from './build.js';

const run = promisify(execFile);
const ROOT = join(import.meta.dirname, '../../..');
const section = (() => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const start = readme.indexOf('\n## Wrap any tool\n');
  const end = readme.indexOf('\n## ', start + 5);
  return readme.slice(start, end);
})();
const blocks = (lang: string) => [...section.matchAll(new RegExp('```' + lang + '\\n([\\s\\S]*?)```', 'g'))].map((m) => m[1] as string);
const examples = blocks('ts').filter((b) => b.includes('import '));
const example = (needle: string) => examples.find((b) => b.includes(needle)) as string;

// `@openai/agents` re-exports `@openai/agents-core`, which is what this checkout has installed.
const ALIASES: Record<string, string> = { '@openai/agents': '@openai/agents-core' };
let t: ReturnType<typeof tempHome>;
let resolved: Record<string, string>;

beforeAll(async () => {
  ensureBuilt();
  t = tempHome('capfence-readme-');
  writeFileSync(join(t.home, 'capfence.yaml'), blocks('yaml')[0] as string);
  const specs = [...new Set(examples.flatMap((b) => [...b.matchAll(/from '([^'.][^']*)'/g)].map((m) => m[1] as string)))];
  // Resolve from inside the checkout (so `capfence` is this package, by its own name).
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', `console.log(JSON.stringify(Object.fromEntries(${JSON.stringify(specs)}.map((s) => [s, import.meta.resolve(${JSON.stringify(ALIASES)}[s] ?? s)]))))`], { cwd: ROOT });
  resolved = JSON.parse(stdout) as Record<string, string>;
}, 240_000);
afterAll(() => rmSync(t.home, { recursive: true, force: true }));

/** Compiles one README block to an .mjs file in the temp dir and returns its path. */
function compile(name: string, source: string): string {
  const js = ts.transpileModule(source, { compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022 } }).outputText;
  const path = join(t.home, `${name}.mjs`);
  writeFileSync(path, js.replace(/from '([^'.][^']*)'/g, (_m, s: string) => `from '${resolved[s] ?? s}'`));
  return path;
}

async function node(path: string): Promise<string> {
  const { stdout } = await run(process.execPath, [path], { cwd: t.home, env: t.env });
  return stdout;
}

describe('README: Wrap any tool', () => {
  it('has the policy and one runnable example per framework', () => {
    expect(blocks('yaml')).toHaveLength(1);
    expect(examples).toHaveLength(4);
  });
  it('Vercel AI SDK example runs: an allowed transfer, then one that needs approval', async () => {
    expect(await node(compile('vercel', example("from 'ai'")))).toBe('sent 10 to bob\nrequire_approval\n');
  }, 60_000);
  it('OpenAI Agents SDK example runs', async () => {
    expect(await node(compile('openai', example("from '@openai/agents'")))).toBe('1 sunny in Paris\n');
  }, 60_000);
  it('LangChain.js example runs: the shell call is denied', async () => {
    expect(await node(compile('langchain', example("from '@langchain/core/tools'")))).toBe('Blocked: policy_deny\n');
  }, 60_000);
  it('MCP server example serves a real client over stdio', async () => {
    const path = compile('mcp', example("from '@modelcontextprotocol/sdk/server/mcp.js'"));
    const client = new Client({ name: 'readme-test', version: '1.0.0' });
    await client.connect(new StdioClientTransport({ command: process.execPath, args: [path], cwd: t.home, env: t.env as Record<string, string> }));
    try {
      const r = await client.callTool({ name: 'transfer', arguments: { to: 'bob', amount: 10 } });
      expect(r.isError).toBeFalsy();
      expect(r.content).toEqual([{ type: 'text', text: 'sent 10 to bob' }]);
    } finally {
      await client.close();
    }
  }, 60_000);
});
