// A scriptable mock of the Anthropic Messages API, used as the gateway's upstream in the conformance
// suite. It speaks the wire format of tests/fixtures/anthropic/* (SSE with `event:` lines, the real
// error bodies), validates requests the way the real API does (400 invalid_request_error), answers
// with the deterministic model of mock-answers.mjs, and can be told to misbehave one request at a time.
//
//   import { startAnthropicMock } from '../mocks/anthropic-mock.mjs';
//   const mock = await startAnthropicMock({ apiKey: 'sk-upstream-test' });
//   // mock.url === 'http://127.0.0.1:PORT' (no /v1: that is how the Anthropic SDK takes its baseURL)
//   mock.script([{ kind: 'status', status: 529 }]);   // the next /v1/messages request gets a 529
//
// Routes: POST /v1/messages (stream and not), POST /v1/messages/count_tokens, GET /v1/models[/{id}].
// Auth: `x-api-key: KEY` or `Authorization: Bearer KEY`, plus an `anthropic-version` header.
// Versions: 2023-06-01 and 2026-10-21 are both accepted; with 2026-10-21 `temperature`, `top_p` and
// `top_k` are rejected and `role: "system"` messages are allowed.
//
// Behaviours (FIFO, one per /v1/messages request; `normal` when the queue is empty):
//   {kind:'normal', cache_read_tokens?, cache_creation_tokens?}
//                                             cache counts are carved out of input_tokens (which,
//                                             as in the real API, excludes cached tokens)
//   {kind:'status', status, body?, headers?}  an error status with the real Anthropic error body
//                                             (429 gets `retry-after: 1` unless headers are given)
//   {kind:'slow_first_byte', delay_ms}        wait, then behave normally
//   {kind:'hang'}                             never answer
//   {kind:'reset'}                            RST the connection before any header
//   {kind:'truncate', after_chunks}           stream: N events, half an event, then drop the socket
//   {kind:'error_midstream', after_chunks}    stream: N events, then `event: error` overloaded_error
//                                             and a clean end (non-streaming: a plain 500)
//   {kind:'slow_stream', interval_ms}         a pause between events
//   {kind:'slow_first_content', delay_ms}     stream: headers, message_start, ping and the first
//                                             content_block_start at once, then a pause before the
//                                             first delta (non-streaming: the head, then the body)
//
// Answers (see mock-answers.mjs): text "Hello from mock: <last user text>"; tool calls when tools are
// offered (preceded by a "Let me check." text block, as Claude does, unless tool_choice forces tool use); "Tool said: …" after tool results; {"answer":"Hello"} for output_config.format json_schema.
//
// Every request is recorded (mock.requests: method, path, lower-cased headers, raw body, response).

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { countWords, decideAnswer, fragments, isBase64, sniffImageType, thinkingText, wordChunks } from './mock-answers.mjs';
import { applyCompleteBehaviour, applyPreBehaviour, startMockServer } from './mock-server.mjs';

const FIXTURES = new URL('../fixtures/anthropic/', import.meta.url);
const fixture = (name) => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

export const ANTHROPIC_VERSIONS = ['2023-06-01', '2026-10-21'];
const NEW_VERSION = '2026-10-21';

const ERROR_BODIES = {
  400: fixture('anthropic.error.400.json'),
  401: fixture('anthropic.error.401.json'),
  403: fixture('anthropic.error.403.json'),
  404: fixture('anthropic.error.404.json'),
  413: fixture('anthropic.error.413.json'),
  429: fixture('anthropic.error.429.json'),
  500: fixture('anthropic.error.500.json'),
  529: fixture('anthropic.error.529.json'),
};
const MODELS = fixture('anthropic.models.list.json');
const OVERLOADED = { type: 'error', error: { type: 'overloaded_error', message: 'Overloaded' } };
const PREAMBLE = 'Let me check.';

const ID_PATTERN = /^[a-zA-Z0-9_-]+$/;
const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,128}$/;
const IMAGE_TYPES = ['image/jpeg', 'image/png', 'image/gif', 'image/webp'];

