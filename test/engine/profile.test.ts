/**
 * Profiles (docs/SIGNALS.md: "All parameters below live in a profile ... a bad value
 * is a clear error, never a silent default"): the presets hold the documented
 * numbers, overrides merge, errors name the field and the allowed range, and the hash
 * is a stable cache key.
 */
import {
  MAX_PROFILE_BYTES,
  MAX_PROFILE_DEPTH,
  PRESETS,
  PRESET_NAMES,
  ProfileError,
  canonicalJson,
  checkProfileBounds,
  isPresetName,
  profileHash,
  resolveProfile,
  validateProfile,
  type Profile,
} from '../../api/src/engine/profile';

/** Runs fn, expecting a ProfileError; returns its issues. */
function issuesOf(fn: () => unknown): { field: string; message: string }[] {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProfileError);
    return (e as ProfileError).issues;
  }
  throw new Error('expected a ProfileError');
}

function messageOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(ProfileError);
    return (e as Error).message;
  }
  throw new Error('expected a ProfileError');
}

/** Leaf paths whose values differ between two plain objects. */
function diffPaths(a: unknown, b: unknown, path = ''): string[] {
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null) {
    const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
    return [...keys]
      .sort()
      .flatMap((k) =>
        diffPaths((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], path ? `${path}.${k}` : k),
      );
  }
  return Object.is(a, b) ? [] : [path];
}

/** A deep copy with the keys of every object in reverse order. */
function reversedKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversedKeys);
  if (typeof v === 'object' && v !== null) {
    return Object.fromEntries(
      Object.keys(v)
        .reverse()
        .map((k) => [k, reversedKeys((v as Record<string, unknown>)[k])]),
    );
  }
  return v;
}

const clone = (p: Profile): Profile => JSON.parse(JSON.stringify(p)) as Profile;

