/**
 * The taskpane: data status, the workbook's profile, and the API connection. It shares
 * the runtime (and so the settings and the client) with the custom functions: a profile
 * saved or an address applied here is what the next IWM.* call uses.
 *
 * At start (Office.onReady) the workbook's saved settings are loaded into the shared
 * settings; in Excel the IWM formulas are then re-entered when that changed the profile,
 * so cells calculated before the load do not keep the default profile's values.
 */
import { client, settings } from '../common/shared';
import { closeOnEscape } from './ask';
import { loadStoredSettings, storageFor } from '../common/workbook-settings';
import { ConnectionPanel, applySavedConnection } from './connection';
import { byId, errorText, say } from './dom';
import { isExcelHost, reenterIwmFormulas } from './excel';
import { ProfileEditor } from './profile-editor';
import { mountCalendarPanel } from './panels/calendar';
import { mountChartsPanel } from './panels/charts';
import type { PanelContext } from './panels/context';
import { mountWorkbookPanel } from './panels/workbook';
import { StatusPanel } from './status-panel';
import { Tabs } from './tabs';
import { applyTheme } from './theme';
import { TodayPanel } from './today';

async function start(host: Office.HostType | null): Promise<void> {
  const excel = isExcelHost(host);
  applyTheme();
  closeOnEscape(document);
  applySavedConnection(settings);
  const tabs = new Tabs(byId('tablist'));
  const panel: PanelContext = { settings, client, excel };
  const today = new TodayPanel(byId('today-section'), panel, () => {
    tabs.select('tab-settings', false);
    byId('api-url').focus();
  });
  const status = new StatusPanel(excel, () => today.load({ fresh: true }));
  const statusLoaded = status.load();
  const storage = storageFor(host);
  const editor = new ProfileEditor({ settings, storage, excel });
  let stored: Awaited<ReturnType<typeof loadStoredSettings>>;
  try {
    stored = await loadStoredSettings(storage, settings);
  } finally {
    settings.endLoad();
  }
  editor.show(settings.get().profile, stored.problem);
  // A new address or key clears the client's cache (shared.ts); show what the new API says.
  new ConnectionPanel(settings, () => {
    void status.load();
    void today.load({ fresh: true });
  });
  // The reading follows the saved profile (settings.onChange fires on Save).
  const todayLoaded = today.load();
  settings.onChange((_s, changed) => {
    if (changed.includes('profile') || changed.includes('symbol')) void today.load();
  });
  mountCalendarPanel(byId('calendar-section'), panel);
  mountChartsPanel(byId('charts-section'), panel);
  mountWorkbookPanel(byId('workbook-section'), panel);
  if (excel && stored.changed) {
    try {
      const n = await reenterIwmFormulas();
      if (n) say(byId('refresh-message'), `Loaded the workbook's profile; recalculated ${n} IWM formulas.`, 'success');
    } catch (err) {
      say(byId('refresh-message'), `Could not recalculate the IWM formulas: ${errorText(err)}`, 'error');
    }
  }
  await Promise.all([statusLoaded, todayLoaded]);
  document.body.dataset.ready = 'true';
}

function fail(err: unknown): void {
  settings.endLoad();
  const banner = document.getElementById('banner');
  if (banner) {
    banner.textContent = `The taskpane could not start: ${errorText(err)}`;
    banner.dataset.kind = 'error';
    banner.hidden = false;
  }
}

// Cells that calculate while the workbook opens wait for its saved profile (settings.ready()).
settings.beginLoad();

// Outside Office (a plain browser) Office.onReady still resolves, with host null. Without
// office.js at all (its CDN unreachable) start as a plain page.
if (typeof Office !== 'undefined' && typeof Office.onReady === 'function') {
  Office.onReady()
    .then((info) => start(info.host))
    .catch(fail);
} else if (typeof document !== 'undefined') {
  const go = () => void start(null).catch(fail);
  if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', go);
  else go();
}
