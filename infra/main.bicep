// IWM Signal Analyzer on Azure: the API as a Flex Consumption function app (Node 22) and
// the Excel add-in's files on a Static Web App. `azd up` provisions this file and deploys
// both services (azure.yaml). Nothing here holds a connection string or an account key:
// the app reaches storage, Key Vault and Application Insights as its user-assigned managed
// identity. Modules are Azure Verified Modules (br/public:avm/...). README: "Deploy to Azure".
//
// Kept regular on purpose (test/infra/bicep.test.ts reads it as text): one `param` per
// line with its decorators right above it, one app setting per line.
targetScope = 'subscription'

@minLength(1)
@maxLength(64)
@description('azd environment name: names the resource group and seeds the unique resource names.')
param environmentName string

@minLength(1)
@description('Region of everything but the static web app; it must offer Flex Consumption (az functionapp list-flexconsumption-locations).')
@metadata({ azd: { type: 'location' } })
param location string

@description('Region of the add-in\'s static web app: the Free tier exists in a few regions only; its files are served worldwide.')
@allowed(['centralus', 'eastus2', 'eastasia', 'westeurope', 'westus2'])
param staticWebAppLocation string = 'eastus2'

@description('Object id of a person or pipeline that may read and write the bars and readings (e.g. to run `iwm-signals refresh` against Azure); empty for none. azd passes the signed-in principal.')
param operatorPrincipalId string = ''

@description('Where bars come from. csv needs files on the app\'s disk, which the package does not carry: use it locally.')
@allowed(['sample', 'massive', 'stooq', 'tiingo'])
param dataSource string = 'sample'

@description('Network sources: grouped (massive only) builds the universe from one grouped-daily request per session; ishares fetches the IWM holdings and each member\'s bars for breadth.')
@allowed(['none', 'ishares', 'grouped'])
param universe string = 'none'

@description('Default primary symbol; empty for the app\'s default (IWM).')
param symbol string = ''

@description('Default benchmark; empty for the app\'s default (SPY).')
param benchmark string = ''

@description('Extra symbols a network refresh fetches, comma-separated; empty for none.')
param symbols string = ''

@description('FRED series for the curve and credit context, comma-separated; empty for the app\'s default.')
param fredSeries string = ''

@secure()
@description('Tiingo API token (required for dataSource tiingo); stored in Key Vault, never in an app setting.')
param tiingoKey string = ''

@secure()
@description('stooq API key (required for dataSource stooq); stored in Key Vault, never in an app setting.')
param stooqKey string = ''

@secure()
@description('Massive (formerly Polygon.io) API key (required for dataSource massive); stored in Key Vault.')
param massiveKey string = ''

@description('Massive requests per minute: 5 is the free plan; 0 means no limit (paid plans).')
param massiveRequestsPerMinute string = '5'

@description('Any other IWM_* setting, e.g. { "IWM_HTTP_TIMEOUT_MS": "30000" }; laid over the settings below.')
param settingOverrides { *: string } = {}

@description('Memory of each Flex Consumption instance, in MB.')
@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Most instances the app scales out to: a ceiling on cost as much as on load.')
@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 10

@description('Browser origins allowed to call the API besides the add-in\'s own site (e.g. https://localhost:3000 for sideloading a dev build).')
param extraCorsOrigins string[] = []

var resourceToken = toLower(uniqueString(subscription().id, environmentName, location))
var tags = { 'azd-env-name': environmentName }

// Names the app and the storage share, written once.
var barsContainer = 'iwm-bars'
var readingsTable = 'IwmReadings'
var deploymentContainer = 'app-package'
var tiingoSecretName = 'iwm-tiingo-key'
var stooqSecretName = 'iwm-stooq-key'
var massiveSecretName = 'iwm-massive-key'

resource rg 'Microsoft.Resources/resourceGroups@2021-04-01' = {
  name: 'rg-${environmentName}'
  location: location
  tags: tags
}

// The app's one identity: storage (host and data), Key Vault references, telemetry.
module identity 'br/public:avm/res/managed-identity/user-assigned-identity:0.6.0' = {
  name: 'identity'
  scope: rg
  params: {
    name: 'id-api-${resourceToken}'
    location: location
    tags: tags
  }
}