describe('iwm preset: the bracketed defaults of SIGNALS.md', () => {
  const p = PRESETS.iwm;

  test('indicators', () => {
    expect(p.name).toBe('iwm');
    expect(p.atrPeriod).toBe(14); // ATR period [14]
    expect(p.momentum.volumeAveragePeriod).toBe(20); // volume average [20]
  });

  test('trend', () => {
    expect(p.trend.fastPeriod).toBe(21); // trend EMAs [21] and [63]
    expect(p.trend.slowPeriod).toBe(63);
    expect(p.trend.neutralAtr).toBe(0.25); // trendNeutralAtr [0.25]
    expect(p.trend.convergenceLag).toBe(5); // |gap_t| vs |gap_{t-5}|
    expect(p.trend.separationLookback).toBe(63); // in the last [63] sessions
    expect(p.trend.separationAtr).toBe(2.0); // trendSeparationAtr [2.0]
    expect(p.trend.separationMinSessions).toBe(20); // on at least [20] sessions
    expect(p.trend.convergedAtr).toBe(0.5); // now |gapAtr| <= 0.5
  });

  test('momentum', () => {
    expect(p.momentum.lookback).toBe(10); // L [10]
    expect(p.momentum.longLookback).toBe(21); // rocLong = ROC(c, 21)
    expect(p.momentum.atrMultiplier).toBe(1.5); // atrMultiplier [1.5]
    expect(p.momentum.volumeWindow).toBe(5); // the last [5] sessions
  });

  test('breadth', () => {
    expect(p.breadth.shortPeriod).toBe(50); // SMA(c^i, 50)
    expect(p.breadth.longPeriod).toBe(200); // pct200
    expect(p.breadth.fullSizeMin).toBe(50); // breadthFullSizeMin [50]
    expect(p.breadth.divergenceMax).toBe(55); // breadthDivergenceMax [55]
    expect(p.breadth.washout).toBe(30); // breadthWashout [30]
    expect(p.breadth.washoutLookback).toBe(20); // some session of the last [20]
    expect(p.breadth.washoutSupportAtr).toBe(1); // within 1 ATR of support
    expect(p.breadth.deltaLag).toBe(5); // d5 = pct50_t - pct50_{t-5}
  });

  test('relative strength, composite, rotation', () => {
    expect(p.rs.period).toBe(10); // ROC(c, 10) - ROC(c^B, 10)
    expect(p.rs.neutralBand).toBe(0.5); // rsNeutralBand [0.5]
    expect(p.composite.weights).toEqual({ trend: 1, momentum: 1, breadth: 1, rs: 1 }); // [1,1,1,1]
    expect(p.composite.ratio).toBe(0.5); // compositeRatio [0.5]
    expect(p.rotation.smaPeriod).toBe(50); // m = SMA(r, 50)
    expect(p.rotation.bandLookback).toBe(20); // over the last [20] sessions
    expect(p.rotation.bandPct).toBe(2); // rotationBandPct [2]
    expect(p.rotation.slopeLag).toBe(10); // m_t > m_{t-10}
  });

  test('macro overlay', () => {
    expect(p.macro.windows.fomc).toEqual({ before: 3, after: 0 }); // fomc [3 before, 0 after]
    expect(p.macro.windows['russell-recon']).toEqual({ before: 5, after: 0 }); // [5 before, 0 after]
    expect(p.macro.windows.cpi).toEqual({ before: 1, after: 0 }); // cpi [1 before, 0 after]
    expect(p.macro.tightenFactor).toBe(1.25); // tightenFactor [1.25]
    expect(p.macro.ratioAdd).toBe(0.25); // compositeRatio + [0.25]
    expect(p.macro.relaxFactor).toBe(0.9); // relaxFactor [0.9]
    expect(p.macro.relaxSessions).toBe(2); // for [2] sessions after a window
  });

  test('levels, debrief, backtest', () => {
    expect(p.levels.swingWindow).toBe(5); // [t-5, t+5]
    expect(p.levels.clusterAtr).toBe(0.5); // within 0.5 * ATR
    expect(p.debrief.deadBandAtr).toBe(0.25); // dead band 0.25 * ATR
    expect(p.debrief.warningLookback).toBe(10); // [d-10, d-1]
    expect(p.backtest.horizon).toBe(5); // horizon H [5]
    expect(p.backtest.genericFast).toBe(20); // SMA(c,20) crossing SMA(c,50)
    expect(p.backtest.genericSlow).toBe(50);
    expect(p.backtest.genericHorizon).toBe(10); // c_{t+10} <= c_t
    expect(p.backtest.costBps).toBe(0); // costBps [0] (v1.1)
    expect(p.levels.lookback).toBe(252); // levelsLookback [252] (v1.1)
  });

  test('credit overlay (v1.1)', () => {
    expect(p.credit).toEqual({
      enabled: true, // credit.enabled [true]
      highYield: 'HYG', // HY [HYG]
      treasury: 'IEF', // TR [IEF]
      smaPeriod: 50, // SMA(q, creditSma) [50]
      slopeLag: 10, // mq_t < mq_{t-10}
      dropLookback: 20, // over the last [20] sessions
      dropPct: 1.0, // creditDropPct [1.0]
    });
  });

  test('presets validate', () => {
    expect([...PRESET_NAMES].sort()).toEqual(['iwm', 'standard']);
    for (const name of PRESET_NAMES) expect(validateProfile(clone(PRESETS[name]))).toEqual(PRESETS[name]);
  });
});

describe('standard preset', () => {
  test('differs from iwm only in momentum lookback 14 and atrMultiplier 1.0 (and its name)', () => {
    const s = PRESETS.standard;
    expect(s.name).toBe('standard');
    expect(s.momentum.lookback).toBe(14);
    expect(s.momentum.atrMultiplier).toBe(1.0);
    expect(diffPaths(PRESETS.iwm, s)).toEqual(['momentum.atrMultiplier', 'momentum.lookback', 'name']);
  });
});

