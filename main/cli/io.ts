/** Where a CLI command writes and what it reads: injectable so the CLI runs in-process in tests. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  cwd: string;
  env: Record<string, string | undefined>;
  /** Standard input, for commands that read it; absent when there is none. */
  stdin?: NodeJS.ReadableStream;
}

/** Exit codes, documented in the README: they mean the same in every command. */
export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  /** The audit log is invalid or tampered with (the original's code for `verify`). */
  invalid: 3,
  /** A decision denied the action (for commands that ask for one). */
  denied: 4,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

/** Captures output in memory: the test double for `CliIo`. */
export function memoryIo(cwd = process.cwd(), env: Record<string, string | undefined> = process.env): CliIo & {
  out: () => string;
  err: () => string;
} {
  const out: string[] = [];
  const errs: string[] = [];
  return {
    stdout: (t) => void out.push(t),
    stderr: (t) => void errs.push(t),
    cwd,
    env,
    out: () => out.join(''),
    err: () => errs.join(''),
  };
}

/** The real process streams. */
export function processIo(): CliIo {
  return {
    stdout: (t) => void process.stdout.write(t),
    stderr: (t) => void process.stderr.write(t),
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
  };
}
