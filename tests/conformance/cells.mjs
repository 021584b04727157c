// The conformance cells: one scenario each, written once against the neutral client interface of
// clients.mjs, run for every (client SDK, provider type) pair. A cell throws (an AssertionError with a
// useful message) when the outcome is wrong.
//
// A cell may have applies(clientName, providerType) → false for pairs where it means nothing (shown as –).
// A cell gets ctx = {
//   adapter, client        the client SDK adapter and its instance
//   model                  the model name the client sends (a gateway alias, or the upstream model)
//   providerType           'openai' | 'openai-responses' | 'azure-openai' | 'anthropic' | 'gemini': what the
//                          mock upstream speaks ('openai-responses': the OpenAI mock's POST /v1/responses)
//   mock                   that mock (script(), reset(), requests…)
//   upstream()             the last generation request the mock received: { record, body }
// }

import assert from 'node:assert/strict';
import { it } from 'node:test';

import { JSON_ANSWER, TINY_PDF_BASE64, TINY_PNG_BASE64 } from '../mocks/mock-answers.mjs';
import { parseSSE } from '../support/http.mjs';
import { expectedCost, listedPrices, waitForLedgerRow } from '../support/ledger.mjs';

const HELLO = { role: 'user', text: 'Say hello' };
const HELLO_ANSWER = 'Hello from mock: Say hello';
const WEATHER = { role: 'user', text: 'What is the weather in Paris?' };
const PARALLEL = { role: 'user', text: 'Weather and time in Paris, in parallel please' };
const SYSTEM = 'You are terse.';
const TOOL_RESULTS = [
  { name: 'get_weather', content: { temp_c: 21 } },
  { name: 'get_time', content: { time: '10:00' } },
];

/** Extra usage each upstream reports in the usage cells: cached prompt tokens and reasoning tokens. */
export const USAGE_EXTRAS = {
  openai: { cached_tokens: 2, reasoning_tokens: 3 },
  'openai-responses': { cached_tokens: 2, reasoning_tokens: 3 },
  'azure-openai': { cached_tokens: 2, reasoning_tokens: 3 },
  anthropic: { cache_read_tokens: 2, cache_creation_tokens: 1 },
  gemini: { cached_tokens: 2, thoughts_tokens: 3 },
};
/** How many upstream stream events to send before the mid-stream error, so that one text delta got out. */
export const MIDSTREAM_AFTER = { openai: 2, 'openai-responses': 5, 'azure-openai': 3, anthropic: 4, gemini: 1 };

const dialectOf = (providerType) => (providerType === 'azure-openai' ? 'openai' : providerType);

// ---------------------------------------------------------------------------------------------
// What the upstream received, read from the mock's record

const textOf = (content) =>
  typeof content === 'string'
    ? content
    : Array.isArray(content)
      ? content.map((p) => (typeof p?.text === 'string' ? p.text : '')).join(' ')
      : '';

/** The upstream conversation as [{role, text}] in the upstream's own role names, system excluded. */
function upstreamTurns(providerType, body) {
  switch (dialectOf(providerType)) {
    case 'openai':
      return body.messages.filter((m) => m.role !== 'system' && m.role !== 'developer').map((m) => ({ role: m.role, text: textOf(m.content) }));
    case 'openai-responses':
      return body.input
        .filter((i) => (i.type ?? 'message') === 'message' && i.role !== 'system' && i.role !== 'developer')
        .map((i) => ({ role: i.role, text: textOf(i.content) }));
    case 'anthropic':
      return body.messages.filter((m) => m.role !== 'system').map((m) => ({ role: m.role, text: textOf(m.content) }));
    case 'gemini':
      return body.contents.map((c) => ({ role: c.role ?? 'user', text: c.parts.map((p) => p.text ?? '').join(' ') }));
  }
  throw new Error(`unknown provider type ${providerType}`);
}