const MESSAGE_FIELDS = [
  'model', 'messages', 'max_tokens', 'cache_control', 'container', 'diagnostics', 'inference_geo', 'metadata',
  'output_config', 'service_tier', 'speed', 'stop_sequences', 'stream', 'system', 'temperature', 'thinking',
  'tool_choice', 'tools', 'top_k', 'top_p', 'user_profile_id', 'workspace_id', 'mcp_servers',
];
const COUNT_FIELDS = ['model', 'messages', 'cache_control', 'output_config', 'system', 'thinking', 'tool_choice', 'tools', 'mcp_servers'];
const SAMPLING_FIELDS = ['temperature', 'top_p', 'top_k'];
const USER_BLOCKS = ['text', 'image', 'document', 'tool_result', 'search_result'];
const ASSISTANT_BLOCKS = ['text', 'tool_use', 'thinking', 'redacted_thinking', 'server_tool_use', 'web_search_tool_result'];

const randomId = (prefix, bytes = 18) => prefix + randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const tags = (list) => list.map((t) => `'${t}'`).join(', ');

class Invalid extends Error {}
const invalid = (message) => {
  throw new Invalid(message);
};

/** The text of a content value (string, or text blocks joined by a space). */
function contentText(content) {
  if (typeof content === 'string') return content;
  if (!Array.isArray(content)) return '';
  return content
    .filter((b) => b?.type === 'text' && typeof b.text === 'string')
    .map((b) => b.text)
    .join(' ');
}

