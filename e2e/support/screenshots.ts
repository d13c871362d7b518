import { join } from 'node:path';

/**
 * Where the e2e tests save their screenshots. Every run writes them under `reports/` (kept as a
 * CI artifact, ignored by git); `UPDATE_SCREENSHOTS=1` writes the committed copies the README
 * shows instead. Screens with live data (ages, countdowns) never render twice alike, so a normal
 * run must not touch tracked files.
 */
export const SHOTS = process.env['UPDATE_SCREENSHOTS'] ? join(import.meta.dirname, '..', 'screenshots') : join(import.meta.dirname, '..', '..', 'reports', 'screenshots');
