/**
 * azure.yaml and the release workflow, parsed as YAML: azd deploys both services to the
 * resources the Bicep tags for them, the add-in is built for the URLs the Bicep outputs, and
 * a tag v* is tested (.ci/run) before azd deploys with OpenID Connect. Each check also runs
 * on a broken copy of the text.
 */
import { parse } from 'yaml';
import { readText } from './infra-text';

const AZURE_YAML = readText('azure.yaml');
const WORKFLOW = readText('.github/workflows/deploy.yml');
const BICEP = readText('infra/main.bicep');
const WEBPACK = readText('webpack.config.js');

interface Service {
  project?: string;
  language?: string;
  host?: string;
  dist?: string;
  hooks?: Record<string, { posix?: { run?: string }; windows?: { run?: string } }>;
}

function hookRuns(service: Service): string[] {
  return Object.values(service.hooks ?? {}).flatMap((h) => [h.posix?.run ?? '', h.windows?.run ?? '']);
}

function azureYamlProblems(text: string): string[] {
  const services = (parse(text)?.services ?? {}) as Record<string, Service>;
  const problems: string[] = [];
  const api = services.api;
  if (!api || api.project !== './api' || api.language !== 'ts' || api.host !== 'function')
    problems.push('api is not ./api (ts) on Azure Functions');
  else if (!hookRuns(api).some((r) => /npm --prefix \.\. run build/.test(r)))
    problems.push('api/dist is not built first');
  const addin = services.addin;
  if (!addin || addin.host !== 'staticwebapp' || addin.dist !== 'dist')
    problems.push('addin is not dist/ on a static web app');
  else if (!hookRuns(addin).every((r) => r.includes('build:addin:prod')))
    problems.push('the add-in is not built for production');
  // azd finds each service's resource by this tag.
  for (const name of Object.keys(services))
    if (!BICEP.includes(`'azd-service-name': '${name}'`)) problems.push(`no resource tagged for ${name}`);
  return problems;
}

/** The add-in's build reads these from the environment; azd exports the Bicep's outputs to hooks. */
function buildInputProblems(bicep: string): string[] {
  const problems: string[] = [];
  for (const name of ['IWM_ADDIN_URL', 'IWM_API_URL']) {
    if (!WEBPACK.includes(`process.env.${name}`)) problems.push(`webpack.config.js does not read ${name}`);
    if (!new RegExp(`^output ${name} string = 'https://`, 'm').test(bicep)) problems.push(`no https output ${name}`);
  }
  if (!/^output IWM_API_URL string = '.*\/api\/v1'$/m.test(bicep)) problems.push('IWM_API_URL is not the /api/v1 root');
  return problems;
}

interface Step {
  uses?: string;
  run?: string;
  with?: Record<string, string>;
}
interface Job {
  needs?: string | string[];
  permissions?: Record<string, string>;
  steps?: Step[];
}

function workflowProblems(text: string): string[] {
  const wf = parse(text);
  const problems: string[] = [];
  const tags: string[] = wf?.on?.push?.tags ?? [];
  if (!tags.some((t) => t.startsWith('v'))) problems.push('not triggered by a tag v*');
  const jobs = (wf?.jobs ?? {}) as Record<string, Job>;
  const steps = (job: Job) => job.steps ?? [];
  const testJob = Object.entries(jobs).find(([, j]) => steps(j).some((s) => s.run?.trim() === 'bash .ci/run'));
  if (!testJob) problems.push('does not run bash .ci/run');
  const deploy = Object.entries(jobs).find(([, j]) => steps(j).some((s) => /\bazd (deploy|up)\b/.test(s.run ?? '')));
  if (!deploy) return [...problems, 'does not run azd deploy or azd up'];
  const [, job] = deploy;
  const needs = [job.needs ?? []].flat();
  if (testJob && !needs.includes(testJob[0])) problems.push('deploys without waiting for the tests');
  const idToken = job.permissions?.['id-token'] ?? wf.permissions?.['id-token'];
  if (idToken !== 'write') problems.push('no id-token: write (OIDC)');
  const login = steps(job).find((s) => s.uses?.startsWith('azure/login@'));
  if (!login) problems.push('no azure/login');
  else
    for (const [input, variable] of [
      ['client-id', 'AZURE_CLIENT_ID'],
      ['tenant-id', 'AZURE_TENANT_ID'],
      ['subscription-id', 'AZURE_SUBSCRIPTION_ID'],
    ])
      if (login.with?.[input] !== `\${{ vars.${variable} }}`)
        problems.push(`azure/login ${input} is not vars.${variable}`);
  // OIDC: a stored client secret or credentials JSON would defeat the point.
  if (/client-secret|creds:|AZURE_CREDENTIALS/.test(text)) problems.push('uses a stored Azure credential');
  return problems;
}

const CHECKS: {
  name: string;
  check: (text: string) => string[];
  text: string;
  break: (t: string) => string;
  says: RegExp;
}[] = [
  {
    name: 'azure.yaml deploys the api (./api, ts, function) and the add-in (dist/, static web app)',
    check: azureYamlProblems,
    text: AZURE_YAML,
    break: (t) => t.replace('host: function', 'host: appservice'),
    says: /api is not/,
  },
  {
    name: 'every azd service has a resource tagged for it in the Bicep',
    check: azureYamlProblems,
    text: AZURE_YAML,
    break: (t) => t.replace(/^ {2}addin:$/m, '  taskpane:'),
    says: /no resource tagged for taskpane/,
  },
  {
    name: 'the add-in is built with the URLs the Bicep outputs',
    check: buildInputProblems,
    text: BICEP,
    break: (t) => t.replace('output IWM_ADDIN_URL', 'output ADDIN_URL'),
    says: /no https output IWM_ADDIN_URL/,
  },
  {
    name: 'the workflow runs on a tag v*',
    check: workflowProblems,
    text: WORKFLOW,
    break: (t) => t.replace("tags: ['v*']", 'branches: [main]'),
    says: /not triggered by a tag/,
  },
  {
    name: 'the workflow tests with .ci/run before it deploys',
    check: workflowProblems,
    text: WORKFLOW,
    break: (t) => t.replace('run: bash .ci/run', 'run: npm test'),
    says: /does not run bash \.ci\/run/,
  },
  {
    name: 'the workflow signs in to Azure with OIDC (id-token: write, azure/login with vars)',
    check: workflowProblems,
    text: WORKFLOW,
    break: (t) => t.replace('id-token: write', 'id-token: none'),
    says: /OIDC/,
  },
  {
    name: 'the workflow deploys with azd',
    check: workflowProblems,
    text: WORKFLOW,
    break: (t) => t.replace('run: azd deploy --no-prompt', 'run: echo skipped'),
    says: /azd deploy or azd up/,
  },
];

describe('azure.yaml and .github/workflows/deploy.yml', () => {
  test.each(CHECKS)('$name', ({ check, text }) => {
    expect(check(text)).toEqual([]);
  });

  test.each(CHECKS)('$name: a broken copy fails', ({ check, text, break: breakIt, says }) => {
    const broken = breakIt(text);
    expect(broken).not.toBe(text);
    expect(check(broken).some((p) => says.test(p))).toBe(true);
  });

  test('a stored client secret fails the workflow check', () => {
    const broken = WORKFLOW.replace(
      'subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}',
      'subscription-id: ${{ vars.AZURE_SUBSCRIPTION_ID }}\n          creds: ${{ secrets.AZURE_CREDENTIALS }}',
    );
    expect(broken).not.toBe(WORKFLOW);
    expect(workflowProblems(broken)).toContain('uses a stored Azure credential');
  });
});
