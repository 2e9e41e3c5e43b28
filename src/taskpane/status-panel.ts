/**
 * The Data section: where the numbers come from (GET status, never from the cache), how
 * fresh they are, a banner when the API cannot be reached, and the "Refresh IWM formulas"
 * button.
 */
import type { z } from 'zod';
import type { StatusResult } from '../../api/src/contracts/responses';
import { client } from '../common/shared';
import { byId, errorText, say } from './dom';
import { reenterIwmFormulas } from './excel';
import { daysInWords, formatDay, formatMoment } from './format';

export type Status = z.infer<typeof StatusResult>;

export class StatusPanel {
  private pending = 0;
  private refreshing = false;

  constructor(
    private readonly excel: boolean,
    /** Reloads the Today card (its reading comes from the same service). */
    private readonly reloadToday: () => Promise<unknown> = async () => undefined,
  ) {
    byId('refresh').addEventListener('click', () => void this.refresh());
  }

  private busy(delta: number): void {
    this.pending += delta;
    const busy = this.pending > 0;
    byId('status-section').setAttribute('aria-busy', String(busy));
    byId('status-progress').hidden = !busy;
  }

  /** The banner says only that the service cannot be reached (empty hides it). */
  private banner(text: string): void {
    const banner = byId('banner');
    if (banner.textContent !== text) banner.textContent = text;
    banner.dataset.kind = 'error';
    banner.hidden = !text;
  }

  /** Asks the API for its status and shows it; null when the API could not answer (the banner says why). */
  async load(): Promise<Status | null> {
    this.busy(+1);
    try {
      const status = (await client.call('status', {}, { fresh: true })) as Status;
      byId('status-source').textContent = !status.sample
        ? status.source
        : status.source === 'sample'
          ? 'sample (synthetic data)'
          : `${status.source} (sample data)`;
      // Sample and stale data are said once, at the top of the Today card (the reading's own
      // meta); here they are facts of the source and of its last bar.
      byId('status-last').textContent =
        (status.lastBarDate ? formatDay(status.lastBarDate) : 'none') +
        (status.stale ? ` (out of date: ${daysInWords(status.staleReason ?? 'the last refresh failed')})` : '');
      byId('status-expected').textContent = formatDay(status.expectedLastSession);
      byId('status-refreshed').textContent = formatMoment(status.lastRefreshAt);
      // While the universe backfill runs (IWM_UNIVERSE=grouped), say how far it is: breadth
      // needs 200 sessions of every member before it has a 200-day line.
      const b = status.backfill;
      const backfill =
        b && !b.complete
          ? `${b.sessionsDone} of ${b.sessionsTotal} sessions loaded (${Math.floor((100 * b.sessionsDone) / Math.max(1, b.sessionsTotal))}%)` +
            (b.etaMinutes > 0 ? `, about ${b.etaMinutes} min left` : '')
          : '';
      byId('status-backfill').textContent = backfill;
      byId('status-backfill').hidden = byId('status-backfill-label').hidden = !backfill;
      this.banner('');
      return status;
    } catch {
      for (const id of ['status-source', 'status-last', 'status-expected', 'status-refreshed'])
        byId(id).textContent = 'unknown';
      // The Today card carries the one message with the reason and Retry; say it once.
      this.banner(`Data status unknown: the signal service does not answer (see above).`);
      return null;
    } finally {
      this.busy(-1);
    }
  }

  /** Forgets cached results, reloads the status and (in Excel) re-enters every IWM formula. */
  async refresh(): Promise<void> {
    if (this.refreshing) return;
    this.refreshing = true;
    const button = byId('refresh');
    const message = byId('refresh-message');
    button.setAttribute('aria-disabled', 'true');
    say(message, 'Refreshing…');
    try {
      client.clearCache();
      const [status] = await Promise.all([this.load(), this.reloadToday()]);
      // Nothing reached the service: recalculating would only fill the cells with errors.
      if (!status) {
        say(
          message,
          'Nothing was refreshed: the signal service did not answer. Try again when it is reachable.',
          'error',
        );
        return;
      }
      if (this.excel) {
        this.busy(+1);
        try {
          const n = await reenterIwmFormulas();
          if (n) say(message, `Recalculated ${n} IWM formula${n === 1 ? '' : 's'}.`, 'success');
          else say(message, 'There are no IWM formulas in this workbook; the reading above is up to date.', 'info');
        } finally {
          this.busy(-1);
        }
      } else {
        say(message, 'Reading updated. Not running in Excel, so there are no formulas to recalculate.', 'info');
      }
    } catch (err) {
      say(message, `Refresh failed: ${errorText(err)}`, 'error');
    } finally {
      this.refreshing = false;
      button.removeAttribute('aria-disabled');
    }
  }
}
