/**
 * infra/main.bicep read as text (no Bicep compiler here): every setting the app reads is
 * configured, the runtime is Node 22 on Flex Consumption, storage is reached by identity
 * only, keys are secure parameters kept in Key Vault. Each check runs on the real file and
 * on a broken copy, so a check that cannot fail fails here.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { bicepKeys, bicepParams, readText, ROOT, settingNamesIn, settingsReadByFunctionsApp } from './infra-text';

const BICEP = readText('infra/main.bicep');
const PARAMETERS = readText('infra/main.parameters.json');
const READ = settingsReadByFunctionsApp();

/** Parameter names that hold a secret: each must be @secure(). */
const SECRET_NAME = /key|secret|token|password/i;

function missingSettings(bicep: string): string[] {
  const keys = bicepKeys(bicep, /^IWM_/);
  return READ.filter((name) => !keys.has(name));
}

function runtimeProblems(bicep: string): string[] {
  const runtimes = [...bicep.matchAll(/runtime:\s*\{\s*name:\s*'(\w+)'\s+version:\s*'([\d.]+)'\s*\}/g)];
  const problems = runtimes.length === 1 ? [] : [`${runtimes.length} runtime blocks`];
  for (const [, name, version] of runtimes)
    if (name !== 'node' || version !== '22') problems.push(`${name} ${version}`);
  if (!/skuName:\s*'FC1'/.test(bicep)) problems.push('no Flex Consumption (FC1) plan');
  for (const part of ['instanceMemoryMB:', 'maximumInstanceCount:', "type: 'blobContainer'"])
    if (!bicep.includes(part)) problems.push(`functionAppConfig lacks ${part}`);
  return problems;
}

const HOST_STORAGE = {
  AzureWebJobsStorage__accountName: /storage\.outputs\.name/,
  AzureWebJobsStorage__credential: /'managedidentity'/,
  AzureWebJobsStorage__clientId: /identity\.outputs\.clientId/,
};

