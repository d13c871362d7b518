import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../../../main/cli/io.js';
import { parseArgs, UsageError } from '../../../main/cli/args.js';
import { runCli } from '../../../main/cli/main.js';
import { DB_FLAGS, dbPathOf } from '../../../main/cli/store-option.js';
import { tempHome } from '../../helpers/temp.js';

describe('--db', () => {
  // Regression: `--db :memory:` was resolved as a path and made a file named `:memory:` in the
  // working directory; a store only one process can see would hide the queue from the console.
  for (const command of [['pending-approvals'], ['grants'], ['revoke', 'g-1']]) {
    it(`refuses an in-memory store with a usage error: ${command[0]}`, async () => {
      const t = tempHome();
      const io = memoryIo(t.home, t.env);
      const code = await runCli([...command, '--db', ':memory:'], io);
      expect(code).toBe(2);
      expect(io.err()).toMatch(/`--db :memory:`.*shared/);
      expect(existsSync(join(t.home, ':memory:'))).toBe(false);
    });
  }
  it('is refused by the option every store command reads, the gateway and the console included', () => {
    const io = memoryIo('/tmp');
    expect(() => dbPathOf(parseArgs(['--db', ':memory:'], DB_FLAGS), io)).toThrow(UsageError);
    expect(() => dbPathOf(parseArgs(['-d', ':memory:'], DB_FLAGS), io)).toThrow(UsageError);
    expect(dbPathOf(parseArgs(['--db', './x.db'], DB_FLAGS), io)).toBe('/tmp/x.db');
  });
  it('still takes a file name relative to the working directory', async () => {
    const t = tempHome();
    const io = memoryIo(t.home, t.env);
    expect(await runCli(['pending-approvals', '--db', 'here.db'], io)).toBe(0);
    expect(existsSync(join(t.home, 'here.db'))).toBe(true);
  });
});
