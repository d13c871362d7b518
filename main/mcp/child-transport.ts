import { spawn, type ChildProcess } from 'node:child_process';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { LineTransport } from './line-transport.js';

export interface ChildTransportOptions {
  command: string;
  args: readonly string[];
  env?: Record<string, string | undefined>;
  cwd?: string;
  /** Where the server's stderr goes: our stderr (default) or a callback per chunk. */
  onStderr?: (chunk: Buffer) => void;
  maxLineBytes?: number;
}

/**
 * An upstream MCP server as a child process speaking newline-delimited JSON-RPC on its stdio,
 * with the same forgiving framing as `LineTransport`. `onclose` fires when the process exits
 * (a crash included); `close()` ends its stdin, then SIGTERM, then SIGKILL.
 */
export class ChildProcessTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T) => void) | undefined;

  private child: ChildProcess | undefined;
  private lines: LineTransport | undefined;
  private exited: Promise<void> | undefined;
  private closedFired = false;
  /** How the process ended: exit code or signal, once it has. */
  exitStatus: { code: number | null; signal: NodeJS.Signals | null } | undefined;

  constructor(private readonly opts: ChildTransportOptions) {}

  /** The child's pid once started. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const child = spawn(this.opts.command, [...this.opts.args], {
        stdio: ['pipe', 'pipe', 'pipe'],
        env: (this.opts.env ?? process.env) as NodeJS.ProcessEnv,
        ...(this.opts.cwd ? { cwd: this.opts.cwd } : {}),
        shell: false,
        windowsHide: true,
      });
      this.child = child;
      let spawned = false;
      this.exited = new Promise((done) => {
        child.once('close', (code, signal) => {
          this.exitStatus = { code, signal };
          done();
          this.fireClose();
        });
      });
      child.once('error', (e) => {
        if (!spawned) reject(e);
        else this.onerror?.(e);
        // A process that never started emits no 'close' on some platforms.
        if (!spawned) this.fireClose();
      });
      child.stderr?.on('data', (c: Buffer) => (this.opts.onStderr ? this.opts.onStderr(c) : process.stderr.write(c)));
      const lines = new LineTransport(child.stdout as NonNullable<typeof child.stdout>, child.stdin as NonNullable<typeof child.stdin>, {
        ...(this.opts.maxLineBytes !== undefined ? { maxLineBytes: this.opts.maxLineBytes } : {}),
      });
      this.lines = lines;
      lines.onmessage = (m) => this.onmessage?.(m);
      lines.onerror = (e) => this.onerror?.(e);
      child.once('spawn', () => {
        spawned = true;
        lines.start().then(resolve, reject);
      });
    });
  }

  private fireClose(): void {
    if (this.closedFired) return;
    this.closedFired = true;
    this.onclose?.();
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (!this.lines || this.closedFired) return Promise.reject(new Error('upstream server is not running'));
    return this.lines.send(message);
  }

  async close(): Promise<void> {
    const child = this.child;
    if (!child || this.exitStatus) {
      this.fireClose();
      return;
    }
    const exited = this.exited as Promise<void>;
    const waitFor = (ms: number) => Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), ms).unref())]);
    try {
      child.stdin?.end();
    } catch {
      // Already closed.
    }
    if (!(await waitFor(1000))) {
      child.kill('SIGTERM');
      if (!(await waitFor(2000))) {
        child.kill('SIGKILL');
        await waitFor(2000);
      }
    }
    this.fireClose();
  }
}