describe('resolveProfile', () => {
  test('a preset name or nothing gives the preset', () => {
    expect(resolveProfile(undefined)).toEqual(PRESETS.iwm);
    expect(resolveProfile('iwm')).toEqual(PRESETS.iwm);
    expect(resolveProfile('standard')).toEqual(PRESETS.standard);
    expect(resolveProfile({ preset: 'standard' })).toEqual(PRESETS.standard);
  });

  test('overrides merge into the preset, deeply, without touching it', () => {
    const p = resolveProfile({
      preset: 'standard',
      momentum: { lookback: 12 },
      macro: { windows: { fomc: { before: 4 } } },
    });
    expect(p.momentum).toEqual({ ...PRESETS.standard.momentum, lookback: 12 });
    expect(p.momentum.atrMultiplier).toBe(1.0); // kept from standard
    expect(p.macro.windows.fomc).toEqual({ before: 4, after: 0 });
    expect(p.macro.windows.cpi).toEqual({ before: 1, after: 0 });
    expect(p.trend).toEqual(PRESETS.standard.trend);
    expect(p.name).toBe('standard-custom');
    expect(diffPaths(PRESETS.standard, p)).toEqual(['macro.windows.fomc.before', 'momentum.lookback', 'name']);
    // The presets are unchanged.
    expect(PRESETS.standard.momentum.lookback).toBe(14);
    expect(PRESETS.iwm.macro.windows.fomc.before).toBe(3);
  });

  test('the default base is iwm; a given name is kept', () => {
    const p = resolveProfile({ rs: { neutralBand: 1 }, name: 'mine' });
    expect(p.rs).toEqual({ period: 10, neutralBand: 1 });
    expect(p.momentum.lookback).toBe(10);
    expect(p.name).toBe('mine');
    expect(resolveProfile({ rs: { neutralBand: 1 } }).name).toBe('iwm-custom');
  });

  test('composite weights merge key by key', () => {
    const p = resolveProfile({ composite: { weights: { breadth: 2 } } });
    expect(p.composite.weights).toEqual({ trend: 1, momentum: 1, breadth: 2, rs: 1 });
  });

  test('an unknown preset is an error naming the choices', () => {
    const issues = issuesOf(() => resolveProfile('russell'));
    expect(issues).toHaveLength(1);
    expect(issues[0].field).toBe('preset');
    expect(issues[0].message).toMatch(/iwm/);
    expect(issues[0].message).toMatch(/standard/);
    expect(issuesOf(() => resolveProfile({ preset: 'nope' }))[0].field).toBe('preset');
    expect(issuesOf(() => resolveProfile(42))[0].field).toBe('profile');
  });
});

