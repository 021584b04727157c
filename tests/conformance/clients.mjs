// The three official client SDKs behind one neutral interface, so that every conformance cell is
// written once and run from every client: openai (chat.completions), @anthropic-ai/sdk (messages),
// @google/genai (models.generateContent). The mock self-checks use the same adapters pointed straight
// at the mocks, so a cell that fails through the gateway is known to work against the real wire format.
//
// A neutral request:
//   { model, system?, messages, tools?: true, json?: true, stream?: true, streamUsage?: true,
//     maxTokens?, temperature?, topP?, stop?: [string], systemAsMessage?: true (Anthropic 2026-10-21),
//     reasoning?: true (Responses: effort low, with a summary) }
// with messages made of
//   { role: 'user', text, image?: { mime, data }, file?: { name, mime, data } (OpenAI clients) }
//   { role: 'assistant', text }
//   { role: 'assistant', calls: [{ name, args }] }          (ids are made up per dialect: call_1, toolu_01…)
//   { role: 'tool', results: [{ name, content: object }] }  (answers the calls of the turn before, in order)
//
// chat() resolves a neutral result:
//   { text, calls: [{ id, name, args }], finish, nativeFinish, usage: { input, output }, toolIndexes?, raw }
// where finish is 'stop' | 'tool_calls' | 'length' | other, and usage is canonical: input counts cached
// tokens, output counts reasoning/thinking tokens (each SDK's fields mapped per wire-formats §7.9).
//
// Each adapter also has agentLoop(client, {model, text, results}) — ask with tools, send the assistant
// turn back exactly as the SDK returned it plus one result per call (keyed by the returned ids), and
// return the neutral result of the second answer —, listModels(client) → model ids, and
// countTokens(client, {model, system?, text}) → a number (null for OpenAI, which has no such endpoint).

import Anthropic, * as AnthropicSDK from '@anthropic-ai/sdk';
import { ApiError, GoogleGenAI } from '@google/genai';
import OpenAI, * as OpenAISDK from 'openai';

export const TIMEOUT_MS = 5000;

/** The tools every tool cell offers (get_weather first: a single call goes to it). */
export const TOOLS = [
  { name: 'get_weather', description: 'Current weather for a city' },
  { name: 'get_time', description: 'Current local time in a city' },
];

/** The JSON schema the JSON-mode cells ask for. */
export const ANSWER_SCHEMA = {
  type: 'object',
  properties: { answer: { type: 'string' } },
  required: ['answer'],
  additionalProperties: false,
};

const toolCallId = { openai: (i) => `call_${i + 1}`, anthropic: (i) => `toolu_0${i + 1}` };

/** Tool results are sent as JSON text by OpenAI and Anthropic clients, as objects by Gemini clients. */
const resultText = (content) => JSON.stringify(content);

// ---------------------------------------------------------------------------------------------
// OpenAI

function openaiMessages(req) {
  const out = [];
  if (req.system !== undefined) out.push({ role: 'system', content: req.system });
  let lastIds = [];
  for (const m of req.messages) {
    if (m.role === 'user') {
      out.push({
        role: 'user',
        content: m.image
          ? [
              { type: 'text', text: m.text },
              { type: 'image_url', image_url: { url: `data:${m.image.mime};base64,${m.image.data}` } },
            ]
          : m.file
            ? [
                { type: 'text', text: m.text },
                { type: 'file', file: { filename: m.file.name, file_data: `data:${m.file.mime};base64,${m.file.data}` } },
              ]
            : m.text,
      });
    } else if (m.role === 'assistant' && m.calls) {
      lastIds = m.calls.map((_, i) => toolCallId.openai(i));
      out.push({
        role: 'assistant',
        content: null,
        tool_calls: m.calls.map((c, i) => ({ id: lastIds[i], type: 'function', function: { name: c.name, arguments: JSON.stringify(c.args) } })),
      });
    } else if (m.role === 'assistant') {
      out.push({ role: 'assistant', content: m.text });
    } else if (m.role === 'tool') {
      m.results.forEach((r, i) => out.push({ role: 'tool', tool_call_id: lastIds[i], content: resultText(r.content) }));
    }
  }
  return out;
}

