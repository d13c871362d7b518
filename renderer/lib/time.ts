/** Seconds now, as the main side stores times. */
export const nowSeconds = (): number => Date.now() / 1000;

/** A compact duration: `45s`, `3m 05s`, `2h 10m`, `3d 4h`. */
export function formatDuration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h}h ${String(m % 60).padStart(2, '0')}m`;
  return `${Math.floor(h / 24)}d ${h % 24}h`;
}

/** How long ago: `12s ago`. */
export function formatAge(createdAt: number, now: number): string {
  return `${formatDuration(now - createdAt)} ago`;
}

/** Time left until `expiresAt`, or `expired`; `no expiry` for null. */
export function formatTimeLeft(expiresAt: number | null, now: number): string {
  if (expiresAt === null) return 'no expiry';
  return expiresAt <= now ? 'expired' : `${formatDuration(expiresAt - now)} left`;
}

/** A local timestamp with seconds, for audit rows. */
export function formatTimestamp(seconds: number): string {
  const d = new Date(seconds * 1000);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}