/** The canonical {input, output} usage the upstream reported in its answer (JSON or SSE), or null. */
export function upstreamUsage(providerType, record) {
  const body = record.response?.body ?? '';
  const isStream = /^text\/event-stream/.test(record.response?.headers?.['content-type'] ?? '');
  const events = isStream ? parseSSE(body).frames.map((f) => f.json).filter((e) => e && e !== '[DONE]') : [JSON.parse(body)];
  switch (dialectOf(providerType)) {
    case 'openai': {
      const u = events.map((e) => e.usage).filter(Boolean).at(-1);
      return u ? { input: u.prompt_tokens, output: u.completion_tokens } : null;
    }
    case 'openai-responses': {
      const u = events.map((e) => e.response?.usage ?? e.usage).filter(Boolean).at(-1);
      return u ? { input: u.input_tokens, output: u.output_tokens } : null;
    }
    case 'anthropic': {
      if (!isStream) {
        const u = events[0].usage;
        return { input: u.input_tokens + u.cache_creation_input_tokens + u.cache_read_input_tokens, output: u.output_tokens };
      }
      const start = events.find((e) => e.type === 'message_start')?.message?.usage;
      const delta = events.filter((e) => e.type === 'message_delta').at(-1)?.usage;
      if (!start || !delta) return null;
      return {
        input: start.input_tokens + (start.cache_creation_input_tokens ?? 0) + (start.cache_read_input_tokens ?? 0),
        output: delta.output_tokens,
      };
    }
    case 'gemini': {
      const u = events.map((e) => e.usageMetadata).filter(Boolean).at(-1);
      return u ? { input: u.promptTokenCount + (u.toolUsePromptTokenCount ?? 0), output: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0) } : null;
    }
  }
  return null;
}

/**
 * The cached-input and reasoning token counts the upstream reported in its answer (JSON or SSE):
 * { cached, reasoning }, or null. Anthropic reports no reasoning count of its own (thinking is part
 * of output_tokens): 0.
 */
export function upstreamUsageDetails(providerType, record) {
  const body = record.response?.body ?? '';
  const isStream = /^text\/event-stream/.test(record.response?.headers?.['content-type'] ?? '');
  const events = isStream ? parseSSE(body).frames.map((f) => f.json).filter((e) => e && e !== '[DONE]') : [JSON.parse(body)];
  const last = (pick) => events.map(pick).filter(Boolean).at(-1);
  switch (dialectOf(providerType)) {
    case 'openai': {
      const u = last((e) => e.usage);
      return u ? { cached: u.prompt_tokens_details?.cached_tokens ?? 0, reasoning: u.completion_tokens_details?.reasoning_tokens ?? 0 } : null;
    }
    case 'openai-responses': {
      const u = last((e) => e.response?.usage ?? e.usage);
      return u ? { cached: u.input_tokens_details?.cached_tokens ?? 0, reasoning: u.output_tokens_details?.reasoning_tokens ?? 0 } : null;
    }
    case 'anthropic': {
      const u = last((e) => e.usage ?? e.message?.usage);
      const start = events.find((e) => e.type === 'message_start')?.message?.usage;
      const read = u?.cache_read_input_tokens ?? start?.cache_read_input_tokens;
      return read === undefined ? null : { cached: read, reasoning: 0 };
    }
    case 'gemini': {
      const u = last((e) => e.usageMetadata);
      return u ? { cached: u.cachedContentTokenCount ?? 0, reasoning: u.thoughtsTokenCount ?? 0 } : null;
    }
  }
  return null;
}

/**
 * Everything the upstream reported in its answer (JSON or SSE) in the ledger's terms: input (cache
 * reads and writes included), output (reasoning included), cache_read, cache_write, reasoning.
 */
export function upstreamLedgerUsage(providerType, record) {
  const body = record.response?.body ?? '';
  const isStream = /^text\/event-stream/.test(record.response?.headers?.['content-type'] ?? '');
  const events = isStream ? parseSSE(body).frames.map((f) => f.json).filter((e) => e && e !== '[DONE]') : [JSON.parse(body)];
  const last = (pick) => events.map(pick).filter(Boolean).at(-1);
  switch (dialectOf(providerType)) {
    case 'openai': {
      const u = last((e) => e.usage);
      return u && {
        input: u.prompt_tokens, output: u.completion_tokens, cache_read: u.prompt_tokens_details?.cached_tokens ?? 0,
        cache_write: 0, reasoning: u.completion_tokens_details?.reasoning_tokens ?? 0,
      };
    }
    case 'openai-responses': {
      const u = last((e) => e.response?.usage ?? e.usage);
      return u && {
        input: u.input_tokens, output: u.output_tokens, cache_read: u.input_tokens_details?.cached_tokens ?? 0,
        cache_write: 0, reasoning: u.output_tokens_details?.reasoning_tokens ?? 0,
      };
    }
    case 'anthropic': {
      const start = isStream ? events.find((e) => e.type === 'message_start')?.message?.usage : events[0].usage;
      const end = isStream ? events.filter((e) => e.type === 'message_delta').at(-1)?.usage : events[0].usage;
      if (!start || !end) return null;
      const read = end.cache_read_input_tokens ?? start.cache_read_input_tokens ?? 0;
      const written = end.cache_creation_input_tokens ?? start.cache_creation_input_tokens ?? 0;
      return { input: (end.input_tokens ?? start.input_tokens) + read + written, output: end.output_tokens, cache_read: read, cache_write: written, reasoning: 0 };
    }
    case 'gemini': {
      const u = last((e) => e.usageMetadata);
      return u && {
        input: u.promptTokenCount + (u.toolUsePromptTokenCount ?? 0), output: (u.candidatesTokenCount ?? 0) + (u.thoughtsTokenCount ?? 0),
        cache_read: u.cachedContentTokenCount ?? 0, cache_write: 0, reasoning: u.thoughtsTokenCount ?? 0,
      };
    }
  }
  return null;
}

