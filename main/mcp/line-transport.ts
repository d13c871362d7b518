import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { INVALID_REQUEST, MalformedMessageError, PARSE_ERROR, sniffId } from './malformed.js';

/** The largest line either side may send: a 10 MB tool result fits with room to spare. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

const NL = 0x0a;

/**
 * The exact text each parsed message arrived as. A message forwarded untouched leaves as the
 * bytes that came in (no re-serialisation: cheaper, and byte-identical); a changed message is a
 * new object and is serialised afresh.
 */
const rawText = new WeakMap<object, string>();

/**
 * Newline-delimited JSON-RPC over a pair of streams (MCP's stdio framing). Unlike the SDK's
 * ReadBuffer it never dies on bad input: a line that is not JSON, or longer than `maxLineBytes`,
 * is skipped and reported through `onerror` as a `MalformedMessageError` (with the id when one
 * can be read), and reading goes on. Messages are handed on as parsed JSON; schema validation is
 * the consumer's job (the proxy validates everything it receives, from any transport).
 */
export class LineTransport implements Transport {
  onclose?: (() => void) | undefined;
  onerror?: ((error: Error) => void) | undefined;
  onmessage?: (<T extends JSONRPCMessage>(message: T) => void) | undefined;

  private chunks: Buffer[] = [];
  private size = 0;
  /** Bytes of an oversized line are dropped until its newline; its head is kept to find the id. */
  private skipping: { head: string; bytes: number } | undefined;
  private started = false;
  private closed = false;
  private corked = false;
  private readonly uncork = (): void => {
    this.corked = false;
    this.output.uncork();
  };

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly opts: { maxLineBytes?: number; endOutputOnClose?: boolean } = {},
  ) {}

  private get max(): number {
    return this.opts.maxLineBytes ?? DEFAULT_MAX_LINE_BYTES;
  }

  async start(): Promise<void> {
    if (this.started) throw new Error('LineTransport already started');
    this.started = true;
    this.input.on('data', this.onData);
    this.input.on('error', this.onStreamError);
    // The SDK's stdio server transport ignores the end of input, so a client that closes stdin
    // leaves the process waiting to be killed; here the end of input closes the transport.
    this.input.on('end', this.onEnd);
    this.input.on('close', this.onEnd);
    this.output.on('error', this.onStreamError);
  }

  private readonly onStreamError = (e: Error): void => {
    this.onerror?.(e);
    // A broken pipe means the other side is gone.
    if ((e as NodeJS.ErrnoException).code === 'EPIPE' || (e as NodeJS.ErrnoException).code === 'ERR_STREAM_DESTROYED') void this.close();
  };

  private readonly onEnd = (): void => {
    void this.close();
  };

  private readonly onData = (chunk: Buffer | string): void => {
    let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : chunk;
    while (buf.length > 0 && !this.closed) {
      const nl = buf.indexOf(NL);
      if (this.skipping) {
        if (nl < 0) {
          this.skipping.bytes += buf.length;
          return;
        }
        const { head, bytes } = this.skipping;
        this.skipping = undefined;
        this.reportOversized(head, bytes + nl);
        buf = buf.subarray(nl + 1);
        continue;
      }
      if (nl < 0) {
        if (this.size + buf.length > this.max) {
          this.startSkipping(buf);
          return;
        }
        this.chunks.push(buf);
        this.size += buf.length;
        return;
      }
      if (this.size + nl > this.max) {
        this.startSkipping(buf.subarray(0, nl));
        const skipped = this.skipping as { head: string; bytes: number } | undefined;
        this.skipping = undefined;
        if (skipped) this.reportOversized(skipped.head, skipped.bytes);
        buf = buf.subarray(nl + 1);
        continue;
      }
      const line = this.chunks.length === 0 ? buf.subarray(0, nl) : Buffer.concat([...this.chunks, buf.subarray(0, nl)], this.size + nl);
      this.chunks = [];
      this.size = 0;
      buf = buf.subarray(nl + 1);
      this.handleLine(line);
    }
  };

  private startSkipping(tail: Buffer): void {
    const all = this.chunks.length === 0 ? tail : Buffer.concat([...this.chunks, tail]);
    this.skipping = { head: all.subarray(0, 4096).toString('utf8'), bytes: all.length };
    this.chunks = [];
    this.size = 0;
  }

  private reportOversized(head: string, bytes: number): void {
    const { id, hadMethod } = sniffId(head);
    this.onerror?.(new MalformedMessageError(`message of ${bytes} bytes exceeds the ${this.max}-byte limit`, INVALID_REQUEST, id, hadMethod));
  }

  private handleLine(raw: Buffer): void {
    let end = raw.length;
    if (end > 0 && raw[end - 1] === 0x0d) end--;
    const text = raw.toString('utf8', 0, end);
    if (text.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const { id, hadMethod } = sniffId(text);
      this.onerror?.(new MalformedMessageError(`parse error: ${e instanceof Error ? e.message : String(e)}`, PARSE_ERROR, id, hadMethod));
      return;
    }
    if (value !== null && typeof value === 'object') rawText.set(value, text);
    try {
      this.onmessage?.(value as JSONRPCMessage);
    } catch (e) {
      this.onerror?.(e instanceof Error ? e : new Error(String(e)));
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('transport closed'));
    return new Promise((resolve, reject) => {
      let json: string;
      try {
        const raw = rawText.get(message);
        json = `${raw ?? JSON.stringify(message)}\n`;
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
        return;
      }
      // Messages sent in the same tick leave in one write: under load this halves the syscalls.
      if (!this.corked) {
        this.corked = true;
        this.output.cork();
        process.nextTick(this.uncork);
      }
      if (this.output.write(json)) resolve();
      else this.output.once('drain', resolve);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.chunks = [];
    this.skipping = undefined;
    if (this.opts.endOutputOnClose) this.output.end();
    this.onclose?.();
  }
}
