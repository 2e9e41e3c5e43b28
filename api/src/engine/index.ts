/** The signal engine's public surface: pure functions over typed arrays. */
export * from './types';
export * from './dates';
export * from './indicators';
export * from './profile';
export * from './engine';
export * from './fields';
export * from './reading';
export * from './levels';
export * from './macro';
export * from './debrief';
export * from './backtest';
export { universeBreadth } from './breadth';