function openaiBody(req) {
  return {
    model: req.model,
    messages: openaiMessages(req),
    ...(req.tools
      ? {
          tools: TOOLS.map((t) => ({
            type: 'function',
            function: {
              name: t.name,
              description: t.description,
              parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
              strict: true,
            },
          })),
        }
      : {}),
    ...(req.json ? { response_format: { type: 'json_object' } } : {}),
    ...(req.maxTokens !== undefined ? { max_completion_tokens: req.maxTokens } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.topP !== undefined ? { top_p: req.topP } : {}),
    ...(req.stop !== undefined ? { stop: req.stop } : {}),
  };
}

function openaiResult(completion, extra = {}) {
  const choice = completion.choices?.[0];
  const message = choice?.message ?? {};
  const finish = choice?.finish_reason;
  return {
    text: message.content ?? '',
    calls: (message.tool_calls ?? []).map((tc) => ({ id: tc.id, name: tc.function?.name, args: parseArgs(tc.function?.arguments) })),
    finish,
    nativeFinish: finish,
    usage: completion.usage ? { input: completion.usage.prompt_tokens, output: completion.usage.completion_tokens } : null,
    usageDetails: completion.usage
      ? {
          cached: completion.usage.prompt_tokens_details?.cached_tokens ?? 0,
          reasoning: completion.usage.completion_tokens_details?.reasoning_tokens ?? 0,
        }
      : null,
    raw: completion,
    ...extra,
  };
}

function parseArgs(text) {
  try {
    return JSON.parse(text);
  } catch {
    return { unparsable: text };
  }
}

const openaiAdapter = {
  name: 'openai',
  label: 'openai',
  create(baseUrl, apiKey, { azure = null } = {}) {
    const common = { apiKey, maxRetries: 0, timeout: TIMEOUT_MS };
    if (azure) return new OpenAISDK.AzureOpenAI({ ...common, endpoint: baseUrl, apiVersion: azure.apiVersion, deployment: azure.deployment });
    return new OpenAI({ ...common, baseURL: `${baseUrl}/v1` });
  },
  async chat(client, req) {
    const body = openaiBody(req);
    if (!req.stream) return openaiResult(await client.chat.completions.create(body));
    const stream = client.chat.completions.stream({ ...body, ...(req.streamUsage ? { stream_options: { include_usage: true } } : {}) });
    const toolIndexes = [];
    let usage = null;
    stream.on('chunk', (chunk) => {
      for (const tc of chunk.choices?.[0]?.delta?.tool_calls ?? []) toolIndexes.push(tc.index);
      if (chunk.usage) usage = chunk.usage;
    });
    const final = await stream.finalChatCompletion();
    const result = openaiResult(final, { toolIndexes });
    if (!result.usage && usage) result.usage = { input: usage.prompt_tokens, output: usage.completion_tokens };
    if (!result.usageDetails && usage) {
      result.usageDetails = { cached: usage.prompt_tokens_details?.cached_tokens ?? 0, reasoning: usage.completion_tokens_details?.reasoning_tokens ?? 0 };
    }
    return result;
  },
  /** Opens a raw stream (resolves once the response headers arrived), then iterates it. */
  async openStream(client, req) {
    const stream = await client.chat.completions.create({ ...openaiBody(req), stream: true });
    return {
      async *texts() {
        for await (const chunk of stream) yield chunk.choices?.[0]?.delta?.content ?? '';
      },
    };
  },
  async agentLoop(client, { model, text, results }) {
    const body = openaiBody({ model, messages: [{ role: 'user', text }], tools: true });
    const first = await client.chat.completions.create(body);
    const message = first.choices[0].message;
    const calls = message.tool_calls ?? [];
    if (calls.length === 0) throw new Error(`the first answer has no tool calls: ${JSON.stringify(message)}`);
    // As the OpenAI docs do it: the assistant message goes back as returned.
    const messages = [...body.messages, message, ...calls.map((c) => ({ role: 'tool', tool_call_id: c.id, content: resultText(results[c.function.name]) }))];
    return openaiResult(await client.chat.completions.create({ ...body, messages }));
  },
  async listModels(client) {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    return ids;
  },
  countTokens: null, // OpenAI has no token-counting endpoint
  errorClasses: {
    400: OpenAISDK.BadRequestError,
    404: OpenAISDK.NotFoundError,
    429: OpenAISDK.RateLimitError,
    500: OpenAISDK.InternalServerError,
    503: OpenAISDK.InternalServerError,
    529: OpenAISDK.InternalServerError,
    stream: OpenAISDK.APIError,
  },
  /** The problem with an error body that is not in this SDK's dialect, or null. */
  dialectProblem(err) {
    const e = err.error;
    if (!e || typeof e.message !== 'string') return `not an OpenAI error object: ${JSON.stringify(e)}`;
    if (!('type' in e)) return `OpenAI error without "type": ${JSON.stringify(e)}`;
    return null;
  },
  headers: (err) => err.headers,
};

