/** The agent frameworks whose tool definitions `capfence check` recognises. */
export type Framework =
  | 'vercel-ai'
  | 'openai-agents'
  | 'langchain'
  | 'mcp'
  | 'crewai'
  | 'autogen'
  | 'llamaindex'
  | 'base_tool';

/**
 * What a finding is: one tool's definition, or an MCP server's `tools/call` handler (the SDKs'
 * low-level API), a single entry point that runs every tool the server has.
 */
export type FindingKind = 'tool' | 'call-handler';

/** One tool definition found in a source file, and whether CapFence gates it. */
export interface ToolFinding {
  /** Path relative to the scanned root, with `/` separators. */
  file: string;
  line: number;
  column: number;
  language: 'typescript' | 'javascript' | 'python';
  framework: Framework;
  kind: FindingKind;
  /** The tool's name where the source states it, else the name it is bound to. */
  name: string;
  gated: boolean;
  /** What gates it (`gateVercelTools(tools)` at file:line), when gated. */
  gatedBy?: string;
}

/** A file that could not be read or parsed; it is reported, never silently dropped. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** Everything one scan found. */
export interface ScanReport {
  root: string;
  filesScanned: number;
  tools: ToolFinding[];
  skipped: SkippedFile[];
}

/** A source file handed to a language scanner. */
export interface SourceFile {
  /** Absolute path. */
  path: string;
  /** Relative to the scanned root, `/`-separated. */
  rel: string;
  text: string;
}