describe('hostile input', () => {
  test('names every object inherits are not presets', () => {
    for (const name of ['toString', 'constructor', '__proto__', 'hasOwnProperty', 'valueOf', 'isPrototypeOf']) {
      expect(isPresetName(name)).toBe(false);
      expect(issuesOf(() => resolveProfile(name))).toEqual([
        { field: 'preset', message: `must be one of iwm, standard (got "${name}")` },
      ]);
      expect(issuesOf(() => resolveProfile({ preset: name }))[0].field).toBe('preset');
    }
    expect(PRESET_NAMES.every(isPresetName)).toBe(true);
  });

  test('a "__proto__" key is an unknown field, at the top and inside a section, and changes nothing', () => {
    const top = JSON.parse('{"__proto__": {"atrPeriod": 3}}');
    expect(issuesOf(() => resolveProfile(top))).toEqual([
      { field: 'profile', message: 'has unknown field(s) "__proto__"' },
    ]);
    const inner = JSON.parse('{"momentum": {"__proto__": {"lookback": 3}}}');
    expect(issuesOf(() => resolveProfile(inner))).toEqual([
      { field: 'momentum', message: 'has unknown field(s) "__proto__"' },
    ]);
    expect(PRESETS.iwm.momentum.lookback).toBe(10);
    expect(Object.getPrototypeOf(PRESETS.iwm.momentum)).toBe(Object.prototype);
  });

  test('depth is bounded before any recursive walk: 10,000 levels is one issue, not a stack overflow', () => {
    let deep: unknown = 1;
    for (let i = 0; i < 10_000; i++) deep = { a: deep };
    expect(() => canonicalJson(deep)).toThrow(RangeError); // what the bound protects against
    const issues = issuesOf(() => resolveProfile({ momentum: deep }));
    expect(issues).toEqual([
      { field: 'profile', message: `is nested too deeply (at most ${MAX_PROFILE_DEPTH} levels)` },
    ]);
    // The deepest real field (a custom event's date, depth 4) is well inside the bound.
    let justInside: unknown = 1; // objects nested MAX_PROFILE_DEPTH levels
    for (let i = 0; i < MAX_PROFILE_DEPTH; i++) justInside = { a: justInside };
    expect(() => checkProfileBounds(justInside)).not.toThrow();
    expect(() => checkProfileBounds({ a: justInside })).toThrow(/nested too deeply/);
  });

  test('size is bounded as JSON text: a profile just over 64 KB is refused, one of 200 long events is not', () => {
    const events = Array.from({ length: 200 }, (_, i) => ({
      date: '2025-01-02',
      kind: 'custom',
      label: `${'x'.repeat(75)}${i}`,
    }));
    expect(JSON.stringify({ macro: { customEvents: events } }).length).toBeLessThan(MAX_PROFILE_BYTES);
    expect(resolveProfile({ macro: { customEvents: events } }).macro.customEvents).toHaveLength(200);
    const big = { note: 'x'.repeat(MAX_PROFILE_BYTES) };
    expect(issuesOf(() => resolveProfile(big))).toEqual([
      { field: 'profile', message: `must be at most ${MAX_PROFILE_BYTES} characters as JSON` },
    ]);
    expect(() => checkProfileBounds('x'.repeat(MAX_PROFILE_BYTES + 1))).toThrow(/at most 65536 characters/);
  });

  test('a list longer than 200 is refused before its items are read', () => {
    const many = Array.from({ length: 20_000 }, () => ({}));
    expect(issuesOf(() => resolveProfile({ macro: { customEvents: many } }))).toEqual([
      { field: 'macro.customEvents', message: 'must hold at most 200 events' },
    ]);
  });

  test('a 64 KB object of unknown keys names 10 of them and counts the rest', () => {
    const keys = Object.fromEntries(Array.from({ length: 500 }, (_, i) => [`k${i}`, 1]));
    expect(issuesOf(() => resolveProfile(keys))).toEqual([
      {
        field: 'profile',
        message: `has unknown field(s) ${Array.from({ length: 10 }, (_, i) => `"k${i}"`).join(', ')} and 490 more`,
      },
    ]);
  });

  test('a 60 KB preset name is quoted by its first 40 characters', () => {
    const [issue] = issuesOf(() => resolveProfile('y'.repeat(60_000)));
    expect(issue.message).toBe(`must be one of iwm, standard (got "${'y'.repeat(40)}…")`);
  });
});

