import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** The policy the gate tests run on: allow, deny, approval above a threshold. */
export const GATE_POLICY = `version: 1
policy_name: gate-tests
deny:
  - capability: shell.exec
require_approval:
  - capability: payment.transfer
    amount_gt: 1000
allow:
  - files.read
  - weather.execute
  - get_weather.execute
  - capability: payment.transfer
    amount_lte: 1000
`;

/** Writes the gate policy into `dir` and returns its path. */
export function writeGatePolicy(dir: string): string {
  const path = join(dir, 'policy.yaml');
  writeFileSync(path, GATE_POLICY);
  return path;
}