// One account for the Functions host (AzureWebJobsStorage), the deployment package and the
// app's bars (blobs) and precomputed readings (table). Shared keys are off: identity only.
module storage 'br/public:avm/res/storage/storage-account:0.33.0' = {
  name: 'storage'
  scope: rg
  params: {
    name: 'st${resourceToken}'
    location: location
    tags: tags
    skuName: 'Standard_LRS'
    kind: 'StorageV2'
    allowSharedKeyAccess: false
    allowBlobPublicAccess: false
    defaultToOAuthAuthentication: true
    minimumTlsVersion: 'TLS1_2'
    publicNetworkAccess: 'Enabled'
    // No virtual network here: the app reaches storage over the public endpoint, as its identity.
    networkAcls: {
      defaultAction: 'Allow'
      bypass: 'AzureServices'
    }
    blobServices: {
      containers: [
        { name: deploymentContainer }
        { name: barsContainer }
      ]
    }
    tableServices: {
      tables: [
        { name: readingsTable }
      ]
    }
    roleAssignments: concat(
      [
        {
          principalId: identity.outputs.principalId
          principalType: 'ServicePrincipal'
          roleDefinitionIdOrName: 'Storage Blob Data Owner'
        }
        {
          principalId: identity.outputs.principalId
          principalType: 'ServicePrincipal'
          roleDefinitionIdOrName: 'Storage Table Data Contributor'
        }
        {
          principalId: identity.outputs.principalId
          principalType: 'ServicePrincipal'
          roleDefinitionIdOrName: 'Storage Queue Data Contributor'
        }
      ],
      empty(operatorPrincipalId)
        ? []
        : [
            {
              principalId: operatorPrincipalId
              roleDefinitionIdOrName: 'Storage Blob Data Contributor'
            }
            {
              principalId: operatorPrincipalId
              roleDefinitionIdOrName: 'Storage Table Data Contributor'
            }
          ]
    )
  }
}

module logs 'br/public:avm/res/operational-insights/workspace:0.16.1' = {
  name: 'logs'
  scope: rg
  params: {
    name: 'log-${resourceToken}'
    location: location
    tags: tags
    skuName: 'PerGB2018'
    dataRetention: 30
    // A cap on surprise bills: telemetry stops for the rest of the day past 1 GB.
    dailyQuotaGb: '1'
  }
}

module appInsights 'br/public:avm/res/insights/component:0.8.0' = {
  name: 'appInsights'
  scope: rg
  params: {
    name: 'appi-${resourceToken}'
    location: location
    tags: tags
    workspaceResourceId: logs.outputs.resourceId
    retentionInDays: 30
    // Telemetry only from an Entra identity (APPLICATIONINSIGHTS_AUTHENTICATION_STRING below).
    disableLocalAuth: true
    roleAssignments: [
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionIdOrName: 'Monitoring Metrics Publisher'
      }
    ]
  }
}

// Provider keys live here; the app reads them through Key Vault references as its identity.
module keyVault 'br/public:avm/res/key-vault/vault:0.14.0' = {
  name: 'keyVault'
  scope: rg
  params: {
    name: 'kv-${resourceToken}'
    location: location
    tags: tags
    sku: 'standard'
    enableRbacAuthorization: true
    enableVaultForDeployment: false
    enableVaultForTemplateDeployment: false
    enableVaultForDiskEncryption: false
    // The keys can be fetched again from the providers: a short soft delete lets `azd down --purge` clean up.
    softDeleteRetentionInDays: 7
    enablePurgeProtection: false
    secrets: concat(
      empty(tiingoKey) ? [] : [{ name: tiingoSecretName, value: tiingoKey }],
      empty(stooqKey) ? [] : [{ name: stooqSecretName, value: stooqKey }],
      empty(massiveKey) ? [] : [{ name: massiveSecretName, value: massiveKey }]
    )
    roleAssignments: [
      {
        principalId: identity.outputs.principalId
        principalType: 'ServicePrincipal'
        roleDefinitionIdOrName: 'Key Vault Secrets User'
      }
    ]
  }
}

// The add-in's files (dist/ of `npm run build:addin:prod`). Free tier: HTTPS on its own
// hostname, no server to run; azd deploys dist/ to it directly.
module addin 'br/public:avm/res/web/static-site:0.9.5' = {
  name: 'addin'
  scope: rg
  params: {
    name: 'stapp-iwm-${resourceToken}'
    location: staticWebAppLocation
    tags: union(tags, { 'azd-service-name': 'addin' })
    sku: 'Free'
  }
}

module plan 'br/public:avm/res/web/serverfarm:0.7.0' = {
  name: 'plan'
  scope: rg
  params: {
    name: 'plan-${resourceToken}'
    location: location
    tags: tags
    skuName: 'FC1'
    kind: 'functionapp'
    reserved: true
  }
}