// ---------------------------------------------------------------------------------------------
// OpenAI Responses (the same SDK's responses.create / responses.stream)

function responsesInput(req) {
  const input = [];
  let lastIds = [];
  for (const m of req.messages) {
    if (m.role === 'user') {
      input.push({
        role: 'user',
        content: m.image
          ? [
              { type: 'input_text', text: m.text },
              { type: 'input_image', image_url: `data:${m.image.mime};base64,${m.image.data}`, detail: 'auto' },
            ]
          : m.file
            ? [
                { type: 'input_text', text: m.text },
                { type: 'input_file', filename: m.file.name, file_data: `data:${m.file.mime};base64,${m.file.data}` },
              ]
            : m.text,
      });
    } else if (m.role === 'assistant' && m.calls) {
      lastIds = m.calls.map((_, i) => toolCallId.openai(i));
      m.calls.forEach((c, i) => input.push({ type: 'function_call', call_id: lastIds[i], name: c.name, arguments: JSON.stringify(c.args) }));
    } else if (m.role === 'assistant') {
      input.push({ role: 'assistant', content: m.text });
    } else if (m.role === 'tool') {
      m.results.forEach((r, i) => input.push({ type: 'function_call_output', call_id: lastIds[i], output: resultText(r.content) }));
    }
  }
  return input;
}

function responsesBody(req) {
  if (req.stop !== undefined) throw new Error('the Responses API has no stop sequences');
  return {
    model: req.model,
    ...(req.system !== undefined ? { instructions: req.system } : {}),
    input: responsesInput(req),
    ...(req.tools
      ? {
          tools: TOOLS.map((t) => ({
            type: 'function',
            name: t.name,
            description: t.description,
            parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'], additionalProperties: false },
            strict: true,
          })),
        }
      : {}),
    ...(req.json ? { text: { format: { type: 'json_schema', name: 'answer', schema: ANSWER_SCHEMA, strict: true } } } : {}),
    ...(req.maxTokens !== undefined ? { max_output_tokens: req.maxTokens } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.topP !== undefined ? { top_p: req.topP } : {}),
    ...(req.reasoning ? { reasoning: { effort: 'low', summary: 'auto' } } : {}),
    store: false,
  };
}

function responsesResult(response, extra = {}) {
  const output = response.output ?? [];
  const calls = output.filter((i) => i.type === 'function_call').map((i) => ({ id: i.call_id, name: i.name, args: parseArgs(i.arguments) }));
  const reason = response.incomplete_details?.reason;
  const finish = response.status === 'incomplete' ? (reason === 'max_output_tokens' ? 'length' : reason) : calls.length > 0 ? 'tool_calls' : 'stop';
  const u = response.usage;
  return {
    text: output
      .filter((i) => i.type === 'message')
      .flatMap((i) => i.content)
      .filter((p) => p.type === 'output_text')
      .map((p) => p.text)
      .join(''),
    calls,
    finish,
    nativeFinish: response.status,
    usage: u ? { input: u.input_tokens, output: u.output_tokens } : null,
    usageDetails: u ? { cached: u.input_tokens_details?.cached_tokens ?? 0, reasoning: u.output_tokens_details?.reasoning_tokens ?? 0 } : null,
    reasoning: output
      .filter((i) => i.type === 'reasoning')
      .flatMap((i) => i.summary ?? [])
      .map((p) => p.text)
      .join(''),
    raw: response,
    ...extra,
  };
}

