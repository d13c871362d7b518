import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, renameSync, rmSync, copyFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, sep } from 'node:path';

/** Runs a command to completion; rejects with its output on failure. */
export type Runner = (command: string, args: readonly string[], opts: { cwd: string; env: NodeJS.ProcessEnv }) => Promise<void>;

/** Where and for which Electron the binding is built. */
export interface ElectronSqliteOptions {
  /** `$CAPFENCE_HOME`: the build lands in `native/electron-<abi>/`. */
  home: string;
  /** `process.versions.modules` inside Electron (its NODE_MODULE_VERSION). */
  abi: string;
  /** `process.versions.electron`: which headers node-gyp builds against. */
  electronVersion: string;
  /** The installed better-sqlite3 package (its sources are copied, never built in place). */
  packageDir?: string;
  /** node-gyp's entry script. */
  nodeGyp?: string;
  run?: Runner;
  /** The program that runs node-gyp: Electron itself in Node mode by default. */
  execPath?: string;
}

const require = createRequire(import.meta.url);

/** Where the Electron-ABI binding of better-sqlite3 lives for an ABI. */
export function electronBindingPath(home: string, abi: string): string {
  return join(home, 'native', `electron-${abi}`, 'better_sqlite3.node');
}

const defaultRunner: Runner = (command, args, opts) =>
  new Promise((resolve, reject) => {
    const child = spawn(command, [...args], { cwd: opts.cwd, env: opts.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => out.push(d));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve() : reject(new Error(`${command} ${args.join(' ')} exited with ${code}:\n${Buffer.concat(out).toString('utf8').slice(-4000)}`))));
  });

/**
 * Returns the path of a better-sqlite3 binding built for this Electron's ABI, building it the
 * first time: the package's sources are copied to a scratch folder under `$CAPFENCE_HOME/native`
 * and compiled there with node-gyp against Electron's headers, then the `.node` file is moved
 * into place atomically. The `node_modules` copy (Node's ABI, used by the CLI and the tests) is
 * never touched. Pass the result as `nativeBinding` to `openStore`.
 */
export async function ensureElectronSqlite(opts: ElectronSqliteOptions): Promise<string> {
  const target = electronBindingPath(opts.home, opts.abi);
  if (existsSync(target)) return target;
  const packageDir = opts.packageDir ?? dirname(require.resolve('better-sqlite3/package.json'));
  const nodeGyp = opts.nodeGyp ?? require.resolve('node-gyp/bin/node-gyp.js');
  const root = join(opts.home, 'native');
  mkdirSync(root, { recursive: true, mode: 0o700 });
  const work = mkdtempSync(join(root, 'build-'));
  try {
    const src = join(work, 'better-sqlite3');
    // Sources only: the Node build output and nested modules stay where they are.
    cpSync(packageDir, src, {
      recursive: true,
      filter: (p) => {
        const rel = relative(packageDir, p);
        return rel !== 'build' && !rel.startsWith(`build${sep}`) && rel !== 'node_modules' && !rel.startsWith(`node_modules${sep}`);
      },
    });
    await (opts.run ?? defaultRunner)(
      opts.execPath ?? process.execPath,
      [nodeGyp, 'rebuild', '--release', `--target=${opts.electronVersion}`, '--runtime=electron', '--dist-url=https://electronjs.org/headers', `--devdir=${join(root, 'headers')}`],
      // Inside Electron, process.execPath is Electron: run it as plain Node for node-gyp.
      { cwd: src, env: { ...process.env, ELECTRON_RUN_AS_NODE: '1', npm_config_runtime: 'electron', npm_config_target: opts.electronVersion } },
    );
    const built = join(src, 'build', 'Release', 'better_sqlite3.node');
    if (!existsSync(built)) throw new Error(`node-gyp finished without producing ${built}`);
    mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
    const tmp = `${target}.${process.pid}.tmp`;
    copyFileSync(built, tmp);
    renameSync(tmp, target);
    return target;
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
