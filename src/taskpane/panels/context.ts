/** What every taskpane panel gets from the page: the shared settings and client, and the host. */
import type { BatchingClient } from '../../common/api-client';
import type { SettingsStore } from '../../common/settings';

export interface PanelContext {
  settings: SettingsStore;
  client: BatchingClient;
  /** True when the page runs inside Excel (Excel.run is available). */
  excel: boolean;
}
