/**
 * A breadth universe from grouped daily answers (Massive: every US stock's bar of one
 * session per request): each member's closes over the sessions given, packed the way
 * the store keeps a universe. Pure: the caller fetches the sessions (one request each)
 * and names the members (e.g. from the iShares holdings).
 */
import type { GroupedDaily } from '../data/providers';
import { formatDay } from '../engine/dates';
import type { MemberCloses } from '../storage/types';
import { packMembers } from './snapshot-source';

export interface GroupedUniverse {
  universe: MemberCloses;
  /** Members without a bar in any of the sessions (not listed by the provider, or a ticker spelt otherwise). */
  absent: string[];
  /** Sessions that had bars (no-session dates are skipped). */
  sessions: number;
}

/**
 * Members' closes from `answers` in any order. A member missing from a session simply has
 * no entry that day (a halt, a listing after it), never a zero or a carried-forward close;
 * one missing from every session is left out and listed in `absent`. Tickers match
 * exactly as written; duplicate members count once. Two answers for one date are an error.
 */
export function memberClosesFromGrouped(answers: readonly GroupedDaily[], members: readonly string[]): GroupedUniverse {
  const sessions = answers.filter((answer) => answer.kind === 'session').sort((a, b) => a.day - b.day);
  for (let k = 1; k < sessions.length; k++) {
    if (sessions[k].day === sessions[k - 1].day) {
      throw new RangeError(`grouped daily answers: ${formatDay(sessions[k].day)} appears twice`);
    }
  }
  const present: { symbol: string; bars: { dates: Int32Array; close: Float64Array } }[] = [];
  const absent: string[] = [];
  const dates: number[] = [];
  const close: number[] = [];
  for (const symbol of new Set(members)) {
    dates.length = 0;
    close.length = 0;
    for (const session of sessions) {
      const bar = session.bars.get(symbol);
      if (bar === undefined) continue;
      dates.push(session.day);
      close.push(bar.close);
    }
    if (dates.length === 0) absent.push(symbol);
    else present.push({ symbol, bars: { dates: Int32Array.from(dates), close: Float64Array.from(close) } });
  }
  return { universe: packMembers(present), absent, sessions: sessions.length };
}
