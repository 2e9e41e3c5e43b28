/**
 * Inputs of the signal engine. Everything is a typed array aligned on one trading
 * calendar (`dates`), so the engine never parses, reads files or looks at a clock.
 */

/** Daily bars of one symbol as columns; `dates` are day numbers (see dates.ts). */
export interface BarColumns {
  dates: Int32Array;
  open: Float64Array;
  high: Float64Array;
  low: Float64Array;
  close: Float64Array;
  volume: Float64Array;
}

/**
 * Closes of the breadth universe, packed member after member (CSR layout): member `i`
 * owns entries `offsets[i] .. offsets[i+1]-1`, every bar of the member in date order.
 * `dayIndex` points into the engine's trading calendar (rising within a member), or is
 * `OFF_CALENDAR` (-1) for a bar on a day that is not a session (before the primary's
 * first session, or a day the primary or benchmark lacks): such a bar feeds the member's
 * own SMA but is not counted on any session. One flat array instead of 2,000 small ones
 * keeps the breadth pass cache-friendly and the storage binary.
 */
export interface UniverseCloses {
  kind: 'universe';
  symbols: string[];
  offsets: Int32Array;
  dayIndex: Int32Array;
  close: Float64Array;
}

/** An external breadth series aligned on the calendar (NaN where unknown). */
export interface BreadthSeries {
  kind: 'series';
  pct50: Float64Array;
  pct200: Float64Array;
  /** Members counted in pct50 per session, when known (a series precomputed from a universe). */
  members?: Int32Array;
}

export type BreadthInput = UniverseCloses | BreadthSeries;

/** `UniverseCloses.dayIndex` of a member bar on a day that is not a session. */
export const OFF_CALENDAR = -1;

/** What a ticker may look like (it also names files and stored objects, so no path characters). */
export const TICKER_PATTERN = /^[A-Z0-9][A-Z0-9.^_-]{0,14}$/;

export const EVENT_KINDS = ['fomc', 'russell-recon', 'cpi', 'earnings-season', 'custom'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** A macro-calendar event. `end` is required for earnings seasons (the window is date..end). */
export interface MacroEvent {
  date: string;
  kind: EventKind;
  label: string;
  end?: string;
}

/** Everything the engine needs, aligned on `primary.dates`. */
export interface EngineInput {
  primary: BarColumns;
  /** Benchmark closes on the same dates as the primary. */
  benchmarkClose: Float64Array;
  breadth: BreadthInput | null;
  events: readonly MacroEvent[];
  /**
   * Closes of other symbols placed on the primary's sessions (NaN where the symbol has
   * no bar), by ticker. The credit overlay reads the profile's `credit.highYield` and
   * `credit.treasury` from here; a symbol that is not here is unavailable.
   */
  closes?: Readonly<Record<string, Float64Array>>;
}
