import { join } from 'node:path';
import { ensureBuilt as ensureBuiltFiles } from '../../helpers/build.js';

export const ROOT = join(import.meta.dirname, '../../..');

/** Builds what the gate's tests run: the CLI, the package entry and the gate. */
export const ensureBuilt = (): void => ensureBuiltFiles(['dist/node/main/cli/main.js', 'dist/node/main/index.js', 'dist/node/main/gate/index.js']);
