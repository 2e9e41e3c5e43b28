/**
 * The taskpane: where the data comes from, the API address and key, and a refresh of the
 * IWM formulas. It shares the runtime (and so the settings and the client) with the
 * custom functions: an address applied here is what the next IWM.* call uses.
 */
import type { z } from 'zod';
import type { StatusResult } from '../../api/src/contracts/responses';
import { ApiError } from '../common/api-client';
import { client, settings } from '../common/shared';

type Status = z.infer<typeof StatusResult>;

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;

function showBanner(text: string, error = false): void {
  const banner = $('banner');
  banner.textContent = text;
  banner.classList.toggle('error', error);
  banner.hidden = !text;
}

export async function loadStatus(): Promise<Status | null> {
  try {
    const status = (await client.call('status', {}, { fresh: true })) as Status;
    $('status-source').textContent = status.sample ? `${status.source} (sample data)` : status.source;
    $('status-last').textContent = status.lastBarDate ?? 'none';
    if (status.sample) showBanner('Sample data: synthetic numbers for trying the add-in, not market readings.');
    else if (status.stale) showBanner(`Stale data: ${status.staleReason ?? 'the last refresh failed'}`);
    else showBanner('');
    return status;
  } catch (err) {
    const message = err instanceof ApiError ? err.message : String(err);
    showBanner(message, true);
    return null;
  }
}

/** Forgets cached results and recalculates the workbook (closed days come back from the cache-free API). */
async function recalculate(): Promise<void> {
  client.clearCache();
  if (typeof Excel !== 'undefined' && Office.context?.host === Office.HostType.Excel) {
    await Excel.run(async (context) => {
      context.workbook.application.calculate(Excel.CalculationType.full);
      await context.sync();
    });
  }
  await loadStatus();
}

function applyApi(): void {
  const url = $<HTMLInputElement>('api-url').value.trim();
  const message = $('api-message');
  if (!/^https?:\/\/[^\s]+$/.test(url)) {
    message.textContent = 'API address must be an http(s) URL, e.g. https://localhost:3000/api/v1';
    return;
  }
  message.textContent = '';
  settings.update({ apiUrl: url.replace(/\/+$/, ''), apiKey: $<HTMLInputElement>('api-key').value.trim() });
  void loadStatus();
}

function start(): void {
  $<HTMLInputElement>('api-url').value = settings.get().apiUrl;
  $<HTMLInputElement>('api-key').value = settings.get().apiKey;
  $('recalc').addEventListener('click', () => void recalculate());
  $('api-save').addEventListener('click', applyApi);
  void loadStatus().finally(() => $('app').setAttribute('aria-busy', 'false'));
}

// Outside Office (a plain browser) Office.onReady still resolves, with host null.
if (typeof Office !== 'undefined') void Office.onReady(() => start());
else if (typeof document !== 'undefined') document.addEventListener('DOMContentLoaded', start);
