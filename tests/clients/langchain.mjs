// LangChain JS adapters (@langchain/core with its provider packages):
//
//   ChatOpenAI                          @langchain/openai                → POST /v1/chat/completions
//   ChatOpenAI { useResponsesApi: true } @langchain/openai               → POST /v1/responses
//   ChatAnthropic                       @langchain/anthropic             → POST /v1/messages
//   ChatGoogleGenerativeAI              @langchain/google-genai          → POST /v1beta/models/…:generateContent
//
// The neutral interface (see clients.test.mjs): text (invoke), streamText (stream), toolRoundTrip
// (bindTools, run the tool on each returned tool call, send the ToolMessages back), structured
// (withStructuredOutput with a zod schema, the library's default method), usage (the AIMessage's
// usage_metadata; streamed: the chunks concatenated).

import { DIALECT_PATHS, lazy } from './common.mjs';

// No LangSmith tracing, whatever the developer's shell says (it would post runs off the machine).
for (const name of ['LANGSMITH_TRACING', 'LANGSMITH_TRACING_V2', 'LANGCHAIN_TRACING', 'LANGCHAIN_TRACING_V2']) process.env[name] = 'false';

const KINDS = [
  {
    key: 'openai-chat',
    label: 'LangChain `ChatOpenAI`',
    pkg: '@langchain/openai',
    dialect: 'openai-chat',
    make: (m, { url, apiKey, model }) => new m.ChatOpenAI({ model, apiKey, configuration: { baseURL: `${url}/v1` }, maxRetries: 0 }),
  },
  {
    key: 'openai-responses',
    label: 'LangChain `ChatOpenAI` (useResponsesApi)',
    pkg: '@langchain/openai',
    dialect: 'openai-responses',
    make: (m, { url, apiKey, model }) =>
      new m.ChatOpenAI({ model, apiKey, configuration: { baseURL: `${url}/v1` }, maxRetries: 0, useResponsesApi: true }),
  },
  {
    key: 'anthropic',
    label: 'LangChain `ChatAnthropic`',
    pkg: '@langchain/anthropic',
    dialect: 'anthropic',
    // Streamed usage_metadata = message_start's usage + message_delta's output_tokens (with
    // input_tokens 0): utils/message_outputs.js, _makeMessageChunkFromAnthropicEvent. Against Claude,
    // whose message_start says output_tokens: 1, the sum is one too many; the cell expects that sum.
    quirks: { addsMessageStartOutputTokens: true },
    make: (m, { url, apiKey, model }) => new m.ChatAnthropic({ model, apiKey, anthropicApiUrl: url, maxRetries: 0 }),
  },
  {
    key: 'google',
    label: 'LangChain `ChatGoogleGenerativeAI`',
    pkg: '@langchain/google-genai',
    dialect: 'gemini',
    make: (m, { url, apiKey, model }) => new m.ChatGoogleGenerativeAI({ model, apiKey, baseUrl: url, apiVersion: 'v1beta', maxRetries: 0 }),
  },
];

export function langchainClients() {
  return KINDS.map((kind) => {
    const load = lazy(async () => ({
      lib: await import(kind.pkg),
      tools: await import('@langchain/core/tools'),
      messages: await import('@langchain/core/messages'),
      z: (await import('zod')).z,
    }));
    return {
      id: `langchain-${kind.key}`,
      label: kind.label,
      family: 'LangChain JS',
      packages: ['@langchain/core', kind.pkg],
      dialect: kind.dialect,
      quirks: kind.quirks ?? {},
      paths: DIALECT_PATHS[kind.dialect],
      async create(options) {
        const { lib, tools, messages, z } = await load();
        const chat = kind.make(lib, options);
        const call = (signal) => ({ signal });
        const usageOf = (m) => ({ input: m.usage_metadata?.input_tokens, output: m.usage_metadata?.output_tokens });
        async function stream(prompt, signal) {
          let text = '';
          let chunks = 0;
          let all;
          for await (const chunk of await chat.stream(prompt, call(signal))) {
            text += chunk.text;
            chunks += 1;
            all = all ? all.concat(chunk) : chunk;
          }
          return { text, chunks, message: all };
        }
        return {
          async text(prompt, signal) {
            const m = await chat.invoke(prompt, call(signal));
            return { text: m.text };
          },
          async streamText(prompt, signal) {
            const { text, chunks } = await stream(prompt, signal);
            return { text, chunks };
          },
          async toolRoundTrip(prompt, spec, signal) {
            const weather = tools.tool(async (args) => JSON.stringify(await spec.execute(args)), {
              name: spec.name,
              description: spec.description,
              schema: z.object({ city: z.string() }),
            });
            const withTools = chat.bindTools([weather]);
            const human = new messages.HumanMessage(prompt);
            const ai = await withTools.invoke([human], call(signal));
            const results = [];
            for (const toolCall of ai.tool_calls ?? []) results.push(await weather.invoke(toolCall));
            if (results.length === 0) throw new Error(`no tool call came back: ${JSON.stringify(ai.content)}`);
            const final = await withTools.invoke([human, ai, ...results], call(signal));
            return { text: final.text };
          },
          async structured(prompt, signal) {
            return chat.withStructuredOutput(z.object({ answer: z.string() })).invoke(prompt, call(signal));
          },
          async usage(prompt, { stream: streamed }, signal) {
            if (!streamed) return usageOf(await chat.invoke(prompt, call(signal)));
            return usageOf((await stream(prompt, signal)).message);
          },
        };
      },
    };
  });
}
