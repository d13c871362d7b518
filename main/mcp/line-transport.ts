import type { Readable, Writable } from 'node:stream';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
import { INVALID_REQUEST, MalformedMessageError, PARSE_ERROR, sniffId } from './malformed.js';

/** The largest line either side may send: a 10 MB tool result fits with room to spare. */
export const DEFAULT_MAX_LINE_BYTES = 64 * 1024 * 1024;

const NL = 0x0a;

/** Whitespace only (as `trim` sees it); a JSON-RPC line starts with `{`, so this is one comparison. */
const isBlank = (s: string): boolean => {
  if (s.length === 0) return true;
  const c = s.charCodeAt(0);
  return (c <= 0x20 || c >= 0x80) && s.trim() === '';
};

/**
 * The message a `LineTransport` is delivering right now, and the exact text it arrived as. A
 * transport made with `sendArrivedText` sends such a message, forwarded untouched while it is
 * delivered, as the text that came in: no re-serialisation, and byte-identical. Anything sent
 * later, or changed, is a new object and is serialised afresh. Two variables instead of a
 * WeakMap: an entry per message costs more than the lookup saves.
 */
let deliveringMessage: unknown;
let deliveringText = '';

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
  /** Lines sent in this tick, and the promise they all settle with: they leave in one write. */
  private outLines: string[] = [];
  private outBatch: { promise: Promise<void>; resolve: () => void } | undefined;

  constructor(
    private readonly input: Readable,
    private readonly output: Writable,
    private readonly opts: {
      maxLineBytes?: number;
      endOutputOnClose?: boolean;
      /**
       * Send a message another transport is delivering as the exact text it arrived as. Only for
       * the side facing the client: text from the client must never reach the upstream as it
       * came, since with duplicate keys the upstream's parser may read another message than the
       * one judged here (`"method":"tools/call"` hidden behind a second `"method":"ping"`).
       */
      sendArrivedText?: boolean;
    } = {},
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
      if (!this.skipping && this.chunks.length === 0) {
        // Every complete line in the chunk at once, when none can be over the limit: one decode
        // per chunk instead of one per line. (A newline byte never occurs inside a UTF-8 sequence.)
        const last = buf.lastIndexOf(NL);
        if (last >= 0 && last <= this.max) {
          this.handleLines(buf.toString('utf8', 0, last));
          buf = buf.subarray(last + 1);
          continue;
        }
      }
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
    this.handleText(raw.toString('utf8'));
  }

  /** Lines separated by `\n`, the last without one. */
  private handleLines(text: string): void {
    let start = 0;
    while (!this.closed) {
      const end = text.indexOf('\n', start);
      if (end < 0) {
        this.handleText(start === 0 ? text : text.slice(start));
        return;
      }
      this.handleText(text.slice(start, end));
      start = end + 1;
    }
  }

  private handleText(line: string): void {
    const text = line.charCodeAt(line.length - 1) === 0x0d ? line.slice(0, -1) : line;
    if (isBlank(text)) return;
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch (e) {
      const { id, hadMethod } = sniffId(text);
      this.onerror?.(new MalformedMessageError(`parse error: ${e instanceof Error ? e.message : String(e)}`, PARSE_ERROR, id, hadMethod));
      return;
    }
    const outerMessage = deliveringMessage;
    const outerText = deliveringText;
    deliveringMessage = value;
    deliveringText = text;
    try {
      this.onmessage?.(value as JSONRPCMessage);
    } catch (e) {
      this.onerror?.(e instanceof Error ? e : new Error(String(e)));
    } finally {
      deliveringMessage = outerMessage;
      deliveringText = outerText;
    }
  }

  send(message: JSONRPCMessage): Promise<void> {
    if (this.closed) return Promise.reject(new Error('transport closed'));
    let line: string;
    try {
      line = this.opts.sendArrivedText === true && message === deliveringMessage ? deliveringText : JSON.stringify(message);
    } catch (e) {
      return Promise.reject(e instanceof Error ? e : new Error(String(e)));
    }
    this.outLines.push(line);
    if (!this.outBatch) {
      let resolve: () => void = () => undefined;
      const promise = new Promise<void>((r) => (resolve = r));
      this.outBatch = { promise, resolve };
      // Messages sent in the same tick leave in one write: under load that is one system call
      // and one wake-up of the reader for many messages.
      process.nextTick(this.flush);
    }
    return this.outBatch.promise;
  }

  private readonly flush = (): void => {
    const batch = this.outBatch;
    if (!batch) return;
    const lines = this.outLines;
    this.outLines = [];
    this.outBatch = undefined;
    const data = lines.length === 1 ? `${lines[0] as string}\n` : `${lines.join('\n')}\n`;
    if (this.output.write(data)) batch.resolve();
    else this.output.once('drain', batch.resolve);
  };

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.input.off('data', this.onData);
    this.input.off('end', this.onEnd);
    this.input.off('close', this.onEnd);
    this.chunks = [];
    this.skipping = undefined;
    // What was sent before closing still leaves, ahead of the end of output.
    this.flush();
    if (this.opts.endOutputOnClose) this.output.end();
    this.onclose?.();
  }
}
