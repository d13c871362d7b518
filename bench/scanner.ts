import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scan } from '../main/check/scan.js';
import type { BenchRow } from './measure.js';

/** Realistic source files of each kind, about 40 to 60 lines, half of them defining tools. */
function sourceFor(i: number): { name: string; text: string } {
  const filler = Array.from({ length: 30 }, (_, k) => `export function helper${i}_${k}(x: number): number {\n  return x * ${k} + ${i}; // tool( in a comment\n}`).join('\n');
  switch (i % 5) {
    case 0:
      return { name: `tools${i}.ts`, text: `import { tool } from 'ai';\nimport { z } from 'zod';\nimport { gateVercelTool } from 'capfence';\nexport const t${i} = tool({ inputSchema: z.object({ q: z.string() }), execute: async ({ q }) => q });\nexport const g${i} = gateVercelTool(tool({ inputSchema: z.object({}), execute: async () => 1 }), { name: 'g' } as never);\n${filler}\n` };
    case 1:
      return { name: `agent${i}.ts`, text: `import { tool } from '@openai/agents';\nimport { z } from 'zod';\nexport const a${i} = tool({ name: 'a${i}', description: 'd', parameters: z.object({}), execute: async () => 'x' });\n${filler}\n` };
    case 2:
      return { name: `server${i}.ts`, text: `import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';\nconst s = new McpServer({ name: 's', version: '1' });\ns.registerTool('t${i}', {}, async () => ({ content: [] }));\n${filler}\n` };
    case 3:
      return { name: `util${i}.js`, text: `const text = "tool({ execute })";\n${filler.replace(/: number/g, '')}\n` };
    default:
      return { name: `tools${i}.py`, text: `from langchain_core.tools import tool\n\n@tool\ndef t${i}(q: str) -> str:\n    """@tool in a docstring"""\n    return q\n\n${Array.from({ length: 30 }, (_, k) => `def helper_${k}(x):\n    return x * ${k}  # @tool\n`).join('\n')}` };
  }
}

/** Generates a tree of `n` files in folders of 50. */
function generateTree(n: number): string {
  const root = mkdtempSync(join(tmpdir(), 'capfence-bench-scan-'));
  for (let i = 0; i < n; i++) {
    const dir = join(root, `pkg${Math.floor(i / 50)}`);
    if (i % 50 === 0) mkdirSync(dir, { recursive: true });
    const f = sourceFor(i);
    writeFileSync(join(dir, f.name), f.text);
  }
  return root;
}

/** Files per second of `capfence check` on a generated tree of 5,000 files (best of three, parser already loaded). */
export async function runScannerBench(n = 5000): Promise<BenchRow[]> {
  const root = generateTree(n);
  const warm = scan(root);
  let best = Infinity;
  for (let k = 0; k < 3; k++) {
    const t0 = performance.now();
    const r = scan(root);
    best = Math.min(best, performance.now() - t0);
    if (r.filesScanned !== n || r.tools.length !== warm.tools.length) throw new Error(`scan saw ${r.filesScanned} files`);
  }
  rmSync(root, { recursive: true, force: true });
  return [
    { name: `scanner.files_per_s.files_${n}`, unit: 'files/s', value: n / (best / 1000) },
    { name: `scanner.ms.files_${n}`, unit: 'ms', value: best },
    { name: `scanner.tools_found.files_${n}`, unit: 'tools', value: warm.tools.length },
  ];
}