// A document's source as the API takes it: a base64 PDF, a URL, plain text, or a file id.
function validateDocument(block, at) {
  const source = block.source;
  if (!isObject(source)) invalid(`${at}.source: Field required`);
  if (source.type === 'base64') {
    if (source.media_type !== 'application/pdf') invalid(`${at}.source.base64.media_type: Input should be 'application/pdf'`);
    if (!isBase64(source.data) || !Buffer.from(source.data, 'base64').subarray(0, 5).equals(Buffer.from('%PDF-'))) {
      invalid(`${at}.source.base64.data: The PDF specified was not valid.`);
    }
  } else if (source.type === 'text') {
    if (source.media_type !== 'text/plain') invalid(`${at}.source.text.media_type: Input should be 'text/plain'`);
    if (typeof source.data !== 'string') invalid(`${at}.source.text.data: Field required`);
  } else if (source.type === 'url') {
    if (typeof source.url !== 'string' || !/^https?:\/\//.test(source.url)) invalid(`${at}.source.url.url: Input should be a valid URL`);
  } else if (source.type !== 'file' && source.type !== 'content') {
    invalid(`${at}.source: Input tag '${source.type}' found using 'type' does not match any of the expected tags: 'base64', 'content', 'file', 'text', 'url'`);
  }
}

function validateImage(block, at) {
  const source = block.source;
  if (!isObject(source)) invalid(`${at}.source: Field required`);
  if (source.type === 'base64') {
    if (!IMAGE_TYPES.includes(source.media_type)) {
      invalid(`${at}.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'`);
    }
    if (typeof source.data !== 'string') invalid(`${at}.source.base64.data: Field required`);
    if (!isBase64(source.data)) invalid(`${at}.source.base64.data: Invalid base64 data`);
    const actual = sniffImageType(source.data);
    if (actual && actual !== source.media_type) {
      invalid(`${at}.source.base64.data: The image was specified using the ${source.media_type} media type, but the image appears to be a ${actual} image`);
    }
    if (!actual) invalid(`${at}.source.base64.data: Could not process image`);
  } else if (source.type === 'url') {
    if (typeof source.url !== 'string' || !/^https?:\/\//.test(source.url)) invalid(`${at}.source.url.url: Input should be a valid URL`);
  } else if (source.type === 'file') {
    if (typeof source.file_id !== 'string') invalid(`${at}.source.file.file_id: Field required`);
  } else {
    invalid(`${at}.source: Input tag '${source.type}' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'`);
  }
}

function validateText(text, at, where = 'messages') {
  if (typeof text !== 'string') invalid(`${at}.text: Input should be a valid string`);
  if (text === '') invalid(`${where}: text content blocks must be non-empty`);
  if (text.trim() === '') invalid(`${where}: text content blocks must contain non-whitespace text`);
}

function validateBlocks(message, i) {
  const { role, content } = message;
  if (typeof content === 'string') {
    if (content === '' && role === 'user') invalid(`messages.${i}: user messages must have non-empty content`);
    return;
  }
  if (!Array.isArray(content)) invalid(`messages.${i}.content: Input should be a valid list`);
  if (content.length === 0 && role === 'user') invalid(`messages.${i}: user messages must have non-empty content`);
  const allowed = role === 'user' ? USER_BLOCKS : role === 'assistant' ? ASSISTANT_BLOCKS : ['text'];
  let sawOther = false;
  content.forEach((block, j) => {
    const at = `messages.${i}.content.${j}`;
    if (!isObject(block)) invalid(`${at}: Input should be a valid dictionary or object to extract fields from`);
    if (![...USER_BLOCKS, ...ASSISTANT_BLOCKS].includes(block.type)) {
      invalid(`${at}: Input tag '${block.type}' found using 'type' does not match any of the expected tags: ${tags([...new Set([...USER_BLOCKS, ...ASSISTANT_BLOCKS])])}`);
    }
    if (!allowed.includes(block.type)) {
      invalid(`${at}: \`${block.type}\` blocks are not allowed in \`${role}\` messages`);
    }
    switch (block.type) {
      case 'text':
        validateText(block.text, `${at}.text`);
        break;
      case 'image':
        validateImage(block, `${at}.image`);
        break;
      case 'document':
        validateDocument(block, `${at}.document`);
        break;
      case 'tool_use':
        if (typeof block.id !== 'string' || !ID_PATTERN.test(block.id)) {
          invalid(`${at}.tool_use.id: String should match pattern '^[a-zA-Z0-9_-]+$'`);
        }
        if (typeof block.name !== 'string' || block.name === '') invalid(`${at}.tool_use.name: Field required`);
        if (!isObject(block.input)) invalid(`${at}.tool_use.input: Input should be a valid dictionary`);
        break;
      case 'tool_result':
        if (sawOther) {
          invalid(`messages.${i}: \`tool_result\` blocks must come first in the content of a user message, before any other blocks`);
        }
        if (typeof block.tool_use_id !== 'string' || !ID_PATTERN.test(block.tool_use_id)) {
          invalid(`${at}.tool_result.tool_use_id: String should match pattern '^[a-zA-Z0-9_-]+$'`);
        }
        if (block.content !== undefined && typeof block.content !== 'string') {
          if (!Array.isArray(block.content)) invalid(`${at}.tool_result.content: Input should be a valid string or list`);
          block.content.forEach((inner, k) => {
            const innerAt = `${at}.tool_result.content.${k}`;
            if (!['text', 'image', 'document', 'search_result'].includes(inner?.type)) {
              invalid(`${innerAt}: Input tag '${inner?.type}' found using 'type' does not match any of the expected tags: 'text', 'image', 'document', 'search_result'`);
            }
            if (inner.type === 'text') validateText(inner.text, `${innerAt}.text`);
            if (inner.type === 'image') validateImage(inner, `${innerAt}.image`);
          });
        }
        if (block.is_error !== undefined && typeof block.is_error !== 'boolean') invalid(`${at}.tool_result.is_error: Input should be a valid boolean`);
        break;
    }
    if (block.type !== 'tool_result') sawOther = true;
  });
}

function validateSchema(schema, at) {
  if (!isObject(schema)) invalid(`${at}: Field required`);
  if (schema.type !== 'object') invalid(`${at}.type: Input should be 'object'`);
}

/** Validates a Messages (or count_tokens) request like the real API; throws Invalid. */
function validateRequest(body, version, { countTokens = false } = {}) {
  if (!isObject(body)) invalid('There was an issue with your request body: expected a JSON object');
  const fields = countTokens ? COUNT_FIELDS : MESSAGE_FIELDS;
  for (const key of Object.keys(body)) {
    if (!fields.includes(key)) invalid(`${key}: Extra inputs are not permitted`);
    if (version === NEW_VERSION && SAMPLING_FIELDS.includes(key)) invalid(`${key}: Extra inputs are not permitted`);
  }
  if (typeof body.model !== 'string' || body.model === '') invalid('model: Field required');
  if (!countTokens) {
    if (body.max_tokens === undefined) invalid('max_tokens: Field required');
    if (!Number.isInteger(body.max_tokens) || body.max_tokens < 0) invalid('max_tokens: Input should be a valid integer greater than or equal to 0');
  }
  if (body.stream !== undefined && typeof body.stream !== 'boolean') invalid('stream: Input should be a valid boolean');
  if (typeof body.temperature === 'number' && (body.temperature < 0 || body.temperature > 1)) {
    invalid(`temperature: Input should be ${body.temperature < 0 ? 'greater than or equal to 0' : 'less than or equal to 1'}`);
  }
  if (body.top_k !== undefined && (!Number.isInteger(body.top_k) || body.top_k < 0)) invalid('top_k: Input should be a valid integer greater than or equal to 0');

  if (body.system !== undefined) {
    if (typeof body.system === 'string') {
      // An empty system string is accepted.
    } else if (Array.isArray(body.system)) {
      body.system.forEach((block, j) => {
        if (block?.type !== 'text') invalid(`system.${j}.type: Input should be 'text'`);
        validateText(block.text, `system.${j}.text`, 'system');
      });
    } else {
      invalid('system: Input should be a valid string or list');
    }
  }

  if (body.stop_sequences !== undefined) {
    if (!Array.isArray(body.stop_sequences)) invalid('stop_sequences: Input should be a valid list');
    body.stop_sequences.forEach((s, j) => {
      if (typeof s !== 'string') invalid(`stop_sequences.${j}: Input should be a valid string`);
      if (s.trim() === '') invalid('stop_sequences: each stop sequence must contain non-whitespace characters');
    });
  }

  if (body.thinking !== undefined) {
    const thinking = body.thinking;
    if (!isObject(thinking) || !['enabled', 'disabled', 'adaptive'].includes(thinking.type)) {
      invalid(`thinking: Input tag '${thinking?.type}' found using 'type' does not match any of the expected tags: 'enabled', 'disabled', 'adaptive'`);
    }
    if (thinking.type === 'enabled') {
      if (!Number.isInteger(thinking.budget_tokens) || thinking.budget_tokens < 1024) {
        invalid('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
      }
      if (!countTokens && body.max_tokens <= thinking.budget_tokens) invalid('`max_tokens` must be greater than `thinking.budget_tokens`.');
    }
  }

  if (body.output_config !== undefined) {
    if (!isObject(body.output_config)) invalid('output_config: Input should be a valid dictionary');
    const format = body.output_config.format;
    if (format != null) {
      if (!isObject(format) || format.type !== 'json_schema') {
        invalid(`output_config.format: Input tag '${format?.type}' found using 'type' does not match any of the expected tags: 'json_schema'`);
      }
      if (!isObject(format.schema)) invalid('output_config.format.json_schema.schema: Field required');
    }
  }

  // Tools.
  const toolNames = [];
  if (body.tools !== undefined) {
    if (!Array.isArray(body.tools)) invalid('tools: Input should be a valid list');
    body.tools.forEach((tool, j) => {
      if (!isObject(tool)) invalid(`tools.${j}: Input should be a valid dictionary`);
      if (tool.type !== undefined && tool.type !== 'custom') {
        toolNames.push(tool.name); // a server tool (web_search_…, bash_…): not checked further
        return;
      }
      if (typeof tool.name !== 'string' || !TOOL_NAME_PATTERN.test(tool.name)) {
        invalid(`tools.${j}.custom.name: String should match pattern '^[a-zA-Z0-9_-]{1,128}$'`);
      }
      validateSchema(tool.input_schema, `tools.${j}.custom.input_schema`);
      if (toolNames.includes(tool.name)) invalid('tools: Tool names must be unique.');
      toolNames.push(tool.name);
    });
  }
  if (body.tool_choice !== undefined) {
    const choice = body.tool_choice;
    if (!isObject(choice) || !['auto', 'any', 'tool', 'none'].includes(choice.type)) {
      invalid(`tool_choice: Input tag '${choice?.type}' found using 'type' does not match any of the expected tags: 'auto', 'any', 'tool', 'none'`);
    }
    if (choice.type !== 'none' && toolNames.length === 0) invalid('tool_choice: tool_choice may only be specified while providing tools.');
    if (choice.type === 'tool' && !toolNames.includes(choice.name)) invalid(`tool_choice.tool.name: Tool '${choice.name}' not found in provided tools`);
    if (choice.disable_parallel_tool_use !== undefined && typeof choice.disable_parallel_tool_use !== 'boolean') {
      invalid(`tool_choice.${choice.type}.disable_parallel_tool_use: Input should be a valid boolean`);
    }
  }

  // Messages.
  if (body.messages === undefined) invalid('messages: Field required');
  if (!Array.isArray(body.messages)) invalid('messages: Input should be a valid list');
  if (body.messages.length === 0) invalid('messages: at least one message is required');
  const roles = version === NEW_VERSION ? ['user', 'assistant', 'system'] : ['user', 'assistant'];
  body.messages.forEach((message, i) => {
    if (!isObject(message)) invalid(`messages.${i}: Input should be a valid dictionary`);
    if (!roles.includes(message.role)) {
      invalid(`messages.${i}.role: Input should be ${roles.map((r) => `'${r}'`).join(' or ').replace(/ or (?=.* or )/g, ', ')}`);
    }
    if (message.content === undefined) invalid(`messages.${i}.content: Field required`);
    validateBlocks(message, i);
  });
  const last = body.messages.at(-1);
  if (last.role === 'assistant' && /\s$/.test(contentText(last.content))) {
    invalid('messages: final assistant content cannot end with trailing whitespace');
  }

  // Tool pairing: the tool_use ids of an assistant message must be answered by tool_result blocks in
  // the immediately following user message, and every tool_result must answer one of them.
  const blocksOf = (m) => (Array.isArray(m?.content) ? m.content : []);
  let usesTools = false;
  body.messages.forEach((message, i) => {
    const blocks = blocksOf(message);
    if (blocks.some((b) => b.type === 'tool_use' || b.type === 'tool_result')) usesTools = true;
    if (message.role === 'assistant') {
      const ids = blocks.filter((b) => b.type === 'tool_use').map((b) => b.id);
      if (ids.length === 0) return;
      const next = body.messages[i + 1];
      if (!next) return; // a trailing assistant turn with tool calls: the caller has not answered yet
      const answered = next.role === 'user' ? blocksOf(next).filter((b) => b.type === 'tool_result').map((b) => b.tool_use_id) : [];
      const missing = ids.filter((id) => !answered.includes(id));
      if (missing.length > 0) {
        invalid(`messages.${i}: \`tool_use\` ids were found without \`tool_result\` blocks immediately after: ${missing.join(', ')}. Each \`tool_use\` block must have a corresponding \`tool_result\` block in the next message.`);
      }
    }
    if (message.role === 'user') {
      const prev = body.messages[i - 1];
      const offered = prev?.role === 'assistant' ? blocksOf(prev).filter((b) => b.type === 'tool_use').map((b) => b.id) : [];
      blocks.forEach((b, j) => {
        if (b.type === 'tool_result' && !offered.includes(b.tool_use_id)) {
          invalid(`messages.${i}.content.${j}: unexpected \`tool_use_id\` found in \`tool_result\` blocks: ${b.tool_use_id}. Each \`tool_result\` block must have a corresponding \`tool_use\` block in the previous message.`);
        }
      });
    }
  });
  if (usesTools) {
    if (toolNames.length === 0) invalid('Requests which include `tool_use` or `tool_result` blocks must define tools.');
    body.messages.forEach((message, i) => {
      blocksOf(message).forEach((b, j) => {
        if (b.type === 'tool_use' && !toolNames.includes(b.name)) {
          invalid(`messages.${i}.content.${j}: \`tool_use\` block references tool '${b.name}', which is not defined in \`tools\``);
        }
      });
    });
  }
}

/** The neutral view of a (validated) request, for decideAnswer(). */
function neutralView(body) {
  const texts = [];
  if (body.system !== undefined) texts.push(contentText(body.system));
  const resultText = (block) => (typeof block.content === 'string' ? block.content : contentText(block.content ?? ''));
  for (const message of body.messages) {
    if (typeof message.content === 'string') texts.push(message.content);
    else {
      for (const block of message.content) {
        if (block.type === 'text') texts.push(block.text);
        if (block.type === 'tool_result') texts.push(resultText(block));
      }
    }
  }
  const lastUser = [...body.messages].reverse().find((m) => m.role === 'user');
  let lastTurn = { kind: 'none' };
  if (lastUser) {
    const results = Array.isArray(lastUser.content) ? lastUser.content.filter((b) => b.type === 'tool_result') : [];
    lastTurn = results.length > 0 ? { kind: 'tool_results', results: results.map(resultText) } : { kind: 'text', text: contentText(lastUser.content) };
  }
  const tools = (body.tools ?? []).filter((t) => t.type === undefined || t.type === 'custom').map((t) => ({ name: t.name, schema: t.input_schema }));
  const choice = body.tool_choice;
  const toolChoice =
    choice?.type === 'none' ? { mode: 'none' } : choice?.type === 'tool' ? { mode: 'tool', name: choice.name } : choice?.type === 'any' ? { mode: 'required' } : { mode: 'auto' };
  return { texts, lastTurn, tools, toolChoice, json: body.output_config?.format?.type === 'json_schema' };
}

/** The answer as Anthropic content blocks, stop reason and usage. */
export function anthropicAnswer(body, behaviour = {}) {
  const view = neutralView(body);
  const answer = decideAnswer(view);
  const blocks = [];
  let output = answer.usage.output;
  if (answer.kind === 'text') {
    blocks.push({ type: 'text', text: answer.text });
  } else {
    if (view.toolChoice.mode === 'auto') {
      blocks.push({ type: 'text', text: PREAMBLE });
      output += PREAMBLE.split(/\s+/).length;
    }
    for (const call of answer.calls) {
      blocks.push({ type: 'tool_use', id: randomId('toolu_01'), name: call.name, input: call.args, caller: { type: 'direct' } });
    }
  }
  // With thinking on, Claude thinks first: a signed thinking block, counted as output.
  if (body.thinking?.type === 'enabled' || body.thinking?.type === 'adaptive') {
    const thinking = thinkingText(view);
    blocks.unshift({ type: 'thinking', thinking, signature: `sig_${Buffer.from(thinking).toString('base64')}` });
    output += countWords(thinking);
  }
  const cacheRead = Math.max(0, Math.min(behaviour.cache_read_tokens ?? 0, answer.usage.input));
  const cacheCreation = Math.max(0, Math.min(behaviour.cache_creation_tokens ?? 0, answer.usage.input - cacheRead));
  return {
    blocks,
    stopReason: answer.kind === 'tool_calls' ? 'tool_use' : 'end_turn',
    usage: {
      input_tokens: answer.usage.input - cacheRead - cacheCreation,
      cache_creation_input_tokens: cacheCreation,
      cache_read_input_tokens: cacheRead,
      output_tokens: output,
    },
  };
}

function messageBody(body, answer) {
  return {
    id: randomId('msg_01'),
    type: 'message',
    role: 'assistant',
    model: body.model,
    content: answer.blocks,
    stop_reason: answer.stopReason,
    stop_sequence: null,
    usage: {
      cache_creation: null,
      cache_creation_input_tokens: answer.usage.cache_creation_input_tokens,
      cache_read_input_tokens: answer.usage.cache_read_input_tokens,
      inference_geo: null,
      server_tool_use: null,
      service_tier: 'standard',
      input_tokens: answer.usage.input_tokens,
      output_tokens: answer.usage.output_tokens,
    },
    stop_details: null,
    container: null,
  };
}

const sse = (event) => `event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`;

/** The SSE events of a streamed answer, exactly in the order and shape of the fixtures. */
function streamEvents(body, answer) {
  const events = [
    {
      type: 'message_start',
      message: {
        id: randomId('msg_01'),
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: answer.usage.input_tokens,
          cache_creation_input_tokens: answer.usage.cache_creation_input_tokens,
          cache_read_input_tokens: answer.usage.cache_read_input_tokens,
          output_tokens: 1,
          service_tier: 'standard',
        },
      },
    },
    { type: 'ping' },
  ];
  answer.blocks.forEach((block, index) => {
    if (block.type === 'thinking') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'thinking', thinking: '', signature: '' } });
      for (const word of wordChunks(block.thinking)) {
        events.push({ type: 'content_block_delta', index, delta: { type: 'thinking_delta', thinking: word } });
      }
      events.push({ type: 'content_block_delta', index, delta: { type: 'signature_delta', signature: block.signature } });
    } else if (block.type === 'text') {
      events.push({ type: 'content_block_start', index, content_block: { type: 'text', text: '' } });
      for (const word of wordChunks(block.text)) {
        events.push({ type: 'content_block_delta', index, delta: { type: 'text_delta', text: word } });
      }
    } else {
      events.push({ type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } });
      for (const partial of ['', ...fragments(JSON.stringify(block.input))]) {
        events.push({ type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json: partial } });
      }
    }
    events.push({ type: 'content_block_stop', index });
  });
  events.push(
    { type: 'message_delta', delta: { stop_reason: answer.stopReason, stop_sequence: null }, usage: { output_tokens: answer.usage.output_tokens } },
    { type: 'message_stop' },
  );
  return events.map(sse);
}

