/** withoutPaths: what a response may say about files (service/redact.ts). */
import { withoutPaths } from '../../api/src/service/redact';

const known = [
  { path: '/srv/market data/', setting: 'IWM_DATA_DIR' },
  { path: '/srv/market data/members', setting: 'IWM_UNIVERSE_DIR' },
  { path: '/srv/store', setting: 'IWM_STORE_DIR' },
];

describe('withoutPaths', () => {
  test.each([
    [
      'fs store: cannot read /srv/store/manifest.json: EISDIR',
      'fs store: cannot read IWM_STORE_DIR/manifest.json: EISDIR',
    ],
    ['/srv/market data/SPY.csv:12: bad', 'IWM_DATA_DIR/SPY.csv:12: bad'],
    ['/srv/market data/members/ABC.csv:3: bad', 'IWM_UNIVERSE_DIR/ABC.csv:3: bad'],
    // A longer name that starts like a configured folder is not that folder: the generic rule cuts it.
    ['see /srv/storehouse/a.txt', 'see a.txt'],
    ["ENOENT: no such file or directory, open '/home/me/cal.csv'", "ENOENT: no such file or directory, open 'cal.csv'"],
    ['C:\\data\\SPY.csv:3: bad', 'SPY.csv:3: bad'],
    ['\\\\server\\share\\x.csv missing', 'x.csv missing'],
    ['(/a/b/c.csv)', '(c.csv)'],
  ])('%s', (text, want) => {
    expect(withoutPaths(text, known)).toBe(want);
  });

  test('leaves URLs, fractions and relative names alone', () => {
    for (const text of [
      'stooq: HTTP 503 from https://stooq.com/q/d/l/?s=iwm.us&i=d',
      '1/2 of members, and/or',
      'IWM_DATA_DIR/SPY.csv:2: bad date',
      'gen/abc/bars/IWM.bin: bad checksum',
    ])
      expect(withoutPaths(text, known)).toBe(text);
  });
});