const responsesAdapter = {
  ...openaiAdapter,
  name: 'openai-responses',
  label: 'openai (responses)',
  async chat(client, req) {
    const body = responsesBody(req);
    if (!req.stream) return responsesResult(await client.responses.create(body));
    const stream = client.responses.stream(body);
    return responsesResult(await stream.finalResponse());
  },
  async openStream(client, req) {
    const stream = await client.responses.create({ ...responsesBody(req), stream: true });
    return {
      async *texts() {
        for await (const event of stream) {
          // The published error event has no `error` member, on which alone the SDK throws: an
          // application checks the event's type, as here.
          if (event.type === 'error') throw new OpenAISDK.APIError(undefined, event, event.message, undefined);
          yield event.type === 'response.output_text.delta' ? event.delta : '';
        }
      },
    };
  },
  async agentLoop(client, { model, text, results }) {
    const body = responsesBody({ model, messages: [{ role: 'user', text }], tools: true });
    const first = await client.responses.create(body);
    const calls = first.output.filter((i) => i.type === 'function_call');
    if (calls.length === 0) throw new Error(`the first answer has no tool calls: ${JSON.stringify(first.output)}`);
    // As the Responses docs do it: the output items go back as returned, then one output per call.
    const input = [...body.input, ...first.output, ...calls.map((c) => ({ type: 'function_call_output', call_id: c.call_id, output: resultText(results[c.name]) }))];
    return responsesResult(await client.responses.create({ ...body, input }));
  },
};

// ---------------------------------------------------------------------------------------------
// Anthropic

function anthropicBody(req) {
  const messages = [];
  let lastIds = [];
  for (const m of req.messages) {
    if (m.role === 'user') {
      messages.push({
        role: 'user',
        content: m.image
          ? [
              { type: 'text', text: m.text },
              { type: 'image', source: { type: 'base64', media_type: m.image.mime, data: m.image.data } },
            ]
          : m.text,
      });
    } else if (m.role === 'assistant' && m.calls) {
      lastIds = m.calls.map((_, i) => toolCallId.anthropic(i));
      messages.push({ role: 'assistant', content: m.calls.map((c, i) => ({ type: 'tool_use', id: lastIds[i], name: c.name, input: c.args })) });
    } else if (m.role === 'assistant') {
      messages.push({ role: 'assistant', content: m.text });
    } else if (m.role === 'tool') {
      messages.push({ role: 'user', content: m.results.map((r, i) => ({ type: 'tool_result', tool_use_id: lastIds[i], content: resultText(r.content) })) });
    }
  }
  if (req.system !== undefined && req.systemAsMessage) messages.unshift({ role: 'system', content: req.system });
  return {
    model: req.model,
    max_tokens: req.maxTokens ?? 1024,
    ...(req.system !== undefined && !req.systemAsMessage ? { system: req.system } : {}),
    ...(req.stop !== undefined ? { stop_sequences: req.stop } : {}),
    messages,
    ...(req.tools
      ? {
          tools: TOOLS.map((t) => ({
            name: t.name,
            description: t.description,
            input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          })),
        }
      : {}),
    ...(req.json ? { output_config: { format: { type: 'json_schema', schema: ANSWER_SCHEMA } } } : {}),
  };
}

const ANTHROPIC_FINISH = { end_turn: 'stop', stop_sequence: 'stop', tool_use: 'tool_calls', max_tokens: 'length' };

function anthropicResult(message) {
  const blocks = Array.isArray(message.content) ? message.content : [];
  const u = message.usage;
  return {
    text: blocks.filter((b) => b.type === 'text').map((b) => b.text).join(''),
    calls: blocks.filter((b) => b.type === 'tool_use').map((b) => ({ id: b.id, name: b.name, args: b.input })),
    finish: ANTHROPIC_FINISH[message.stop_reason] ?? message.stop_reason,
    nativeFinish: message.stop_reason,
    usage: u
      ? { input: (u.input_tokens ?? 0) + (u.cache_creation_input_tokens ?? 0) + (u.cache_read_input_tokens ?? 0), output: u.output_tokens }
      : null,
    raw: message,
  };
}