/** The generation requests (chat / messages / generateContent) a mock received so far. */
export function generationRecords(providerType, mock) {
  switch (dialectOf(providerType)) {
    case 'openai':
      return mock.chatRequests();
    case 'openai-responses':
      return mock.responsesRequests();
    case 'anthropic':
      return mock.messageRequests();
    case 'gemini':
      return mock.generateRequests();
  }
  throw new Error(`unknown provider type ${providerType}`);
}

/** The last generation request a mock received: { record, body } (fails when there is none). */
export function lastUpstream(providerType, mock) {
  const record = generationRecords(providerType, mock).at(-1);
  assert.ok(record, 'the upstream received no request');
  return { record, body: JSON.parse(record.body) };
}

// ---------------------------------------------------------------------------------------------
// Assertions shared by the cells

function assertText(result, expected) {
  assert.equal(result.text, expected, `answer text (finish ${result.finish})`);
  assert.equal(result.finish, 'stop', `finish reason (native ${JSON.stringify(result.nativeFinish)})`);
}

function assertToolCalls(ctx, result, names) {
  assert.deepEqual(
    result.calls.map((c) => c.name),
    names,
    `tool calls: ${JSON.stringify(result.calls)} (text ${JSON.stringify(result.text)})`,
  );
  for (const call of result.calls) assert.deepEqual(call.args, { city: 'Paris' }, `arguments of ${call.name}`);
  if (ctx.adapter.name === 'gemini') {
    assert.equal(result.nativeFinish, 'STOP', 'Gemini finishReason for function calls');
  } else {
    assert.equal(result.finish, 'tool_calls', `finish reason (native ${JSON.stringify(result.nativeFinish)})`);
    const ids = result.calls.map((c) => c.id);
    for (const id of ids) assert.ok(typeof id === 'string' && id.length > 0, `tool call without id: ${JSON.stringify(result.calls)}`);
    assert.equal(new Set(ids).size, ids.length, `tool call ids are not distinct: ${ids}`);
    if (ctx.adapter.name === 'anthropic') for (const id of ids) assert.match(id, /^[a-zA-Z0-9_-]+$/, 'Anthropic tool_use id pattern');
  }
  if (result.toolIndexes !== undefined && result.toolIndexes.length > 0) {
    const firstSeen = [...new Set(result.toolIndexes)];
    assert.deepEqual(firstSeen, names.map((_, i) => i), `stream tool_call indexes must be dense from 0: saw ${result.toolIndexes}`);
  }
}

/** The system prompt reached the upstream in its native place, and not as a conversation turn. */
function assertNativeSystem(ctx) {
  const { body, record } = ctx.upstream();
  switch (dialectOf(ctx.providerType)) {
    case 'openai': {
      const system = body.messages.filter((m) => m.role === 'system' || m.role === 'developer');
      assert.ok(system.some((m) => textOf(m.content).includes(SYSTEM)), `no system/developer message with the prompt: ${JSON.stringify(body.messages)}`);
      break;
    }
    case 'openai-responses': {
      const system = body.input.filter((i) => i.role === 'system' || i.role === 'developer');
      const found = (body.instructions ?? '').includes(SYSTEM) || system.some((i) => textOf(i.content).includes(SYSTEM));
      assert.ok(found, `neither instructions nor a system/developer item hold the prompt: ${JSON.stringify(body)}`);
      break;
    }
    case 'anthropic': {
      // Top-level `system`; with anthropic-version 2026-10-21 a role:"system" message is native too.
      const asMessage =
        record.headers['anthropic-version'] === '2026-10-21' && body.messages.some((m) => m.role === 'system' && textOf(m.content).includes(SYSTEM));
      assert.ok(textOf(body.system).includes(SYSTEM) || asMessage, `top-level system is ${JSON.stringify(body.system)}`);
      break;
    }
    case 'gemini':
      assert.ok(textOf(body.systemInstruction?.parts).includes(SYSTEM), `systemInstruction is ${JSON.stringify(body.systemInstruction)}`);
      break;
  }
  const turns = upstreamTurns(ctx.providerType, body);
  assert.ok(!turns.some((t) => t.text.includes(SYSTEM)), `the system prompt leaked into the turns: ${JSON.stringify(turns)}`);
}

