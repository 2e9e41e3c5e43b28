/**
 * Finding good data without trusting manifest.json: every generation keeps a copy of its
 * manifest (gen/<g>/manifest.json), so when the current manifest is unreadable or names
 * objects that are missing or damaged, the newest generation whose objects all verify can
 * still be served while a refresh rebuilds the rest.
 */
import { CorruptObjectError, type BarStore, type Snapshot, type SnapshotManifest } from './types';

export interface VerifiedSnapshot {
  manifest: SnapshotManifest;
  snapshot: Snapshot;
}

export interface FindOptions {
  /** Which generations qualify (e.g. only the configured source's). */
  accept: (manifest: SnapshotManifest) => boolean;
  /** Generations already found damaged. */
  skip?: ReadonlySet<string>;
  /** A snapshot already read and verified: reused when its generation comes up first, not read twice. */
  known?: VerifiedSnapshot | null;
}

/** The most recently committed generation that qualifies and whose every object verifies; null when none. */
export async function newestVerifiedGeneration(
  store: BarStore,
  options: FindOptions,
): Promise<VerifiedSnapshot | null> {
  const committed = (await store.listGenerations())
    .filter((g) => g.committedAt !== null && !options.skip?.has(g.generation))
    .sort((a, b) => (b.committedAt as number) - (a.committedAt as number));
  for (const { generation } of committed) {
    try {
      const manifest = await store.readGenerationManifest(generation);
      if (!manifest || !options.accept(manifest)) continue;
      if (options.known?.manifest.generation === generation) return options.known;
      const snapshot = await store.readSnapshot(manifest);
      if (snapshot) return { manifest, snapshot };
    } catch (err) {
      if (!(err instanceof CorruptObjectError)) throw err;
    }
  }
  return null;
}