describe('validation errors', () => {
  test('an unknown field is named', () => {
    const top = issuesOf(() => resolveProfile({ colour: 'red' }));
    expect(top).toHaveLength(1);
    expect(top[0].message).toContain('"colour"');
    const nested = issuesOf(() => resolveProfile({ momentum: { lookbak: 12 } }));
    expect(nested).toHaveLength(1);
    expect(nested[0].field).toBe('momentum');
    expect(nested[0].message).toContain('"lookbak"');
    expect(messageOf(() => resolveProfile({ momentum: { lookbak: 12 } }))).toContain('lookbak');
    const deep = issuesOf(() => resolveProfile({ macro: { windows: { fomc: { during: 1 } } } }));
    expect(deep[0].field).toBe('macro.windows.fomc');
    expect(deep[0].message).toContain('"during"');
  });

  test('an out-of-range value names the field and the allowed range', () => {
    const issues = issuesOf(() => resolveProfile({ momentum: { atrMultiplier: -1 } }));
    expect(issues).toEqual([{ field: 'momentum.atrMultiplier', message: 'must be between 0 and 20' }]);
    const msg = messageOf(() => resolveProfile({ momentum: { atrMultiplier: -1 } }));
    expect(msg).toContain('momentum.atrMultiplier');
    expect(msg).toContain('between 0 and 20');
    // Integers: the range and the integer requirement.
    const lb = issuesOf(() => resolveProfile({ momentum: { lookback: 0 } }));
    expect(lb).toEqual([{ field: 'momentum.lookback', message: 'must be an integer between 1 and 250' }]);
    expect(issuesOf(() => resolveProfile({ momentum: { lookback: 2.5 } }))[0].message).toBe(
      'must be an integer between 1 and 250',
    );
    expect(issuesOf(() => resolveProfile({ composite: { ratio: 1.5 } }))[0]).toEqual({
      field: 'composite.ratio',
      message: 'must be between 0 and 1',
    });
    expect(issuesOf(() => resolveProfile({ macro: { relaxFactor: 0 } }))[0]).toEqual({
      field: 'macro.relaxFactor',
      message: 'must be between 0.1 and 1',
    });
  });

  test('a boundary value is accepted', () => {
    expect(resolveProfile({ momentum: { atrMultiplier: 0 } }).momentum.atrMultiplier).toBe(0);
    expect(resolveProfile({ momentum: { atrMultiplier: 20 } }).momentum.atrMultiplier).toBe(20);
    expect(resolveProfile({ composite: { ratio: 1 } }).composite.ratio).toBe(1);
  });

  test('a non-number is an error naming the field', () => {
    const issues = issuesOf(() => resolveProfile({ momentum: { atrMultiplier: '1.5' } }));
    expect(issues).toHaveLength(1);
    expect(issues[0].field).toBe('momentum.atrMultiplier');
    expect(issues[0].message).toMatch(/number/);
    expect(issues[0].message).toContain('between 0 and 20');
    for (const bad of [null, NaN, Infinity, [1], { v: 1 }]) {
      const i = issuesOf(() => resolveProfile({ rs: { neutralBand: bad } }));
      expect([bad, i.map((x) => x.field)]).toEqual([bad, ['rs.neutralBand']]);
    }
    const flag = issuesOf(() => resolveProfile({ macro: { enabled: 'yes' } }));
    expect(flag).toEqual([{ field: 'macro.enabled', message: 'must be true or false' }]);
  });

  test('a missing field in a complete profile is an error, not a default', () => {
    const p = clone(PRESETS.iwm) as unknown as Record<string, Record<string, unknown>>;
    delete p.momentum.lookback;
    const issues = issuesOf(() => validateProfile(p));
    expect(issues.map((i) => i.field)).toEqual(['momentum.lookback']);
  });

  test('every problem is reported, not only the first', () => {
    const issues = issuesOf(() =>
      resolveProfile({ atrPeriod: 0, rs: { period: -3 }, momentum: { atrMultiplier: 'x' } }),
    );
    expect(issues.map((i) => i.field).sort()).toEqual(['atrPeriod', 'momentum.atrMultiplier', 'rs.period']);
  });

  test('cross-field checks', () => {
    expect(issuesOf(() => resolveProfile({ trend: { fastPeriod: 63, slowPeriod: 21 } }))).toEqual([
      { field: 'trend.fastPeriod', message: 'must be less than trend.slowPeriod' },
    ]);
    expect(issuesOf(() => resolveProfile({ trend: { fastPeriod: 63 } }))[0].field).toBe('trend.fastPeriod'); // equal
    expect(issuesOf(() => resolveProfile({ breadth: { shortPeriod: 200 } }))).toEqual([
      { field: 'breadth.shortPeriod', message: 'must be less than breadth.longPeriod' },
    ]);
    expect(issuesOf(() => resolveProfile({ backtest: { genericFast: 60 } }))).toEqual([
      { field: 'backtest.genericFast', message: 'must be less than backtest.genericSlow' },
    ]);
    expect(issuesOf(() => resolveProfile({ trend: { separationMinSessions: 64 } }))).toEqual([
      { field: 'trend.separationMinSessions', message: 'must not exceed trend.separationLookback' },
    ]);
    expect(resolveProfile({ trend: { separationMinSessions: 63 } }).trend.separationMinSessions).toBe(63);
    expect(
      issuesOf(() => resolveProfile({ composite: { weights: { trend: 0, momentum: 0, breadth: 0, rs: 0 } } })),
    ).toEqual([{ field: 'composite.weights', message: 'at least one weight must be positive' }]);
    expect(issuesOf(() => resolveProfile({ credit: { treasury: 'hyg' } }))).toEqual([
      { field: 'credit.treasury', message: 'must differ from credit.highYield' },
    ]);
  });

  test('credit symbols are tickers (upper-cased); the v1.1 numbers have ranges', () => {
    expect(resolveProfile({ credit: { highYield: ' jnk ' } }).credit.highYield).toBe('JNK');
    const ticker = 'must be a ticker (letters, digits, . ^ _ -; at most 15)';
    expect(issuesOf(() => resolveProfile({ credit: { highYield: '../etc' } }))).toEqual([
      { field: 'credit.highYield', message: ticker },
    ]);
    expect(issuesOf(() => resolveProfile({ credit: { treasury: '' } }))).toEqual([
      { field: 'credit.treasury', message: ticker },
    ]);
    expect(issuesOf(() => resolveProfile({ credit: { enabled: 'yes' } }))).toEqual([
      { field: 'credit.enabled', message: 'must be true or false' },
    ]);
    expect(issuesOf(() => resolveProfile({ credit: { dropPct: -1 } }))[0]).toEqual({
      field: 'credit.dropPct',
      message: 'must be between 0 and 100',
    });
    expect(issuesOf(() => resolveProfile({ backtest: { costBps: 1001 } }))[0].field).toBe('backtest.costBps');
    expect(issuesOf(() => resolveProfile({ levels: { lookback: 19 } }))[0]).toEqual({
      field: 'levels.lookback',
      message: 'must be an integer between 20 and 5000',
    });
    expect(resolveProfile({ levels: { lookback: 5000 } }).levels.lookback).toBe(5000);
  });
});

