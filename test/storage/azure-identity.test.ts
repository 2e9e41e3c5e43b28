/**
 * IWM_STORE=azure on Azure signs in with the app's managed identity: an account name and a
 * token credential, no connection string (infra/ provisions no key). Checked without a
 * network: the store must ask the credential for a Storage token before any request.
 */
import type { AccessToken, GetTokenOptions, TokenCredential } from '@azure/core-auth';
import { ConfigError, readConfig } from '../../api/src/service/config';
import { AzureStore } from '../../api/src/storage/azure-store';

class RefusingCredential implements TokenCredential {
  scopes: string[] = [];
  async getToken(scopes: string | string[], _options?: GetTokenOptions): Promise<AccessToken | null> {
    this.scopes.push(...(Array.isArray(scopes) ? scopes : [scopes]));
    throw new Error('no identity here (test credential)');
  }
}

describe('configuration', () => {
  test('an account name selects the identity; no connection string is needed', () => {
    const c = readConfig({ IWM_STORE: 'azure', IWM_STORAGE_ACCOUNT: 'iwmsignals01' });
    expect(c.storageAccount).toBe('iwmsignals01');
    expect(c.storageConnection).toBeNull();
  });

  test("the account wins over the Functions host's AzureWebJobsStorage", () => {
    const c = readConfig({ IWM_STORE: 'azure', IWM_STORAGE_ACCOUNT: 'iwmsignals01', AzureWebJobsStorage: 'x=y' });
    expect(c.storageConnection).toBeNull();
  });

  test('a bad account name, both ways at once, or neither are errors naming the settings', () => {
    expect(() => readConfig({ IWM_STORE: 'azure', IWM_STORAGE_ACCOUNT: 'IWM_Signals' })).toThrow(
      /IWM_STORAGE_ACCOUNT must be a storage account name/,
    );
    expect(() =>
      readConfig({ IWM_STORE: 'azure', IWM_STORAGE_ACCOUNT: 'iwmsignals01', IWM_STORAGE_CONNECTION: 'a=b' }),
    ).toThrow(ConfigError);
    expect(() => readConfig({ IWM_STORE: 'azure' })).toThrow(/IWM_STORAGE_ACCOUNT .*IWM_STORAGE_CONNECTION/);
  });
});

describe('the store with a credential', () => {
  test('names the account and container, and asks the credential for a Storage token', async () => {
    const credential = new RefusingCredential();
    const store = new AzureStore({ account: 'iwmsignals01', credential });
    expect(store.location).toBe('azure:iwmsignals01/iwm-bars');
    const error = await store.readManifest().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(credential.scopes).toContain('https://storage.azure.com/.default');
    await store.close();
  });

  test('refuses an account name Azure would refuse', () => {
    expect(() => new AzureStore({ account: 'No_Such', credential: new RefusingCredential() })).toThrow(
      /account name "No_Such" is not valid/,
    );
  });
});