const anthropicAdapter = {
  name: 'anthropic',
  label: 'anthropic',
  create(baseUrl, apiKey) {
    return new Anthropic({ baseURL: baseUrl, apiKey, maxRetries: 0, timeout: TIMEOUT_MS });
  },
  async chat(client, req) {
    const body = anthropicBody(req);
    if (!req.stream) return anthropicResult(await client.messages.create(body));
    return anthropicResult(await client.messages.stream(body).finalMessage());
  },
  async openStream(client, req) {
    const stream = await client.messages.create({ ...anthropicBody(req), stream: true });
    return {
      async *texts() {
        for await (const event of stream) {
          yield event.type === 'content_block_delta' && event.delta?.type === 'text_delta' ? event.delta.text : '';
        }
      },
    };
  },
  async agentLoop(client, { model, text, results }) {
    const body = anthropicBody({ model, messages: [{ role: 'user', text }], tools: true });
    const first = await client.messages.create(body);
    const uses = first.content.filter((b) => b.type === 'tool_use');
    if (uses.length === 0) throw new Error(`the first answer has no tool_use blocks: ${JSON.stringify(first.content)}`);
    // As the Anthropic docs do it: the assistant content goes back as returned.
    const messages = [
      ...body.messages,
      { role: 'assistant', content: first.content },
      { role: 'user', content: uses.map((u) => ({ type: 'tool_result', tool_use_id: u.id, content: resultText(results[u.name]) })) },
    ];
    return anthropicResult(await client.messages.create({ ...body, messages }));
  },
  async listModels(client) {
    const ids = [];
    for await (const m of client.models.list()) ids.push(m.id);
    return ids;
  },
  async countTokens(client, { model, system, text }) {
    const res = await client.messages.countTokens({ model, ...(system ? { system } : {}), messages: [{ role: 'user', content: text }] });
    return res.input_tokens;
  },
  errorClasses: {
    400: AnthropicSDK.BadRequestError,
    404: AnthropicSDK.NotFoundError,
    429: AnthropicSDK.RateLimitError,
    500: AnthropicSDK.InternalServerError,
    503: AnthropicSDK.ServiceUnavailableError,
    529: AnthropicSDK.OverloadedError,
    stream: AnthropicSDK.APIError,
  },
  dialectProblem(err) {
    const body = err.error;
    if (body?.type !== 'error' || typeof body.error?.type !== 'string' || typeof body.error?.message !== 'string') {
      return `not an Anthropic error body: ${JSON.stringify(body)}`;
    }
    return null;
  },
  headers: (err) => err.headers,
};

// ---------------------------------------------------------------------------------------------
// Gemini

function geminiParams(req) {
  const contents = [];
  let lastNames = [];
  for (const m of req.messages) {
    if (m.role === 'user') {
      contents.push({ role: 'user', parts: [{ text: m.text }, ...(m.image ? [{ inlineData: { mimeType: m.image.mime, data: m.image.data } }] : [])] });
    } else if (m.role === 'assistant' && m.calls) {
      lastNames = m.calls.map((c) => c.name);
      contents.push({ role: 'model', parts: m.calls.map((c) => ({ functionCall: { name: c.name, args: c.args } })) });
    } else if (m.role === 'assistant') {
      contents.push({ role: 'model', parts: [{ text: m.text }] });
    } else if (m.role === 'tool') {
      contents.push({ role: 'user', parts: m.results.map((r, i) => ({ functionResponse: { name: r.name ?? lastNames[i], response: r.content } })) });
    }
  }
  const config = {
    ...(req.system !== undefined ? { systemInstruction: req.system } : {}),
    ...(req.tools
      ? {
          tools: [
            {
              functionDeclarations: TOOLS.map((t) => ({
                name: t.name,
                description: t.description,
                parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
              })),
            },
          ],
        }
      : {}),
    ...(req.json ? { responseMimeType: 'application/json' } : {}),
    ...(req.maxTokens !== undefined ? { maxOutputTokens: req.maxTokens } : {}),
    ...(req.temperature !== undefined ? { temperature: req.temperature } : {}),
    ...(req.topP !== undefined ? { topP: req.topP } : {}),
    ...(req.stop !== undefined ? { stopSequences: req.stop } : {}),
  };
  return { model: req.model, contents, config };
}

