/** Kinds of real differences between the live tables and a rebuild: each makes `rebuild --check` fail. */
export const DIFFERENCE_KINDS = ['missing_call', 'extra_call', 'call_field', 'conflict', 'quarantine', 'raw_result', 'rollup', 'group_event'] as const;
export type DifferenceKind = (typeof DIFFERENCE_KINDS)[number];

/**
 * One thing `rebuild --check` found. Besides differences: `classification`, a call the
 * live table keeps with an older classifier's outcome (`callevt reclassify` updates it);
 * `not_checkable`, a row whose raw request was pruned, so it cannot be rebuilt.
 */
export interface CheckFinding {
  kind: DifferenceKind | 'classification' | 'not_checkable';
  /** What the row is: a sid, a raw request id, a rollup cell. */
  key: string;
  detail: string;
}

/** The counts of a check, by kind. */
export interface CheckReport {
  differences: Record<DifferenceKind, number>;
  /** Sum of `differences`: zero when the rebuild equals the live tables. */
  totalDifferences: number;
  classification: number;
  notCheckable: number;
  /** Live rows that came from raw requests newer than the rebuild (left out; run the rebuild again). */
  newerThanRebuild: number;
  /** Rows compared per table. */
  compared: { calls: number; quarantine: number; rawRequests: number; rollupRows: number; groupEvents: number };
}

/** Collects findings into a report, passing each to `onFinding` as it is found (never all kept). */
export function createFindings(onFinding: (finding: CheckFinding) => void) {
  const report: CheckReport = {
    differences: Object.fromEntries(DIFFERENCE_KINDS.map((k) => [k, 0])) as Record<DifferenceKind, number>,
    totalDifferences: 0,
    classification: 0,
    notCheckable: 0,
    newerThanRebuild: 0,
    compared: { calls: 0, quarantine: 0, rawRequests: 0, rollupRows: 0, groupEvents: 0 },
  };
  return {
    report,
    add(finding: CheckFinding) {
      if (finding.kind === 'classification') report.classification++;
      else if (finding.kind === 'not_checkable') report.notCheckable++;
      else {
        report.differences[finding.kind]++;
        report.totalDifferences++;
      }
      onFinding(finding);
    },
  };
}

export type Findings = ReturnType<typeof createFindings>;

/** JSON with object keys sorted, so that equal values compare equal as text. */
export function stableJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v);
}
