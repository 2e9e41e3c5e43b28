import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { alignInputs } from '../../api/src/data/align';
import { generateSample } from '../../api/src/data/sample';
import { universeBreadth } from '../../api/src/engine/breadth';
import { formatDay } from '../../api/src/engine/dates';
import { computeHistory } from '../../api/src/engine/engine';
import { resolveProfile } from '../../api/src/engine/profile';
import { memberBreadth } from '../../api/src/engine/member-breadth';
import {
  addUniverseBreadth,
  OVERLAP_SESSIONS,
  storedBreadthOn,
  UNIVERSE_BREADTH_SERIES,
} from '../../api/src/service/breadth-store';
import { pairData } from '../../api/src/service/market-data';
import { snapshotOfSample, snapshotThrough } from '../../api/src/service/snapshot-source';
import { createStore } from '../../api/src/storage';
import type { MembershipList, Snapshot } from '../../api/src/storage/types';

/** A sample snapshot (IWM owns the universe), optionally as it stood after its first `sessions` days. */
const SAMPLE = snapshotOfSample(generateSample({ seed: 7, sessions: 320, members: 25 }), '2026-01-01T00:00:00Z');
function snapshotOf(sessions?: number): Snapshot {
  const dates = SAMPLE.bars.IWM.dates;
  return snapshotThrough(SAMPLE, dates[(sessions ?? dates.length) - 1]);
}

const P = { shortPeriod: 50, longPeriod: 200 };

describe('breadth precomputed at refresh', () => {
  it("equals the engine's one-pass breadth from the universe", () => {
    const snap = snapshotOf();
    addUniverseBreadth(snap, 'IWM', null);
    const calendar = snap.bars.IWM.dates;
    const stored = storedBreadthOn(snap, calendar);
    const members = snap.universe!.symbols.map((symbol, m) => {
      const [a, b] = [snap.universe!.offsets[m], snap.universe!.offsets[m + 1]];
      return {
        symbol,
        bars: { dates: snap.universe!.dates.subarray(a, b), close: snap.universe!.close.subarray(a, b) },
      };
    });
    const { input } = alignInputs({
      primary: { symbol: 'IWM', bars: snap.bars.IWM },
      benchmark: { symbol: 'SPY', bars: snap.bars.SPY },
      universe: members,
    });
    const engine = universeBreadth(input.breadth!, calendar.length, 50, 200);
    expect(stored.pct50).toEqual(engine.pct50);
    expect(stored.pct200).toEqual(engine.pct200);
    expect(stored.members).toEqual(engine.counted50);
    // Defined from the 50th session on: the series is not empty by accident.
    expect(Number.isNaN(stored.pct50[48])).toBe(true);
    expect(Number.isNaN(stored.pct50[60])).toBe(false);
  });

  it('a nightly refresh extends the previous series, computing only the new sessions plus the overlap', () => {
    const before = snapshotOf(319);
    addUniverseBreadth(before, 'IWM', null);
    const after = snapshotOf();
    const r = addUniverseBreadth(after, 'IWM', before)!;
    expect(r).toMatchObject({ incremental: true, computed: 1 + OVERLAP_SESSIONS, sessions: 320, fullBecause: null });
    const full = snapshotOf();
    addUniverseBreadth(full, 'IWM', null);
    for (const id of Object.values(UNIVERSE_BREADTH_SERIES)) expect(after.series[id]).toEqual(full.series[id]);
    expect(after.notes.universeBreadth).toEqual(full.notes.universeBreadth);
  });

  it('recomputes in full when a stored session re-computes differently, or the lists for stored days changed', () => {
    const before = snapshotOf(319);
    addUniverseBreadth(before, 'IWM', null);
    const revised = snapshotOf();
    // A member's closes near the end are revised: the overlap check sees it.
    const u = revised.universe!;
    for (let j = u.offsets[1] - 3; j < u.offsets[1]; j++) u.close[j] *= 3;
    expect(addUniverseBreadth(revised, 'IWM', before)).toMatchObject({
      incremental: false,
      fullBecause: expect.stringMatching(/re-computed differently/),
    });
    const listed = snapshotOf();
    listed.membership = [{ asOf: '2030-01-01', symbols: listed.universe!.symbols.slice(0, 5) }];
    expect(addUniverseBreadth(listed, 'IWM', before)).toMatchObject({
      incremental: false,
      fullBecause: 'the membership lists for the stored sessions changed',
    });
  });
});