function geminiResult({ parts, finishReason, usage, raw }) {
  const calls = parts.filter((p) => p.functionCall).map((p) => ({ id: p.functionCall.id, name: p.functionCall.name, args: p.functionCall.args ?? {} }));
  const finish = finishReason === 'STOP' ? (calls.length > 0 ? 'tool_calls' : 'stop') : finishReason === 'MAX_TOKENS' ? 'length' : finishReason;
  return {
    text: parts.filter((p) => typeof p.text === 'string' && !p.thought).map((p) => p.text).join(''),
    calls,
    finish,
    nativeFinish: finishReason,
    usage: usage
      ? { input: (usage.promptTokenCount ?? 0) + (usage.toolUsePromptTokenCount ?? 0), output: (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0) }
      : null,
    raw,
  };
}

const geminiAdapter = {
  name: 'gemini',
  label: 'genai',
  create(baseUrl, apiKey) {
    return new GoogleGenAI({ apiKey, httpOptions: { baseUrl, timeout: TIMEOUT_MS } });
  },
  async chat(client, req) {
    const params = geminiParams(req);
    if (!req.stream) {
      const response = await client.models.generateContent(params);
      const candidate = response.candidates?.[0];
      return geminiResult({ parts: candidate?.content?.parts ?? [], finishReason: candidate?.finishReason, usage: response.usageMetadata, raw: response });
    }
    const parts = [];
    let finishReason;
    let usage;
    const chunks = [];
    for await (const chunk of await client.models.generateContentStream(params)) {
      chunks.push(chunk);
      const candidate = chunk.candidates?.[0];
      parts.push(...(candidate?.content?.parts ?? []));
      finishReason = candidate?.finishReason ?? finishReason;
      usage = chunk.usageMetadata ?? usage;
    }
    return geminiResult({ parts, finishReason, usage, raw: chunks });
  },
  async openStream(client, req) {
    const stream = await client.models.generateContentStream(geminiParams(req));
    return {
      async *texts() {
        for await (const chunk of stream) {
          yield (chunk.candidates?.[0]?.content?.parts ?? []).map((p) => p.text ?? '').join('');
        }
      },
    };
  },
  async agentLoop(client, { model, text, results }) {
    const params = geminiParams({ model, messages: [{ role: 'user', text }], tools: true });
    const first = await client.models.generateContent(params);
    const content = first.candidates?.[0]?.content;
    const calls = (content?.parts ?? []).filter((p) => p.functionCall).map((p) => p.functionCall);
    if (calls.length === 0) throw new Error(`the first answer has no functionCall parts: ${JSON.stringify(content)}`);
    // As the Gemini docs do it: the model content goes back as returned, then one response per call.
    const contents = [
      ...params.contents,
      content,
      { role: 'user', parts: calls.map((c) => ({ functionResponse: { name: c.name, ...(c.id ? { id: c.id } : {}), response: results[c.name] } })) },
    ];
    const response = await client.models.generateContent({ ...params, contents });
    const candidate = response.candidates?.[0];
    return geminiResult({ parts: candidate?.content?.parts ?? [], finishReason: candidate?.finishReason, usage: response.usageMetadata, raw: response });
  },
  async listModels(client) {
    const names = [];
    for await (const m of await client.models.list()) names.push(m.name?.replace(/^models\//, ''));
    return names;
  },
  /** genai sends only `contents` to :countTokens (systemInstruction is refused client-side on the Gemini API). */
  async countTokens(client, { model, text }) {
    const res = await client.models.countTokens({ model, contents: text });
    return res.totalTokens;
  },
  errorClasses: { 400: ApiError, 404: ApiError, 429: ApiError, 500: ApiError, 503: ApiError, 529: ApiError, stream: ApiError },
  dialectProblem(err, status) {
    // genai puts the raw body JSON in the message (mid-stream: "got status: X. {…}").
    const text = err.message.slice(err.message.indexOf('{'));
    let body;
    try {
      body = JSON.parse(text);
    } catch {
      return `not a JSON google.rpc.Status body: ${err.message}`;
    }
    const e = body.error;
    if (typeof e?.code !== 'number' || typeof e.message !== 'string' || typeof e.status !== 'string') {
      return `not a google.rpc.Status body: ${JSON.stringify(body)}`;
    }
    if (status !== undefined && e.code !== status) return `error.code ${e.code}, expected ${status}`;
    return null;
  },
  headers: () => null, // ApiError keeps no headers
};

export const ADAPTERS = { openai: openaiAdapter, 'openai-responses': responsesAdapter, anthropic: anthropicAdapter, gemini: geminiAdapter };
