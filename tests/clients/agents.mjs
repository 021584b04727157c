// OpenAI Agents SDK adapters (@openai/agents), both of its OpenAI model classes, each made by an
// OpenAIProvider pointed at the gateway:
//
//   OpenAIResponsesModel        (useResponses: true, the SDK's default) → POST /v1/responses
//   OpenAIChatCompletionsModel  (useResponses: false)                   → POST /v1/chat/completions
//
// Tracing is disabled (it would export to the vendor's tracing endpoint, which is not reachable).
// The neutral interface (see clients.test.mjs): text (run → finalOutput), streamText (run with
// stream: true → toTextStream), toolRoundTrip (an Agent with a function `tool`; the Runner's own
// loop), structured (Agent `outputType` zod schema), usage (result.state.usage).

import { DIALECT_PATHS, lazy } from './common.mjs';

process.env.OPENAI_AGENTS_DISABLE_TRACING = '1';

const load = lazy(async () => {
  const agents = await import('@openai/agents');
  agents.setTracingDisabled(true);
  return { agents, z: (await import('zod')).z };
});

const KINDS = [
  { key: 'responses', label: 'Agents SDK `OpenAIResponsesModel`', useResponses: true, modelClass: 'OpenAIResponsesModel', dialect: 'openai-responses' },
  { key: 'chat', label: 'Agents SDK `OpenAIChatCompletionsModel`', useResponses: false, modelClass: 'OpenAIChatCompletionsModel', dialect: 'openai-chat' },
];

export function agentsClients() {
  return KINDS.map((kind) => ({
    id: `agents-${kind.key}`,
    label: kind.label,
    family: 'OpenAI Agents SDK',
    packages: ['@openai/agents'],
    dialect: kind.dialect,
    paths: DIALECT_PATHS[kind.dialect],
    async create({ url, apiKey, model: alias }) {
      const { agents, z } = await load();
      const provider = new agents.OpenAIProvider({ apiKey, baseURL: `${url}/v1`, useResponses: kind.useResponses });
      const model = await provider.getModel(alias);
      if (model.constructor.name !== kind.modelClass) throw new Error(`OpenAIProvider made a ${model.constructor.name}, not a ${kind.modelClass}`);
      const runner = new agents.Runner({ tracingDisabled: true });
      const agent = (extra = {}) => new agents.Agent({ name: 'battery', instructions: 'You are terse.', model, ...extra });
      const usageOf = (result) => ({ input: result.state.usage.inputTokens, output: result.state.usage.outputTokens });
      async function streamed(prompt, signal) {
        const result = await runner.run(agent(), prompt, { stream: true, signal });
        let text = '';
        let chunks = 0;
        for await (const delta of result.toTextStream()) {
          text += delta;
          chunks += 1;
        }
        await result.completed;
        if (result.error) throw result.error;
        return { result, text, chunks };
      }
      return {
        async text(prompt, signal) {
          const r = await runner.run(agent(), prompt, { signal });
          return { text: r.finalOutput };
        },
        async streamText(prompt, signal) {
          const { text, chunks, result } = await streamed(prompt, signal);
          if (result.finalOutput !== text) throw new Error(`finalOutput ${JSON.stringify(result.finalOutput)} differs from the streamed text`);
          return { text, chunks };
        },
        async toolRoundTrip(prompt, spec, signal) {
          const weather = agents.tool({
            name: spec.name,
            description: spec.description,
            parameters: z.object({ city: z.string() }),
            execute: async (args) => JSON.stringify(await spec.execute(args)),
          });
          const r = await runner.run(agent({ tools: [weather] }), prompt, { signal, maxTurns: 3 });
          return { text: r.finalOutput, items: r.newItems.map((i) => i.type) };
        },
        async structured(prompt, signal) {
          const r = await runner.run(agent({ outputType: z.object({ answer: z.string() }) }), prompt, { signal });
          return r.finalOutput;
        },
        async usage(prompt, { stream }, signal) {
          if (stream) return usageOf((await streamed(prompt, signal)).result);
          return usageOf(await runner.run(agent(), prompt, { signal }));
        },
      };
    },
  }));
}