describe('pair breadth with dated membership', () => {
  const snap = snapshotOf();
  const calendar = snap.bars.IWM.dates;
  const lists: MembershipList[] = [
    { asOf: formatDay(calendar[250]), symbols: snap.universe!.symbols.slice(10) },
    { asOf: formatDay(calendar[100]), symbols: snap.universe!.symbols.slice(0, 15) },
  ];

  it('counts the members of the list that applies and says so in meta and a warning', () => {
    const withLists = { ...snap, membership: lists };
    const pair = pairData(withLists, 'IWM', 'SPY', []);
    const expected = memberBreadth(snap.universe!, calendar, lists, P);
    expect(pair.input.breadth).toEqual({
      kind: 'series',
      pct50: expected.pct50,
      pct200: expected.pct200,
      members: expected.counted50,
    });
    // 15 members before the second list, 15 after it (where they have a defined SMA).
    expect(Math.max(...expected.counted50.subarray(0, 250))).toBeLessThanOrEqual(15);
    expect(pair.membership).toEqual({
      lists: 2,
      firstAsOf: formatDay(calendar[100]),
      lastAsOf: formatDay(calendar[250]),
      survivorshipBiasedBefore: formatDay(calendar[100]),
    });
    expect(pair.warnings).toContain(
      `breadth counts the index members as of ${formatDay(calendar[100])} on the 100 session(s) before that date (no earlier membership list): those sessions are survivorship biased`,
    );
    // Precomputed with the same lists: the same numbers, without the universe.
    const stored = { ...withLists, series: {}, notes: { ...snap.notes } };
    addUniverseBreadth(stored, 'IWM', null);
    const cold = pairData({ ...stored, universe: null }, 'IWM', 'SPY', []);
    expect(cold.input.breadth).toEqual(pair.input.breadth);
    expect(cold.membership).toEqual(pair.membership);
  });

  it('without lists: no membership in meta and the engine computes from the universe as before', () => {
    const pair = pairData(snap, 'IWM', 'SPY', []);
    expect(pair.membership).toBeNull();
    expect(pair.input.breadth?.kind).toBe('universe');
  });
});

describe('cold start from an fs store', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'iwm-coldstart-'));
  }, 60_000);
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  }, 60_000);

  it('reads the bars and the breadth series without the universe, and the universe alone on demand', async () => {
    const store = createStore({ kind: 'fs', dir });
    await store.init();
    const snap = snapshotOf();
    addUniverseBreadth(snap, 'IWM', null);
    const { manifest } = await store.writeSnapshot(snap);
    const cold = (await store.readSnapshot(manifest, { universe: false }))!;
    expect(cold.universe).toBeNull();
    // The same history as from the members' closes (no stored series: the engine's own pass).
    const warm = pairData(
      { ...snap, series: {}, notes: { universeOwner: 'IWM', universeSource: 'sample' } },
      'IWM',
      'SPY',
      [],
    );
    expect(warm.input.breadth?.kind).toBe('universe');
    const fromCold = pairData(cold, 'IWM', 'SPY', []);
    const profile = resolveProfile('iwm');
    const hw = computeHistory(warm.input, profile).breadth;
    const hc = computeHistory(fromCold.input, profile).breadth;
    expect(hc.pct50).toEqual(hw.pct50);
    expect(hc.pct200).toEqual(hw.pct200);
    expect(hc.members).toEqual(hw.members);
    expect(hc.state).toEqual(hw.state);
    expect(fromCold.quality).toEqual(warm.quality);
    expect(fromCold.breadthSource).toBe('universe: 25 members (sample)');
    expect(await store.readUniverse(manifest)).toEqual(snap.universe);
    await store.close();
  });
});