/** What only a key-based storage connection contains. */
const KEY_BASED = [/AccountKey=/i, /listKeys\(/, /SharedAccessSignature=/i, /DefaultEndpointsProtocol=/i];

function keyProblems(text: string): string[] {
  return KEY_BASED.filter((pattern) => pattern.test(text)).map((pattern) => `uses ${pattern}`);
}

/** Every file a deployment reads: infra/, azure.yaml, the workflow. */
const DEPLOYMENT_FILES = [
  ...readdirSync(join(ROOT, 'infra')).map((f) => `infra/${f}`),
  'azure.yaml',
  '.github/workflows/deploy.yml',
];

function storageProblems(bicep: string): string[] {
  const problems = keyProblems(bicep);
  if (/^\s+AzureWebJobsStorage\s*:/m.test(bicep)) problems.push('AzureWebJobsStorage as a connection string');
  for (const [key, value] of Object.entries(HOST_STORAGE)) {
    const line = new RegExp(`^\\s+${key}:(.*)$`, 'm').exec(bicep);
    if (!line || !value.test(line[1])) problems.push(`${key} is not ${value}`);
  }
  if (!/allowSharedKeyAccess:\s*false/.test(bicep)) problems.push('shared key access is not disabled');
  if (!/authentication:\s*\{\s*type:\s*'UserAssignedIdentity'/.test(bicep))
    problems.push('the deployment container is not reached by the identity');
  for (const role of ['Storage Blob Data Owner', 'Storage Table Data Contributor', 'Storage Queue Data Contributor'])
    if (
      !new RegExp(
        `principalId: identity\\.outputs\\.principalId\\s+principalType: 'ServicePrincipal'\\s+roleDefinitionIdOrName: '${role}'`,
      ).test(bicep)
    )
      problems.push(`the identity lacks ${role}`);
  if (!/^\s+IWM_STORAGE_ACCOUNT:\s*storage\.outputs\.name$/m.test(bicep))
    problems.push('IWM_STORAGE_ACCOUNT is not the account');
  if (!/^\s+IWM_STORE:\s*'azure'$/m.test(bicep)) problems.push('IWM_STORE is not azure');
  return problems;
}

function secretProblems(bicep: string): string[] {
  const problems: string[] = [];
  for (const p of bicepParams(bicep)) {
    if (SECRET_NAME.test(p.name) && !p.decorators.includes('@secure()')) problems.push(`${p.name} is not @secure()`);
  }
  for (const setting of ['IWM_TIINGO_KEY', 'IWM_STOOQ_KEY']) {
    const line = new RegExp(`^\\s+${setting}:(.*)$`, 'm').exec(bicep);
    if (!line || !line[1].includes('@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/'))
      problems.push(`${setting} is not a Key Vault reference`);
  }
  if (!/enableRbacAuthorization:\s*true/.test(bicep)) problems.push('Key Vault without RBAC');
  if (!/roleDefinitionIdOrName: 'Key Vault Secrets User'/.test(bicep)) problems.push('no Key Vault Secrets User');
  if (!/keyVaultAccessIdentityResourceId:\s*identity\.outputs\.resourceId/.test(bicep))
    problems.push('Key Vault references not resolved as the identity');
  return problems;
}

function telemetryProblems(bicep: string): string[] {
  const problems: string[] = [];
  if (
    !/^\s+APPLICATIONINSIGHTS_AUTHENTICATION_STRING:\s*'ClientId=\$\{identity\.outputs\.clientId\};Authorization=AAD'$/m.test(
      bicep,
    )
  )
    problems.push('telemetry is not sent as the identity');
  if (!/disableLocalAuth:\s*true/.test(bicep)) problems.push('Application Insights accepts keys');
  if (!/workspaceResourceId:\s*logs\.outputs\.resourceId/.test(bicep)) problems.push('no Log Analytics workspace');
  return problems;
}

function corsProblems(bicep: string): string[] {
  const m = /cors:\s*\{\s*allowedOrigins:\s*concat\(\['https:\/\/\$\{(\w+)\.outputs\.defaultHostname\}'\]/.exec(bicep);
  if (!m) return ['the API does not allow the add-in site'];
  return new RegExp(`^module ${m[1]} 'br/public:avm/res/web/static-site:`, 'm').test(bicep)
    ? []
    : [`${m[1]} is not the static web app`];
}

function moduleProblems(bicep: string): string[] {
  const problems: string[] = [];
  const modules = [...bicep.matchAll(/^module (\w+) '([^']+)'/gm)];
  if (modules.length === 0) problems.push('no modules');
  for (const [, name, source] of modules)
    if (!/^br\/public:avm\/res\/[\w-]+\/[\w-]+:\d+\.\d+\.\d+$/.test(source))
      problems.push(`${name} is not a pinned Azure Verified Module (${source})`);
  return problems;
}

/** Parameters azd must supply (no default) that main.parameters.json does not map. */
function parameterFileProblems(bicep: string, parametersJson: string): string[] {
  const mapped = JSON.parse(parametersJson).parameters as Record<string, { value: unknown }>;
  const params = bicepParams(bicep);
  const problems: string[] = [];
  for (const p of params) if (!p.defaultValue && !(p.name in mapped)) problems.push(`${p.name} is not supplied`);
  for (const [name, { value }] of Object.entries(mapped)) {
    if (!params.some((p) => p.name === name)) problems.push(`${name} is not a parameter`);
    // A secret comes from the azd environment (or CI's secrets), never written in the file.
    if (SECRET_NAME.test(name) && !/^\$\{[A-Z_]+\}$/.test(String(value))) problems.push(`${name} has a literal value`);
  }
  return problems;
}

const CHECKS: { name: string; check: (bicep: string) => string[]; break: (bicep: string) => string; says: RegExp }[] = [
  {
    name: 'every IWM_* setting the Functions app reads is an app setting',
    check: missingSettings,
    break: (b) => b.replace(/^\s+IWM_MANIFEST_TTL_MS:.*\n/m, ''),
    says: /^IWM_MANIFEST_TTL_MS$/,
  },
  {
    name: 'the app runs Node 22 on a Flex Consumption plan',
    check: runtimeProblems,
    break: (b) => b.replace(/version: '22'/, "version: '20'"),
    says: /node 20/,
  },
  {
    name: 'storage is reached by the managed identity only (no key, no connection string)',
    check: storageProblems,
    break: (b) =>
      b.replace("AzureWebJobsStorage__credential: 'managedidentity'", "AzureWebJobsStorage: 'AccountKey=x'"),
    says: /AccountKey|connection string|credential/,
  },
  {
    name: 'the identity holds the host storage roles',
    check: storageProblems,
    break: (b) => b.replace("'Storage Queue Data Contributor'", "'Reader'"),
    says: /lacks Storage Queue Data Contributor/,
  },
  {
    name: 'keys are @secure() parameters kept in Key Vault and read by reference',
    check: secretProblems,
    break: (b) => b.replace(/@secure\(\)\n(@description\([^\n]*\)\nparam tiingoKey)/, '$1'),
    says: /tiingoKey is not @secure\(\)/,
  },
  {
    name: 'a key setting is never the key itself',
    check: secretProblems,
    break: (b) => b.replace(/^(\s+IWM_STOOQ_KEY:).*$/m, '$1 stooqKey'),
    says: /IWM_STOOQ_KEY is not a Key Vault reference/,
  },
  {
    name: 'telemetry goes to Application Insights on Log Analytics, as the identity',
    check: telemetryProblems,
    break: (b) => b.replace(/^\s+APPLICATIONINSIGHTS_AUTHENTICATION_STRING:.*\n/m, ''),
    says: /identity/,
  },
  {
    name: "the API's CORS allows the add-in's static site",
    check: corsProblems,
    break: (b) => b.replace("allowedOrigins: concat(['https://${addin", "allowedOrigins: concat(['https://${api"),
    says: /api is not the static web app/,
  },
  {
    name: 'every module is a pinned Azure Verified Module',
    check: moduleProblems,
    break: (b) => b.replace("'br/public:avm/res/web/serverfarm:", "'br/public:avm/res/web/serverfarm:latest-"),
    says: /plan is not a pinned/,
  },
  {
    name: 'main.parameters.json supplies every required parameter and no literal secret',
    check: (b) => parameterFileProblems(b, PARAMETERS),
    break: (b) => b.replace("param staticWebAppLocation string = 'eastus2'", 'param staticWebAppLocation string'),
    says: /staticWebAppLocation is not supplied/,
  },
];

describe('infra/main.bicep', () => {
  test('the list of settings comes from the app (string reads and env.X), not from constants or comments', () => {
    expect(READ).toEqual(expect.arrayContaining(['IWM_DATA_SOURCE', 'IWM_STORE', 'IWM_TIINGO_KEY', 'IWM_DATA_DIR']));
    // Local-host-only and CLI-only variables are not read by the Functions app.
    expect(READ).not.toContain('IWM_API_PORT');
    expect(READ).not.toContain('IWM_DEBUG');
    const names = settingNamesIn(
      "// IWM_IN_COMMENT\nconst IWM_CONST = 1; env.IWM_READ; pick(env, 'IWM_PICKED'); `${x}IWM_TEMPLATE`;",
    );
    expect(names.sort()).toEqual(['IWM_PICKED', 'IWM_READ', 'IWM_TEMPLATE']);
  });

  test.each(CHECKS)('$name', ({ check }) => {
    expect(check(BICEP)).toEqual([]);
  });

  test.each(CHECKS)('$name: a broken copy fails', ({ check, break: breakIt, says }) => {
    const broken = breakIt(BICEP);
    expect(broken).not.toBe(BICEP);
    const problems = check(broken);
    expect(problems.some((p) => says.test(p))).toBe(true);
  });

  test('no deployment file holds a storage key or a key-based connection string', () => {
    expect(DEPLOYMENT_FILES.length).toBeGreaterThanOrEqual(4);
    for (const file of DEPLOYMENT_FILES) expect([file, keyProblems(readText(file))]).toEqual([file, []]);
    expect(keyProblems('value: storage.listKeys().keys[0].value')).toEqual(['uses /listKeys\\(/']);
  });

  test('a literal secret in main.parameters.json fails', () => {
    const literal = PARAMETERS.replace('"${IWM_TIINGO_KEY}"', '"abc123"');
    expect(literal).not.toBe(PARAMETERS);
    expect(parameterFileProblems(BICEP, literal)).toEqual(['tiingoKey has a literal value']);
  });
});
