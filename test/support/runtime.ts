/**
 * A runtime on a small embedded sample and an in-memory store, for API tests: the same
 * wiring as production (config -> store -> service), only smaller data.
 */
import { createRuntime, type Runtime } from '../../api/src/service/runtime';
import { MemoryStore } from '../../api/src/storage/memory-store';

/** 1,500 sessions (2001-06 to 2007-05) and 120 members: every layer defined, fast to build. */
export const SMALL_SAMPLE = { IWM_SAMPLE_SESSIONS: '1500', IWM_SAMPLE_MEMBERS: '120' };

export async function sampleRuntime(
  env: Record<string, string> = {},
  options: { clock?: () => Date } = {},
): Promise<Runtime> {
  return createRuntime({ IWM_STORE: 'memory', ...SMALL_SAMPLE, ...env }, { store: new MemoryStore(), ...options });
}
