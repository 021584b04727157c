// Vercel AI SDK adapters (`ai` 7 and `ai` 6, each with the provider packages of its own major,
// installed under npm aliases, see tests/package.json): five ways to reach the gateway per major.
//
//   openai(model)            @ai-sdk/openai, its default Responses mode      → POST /v1/responses
//   openai.chat(model)       @ai-sdk/openai, chat mode                       → POST /v1/chat/completions
//   anthropic(model)         @ai-sdk/anthropic                               → POST /v1/messages
//   google(model)            @ai-sdk/google                                  → POST /v1beta/models/…:generateContent
//   openai-compatible        @ai-sdk/openai-compatible (includeUsage: true)  → POST /v1/chat/completions
//
// The neutral interface (see clients.test.mjs): text, streamText, toolRoundTrip (generateText with
// `tools` and `stopWhen: stepCountIs(2)`, the SDK's own tool loop), structured (generateText with
// `output: Output.object`), usage (the `usage` the SDK reports, non-streamed or streamed).

import { DIALECT_PATHS, lazy } from './common.mjs';

// The SDK warns on stderr when it meets an alias it does not know (e.g. Anthropic's default
// max_tokens for an unknown model); that is expected here.
globalThis.AI_SDK_LOG_WARNINGS = false;

const MAJORS = {
  7: { ai: 'ai7', openai: 'ai-sdk-openai', anthropic: 'ai-sdk-anthropic', google: 'ai-sdk-google', compatible: 'ai-sdk-openai-compatible' },
  6: {
    ai: 'ai6',
    openai: 'ai-sdk-openai-v6',
    anthropic: 'ai-sdk-anthropic-v6',
    google: 'ai-sdk-google-v6',
    compatible: 'ai-sdk-openai-compatible-v6',
  },
};

const MODES = [
  {
    key: 'responses',
    what: '`openai(model)` (Responses)',
    pkg: 'openai',
    dialect: 'openai-responses',
    model: (m, { url, apiKey }, name) => m.createOpenAI({ baseURL: `${url}/v1`, apiKey })(name),
  },
  {
    key: 'chat',
    what: '`openai.chat(model)`',
    pkg: 'openai',
    dialect: 'openai-chat',
    model: (m, { url, apiKey }, name) => m.createOpenAI({ baseURL: `${url}/v1`, apiKey }).chat(name),
  },
  {
    key: 'anthropic',
    what: '`anthropic(model)`',
    pkg: 'anthropic',
    dialect: 'anthropic',
    model: (m, { url, apiKey }, name) => m.createAnthropic({ baseURL: `${url}/v1`, apiKey })(name),
  },
  {
    key: 'google',
    what: '`google(model)`',
    pkg: 'google',
    dialect: 'gemini',
    model: (m, { url, apiKey }, name) => m.createGoogleGenerativeAI({ baseURL: `${url}/v1beta`, apiKey })(name),
  },
  {
    key: 'compatible',
    what: '`createOpenAICompatible`',
    pkg: 'compatible',
    dialect: 'openai-chat',
    model: (m, { url, apiKey }, name) => m.createOpenAICompatible({ name: 'switchyard', baseURL: `${url}/v1`, apiKey, includeUsage: true })(name),
  },
];

/** The AI SDK clients of one major (7 or 6). */
export function aiSdkClients(major) {
  const names = MAJORS[major];
  return MODES.map((mode) => {
    const load = lazy(async () => ({
      ai: await import(names.ai),
      provider: await import(names[mode.pkg]),
      z: (await import('zod')).z,
    }));
    return {
      id: `ai${major}-${mode.key}`,
      label: `AI SDK ${major} ${mode.what}`,
      family: 'Vercel AI SDK',
      packages: [names.ai, names[mode.pkg]],
      dialect: mode.dialect,
      paths: DIALECT_PATHS[mode.dialect],
      async create({ url, apiKey, model: alias }) {
        const { ai, provider, z } = await load();
        const model = mode.model(provider, { url, apiKey }, alias);
        const base = { model, maxRetries: 0 };
        const usageOf = (u) => ({ input: u?.inputTokens, output: u?.outputTokens });
        return {
          async text(prompt, signal) {
            const r = await ai.generateText({ ...base, prompt, abortSignal: signal });
            return { text: r.text, finish: r.finishReason };
          },
          async streamText(prompt, signal) {
            let streamError;
            const r = ai.streamText({ ...base, prompt, abortSignal: signal, onError: ({ error }) => (streamError ??= error) });
            let text = '';
            let chunks = 0;
            for await (const delta of r.textStream) {
              text += delta;
              chunks += 1;
            }
            if (streamError) throw streamError;
            return { text, chunks, finish: await r.finishReason };
          },
          async toolRoundTrip(prompt, spec, signal) {
            const tools = {
              [spec.name]: ai.tool({
                description: spec.description,
                inputSchema: z.object({ city: z.string() }),
                execute: async (args) => spec.execute(args),
              }),
            };
            const r = await ai.generateText({ ...base, prompt, tools, stopWhen: ai.stepCountIs(2), abortSignal: signal });
            return { text: r.text, steps: r.steps.length, finish: r.finishReason };
          },
          async structured(prompt, signal) {
            const r = await ai.generateText({
              ...base,
              prompt,
              output: ai.Output.object({ schema: z.object({ answer: z.string() }) }),
              abortSignal: signal,
            });
            return r.output;
          },
          async usage(prompt, { stream }, signal) {
            if (!stream) return usageOf((await ai.generateText({ ...base, prompt, abortSignal: signal })).usage);
            let streamError;
            const r = ai.streamText({ ...base, prompt, abortSignal: signal, onError: ({ error }) => (streamError ??= error) });
            for await (const _ of r.textStream); // eslint-disable-line no-unused-vars
            if (streamError) throw streamError;
            return usageOf(await r.usage);
          },
        };
      },
    };
  });
}