describe('custom events (macro.customEvents)', () => {
  const ok = { date: '2026-07-24', kind: 'custom', label: 'Investor day' };
  const season = { date: '2026-07-14', kind: 'earnings-season', label: 'Q2 season', end: '2026-08-07' };
  const withEvents = (events: unknown) => resolveProfile({ macro: { customEvents: events } });

  test('empty in both presets; a list replaces the preset one; labels are trimmed', () => {
    for (const name of PRESET_NAMES) expect(PRESETS[name].macro.customEvents).toEqual([]);
    const p = withEvents([ok, season, { ...ok, label: '  padded  ' }]);
    expect(p.macro.customEvents).toEqual([ok, season, { ...ok, label: 'padded' }]);
    expect(p.name).toBe('iwm-custom');
    expect(resolveProfile({ preset: 'standard', macro: { customEvents: [ok] } }).momentum.lookback).toBe(14);
  });

  test('each bad event is named by its index and field', () => {
    const issues = issuesOf(() =>
      withEvents([
        ok,
        { ...ok, date: '2026-02-30' },
        { ...ok, kind: 'earnings' },
        { ...ok, label: '' },
        { ...ok, label: 'x'.repeat(81) },
        { ...ok, colour: 'red' },
        { date: '2026-07-24', kind: 'earnings-season', label: 'no end' },
        { ...season, end: '2026-07-13' },
        { ...ok, end: '2026-07-25' },
        { ...ok, date: 20260724 },
        'fomc',
      ]),
    );
    expect(issues).toEqual([
      { field: 'macro.customEvents[1].date', message: 'must be a date YYYY-MM-DD that exists' },
      {
        field: 'macro.customEvents[2].kind',
        message: 'must be one of fomc, russell-recon, cpi, earnings-season, custom',
      },
      { field: 'macro.customEvents[3].label', message: 'must be text of 1 to 80 characters' },
      { field: 'macro.customEvents[4].label', message: 'must be text of 1 to 80 characters' },
      { field: 'macro.customEvents[5]', message: 'has unknown field(s) "colour"' },
      { field: 'macro.customEvents[6].end', message: 'is required for earnings-season (its window runs date..end)' },
      { field: 'macro.customEvents[7].end', message: 'must not be before date' },
      { field: 'macro.customEvents[8].end', message: 'is only allowed for earnings-season (leave it out for custom)' },
      { field: 'macro.customEvents[9].date', message: 'must be a date YYYY-MM-DD' },
      { field: 'macro.customEvents[10]', message: expect.any(String) },
    ]);
    expect(messageOf(() => withEvents([ok, { ...ok, date: '2026-13-01' }]))).toContain(
      'macro.customEvents[1].date must be a date YYYY-MM-DD that exists',
    );
  });

  test('at most 200 events; not a list is an error', () => {
    const many = Array.from({ length: 200 }, (_, i) => ({ ...ok, label: `event ${i}` }));
    expect(withEvents(many).macro.customEvents).toHaveLength(200);
    expect(issuesOf(() => withEvents([...many, ok]))).toEqual([
      { field: 'macro.customEvents', message: 'must hold at most 200 events' },
    ]);
    expect(issuesOf(() => withEvents(ok))).toEqual([
      { field: 'macro.customEvents', message: 'must be a list of events' },
    ]);
  });

  test('the events are part of the hash (they change readings), their order too', () => {
    const h = profileHash(PRESETS.iwm);
    const one = profileHash(withEvents([ok]));
    expect(one).not.toBe(h);
    expect(profileHash(withEvents([ok, season]))).not.toBe(profileHash(withEvents([season, ok])));
    expect(profileHash(withEvents([]))).toBe(h);
  });

  test('no custom events: the hash of the profile without the list, as before it existed', () => {
    for (const name of PRESET_NAMES) {
      const { customEvents: _none, ...macro } = PRESETS[name].macro;
      expect(profileHash({ ...PRESETS[name], macro } as unknown as Profile)).toBe(profileHash(PRESETS[name]));
    }
  });
});

