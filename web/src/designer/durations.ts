/**
 * The friendly side of ISO 8601 durations: one amount and one unit (`P30D` is 30 days), which is
 * how people set a wait or a due time. Anything else (`P1DT2H`) is kept as written.
 */

export const DURATION_UNITS = ['minutes', 'hours', 'days', 'weeks', 'months', 'years'] as const;
export type DurationUnit = (typeof DURATION_UNITS)[number];

export interface SimpleDuration {
  readonly amount: number;
  readonly unit: DurationUnit;
}

const PATTERNS: readonly [RegExp, DurationUnit][] = [
  [/^PT(\d+)M$/, 'minutes'],
  [/^PT(\d+)H$/, 'hours'],
  [/^P(\d+)D$/, 'days'],
  [/^P(\d+)W$/, 'weeks'],
  [/^P(\d+)M$/, 'months'],
  [/^P(\d+)Y$/, 'years'],
];

/** `P30D` → 30 days; `null` for an empty, compound or malformed duration. */
export function parseSimpleDuration(iso: string | undefined): SimpleDuration | null {
  if (!iso) return null;
  for (const [pattern, unit] of PATTERNS) {
    const match = pattern.exec(iso);
    if (match?.[1] !== undefined) return { amount: Number(match[1]), unit };
  }
  return null;
}

/** 30 days → `P30D`. The amount is rounded down to a whole, non-negative number. */
export function formatSimpleDuration({ amount, unit }: SimpleDuration): string {
  const n = Math.max(0, Math.floor(Number.isFinite(amount) ? amount : 0));
  switch (unit) {
    case 'minutes':
      return `PT${n}M`;
    case 'hours':
      return `PT${n}H`;
    case 'days':
      return `P${n}D`;
    case 'weeks':
      return `P${n}W`;
    case 'months':
      return `P${n}M`;
    case 'years':
      return `P${n}Y`;
  }
}

/**
 * A compact label for the flowchart: `P30D` → "30 d" with the unit's short name from `unitLabel`;
 * compound durations are shown as written.
 */
export function shortDuration(iso: string, unitLabel: (unit: DurationUnit) => string): string {
  const simple = parseSimpleDuration(iso);
  if (!simple) return iso;
  return `${simple.amount} ${unitLabel(simple.unit)}`;
}
