/** The "approve and grant" durations offered; `custom` takes minutes from an input. */
export const GRANT_CHOICES = [
  { value: '300', label: '5 minutes' },
  { value: '3600', label: '1 hour' },
  { value: '28800', label: '8 hours' },
  { value: 'custom', label: 'Custom…' },
] as const;

export type GrantChoice = (typeof GRANT_CHOICES)[number]['value'];

/** The contract's limit for a grant made while approving (31 days). */
export const MAX_GRANT_SECONDS = 31 * 24 * 3600;

/** Seconds for a choice, or null when the custom minutes are not a usable whole number. */
export function grantSeconds(choice: GrantChoice, customMinutes: string): number | null {
  if (choice !== 'custom') return Number(choice);
  const m = Number(customMinutes);
  if (!Number.isInteger(m) || m <= 0) return null;
  const s = m * 60;
  return s <= MAX_GRANT_SECONDS ? s : null;
}