// Every IWM_* variable the API reads (api/src/service/config.ts; README "Configuration"), so
// the whole configuration is in one place. '' leaves a variable unset and the app's own
// default applies (config.ts holds the defaults, not this file). test/infra/bicep.test.ts
// checks that every IWM_* the Functions app reads is listed.
var iwmSettings = {
  IWM_DATA_SOURCE: dataSource
  IWM_UNIVERSE: universe
  IWM_SYMBOL: symbol
  IWM_BENCHMARK: benchmark
  IWM_SYMBOLS: symbols
  IWM_FRED_SERIES: fredSeries
  IWM_TIINGO_KEY: empty(tiingoKey) ? '' : '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${tiingoSecretName})'
  IWM_STOOQ_KEY: empty(stooqKey) ? '' : '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${stooqSecretName})'
  IWM_MASSIVE_KEY: empty(massiveKey) ? '' : '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/${massiveSecretName})'
  IWM_MASSIVE_RPM: massiveRequestsPerMinute
  IWM_STORE: 'azure'
  // The azure store signs in as the managed identity (AZURE_CLIENT_ID) to this account's
  // blob and table endpoints; never a connection string.
  IWM_STORAGE_ACCOUNT: storage.outputs.name
  IWM_STORAGE_CONNECTION: ''
  IWM_BLOB_CONTAINER: barsContainer
  IWM_READINGS_TABLE: readingsTable
  // Files on the app's disk: the package carries none.
  IWM_DATA_DIR: ''
  IWM_UNIVERSE_DIR: ''
  IWM_CALENDAR_FILE: ''
  IWM_STORE_DIR: ''
  IWM_ALLOW_BAD_ROWS: ''
  IWM_SEED: ''
  IWM_SAMPLE_SESSIONS: ''
  IWM_SAMPLE_MEMBERS: ''
  IWM_STOOQ_URL: ''
  IWM_TIINGO_URL: ''
  IWM_FRED_URL: ''
  IWM_HOLDINGS_URL: ''
  IWM_HTTP_TIMEOUT_MS: ''
  IWM_HTTP_RETRIES: ''
  IWM_HTTP_CONCURRENCY: ''
  IWM_HTTP_BACKOFF_MS: ''
  IWM_STALE_AFTER_SESSIONS: ''
  IWM_CLOSE_LAG_MINUTES: ''
  IWM_PRECOMPUTE_SESSIONS: ''
  IWM_MANIFEST_TTL_MS: ''
  IWM_MASSIVE_URL: ''
  IWM_BREADTH_FILE: ''
  IWM_HEAVY_CONCURRENCY: ''
  IWM_HEAVY_QUEUE: ''
  IWM_REFRESH_WAIT_MS: ''
  IWM_BACKFILL_SESSIONS: ''
  IWM_REFRESH_BUDGET_MS: ''
  IWM_CREDIT_SYMBOLS: ''
}

// The platform's settings: identity-based host storage and telemetry. Laid over everything,
// so an override cannot break them.
var platformSettings = {
  AzureWebJobsStorage__accountName: storage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.outputs.clientId
  // DefaultAzureCredential (the azure store) picks the user-assigned identity by this id.
  AZURE_CLIENT_ID: identity.outputs.clientId
  APPLICATIONINSIGHTS_CONNECTION_STRING: appInsights.outputs.connectionString
  APPLICATIONINSIGHTS_AUTHENTICATION_STRING: 'ClientId=${identity.outputs.clientId};Authorization=AAD'
}

var allSettings = union(iwmSettings, settingOverrides, platformSettings)
var appSettings = toObject(filter(items(allSettings), s => !empty(s.value)), s => s.key, s => s.value)

module api 'br/public:avm/res/web/site:0.24.0' = {
  name: 'api'
  scope: rg
  params: {
    name: 'func-iwm-${resourceToken}'
    location: location
    tags: union(tags, { 'azd-service-name': 'api' })
    kind: 'functionapp,linux'
    serverFarmResourceId: plan.outputs.resourceId
    managedIdentities: {
      userAssignedResourceIds: [identity.outputs.resourceId]
    }
    keyVaultAccessIdentityResourceId: identity.outputs.resourceId
    functionAppConfig: {
      deployment: {
        storage: {
          type: 'blobContainer'
          value: '${storage.outputs.serviceEndpoints.blob}${deploymentContainer}'
          authentication: {
            type: 'UserAssignedIdentity'
            userAssignedIdentityResourceId: identity.outputs.resourceId
          }
        }
      }
      scaleAndConcurrency: {
        instanceMemoryMB: instanceMemoryMB
        maximumInstanceCount: maximumInstanceCount
      }
      runtime: {
        name: 'node'
        version: '22'
      }
    }
    siteConfig: {
      alwaysOn: false
      minTlsVersion: '1.2'
      ftpsState: 'Disabled'
      cors: {
        allowedOrigins: concat(['https://${addin.outputs.defaultHostname}'], extraCorsOrigins)
      }
    }
    configs: [
      {
        name: 'appsettings'
        // Provisioning is the source of truth: a setting removed here is removed from the app.
        retainCurrentAppSettings: false
        properties: appSettings
      }
    ]
  }
}

// azd stores these in .azure/<env>/.env; the add-in's build reads IWM_API_URL and IWM_ADDIN_URL.
output AZURE_LOCATION string = location
output AZURE_TENANT_ID string = tenant().tenantId
output AZURE_RESOURCE_GROUP string = rg.name
output AZURE_FUNCTION_APP_NAME string = api.outputs.name
output AZURE_STORAGE_ACCOUNT string = storage.outputs.name
output AZURE_KEY_VAULT_NAME string = keyVault.outputs.name
output IWM_API_URL string = 'https://${api.outputs.defaultHostname}/api/v1'
output IWM_ADDIN_URL string = 'https://${addin.outputs.defaultHostname}/'
