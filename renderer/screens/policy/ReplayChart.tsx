import type { ReplayResult } from '../../state/policy-editor.js';

const DECISIONS = ['allow', 'require_approval', 'deny'] as const;
const LABEL = { allow: 'allow', require_approval: 'approval', deny: 'deny' } as const;

/** Before/after counts per decision as paired bars (inline SVG: no chart library, no network). */
export function ReplayChart({ result }: { result: ReplayResult }) {
  const max = Math.max(1, ...DECISIONS.flatMap((d) => [result.before[d], result.after[d]]));
  const W = 420;
  const rowH = 30;
  const labelW = 78;
  const barMax = W - labelW - 96;
  const H = DECISIONS.length * rowH + 8;
  return (
    <figure className="replay-chart">
      <svg viewBox={`0 0 ${W} ${H}`} width="100%" role="img" aria-label={DECISIONS.map((d) => `${LABEL[d]} ${result.before[d]} before, ${result.after[d]} after`).join('; ')}>
        {DECISIONS.map((d, i) => {
          const y = i * rowH + 4;
          const b = (result.before[d] / max) * barMax;
          const a = (result.after[d] / max) * barMax;
          return (
            <g key={d}>
              <text x={0} y={y + 15} className="chart-label">
                {LABEL[d]}
              </text>
              <rect x={labelW} y={y + 2} width={Math.max(b, 1)} height={10} rx={2} className="bar-before" />
              <rect x={labelW} y={y + 13} width={Math.max(a, 1)} height={10} rx={2} className={`bar-after bar-${d}`} />
              <text x={labelW + Math.max(b, a) + 6} y={y + 17} className="chart-value">
                {result.before[d]} → {result.after[d]}
              </text>
            </g>
          );
        })}
      </svg>
      <figcaption className="muted small">
        <span className="legend legend-before" /> active policy <span className="legend legend-after" /> this draft
      </figcaption>
    </figure>
  );
}
