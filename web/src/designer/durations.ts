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

/** How each unit is written: what comes before the amount and the designator after it. */
const ISO: Readonly<Record<DurationUnit, readonly [prefix: 'P' | 'PT', designator: string]>> = {
  minutes: ['PT', 'M'],
  hours: ['PT', 'H'],
  days: ['P', 'D'],
  weeks: ['P', 'W'],
  months: ['P', 'M'],
  years: ['P', 'Y'],
};

const PATTERNS: readonly [RegExp, DurationUnit][] = DURATION_UNITS.map((unit) => {
  const [prefix, designator] = ISO[unit];
  return [new RegExp(`^${prefix}(\\d+)${designator}$`), unit];
});

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
  const [prefix, designator] = ISO[unit];
  return `${prefix}${n}${designator}`;
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