describe('profileHash', () => {
  const h = profileHash(PRESETS.iwm);

  test('16 hex digits, stable across calls', () => {
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(profileHash(PRESETS.iwm)).toBe(h);
    expect(profileHash(clone(PRESETS.iwm))).toBe(h);
  });

  test('independent of key order', () => {
    const reordered = reversedKeys(PRESETS.iwm) as Profile;
    expect(Object.keys(reordered)[0]).not.toBe(Object.keys(PRESETS.iwm)[0]);
    expect(profileHash(reordered)).toBe(h);
  });

  test('differs when any value differs', () => {
    expect(profileHash(PRESETS.standard)).not.toBe(h);
    const a = clone(PRESETS.iwm);
    a.momentum.atrMultiplier = 1.51;
    expect(profileHash(a)).not.toBe(h);
    const b = clone(PRESETS.iwm);
    b.macro.enabled = false;
    expect(profileHash(b)).not.toBe(h);
    const c = clone(PRESETS.iwm);
    c.macro.windows.cpi.before = 2;
    expect(profileHash(c)).not.toBe(h);
    expect(new Set([h, profileHash(a), profileHash(b), profileHash(c)]).size).toBe(4);
  });

  test('ignores the name', () => {
    expect(profileHash({ ...PRESETS.iwm, name: 'something else' })).toBe(h);
    expect(profileHash(resolveProfile({ name: 'copy' }))).toBe(h);
    // An override equal to the preset value gives the preset's hash (name iwm-custom).
    expect(profileHash(resolveProfile({ momentum: { lookback: 10 } }))).toBe(h);
    expect(profileHash(resolveProfile({ preset: 'iwm', momentum: { lookback: 14, atrMultiplier: 1 } }))).toBe(
      profileHash(PRESETS.standard),
    );
  });
});
