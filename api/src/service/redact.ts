/**
 * No server internals on the wire: text that leaves the API on the anonymous status route
 * or in a 503's detail names files, never the server's absolute paths.
 *
 * The messages the service builds already name files relative to their folder
 * (snapshot-source.ts: `SPY.csv:12: ...`). This is the last line of defence for what
 * other layers say in their own words: a store's "cannot read /srv/store/manifest.json:
 * EACCES", Node's "open '/home/me/cal.csv'", a calendar given by absolute path.
 */

import { isAbsolute, resolve } from 'node:path';
import type { ServiceConfig } from './config';

/** A configured folder or file and the setting that names it in messages. */
export interface KnownPath {
  path: string;
  setting: string;
}

/** The folders and files a configuration names, absolute as the stores and readers use them. */
export function configuredPaths(config: ServiceConfig): KnownPath[] {
  const out: KnownPath[] = [];
  const add = (path: string | null, setting: string) => {
    if (!path) return;
    out.push({ path: resolve(path), setting });
    if (isAbsolute(path)) out.push({ path, setting }); // as given, in case resolve() normalised it
  };
  add(config.dataDir, 'IWM_DATA_DIR');
  add(config.universeDir, 'IWM_UNIVERSE_DIR');
  add(config.calendarFile, 'IWM_CALENDAR_FILE');
  if (config.store === 'fs') add(config.storeDir, 'IWM_STORE_DIR');
  return out;
}

/** POSIX absolute paths (not `//host` URLs) and Windows drive or UNC paths, where a word starts. */
const ABSOLUTE_PATH = /(^|[\s([{'"=])((?:\/(?!\/)|[A-Za-z]:[\\/]|\\\\)[^\s'"()[\]{}<>,;]*)/g;

/**
 * `text` with every configured path replaced by its setting (`/srv/data/SPY.csv` ->
 * `IWM_DATA_DIR/SPY.csv`; longest first, so a folder inside another is named by its own
 * setting), then every other absolute path cut to its last segment (`/srv/x/manifest.json`
 * -> `manifest.json`). Known paths are matched as given and literally, so they may
 * contain spaces; the generic rule stops at a space.
 */
export function withoutPaths(text: string, known: readonly KnownPath[] = []): string {
  let out = text;
  const paths = known
    .map((k) => ({ path: k.path.replace(/[\\/]+$/, ''), setting: k.setting }))
    .filter((k) => k.path.length > 0)
    .sort((a, b) => b.path.length - a.path.length);
  for (const { path, setting } of paths) out = replacePath(out, path, setting);
  return out.replace(ABSOLUTE_PATH, (_m, lead: string, path: string) => {
    const parts = path.split(/[\\/]/).filter(Boolean);
    return lead + (parts.length > 0 ? parts[parts.length - 1] : path);
  });
}

/** Replaces `path` where it is a whole path or a path's leading folders (`/a/b` in `/a/b/c`, not in `/a/bc`). */
function replacePath(text: string, path: string, setting: string): string {
  let out = '';
  let from = 0;
  for (let at = text.indexOf(path); at >= 0; at = text.indexOf(path, at + path.length)) {
    const next = text.charAt(at + path.length);
    if (/[\w.-]/.test(next)) continue; // a longer name that starts the same way
    out += text.slice(from, at) + setting;
    from = at + path.length;
  }
  return out + text.slice(from);
}
