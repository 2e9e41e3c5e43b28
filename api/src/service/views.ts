/**
 * What a response says about a history, as pure functions shared by the live service and
 * the refresh's precomputed readings, so a stored reading and a computed one cannot differ.
 */
import { formatDay, lowerBound } from '../engine/dates';
import type { History } from '../engine/engine';
import type { Profile } from '../engine/profile';
import { readingAt, type Reading } from '../engine/reading';
import type { Meta } from '../contracts/responses';
import type { ValueSeries } from '../storage/types';
import type { PairData } from './market-data';

export type BaseMeta = Omit<Meta, 'stale' | 'staleReason'>;

/** The FRED series a reading quotes as context: curve and credit. */
export const CONTEXT_SERIES = { curve: 'T10Y2Y', credit: 'BAMLH0A0HYM2' } as const;

/** A series' latest observation on or before `day`, or null. */
export function contextValue(series: Record<string, ValueSeries>, id: string, day: number) {
  const s = series[id];
  if (!s || s.dates.length === 0) return null;
  const i = lowerBound(s.dates, day + 1) - 1;
  return i < 0 ? null : { id, date: formatDay(s.dates[i]), value: s.values[i] };
}

/** The reading of session t with its FRED context. */
export function readingWithContext(h: History, t: number, series: Record<string, ValueSeries>): Reading {
  const reading = readingAt(h, t);
  const day = h.dates[t];
  reading.context = {
    curve: contextValue(series, CONTEXT_SERIES.curve, day),
    credit: contextValue(series, CONTEXT_SERIES.credit, day),
  };
  return reading;
}

/** The meta every response about this history repeats, before the freshness check. */
export function baseMetaOf(
  source: string,
  pair: PairData,
  profile: Profile,
  hash: string,
  h: History,
  generation: string,
): BaseMeta {
  return {
    source,
    sample: source === 'sample',
    symbol: pair.symbol,
    benchmark: pair.benchmark,
    profile: profile.name,
    profileHash: hash,
    firstDate: formatDay(h.dates[0]),
    lastBarDate: formatDay(h.dates[h.length - 1]),
    generation,
    breadthSource: pair.breadthSource,
    membership: pair.membership,
    dataQuality: pair.quality,
    warnings: h.credit.available
      ? pair.warnings
      : [
          ...pair.warnings,
          `credit overlay unavailable: the data has no ${profile.credit.highYield} or ${profile.credit.treasury} series`,
        ],
  };
}