/** "Tool said: <r1> | <r2>" with each piece equal (as JSON) to the expected result. */
function assertToolSaid(result, expected) {
  assert.equal(result.finish, 'stop', `finish reason (native ${JSON.stringify(result.nativeFinish)}); calls ${JSON.stringify(result.calls)}`);
  assert.ok(result.text.startsWith('Tool said: '), `answer: ${JSON.stringify(result.text)}`);
  const pieces = result.text.slice('Tool said: '.length).split(' | ');
  const parsed = pieces.map((p) => {
    try {
      return JSON.parse(p);
    } catch {
      return p;
    }
  });
  assert.deepEqual(parsed, expected, `the upstream saw these tool results: ${JSON.stringify(pieces)}`);
}

/** A generation parameter as the upstream received it, in its native field. */
function nativeParam(ctx, name) {
  const { body } = ctx.upstream();
  const config = body.generationConfig ?? body.generation_config ?? {};
  const native = {
    openai: { maxTokens: body.max_completion_tokens ?? body.max_tokens, temperature: body.temperature, topP: body.top_p, stop: body.stop },
    'openai-responses': { maxTokens: body.max_output_tokens, temperature: body.temperature, topP: body.top_p, stop: undefined },
    anthropic: { maxTokens: body.max_tokens, temperature: body.temperature, topP: body.top_p, stop: body.stop_sequences },
    gemini: {
      maxTokens: config.maxOutputTokens ?? config.max_output_tokens,
      temperature: config.temperature,
      topP: config.topP ?? config.top_p,
      stop: config.stopSequences ?? config.stop_sequences,
    },
  };
  return native[dialectOf(ctx.providerType)][name];
}

async function expectError(ctx, promise, status) {
  const err = await promise.then(
    (value) => ({ resolved: value }),
    (e) => e,
  );
  assert.ok(!(err && 'resolved' in err), `expected a ${status} error, but the call succeeded: ${JSON.stringify(err?.resolved?.text ?? err?.resolved)}`);
  const ErrorClass = ctx.adapter.errorClasses[status];
  assert.ok(err instanceof ErrorClass, `expected ${ErrorClass.name}, got ${err?.constructor?.name}: ${err?.message}`);
  assert.equal(err.status, status, `status (${err.message})`);
  const problem = ctx.adapter.dialectProblem(err, status);
  assert.equal(problem, null, problem ?? '');
  return err;
}

// ---------------------------------------------------------------------------------------------
// The cells

