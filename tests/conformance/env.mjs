// The conformance environment: one mock per provider type and a gateway configured against all of
// them (the contract of the translation layer):
//
//   providers: oai (openai), oair (openai, its deployment reached with `api: responses`),
//              azure (azure-openai), ant (anthropic), gem (gemini)
//   models:    m-openai, m-openai-responses, m-azure, m-anthropic, m-gemini (+ the extra models a file asks for)
//
// If the gateway refuses that config (an older binary that does not know a provider type), one
// gateway per provider is started instead, so the columns it does support still run; a column
// whose gateway cannot start fails every cell with the startup error.

import { startAnthropicMock } from '../mocks/anthropic-mock.mjs';
import { startGeminiMock } from '../mocks/gemini-mock.mjs';
import { startOpenAIMock } from '../mocks/openai-mock.mjs';
import { MASTER_KEY, UPSTREAM_KEY } from '../support/config.mjs';
import { startGateway } from '../support/gateway.mjs';

export { MASTER_KEY };
export const AZURE_API_VERSION = '2024-10-21';

export const PROVIDERS = [
  // priceCatalogue: where data/prices.json lists the type's models (an Azure deployment's own name
  // is in no list: its cost is unknown).
  { type: 'openai', name: 'oai', alias: 'm-openai', model: 'gpt-4o-mini', priceCatalogue: 'openai' },
  // The column's name; the gateway's provider is of type openai, its deployment `api: responses`.
  { type: 'openai-responses', name: 'oair', alias: 'm-openai-responses', model: 'gpt-4.1', gatewayType: 'openai', api: 'responses', priceCatalogue: 'openai' },
  { type: 'azure-openai', name: 'azure', alias: 'm-azure', model: 'my-gpt4o-deployment', priceCatalogue: 'openai' },
  { type: 'anthropic', name: 'ant', alias: 'm-anthropic', model: 'claude-sonnet-4-5', priceCatalogue: 'anthropic' },
  { type: 'gemini', name: 'gem', alias: 'm-gemini', model: 'gemini-2.5-flash', priceCatalogue: 'gemini' },
];

/** Starts one mock per provider type: { openai, 'azure-openai', anthropic, gemini }. */
export async function startMocks(types = PROVIDERS.map((p) => p.type)) {
  const mocks = {};
  try {
    for (const type of types) {
      if (type === 'openai' || type === 'openai-responses') mocks[type] = await startOpenAIMock({ apiKey: UPSTREAM_KEY });
      if (type === 'azure-openai') mocks[type] = await startOpenAIMock({ apiKey: UPSTREAM_KEY, azure: true });
      if (type === 'anthropic') mocks[type] = await startAnthropicMock({ apiKey: UPSTREAM_KEY });
      if (type === 'gemini') mocks[type] = await startGeminiMock({ apiKey: UPSTREAM_KEY });
    }
  } catch (err) {
    await Promise.all(Object.values(mocks).map((m) => m.close()));
    throw err;
  }
  return mocks;
}

const q = (s) => JSON.stringify(s); // YAML double-quoted scalar (JSON strings are valid YAML)

/** The provider's base_url as the contract spells it (OpenAI with /v1, the others without). */
function baseUrl(type, mock) {
  return type === 'openai' || type === 'openai-responses' ? mock.url : mock.url.replace(/\/v1$/, '');
}

/**
 * The gateway config for `providers` (entries of PROVIDERS) and their mocks.
 * extraModels: [{ alias, provider (a PROVIDERS type), model }].
 */
export function conformanceConfig(mocks, providers = PROVIDERS, extraModels = []) {
  const lines = [
    'server:',
    '  listen: 127.0.0.1:0',
    'auth:',
    `  master_key: ${q(MASTER_KEY)}`,
    'timeouts:',
    '  connect: 2s',
    '  first_byte: 5s',
    '  total: 20s',
    'providers:',
  ];
  for (const p of providers) {
    lines.push(
      `  ${p.name}:`,
      `    type: ${p.gatewayType ?? p.type}`,
      `    base_url: ${q(baseUrl(p.type, mocks[p.type]))}`,
      `    api_key: ${q(UPSTREAM_KEY)}`,
      ...(p.type === 'azure-openai' ? [`    api_version: ${q(AZURE_API_VERSION)}`] : []),
    );
  }
  lines.push('models:');
  const models = [
    ...providers.map((p) => ({ alias: p.alias, provider: p, model: p.model })),
    ...extraModels
      .map((m) => ({ ...m, provider: providers.find((p) => p.type === m.provider) }))
      .filter((m) => m.provider),
  ];
  for (const m of models) {
    lines.push(`  ${m.alias}:`, '    deployments:', `      - provider: ${m.provider.name}`, `        model: ${q(m.model)}`);
    if (m.provider.api) lines.push(`        api: ${m.provider.api}`);
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Starts the gateway(s) for `providers`. Resolves { gatewayFor(type), stop(), logs(), notes } where
 * gatewayFor throws the startup error of a column whose gateway could not start.
 */
export async function startGateways(mocks, { providers = PROVIDERS, extraModels = [] } = {}) {
  const byType = new Map();
  const errors = new Map();
  const instances = [];
  const notes = [];
  const firstLines = (err) => String(err?.message ?? err).split('\n').slice(0, 6).join('\n');
  try {
    const gateway = await startGateway({ config: conformanceConfig(mocks, providers, extraModels) });
    instances.push(gateway);
    for (const p of providers) byType.set(p.type, gateway);
  } catch (err) {
    notes.push(`The gateway refused the combined config, so each provider got its own gateway:\n\n\`\`\`\n${firstLines(err)}\n\`\`\``);
    for (const p of providers) {
      try {
        const gateway = await startGateway({ config: conformanceConfig(mocks, [p], extraModels) });
        instances.push(gateway);
        byType.set(p.type, gateway);
      } catch (e) {
        errors.set(p.type, e);
        notes.push(`No gateway for ${p.type}:\n\n\`\`\`\n${firstLines(e)}\n\`\`\``);
      }
    }
  }
  return {
    notes,
    gatewayFor(type) {
      if (byType.has(type)) return byType.get(type);
      const err = errors.get(type);
      throw new Error(`no gateway for provider type ${type}: ${firstLines(err)}`);
    },
    logs: () => instances.map((g) => g.logs()).join('\n'),
    stop: () => Promise.all(instances.map((g) => g.stop())),
  };
}
