/** What a report chart shows, as the screens say it (chart.tsx draws it). */

export type ChartSpec =
  /** Horizontal bars, one per category, largest first as given (members per subunit, the period's movements). */
  | { kind: 'bars'; labels: string[]; name: string; values: number[] }
  /** Shares of a whole (members by status). */
  | { kind: 'doughnut'; labels: string[]; values: number[] }
  /** A line on the left axis and bars on the right one over the same categories; a null is a gap. */
  | {
      kind: 'line-and-bars';
      labels: string[];
      line: { name: string; values: (number | null)[] };
      bars: { name: string; values: (number | null)[] };
    };
