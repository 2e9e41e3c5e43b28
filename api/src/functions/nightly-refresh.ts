/**
 * The nightly timer: after the close, refresh the data and precompute the day's readings.
 * Safe to run twice (the same data is the same generation; readings are upserted), and a
 * failure keeps the last good data, marked stale, instead of serving nothing.
 */
import { app, type InvocationContext, type Timer } from '@azure/functions';
import { REFRESH_SCHEDULE } from '../http/azure';
import { sharedRuntime } from '../service/runtime';

export async function nightlyRefresh(timer: Timer, context: InvocationContext): Promise<void> {
  const runtime = await sharedRuntime();
  if (timer.isPastDue) context.log('nightly refresh is running late (the host was down at the scheduled time)');
  const result = await runtime.refresh();
  context.log(
    `refreshed ${result.source}: generation ${result.generation}${result.unchanged ? ' (unchanged)' : ''}, last bars ${JSON.stringify(result.lastBarDates)}, ${result.readings} readings in ${result.ms} ms`,
  );
}

app.timer('nightlyRefresh', {
  schedule: REFRESH_SCHEDULE,
  runOnStartup: false,
  useMonitor: true,
  handler: nightlyRefresh,
});