export async function startAnthropicMock({ port = 0, apiKey = 'sk-upstream-test' } = {}) {
  const withRequestId = (record) => {
    record.requestId ??= randomId('req_01', 16);
    return record.requestId;
  };
  const errorBody = (record, status, type, message) => ({ type: 'error', error: { type, message }, request_id: withRequestId(record) });

  async function handle(req, res, record, url, io) {
    const send = (status, body, headers) => io.sendJSON(res, record, status, body, headers);
    const fail = (status, type, message) => send(status, errorBody(record, status, type, message));
    const route = url.pathname;
    const isMessages = req.method === 'POST' && route === '/v1/messages';
    const isCount = req.method === 'POST' && route === '/v1/messages/count_tokens';
    const isModels = req.method === 'GET' && (route === '/v1/models' || route.startsWith('/v1/models/'));
    if (!isMessages && !isCount && !isModels) return fail(404, 'not_found_error', 'Not Found');

    const behaviour = isMessages ? io.nextBehaviour() : { kind: 'normal' };
    record.behaviour = behaviour;

    // Auth and version first, as the real API does.
    const bearer = /^Bearer (.+)$/.exec(req.headers.authorization ?? '')?.[1];
    const key = req.headers['x-api-key'] ?? bearer;
    if (key === undefined) return fail(401, 'authentication_error', 'x-api-key header is required');
    if (key !== apiKey) {
      return send(401, { ...ERROR_BODIES[401], request_id: withRequestId(record) });
    }
    const version = req.headers['anthropic-version'];
    if (!version) return fail(400, 'invalid_request_error', 'anthropic-version: header is required');
    if (!/^\d{4}-\d{2}-\d{2}$/.test(version)) return fail(400, 'invalid_request_error', `anthropic-version: invalid version '${version}'`);

    const sendStatus = ({ status, body, headers }) => {
      const defaults = status === 429 && headers === undefined ? { 'retry-after': '1' } : {};
      const base = body ?? ERROR_BODIES[status] ?? ERROR_BODIES[500];
      send(status, typeof base === 'string' ? base : { ...base, request_id: withRequestId(record) }, { ...defaults, ...headers });
    };
    if (await applyPreBehaviour(req, res, record, behaviour, io, sendStatus)) return;

    if (isModels) {
      if (route === '/v1/models') return send(200, MODELS);
      const id = decodeURIComponent(route.slice('/v1/models/'.length));
      const model = MODELS.data.find((m) => m.id === id);
      return model ? send(200, model) : fail(404, 'not_found_error', `model: ${id}`);
    }

    let body;
    try {
      body = JSON.parse(record.body);
    } catch {
      return fail(400, 'invalid_request_error', 'There was an issue with your request body: invalid JSON');
    }
    try {
      validateRequest(body, version, { countTokens: isCount });
    } catch (err) {
      if (err instanceof Invalid) return fail(400, 'invalid_request_error', err.message);
      throw err;
    }
    if (!body.model.startsWith('claude-')) return fail(404, 'not_found_error', `model: ${body.model}`);

    if (isCount) return send(200, { input_tokens: decideAnswer(neutralView(body)).usage.input });

    const answer = anthropicAnswer(body, behaviour);
    if (body.stream === true) {
      return io.sendFrames(res, record, streamEvents(body, answer), behaviour, {
        errorFrame: sse(OVERLOADED),
        headers: { 'request-id': withRequestId(record) },
        preamble: 3, // message_start, ping, content_block_start
      });
    }
    const text = JSON.stringify(messageBody(body, answer));
    if (await applyCompleteBehaviour(res, record, behaviour, io, sendStatus, text, 'application/json')) return;
    return send(200, text);
  }

  const server = await startMockServer({
    port,
    handle,
    responseHeaders: (record) => ({ 'request-id': withRequestId(record), 'anthropic-organization-id': 'org-mock' }),
  });

  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    apiKey,
    requests: server.requests,
    script: server.script,
    reset: server.reset,
    close: server.close,
    /** The POST /v1/messages requests received so far. */
    messageRequests: () => server.requests.filter((r) => r.method === 'POST' && new URL(r.path, 'http://m').pathname === '/v1/messages'),
  };
}

// CLI entry point.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const option = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
  };
  const mock = await startAnthropicMock({ port: Number(option('--port', '0')), apiKey: option('--api-key', 'sk-upstream-test') });
  console.log(`anthropic-mock listening on ${mock.url}`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => mock.close().then(() => process.exit(0)));
}
