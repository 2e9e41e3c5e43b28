/**
 * The state codes the engine stores in Int8Arrays, in a module of their own so that the
 * layer modules (credit.ts, ...) and engine.ts share one definition without importing
 * each other.
 */

/** Layer states and the composite rating. */
export const BEARISH = -1;
export const NEUTRAL = 0;
export const BULLISH = 1;
/** The state cannot be decided yet (look-back not available). */
export const UNDEF = -128;

/** Rotation state codes. */
export const FLIGHT = -1;
export const PARITY = 0;
export const LEADERSHIP = 1;

/** Credit state codes. */
export const CALM = 0;
export const STRESS = 1;