export const CELLS = [
  {
    name: 'text',
    async run(ctx) {
      assertText(await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [HELLO] }), HELLO_ANSWER);
    },
  },
  {
    name: 'streamed text',
    async run(ctx) {
      assertText(await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [HELLO], stream: true }), HELLO_ANSWER);
    },
  },
  {
    name: 'system prompt',
    async run(ctx) {
      assertText(await ctx.adapter.chat(ctx.client, { model: ctx.model, system: SYSTEM, messages: [HELLO] }), HELLO_ANSWER);
      assertNativeSystem(ctx);
    },
  },
  {
    name: 'system role message (Anthropic 2026-10-21)',
    applies: (client) => client === 'anthropic',
    async run(ctx) {
      assertText(await ctx.adapter.chat(ctx.client, { model: ctx.model, system: SYSTEM, systemAsMessage: true, messages: [HELLO] }), HELLO_ANSWER);
      assertNativeSystem(ctx);
    },
  },
  {
    name: 'multi-turn',
    async run(ctx) {
      const messages = [
        { role: 'user', text: 'Hi there' },
        { role: 'assistant', text: 'Hello from mock: Hi there' },
        { role: 'user', text: 'How are you' },
      ];
      assertText(await ctx.adapter.chat(ctx.client, { model: ctx.model, messages }), 'Hello from mock: How are you');
      const assistantRole = dialectOf(ctx.providerType) === 'gemini' ? 'model' : 'assistant';
      assert.deepEqual(upstreamTurns(ctx.providerType, ctx.upstream().body), [
        { role: 'user', text: 'Hi there' },
        { role: assistantRole, text: 'Hello from mock: Hi there' },
        { role: 'user', text: 'How are you' },
      ]);
    },
  },
  {
    name: 'empty assistant text in history',
    applies: (client) => client === 'openai', // only OpenAI's own API accepts an empty assistant content
    async run(ctx) {
      // Anthropic and Gemini reject empty text; the gateway may drop the turn (and then merge the
      // user turns around it), so only the last user text must be there.
      const messages = [{ role: 'user', text: 'Hi there' }, { role: 'assistant', text: '' }, { role: 'user', text: 'How are you' }];
      const result = await ctx.adapter.chat(ctx.client, { model: ctx.model, messages });
      assert.equal(result.finish, 'stop');
      assert.match(result.text, /^Hello from mock: .*How are you$/);
    },
  },
  {
    name: 'tool call',
    async run(ctx) {
      const result = await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [WEATHER], tools: true });
      assertToolCalls(ctx, result, ['get_weather']);
    },
  },
  {
    name: 'tool call (streamed)',
    async run(ctx) {
      const result = await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [WEATHER], tools: true, stream: true });
      assertToolCalls(ctx, result, ['get_weather']);
    },
  },
  {
    name: 'parallel tool calls',
    async run(ctx) {
      const result = await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [PARALLEL], tools: true });
      assertToolCalls(ctx, result, ['get_weather', 'get_time']);
    },
  },
  {
    name: 'parallel tool calls (streamed)',
    async run(ctx) {
      const result = await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [PARALLEL], tools: true, stream: true });
      assertToolCalls(ctx, result, ['get_weather', 'get_time']);
    },
  },
  {
    name: 'tool results follow-up',
    async run(ctx) {
      const messages = [
        PARALLEL,
        { role: 'assistant', calls: TOOL_RESULTS.map((r) => ({ name: r.name, args: { city: 'Paris' } })) },
        { role: 'tool', results: TOOL_RESULTS },
      ];
      const result = await ctx.adapter.chat(ctx.client, { model: ctx.model, messages, tools: true });
      assertToolSaid(result, TOOL_RESULTS.map((r) => r.content));
    },
  },
  {
    name: 'tool round trip (returned ids)',
    async run(ctx) {
      // The agent loop of every SDK's docs: the assistant turn goes back as returned, with one
      // result per returned call.
      const results = Object.fromEntries(TOOL_RESULTS.map((r) => [r.name, r.content]));
      const result = await ctx.adapter.agentLoop(ctx.client, { model: ctx.model, text: PARALLEL.text, results });
      assertToolSaid(result, TOOL_RESULTS.map((r) => r.content));
    },
  },
  {
    name: 'image input (base64)',
    async run(ctx) {
      const messages = [{ role: 'user', text: 'What is in this image?', image: { mime: 'image/png', data: TINY_PNG_BASE64 } }];
      assertText(await ctx.adapter.chat(ctx.client, { model: ctx.model, messages }), 'Hello from mock: What is in this image?');
      const { body } = ctx.upstream();
      const turns = { gemini: () => body.contents.at(-1).parts, 'openai-responses': () => body.input.at(-1).content };
      const user = (turns[dialectOf(ctx.providerType)] ?? (() => body.messages.at(-1).content))();
      assert.ok(Array.isArray(user), `the user turn has no parts: ${JSON.stringify(user)}`);
      switch (dialectOf(ctx.providerType)) {
        case 'openai':
          assert.ok(
            user.some((p) => p.type === 'image_url' && p.image_url?.url === `data:image/png;base64,${TINY_PNG_BASE64}`),
            `no image_url data URL part: ${JSON.stringify(user)}`,
          );
          break;
        case 'openai-responses':
          assert.ok(
            user.some((p) => p.type === 'input_image' && p.image_url === `data:image/png;base64,${TINY_PNG_BASE64}`),
            `no input_image data URL part: ${JSON.stringify(user)}`,
          );
          break;
        case 'anthropic':
          assert.ok(
            user.some((b) => b.type === 'image' && b.source?.type === 'base64' && b.source.media_type === 'image/png' && b.source.data === TINY_PNG_BASE64),
            `no base64 image block: ${JSON.stringify(user)}`,
          );
          break;
        case 'gemini':
          assert.ok(
            user.some((p) => (p.inlineData ?? p.inline_data)?.data === TINY_PNG_BASE64 && ((p.inlineData ?? p.inline_data).mimeType ?? p.inline_data?.mime_type) === 'image/png'),
            `no inlineData part: ${JSON.stringify(user)}`,
          );
          break;
      }
    },
  },
  {
    name: 'file input (PDF, base64)',
    applies: (client) => client.startsWith('openai'), // the OpenAI clients' file parts
    async run(ctx) {
      const messages = [{ role: 'user', text: 'What is in this file?', file: { name: 'tiny.pdf', mime: 'application/pdf', data: TINY_PDF_BASE64 } }];
      assertText(await ctx.adapter.chat(ctx.client, { model: ctx.model, messages }), 'Hello from mock: What is in this file?');
      const { body } = ctx.upstream();
      const parts = {
        openai: () => body.messages.at(-1).content,
        'openai-responses': () => body.input.at(-1).content,
        anthropic: () => body.messages.at(-1).content,
        gemini: () => body.contents.at(-1).parts,
      }[dialectOf(ctx.providerType)]();
      const dataUrl = `data:application/pdf;base64,${TINY_PDF_BASE64}`;
      const found = {
        openai: (p) => p.type === 'file' && p.file?.file_data === dataUrl,
        'openai-responses': (p) => p.type === 'input_file' && p.file_data === dataUrl,
        anthropic: (b) => b.type === 'document' && b.source?.type === 'base64' && b.source.media_type === 'application/pdf' && b.source.data === TINY_PDF_BASE64,
        gemini: (p) => (p.inlineData ?? p.inline_data)?.data === TINY_PDF_BASE64 && (p.inlineData ?? p.inline_data)?.mimeType === 'application/pdf',
      }[dialectOf(ctx.providerType)];
      assert.ok(Array.isArray(parts) && parts.some(found), `the upstream's turn has no such file: ${JSON.stringify(parts)}`);
    },
  },
  {
    name: 'JSON mode',
    async run(ctx) {
      const result = await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [{ role: 'user', text: 'Reply in JSON please' }], json: true });
      let parsed;
      try {
        parsed = JSON.parse(result.text);
      } catch {
        assert.fail(`the answer is not JSON: ${JSON.stringify(result.text)} (calls ${JSON.stringify(result.calls)})`);
      }
      assert.deepEqual(parsed, JSON_ANSWER);
      assert.equal(result.finish, 'stop', `finish reason (native ${JSON.stringify(result.nativeFinish)})`);
    },
  },
  {
    name: 'max tokens',
    async run(ctx) {
      assertText(await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [HELLO], maxTokens: 50 }), HELLO_ANSWER);
      assert.equal(nativeParam(ctx, 'maxTokens'), 50, 'the upstream max tokens');
    },
  },
  {
    name: 'sampling (temperature 1.5, top_p 0.9)',
    applies: (client) => client !== 'anthropic', // gone from the Anthropic API in 2026-10-21
    async run(ctx) {
      assertText(await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [HELLO], temperature: 1.5, topP: 0.9 }), HELLO_ANSWER);
      if (dialectOf(ctx.providerType) === 'anthropic') {
        const t = nativeParam(ctx, 'temperature');
        assert.ok(t === undefined || t <= 1, `Anthropic temperature ${t}`);
      } else {
        assert.equal(nativeParam(ctx, 'temperature'), 1.5, 'the upstream temperature');
        assert.equal(nativeParam(ctx, 'topP'), 0.9, 'the upstream top_p');
      }
    },
  },
  {
    name: 'stop sequences',
    // The Responses API has no stop sequences: a client cannot send them, an upstream cannot take them.
    applies: (client, providerType) => client !== 'openai-responses' && providerType !== 'openai-responses',
    async run(ctx) {
      assertText(await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [HELLO], stop: ['END', 'STOP'] }), HELLO_ANSWER);
      const native = [].concat(nativeParam(ctx, 'stop') ?? []);
      assert.deepEqual(native, ['END', 'STOP'], 'the upstream stop sequences');
    },
  },
  {
    name: 'whitespace-only stop sequence',
    applies: (client) => client !== 'anthropic' && client !== 'openai-responses', // rejected by Anthropic; no stop in Responses
    async run(ctx) {
      // Anthropic rejects whitespace-only stop sequences. The gateway may drop them or refuse the
      // request (a 400 in the client's dialect) — but must never send them to an upstream that rejects them.
      const outcome = await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [HELLO], stop: ['END', '\n'] }).then(
        (result) => ({ result }),
        (error) => ({ error }),
      );
      const sent = generationRecords(ctx.providerType, ctx.mock);
      if (outcome.result) {
        assertText(outcome.result, HELLO_ANSWER);
        const native = [].concat(nativeParam(ctx, 'stop') ?? []);
        assert.ok(native.includes('END'), `the upstream stop sequences: ${JSON.stringify(native)}`);
        return;
      }
      const err = outcome.error;
      assert.equal(err?.status, 400, `expected success or a 400, got ${err?.constructor?.name} ${err?.status}: ${err?.message}`);
      const problem = ctx.adapter.dialectProblem(err, 400);
      assert.equal(problem, null, problem ?? '');
      assert.equal(sent.length, 0, `the gateway refused with 400 after sending the request upstream: ${err.message}`);
    },
  },
  {
    name: 'usage',
    async run(ctx) {
      ctx.mock.script([{ kind: 'normal', ...USAGE_EXTRAS[ctx.providerType] }]);
      const result = await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [{ role: 'user', text: 'Count these five words please' }] });
      const expected = upstreamUsage(ctx.providerType, ctx.upstream().record);
      assert.ok(expected, 'the upstream reported no usage');
      assert.deepEqual(result.usage, expected, `client usage (raw ${JSON.stringify(result.raw?.usage ?? result.raw?.usageMetadata)})`);
    },
  },
  {
    name: 'usage (streamed)',
    async run(ctx) {
      ctx.mock.script([{ kind: 'normal', ...USAGE_EXTRAS[ctx.providerType] }]);
      const result = await ctx.adapter.chat(ctx.client, {
        model: ctx.model,
        messages: [{ role: 'user', text: 'Count these five words please' }],
        stream: true,
        streamUsage: true,
      });
      const expected = upstreamUsage(ctx.providerType, ctx.upstream().record);
      assert.ok(expected, 'the upstream reported no usage in its stream (was it asked for, e.g. stream_options.include_usage?)');
      assert.deepEqual(result.usage, expected, 'client usage');
    },
  },
  ...[false, true].map((stream) => ({
    name: `usage details: cached and reasoning tokens${stream ? ' (streamed)' : ''}`,
    // The clients whose usage has both details: OpenAI's chat completions and Responses.
    applies: (client) => client.startsWith('openai'),
    async run(ctx) {
      ctx.mock.script([{ kind: 'normal', ...USAGE_EXTRAS[ctx.providerType] }]);
      const result = await ctx.adapter.chat(ctx.client, {
        model: ctx.model,
        messages: [{ role: 'user', text: 'Count these five words please' }],
        stream,
        streamUsage: true,
      });
      const expected = upstreamUsageDetails(ctx.providerType, ctx.upstream().record);
      assert.ok(expected, 'the upstream reported no usage details');
      assert.ok(expected.cached > 0, `the mock was asked to report cached tokens: ${JSON.stringify(expected)}`);
      assert.deepEqual(result.usageDetails, expected, `usage details (raw ${JSON.stringify(result.raw?.usage)})`);
    },
  })),
  ...[false, true].map((stream) => ({
    // The usage ledger's row: the tokens the upstream reported (cache and reasoning included), the
    // cost the price table gives them in integer arithmetic (null where the model has no price).
    name: `ledger row: tokens and cost${stream ? ' (streamed)' : ''}`,
    gatewayOnly: true,  // the gateway's own record: a mock on its own has none
    async run(ctx) {
      ctx.mock.script([{ kind: 'normal', ...USAGE_EXTRAS[ctx.providerType] }]);
      const startedAfter = Date.now();
      await ctx.adapter.chat(ctx.client, {
        model: ctx.model,
        messages: [{ role: 'user', text: 'Count these five words please' }],
        stream,
        streamUsage: true,
      });
      const reported = upstreamLedgerUsage(ctx.providerType, ctx.upstream().record);
      assert.ok(reported, 'the upstream reported no usage');
      const row = await waitForLedgerRow(ctx.gatewayUrl, ctx.masterKey,
        (r) => Date.parse(r.started_at) >= startedAfter && r.stream === stream, { query: `model=${ctx.model}` });
      const tokens = {
        input: row.input_tokens, output: row.output_tokens, cache_read: row.cache_read_tokens,
        cache_write: row.cache_write_tokens, reasoning: row.reasoning_tokens,
      };
      assert.deepEqual(tokens, reported, `ledger row ${JSON.stringify(row)}`);
      assert.equal(row.usage_source, 'reported');
      assert.equal(row.status, 200);
      assert.equal(row.cost_usd, expectedCost(reported, listedPrices(ctx.priceCatalogue, ctx.upstreamModel)),
        `cost of ${JSON.stringify(reported)} for ${ctx.upstreamModel}`);
    },
  })),
  ...[false, true].map((stream) => ({
    name: `reasoning summary${stream ? ' (streamed)' : ''}`,
    applies: (client) => client === 'openai-responses',
    async run(ctx) {
      const result = await ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [HELLO], reasoning: true, stream });
      assertText(result, HELLO_ANSWER);
      // Claude's thinking, Gemini's thoughts and a Responses summary come back as the summary;
      // Chat Completions has no reasoning text to show.
      const shows = ['anthropic', 'gemini', 'openai-responses'].includes(ctx.providerType);
      assert.equal(result.reasoning, shows ? `Thinking about: ${HELLO.text}` : '', `reasoning items: ${JSON.stringify(result.raw?.output)}`);
    },
  })),
  {
    name: 'upstream 429',
    async run(ctx) {
      ctx.mock.script(Array.from({ length: 4 }, () => ({ kind: 'status', status: 429 })));
      const err = await expectError(ctx, ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [HELLO] }), 429);
      const headers = ctx.adapter.headers(err);
      if (headers) assert.ok(headers.get('retry-after'), 'a 429 must keep retry-after');
    },
  },
  {
    name: 'upstream 400',
    async run(ctx) {
      ctx.mock.script(Array.from({ length: 4 }, () => ({ kind: 'status', status: 400 })));
      await expectError(ctx, ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [HELLO] }), 400);
    },
  },
  {
    name: 'upstream 500',
    async run(ctx) {
      ctx.mock.script(Array.from({ length: 4 }, () => ({ kind: 'status', status: 500 })));
      await expectError(ctx, ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [HELLO] }), 500);
    },
  },
  {
    name: 'upstream overloaded (529 / 503)',
    async run(ctx) {
      // Anthropic says 529 overloaded_error, the others 503; Anthropic clients get 529, the others 503
      // (wire-formats §7.10).
      const upstreamStatus = ctx.providerType === 'anthropic' ? 529 : 503;
      ctx.mock.script(Array.from({ length: 4 }, () => ({ kind: 'status', status: upstreamStatus })));
      await expectError(ctx, ctx.adapter.chat(ctx.client, { model: ctx.model, messages: [HELLO] }), ctx.adapter.name === 'anthropic' ? 529 : 503);
    },
  },
  {
    name: 'mid-stream error',
    async run(ctx) {
      ctx.mock.script(Array.from({ length: 4 }, () => ({ kind: 'error_midstream', after_chunks: MIDSTREAM_AFTER[ctx.providerType] })));
      let stream;
      try {
        stream = await ctx.adapter.openStream(ctx.client, { model: ctx.model, messages: [HELLO] });
      } catch (err) {
        assert.fail(`the stream failed before it started (${err?.constructor?.name} ${err?.status ?? ''}): ${err?.message}`);
      }
      let text = '';
      const err = await (async () => {
        for await (const piece of stream.texts()) text += piece;
      })().then(
        () => null,
        (e) => e,
      );
      assert.ok(err, `the stream ended without an error (text ${JSON.stringify(text)})`);
      const ErrorClass = ctx.adapter.errorClasses.stream;
      assert.ok(err instanceof ErrorClass, `expected ${ErrorClass.name}, got ${err?.constructor?.name}: ${err?.message}`);
      assert.ok(HELLO_ANSWER.startsWith(text), `text before the error is not a prefix of the answer: ${JSON.stringify(text)}`);
    },
  },
  {
    name: 'count tokens',
    applies: (client) => !client.startsWith('openai'), // no token-counting endpoint in the OpenAI API
    async run(ctx) {
      // Providers with a counting endpoint answer exactly (the mocks count words, system included);
      // the gateway may estimate for the others.
      const request = { model: ctx.model, text: 'hello there friend', ...(ctx.adapter.name === 'anthropic' ? { system: 'Be terse' } : {}) };
      const count = await ctx.adapter.countTokens(ctx.client, request);
      assert.ok(Number.isInteger(count) && count > 0, `count ${JSON.stringify(count)}`);
      if (ctx.providerType === 'anthropic' || ctx.providerType === 'gemini') {
        assert.equal(count, request.system ? 5 : 3, 'the upstream count (words of the system prompt and the messages)');
      }
    },
  },
  {
    name: 'models list shows the alias',
    async run(ctx) {
      const ids = await ctx.adapter.listModels(ctx.client);
      assert.ok(ids.includes(ctx.model), `${ctx.model} is not in ${JSON.stringify(ids)}`);
    },
  },
  {
    name: 'unknown model → 404',
    async run(ctx) {
      await expectError(ctx, ctx.adapter.chat(ctx.client, { model: 'no-such-model', messages: [HELLO] }), 404);
    },
  },
];

/**
 * Registers one test per cell with the client pointed straight at a mock (no gateway): the mock
 * self-checks use it to prove that each cell passes against the real wire format.
 *   getClient(), getMock(): called when the tests run; skip: cell names to leave out.
 */
export function itPassesTheCells({ adapter, providerType, getClient, getMock, model, skip = [] }) {
  for (const cell of CELLS) {
    if (skip.includes(cell.name) || cell.gatewayOnly || cell.applies?.(adapter.name, providerType) === false) continue;
    it(`cell: ${cell.name}`, async () => {
      const mock = getMock();
      mock.reset();
      await cell.run({ adapter, client: getClient(), model, providerType, mock, upstream: () => lastUpstream(providerType, mock) });
    });
  }
}
