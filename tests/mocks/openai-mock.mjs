// A scriptable mock of the OpenAI Chat Completions API, used as the gateway's upstream in the
// integration and e2e suites. It speaks the wire format of tests/fixtures/openai/*, validates
// requests like the real API does, and can be told to misbehave (status codes, hangs, resets,
// truncated or failing streams) one chat request at a time.
//
//   import { startOpenAIMock } from '../mocks/openai-mock.mjs';
//   const mock = await startOpenAIMock();          // mock.url === 'http://127.0.0.1:PORT/v1'
//   mock.script([{ kind: 'status', status: 429 }]); // the next chat request gets a 429
//
// Options: port, apiKey, and tls: { key, cert } (PEM) to serve HTTPS instead of HTTP
// (mock.url is then 'https://127.0.0.1:PORT/v1').
//
// Every request is recorded (mock.requests) with method, path, lower-cased headers, raw body,
// remotePort (the client's port: same port = same connection), the response sent, and how the
// exchange ended (receivedAt, completed, closedEarly and closedAt: see trackExchange).
// mock.closeIdleConnections() closes every connection that has no request in flight, the way an
// upstream drops idle keep-alive connections, and returns how many it closed (also over HTTP:
// POST /__mock/close-idle).
//
// CLI: node tests/mocks/openai-mock.mjs --port 0 [--api-key KEY]
//
// Behaviours (consumed FIFO, one per chat request; `normal` when the queue is empty):
//   {kind:'normal'}
//   {kind:'status', status, body?, headers?}   an error status with a real OpenAI error body
//   {kind:'slow_first_byte', delay_ms}         wait, then behave normally
//   {kind:'hang'}                              never answer (the socket is freed by close())
//   {kind:'reset'}                             RST the connection before any header
//   {kind:'truncate', after_chunks}            stream: N chunks, half a frame, then drop the socket
//                                              (non-streaming: half the JSON body, then drop)
//   {kind:'error_midstream', after_chunks}     stream: N chunks, an error frame, then a clean end
//                                              (non-streaming: a plain 500)
//   {kind:'slow_stream', interval_ms}          stream with a pause between frames
//                                              (non-streaming: one pause before the answer)
//   {kind:'slow_first_content', delay_ms}      stream: the headers and the role-only first chunk
//                                              (after Azure's prompt-filter chunk) at once, then a
//                                              pause before the first content chunk, as reasoning
//                                              models do (non-streaming: the head, then the body)
//   {kind:'firehose', bytes}                   stream: ~1 KiB chunks as fast as the socket takes
//                                              them (waiting for 'drain' when write() says so)
//                                              until `bytes` are written, then [DONE]. Progress is
//                                              live in mock.lastFirehose = {written, total, done,
//                                              aborted}; the frames are not kept in the record.
//                                              (non-streaming: behaves normally)
//   {kind:'normal', cached_tokens?, reasoning_tokens?} extra usage details: cached prompt tokens
//                                              (part of prompt_tokens) and reasoning tokens (added
//                                              to completion_tokens), as the real API reports them
//
// Answers come from the deterministic model shared with the Anthropic and Gemini mocks
// (mock-answers.mjs): "Hello from mock: <last user text>"; tool calls when tools are offered
// (arguments streamed in 2–3 fragments); "Tool said: …" after tool messages; {"answer":"Hello"} in
// JSON mode. Requests are also checked the way the real API checks what gateways translate
// (openai-extras.mjs: tool message pairing, tool_choice without tools, content part types, …),
// and refused as the real API refuses unknown arguments, out-of-range numbers and models outside
// OpenAI's families (openai-strict.mjs).
//
// Azure OpenAI: startOpenAIMock({ azure: true, apiKey }) serves
// POST /openai/deployments/{deployment}/chat/completions?api-version=… (and …/embeddings) with an
// `api-key` header instead; the deployment is the model, and mock.url is the resource endpoint
// 'http://127.0.0.1:PORT'. Answers carry Azure's content-filter fields, and streams start with
// Azure's empty-choices prompt-filter chunk.
//
// POST /v1/embeddings answers deterministic vectors (mock-answers.mjs mockEmbedding), as floats or,
// with encoding_format "base64", as little-endian float32 bytes.

import http from 'node:http';
import https from 'node:https';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { once } from 'node:events';
import { setTimeout as sleep, setImmediate as nextTurn } from 'node:timers/promises';
import { pathToFileURL } from 'node:url';

import { decideAnswer, fragments, trackExchange } from './mock-answers.mjs';
import {
  AZURE_ACCESS_DENIED,
  AZURE_NOT_FOUND,
  AZURE_PROMPT_FILTER_CHUNK,
  azureCompletion,
  azureRoute,
  chatView,
  embeddingsBody,
  validateChatDetails,
  validateEmbeddings,
} from './openai-extras.mjs';
import {
  createResponsesState,
  newResponseId,
  resolveRequest,
  responseFrames,
  responseObject,
  responsesAnswer,
  storeResponse,
} from './openai-responses.mjs';
import { CHAT_FIELDS, isKnownModel, modelNotFound, validateArguments } from './openai-strict.mjs';

const FIXTURES = new URL('../fixtures/openai/', import.meta.url);
const fixture = (name) => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

const SYSTEM_FINGERPRINT = 'fp_06737a9306';
const MIDSTREAM_ERROR = {
  error: {
    message: 'The server had an error while processing your request.',
    type: 'server_error',
    param: null,
    code: null,
  },
};

// Error bodies the real API sends for the statuses the tests script.
const ERROR_BODIES = {
  400: fixture('openai.error.400.json'),
  401: fixture('openai.error.401.json'),
  404: fixture('openai.error.404.json'),
  429: fixture('openai.error.429.json'),
  500: fixture('openai.error.500.json'),
};
const GENERIC_ERROR_BODY = ERROR_BODIES[500];
const MODELS = fixture('openai.models.list.json');

const invalidRequest = (message, param = null, code = null) => ({
  error: { message, type: 'invalid_request_error', param, code },
});

/**
 * The deterministic answer and usage for a (validated) chat request: {content, toolCalls, usage}
 * (content is null when the answer is tool calls; toolCalls is null otherwise).
 */
export function mockAnswer(request, behaviour = {}) {
  const answer = decideAnswer(chatView(request));
  const content = answer.kind === 'text' ? answer.text : null;
  const toolCalls =
    answer.kind === 'tool_calls'
      ? answer.calls.map((call) => ({ id: randomId('call_', 18), type: 'function', function: { name: call.name, arguments: JSON.stringify(call.args) } }))
      : null;
  const promptTokens = answer.usage.input;
  const reasoningTokens = Math.max(0, behaviour.reasoning_tokens ?? 0);
  const completionTokens = answer.usage.output + reasoningTokens;
  return {
    content,
    toolCalls,
    usage: {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
      prompt_tokens_details: { cached_tokens: Math.max(0, Math.min(behaviour.cached_tokens ?? 0, promptTokens)), audio_tokens: 0 },
      completion_tokens_details: {
        reasoning_tokens: reasoningTokens,
        audio_tokens: 0,
        accepted_prediction_tokens: 0,
        rejected_prediction_tokens: 0,
      },
    },
  };
}

const randomId = (prefix, bytes = 22) => prefix + randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');

/** Validate a chat request the way the real API does; returns an error body or null. */
function validateChatRequest(request) {
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    return invalidRequest('Invalid request body: expected a JSON object.', null, 'invalid_type');
  }
  const argumentError = validateArguments(request, CHAT_FIELDS);
  if (argumentError) return argumentError;
  if (typeof request.model !== 'string' || request.model === '') {
    return invalidRequest('you must provide a model parameter', 'model', 'missing_required_parameter');
  }
  if (request.messages === undefined) {
    return invalidRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  }
  if (!Array.isArray(request.messages)) {
    return invalidRequest("Invalid type for 'messages': expected an array of objects.", 'messages', 'invalid_type');
  }
  if (request.messages.length === 0) {
    return invalidRequest(
      "Invalid 'messages': empty array. Expected an array with minimum length 1, but got an empty array instead.",
      'messages',
      'empty_array',
    );
  }
  if (request.stream_options != null && request.stream !== true) {
    return invalidRequest(
      "The 'stream_options' parameter is only allowed when 'stream' is enabled.",
      'stream_options',
      'invalid_value',
    );
  }
  return validateChatDetails(request);
}

/** The non-streaming `chat.completion` object, field order as in the fixtures. */
function completionBody(request, answer) {
  return {
    id: randomId('chatcmpl-'),
    object: 'chat.completion',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    choices: [
      {
        index: 0,
        message: answer.toolCalls
          ? { role: 'assistant', content: null, refusal: null, tool_calls: answer.toolCalls, annotations: [] }
          : { role: 'assistant', content: answer.content, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: answer.toolCalls ? 'tool_calls' : 'stop',
      },
    ],
    usage: answer.usage,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

/** The SSE frames of a streamed answer, `[DONE]` included, each ending with a blank line. */
function streamFrames(request, answer, options = {}) {
  const includeUsage = request.stream_options?.include_usage === true;
  const base = {
    id: randomId('chatcmpl-'),
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
  // With include_usage every chunk says "usage":null; without it the key is absent.
  const chunk = (choices, usage = null) => ({ ...base, choices, ...(includeUsage ? { usage } : {}) });
  const choice = (delta, finishReason = null) => ({ index: 0, delta, logprobs: null, finish_reason: finishReason });

  // Each word keeps its trailing whitespace so that the deltas concatenate to the exact answer.
  // Tool calls: a first fragment with id, type, name and empty arguments, then 2–3 argument pieces.
  const words = answer.content?.match(/\S+\s*/g) ?? [];
  const toolChunks = (answer.toolCalls ?? []).flatMap((call, index) => [
    chunk([choice({ tool_calls: [{ index, id: call.id, type: 'function', function: { name: call.function.name, arguments: '' } }] })]),
    ...fragments(call.function.arguments).map((piece) => chunk([choice({ tool_calls: [{ index, function: { arguments: piece } }] })])),
  ]);
  const chunks = [
    ...(options.azure ? [AZURE_PROMPT_FILTER_CHUNK] : []),
    chunk([choice({ role: 'assistant', content: answer.toolCalls ? null : '', refusal: null })]),
    ...words.map((word) => chunk([choice({ content: word })])),
    ...toolChunks,
    chunk([choice({}, answer.toolCalls ? 'tool_calls' : 'stop')]),
  ];
  if (includeUsage) chunks.push(chunk([], answer.usage));
  return [...chunks.map((c) => `data: ${JSON.stringify(c)}\n\n`), 'data: [DONE]\n\n'];
}

const FIREHOSE_FRAME_BYTES = 1024;

/** One `data: {chat.completion.chunk}\n\n` frame of exactly FIREHOSE_FRAME_BYTES bytes. */
function firehoseFrame(request) {
  const chunk = (content) => ({
    id: 'chatcmpl-firehose',
    object: 'chat.completion.chunk',
    created: Math.floor(Date.now() / 1000),
    model: request.model,
    system_fingerprint: SYSTEM_FINGERPRINT,
    choices: [{ index: 0, delta: { content }, logprobs: null, finish_reason: null }],
  });
  const frame = (content) => `data: ${JSON.stringify(chunk(content))}\n\n`;
  return frame('x'.repeat(FIREHOSE_FRAME_BYTES - Buffer.byteLength(frame(''))));
}

const lowerCaseHeaders = (headers) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

export async function startOpenAIMock({ port = 0, apiKey = 'sk-upstream-test', tls = null, azure = false } = {}) {
  const requests = [];
  const queue = [];
  const sockets = new Set(); // every TCP connection (close() destroys them)
  const connections = new Set(); // the sockets requests arrive on (TLS sockets when tls is set)
  const inFlight = new WeakMap(); // connection -> requests without a finished response
  const closing = new AbortController();
  const state = { lastFirehose: null };
  const responsesState = createResponsesState();

  const responseHeaders = (extra = {}) => ({
    'x-request-id': randomId('req_', 16),
    'openai-version': '2020-10-01',
    'openai-processing-ms': '7',
    ...extra,
  });

  // Everything the mock writes goes through these, so that the record of a request also holds
  // exactly what was answered (tests compare it with what the gateway relayed).
  function begin(res, record, status, headers) {
    record.response = { status, headers: responseHeaders(headers), body: '' };
    res.writeHead(status, record.response.headers);
  }
  function write(res, record, text) {
    if (res.destroyed) return Promise.resolve(false);
    record.response.body += text;
    // Resolves once the bytes are handed to the kernel, or false if the client went away first.
    return new Promise((resolve) => {
      const gone = () => resolve(false);
      res.once('close', gone);
      res.write(text, (err) => {
        res.off('close', gone);
        resolve(!err);
      });
    });
  }
  function sendJSON(res, record, status, body, headers = {}) {
    const text = typeof body === 'string' ? body : JSON.stringify(body);
    begin(res, record, status, {
      'content-type': 'application/json',
      'content-length': String(Buffer.byteLength(text)),
      ...headers,
    });
    record.response.body = text;
    res.end(text);
  }

  function sendScriptedStatus(res, record, { status, body, headers }) {
    const defaultHeaders = status === 429 && headers === undefined ? { 'retry-after': '1' } : {};
    sendJSON(res, record, status, body ?? ERROR_BODIES[status] ?? GENERIC_ERROR_BODY, { ...defaultHeaders, ...headers });
  }

  function resetConnection(req) {
    const socket = req.socket;
    if (typeof socket.resetAndDestroy === 'function') socket.resetAndDestroy();
    else socket.destroy();
  }

  // `options`: the error frame of error_midstream, and how many frames precede the first
  // content (for slow_first_content); Chat Completions' by default.
  async function sendStream(res, record, frames, behaviour, options = {}) {
    begin(res, record, 200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const chunkCount = frames.length - 1; // the last frame is [DONE]
    const stopAfter = Math.max(0, Math.min(behaviour.after_chunks ?? 0, chunkCount));
    const preamble = options.preamble ?? (azure ? 2 : 1); // Azure's prompt-filter chunk, the role-only chunk

    for (let i = 0; i < frames.length; i++) {
      if (behaviour.kind === 'truncate' && i === stopAfter) {
        // Half a frame and no blank line: the gateway must not relay it.
        await write(res, record, frames[i].slice(0, Math.ceil(frames[i].length / 2)));
        res.socket?.destroy();
        return;
      }
      if (behaviour.kind === 'error_midstream' && i === stopAfter) {
        await write(res, record, options.errorFrame ?? `data: ${JSON.stringify(MIDSTREAM_ERROR)}\n\n`);
        res.end();
        return;
      }
      if (behaviour.kind === 'slow_first_content' && i === preamble) {
        await sleep(behaviour.delay_ms ?? 1000, undefined, { signal: closing.signal });
        if (res.destroyed) return;
      } else if (i > 0) {
        // Yield between frames so each one leaves in its own write; pause when asked to.
        if (behaviour.kind === 'slow_stream') await sleep(behaviour.interval_ms ?? 100, undefined, { signal: closing.signal });
        else await nextTurn();
      }
      if (!(await write(res, record, frames[i]))) return; // the client went away
    }
    res.end();
  }

  /** The firehose behaviour: see the header comment. Writes straight to `res`, unrecorded. */
  async function sendFirehose(res, record, request, behaviour) {
    begin(res, record, 200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
    });
    const total = Math.max(0, Number(behaviour.bytes ?? 0));
    const progress = { written: 0, total, done: false, aborted: false };
    state.lastFirehose = progress;
    record.response.body = `[firehose: ${total} bytes, not recorded]`;
    const frame = firehoseFrame(request);
    const gone = new AbortController();
    res.once('close', () => gone.abort());
    const stop = AbortSignal.any([gone.signal, closing.signal]);
    try {
      while (progress.written < total) {
        if (res.destroyed) throw new Error('client went away');
        const accepted = res.write(frame);
        progress.written += FIREHOSE_FRAME_BYTES;
        if (!accepted) await once(res, 'drain', { signal: stop });
      }
    } catch {
      progress.aborted = true;
      return;
    }
    res.end('data: [DONE]\n\n');
    progress.done = true;
  }

  // The behaviours that act before any answer (a scripted status, a reset, a hang, a slow first
  // byte), for chat and Responses requests alike; false when the exchange is over.
  async function beforeAnswering(req, res, record, behaviour) {
    switch (behaviour.kind) {
      case 'status':
        sendScriptedStatus(res, record, behaviour);
        return false;
      case 'reset':
        resetConnection(req);
        return false;
      case 'hang':
        return false; // close() destroys the socket
      case 'slow_first_byte':
        await sleep(behaviour.delay_ms ?? 1000, undefined, { signal: closing.signal });
        return !res.destroyed;
      default:
        return true;
    }
  }

  async function handleChat(req, res, record, deployment = null) {
    const behaviour = queue.shift() ?? { kind: 'normal' };
    record.behaviour = behaviour;

    if (azure) {
      if (req.headers['api-key'] !== apiKey) return sendJSON(res, record, 401, AZURE_ACCESS_DENIED);
    } else if (req.headers.authorization !== `Bearer ${apiKey}`) {
      return sendJSON(res, record, 401, ERROR_BODIES[401]);
    }
    if (!(await beforeAnswering(req, res, record, behaviour))) return;

    let request;
    try {
      request = JSON.parse(record.body);
    } catch {
      return sendJSON(
        res,
        record,
        400,
        invalidRequest(
          "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
        ),
      );
    }
    // Azure: the deployment is the model (a model in the body is ignored).
    if (deployment !== null && request !== null && typeof request === 'object') request.model = deployment;
    const invalid = validateChatRequest(request);
    if (invalid) return sendJSON(res, record, 400, invalid);
    // Azure: the deployment names the model, whatever the customer called it.
    if (deployment === null && !isKnownModel(request.model)) return sendJSON(res, record, 404, modelNotFound(request.model));

    if (request.stream === true && behaviour.kind === 'firehose') return sendFirehose(res, record, request, behaviour);
    const answer = mockAnswer(request, behaviour);
    if (request.stream === true) return sendStream(res, record, streamFrames(request, answer, { azure }), behaviour);

    const completion = completionBody(request, answer);
    const body = JSON.stringify(azure ? azureCompletion(completion) : completion);
    switch (behaviour.kind) {
      case 'truncate': {
        begin(res, record, 200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
        await write(res, record, body.slice(0, Math.ceil(body.length / 2)));
        res.socket?.destroy();
        return;
      }
      case 'error_midstream':
        return sendJSON(res, record, 500, ERROR_BODIES[500]);
      case 'slow_stream':
        await sleep(behaviour.interval_ms ?? 100, undefined, { signal: closing.signal });
        break;
      case 'slow_first_content':
        begin(res, record, 200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) });
        res.flushHeaders();
        await sleep(behaviour.delay_ms ?? 1000, undefined, { signal: closing.signal });
        if (!res.destroyed) {
          record.response.body = body;
          res.end(body);
        }
        return;
    }
    return sendJSON(res, record, 200, body);
  }

  // POST /v1/responses: validated and answered like a chat request (the same behaviours), and
  // kept for previous_response_id, item_reference and GET/DELETE unless store is false.
  async function handleResponses(req, res, record) {
    const behaviour = queue.shift() ?? { kind: 'normal' };
    record.behaviour = behaviour;
    if (req.headers.authorization !== `Bearer ${apiKey}`) return sendJSON(res, record, 401, ERROR_BODIES[401]);
    if (!(await beforeAnswering(req, res, record, behaviour))) return;
    let request;
    try {
      request = JSON.parse(record.body);
    } catch {
      return sendJSON(res, record, 400, invalidRequest('We could not parse the JSON body of your request.'));
    }
    const resolved = resolveRequest(request, responsesState);
    if (resolved.error) return sendJSON(res, record, resolved.error.status, resolved.error.body);
    const { output, usage } = responsesAnswer(request, resolved.conversation, behaviour);
    const body = responseObject(request, { id: newResponseId(), createdAt: Math.floor(Date.now() / 1000), status: 'completed', output, usage });
    storeResponse(responsesState, request, resolved.conversation, body);
    if (request.stream === true) {
      const { frames, errorFrame } = responseFrames(request, body);
      return sendStream(res, record, [...frames, ''], behaviour, { preamble: 4, errorFrame: errorFrame('The server had an error.') });
    }
    if (behaviour.kind === 'error_midstream') return sendJSON(res, record, 500, ERROR_BODIES[500]);
    return sendJSON(res, record, 200, body);
  }

  // GET /v1/responses/{id}[/input_items] and DELETE /v1/responses/{id}.
  function handleStoredResponse(req, res, record, pathname) {
    if (req.headers.authorization !== `Bearer ${apiKey}`) return sendJSON(res, record, 401, ERROR_BODIES[401]);
    const [, id, sub] = /^\/v1\/responses\/([^/]+)(\/input_items)?$/.exec(pathname) ?? [];
    const stored = responsesState.responses.get(id);
    if (!stored || (sub && req.method !== 'GET')) {
      return sendJSON(res, record, 404, invalidRequest(`Response with id '${id}' not found.`, null, null));
    }
    if (req.method === 'DELETE') {
      responsesState.responses.delete(id);
      return sendJSON(res, record, 200, { id, object: 'response', deleted: true });
    }
    if (sub) {
      const data = [...stored.conversation].reverse();
      return sendJSON(res, record, 200, { object: 'list', data, first_id: data[0]?.id ?? null, last_id: data.at(-1)?.id ?? null, has_more: false });
    }
    return sendJSON(res, record, 200, stored.body);
  }

  function handleEmbeddings(req, res, record, deployment = null) {
    if (azure ? req.headers['api-key'] !== apiKey : req.headers.authorization !== `Bearer ${apiKey}`) {
      return sendJSON(res, record, 401, azure ? AZURE_ACCESS_DENIED : ERROR_BODIES[401]);
    }
    let request;
    try {
      request = JSON.parse(record.body);
    } catch {
      return sendJSON(res, record, 400, invalidRequest('We could not parse the JSON body of your request.'));
    }
    const invalid = validateEmbeddings(request, { modelRequired: deployment === null });
    if (invalid) return sendJSON(res, record, 400, invalid);
    if (deployment === null && !isKnownModel(request.model)) return sendJSON(res, record, 404, modelNotFound(request.model));
    return sendJSON(res, record, 200, embeddingsBody(request, deployment ?? request.model));
  }

  function handleModels(req, res, record, pathname) {
    if (req.headers.authorization !== `Bearer ${apiKey}`) return sendJSON(res, record, 401, ERROR_BODIES[401]);
    if (pathname === '/v1/models') return sendJSON(res, record, 200, MODELS);
    const id = decodeURIComponent(pathname.slice('/v1/models/'.length));
    const model = MODELS.data.find((m) => m.id === id);
    if (model) return sendJSON(res, record, 200, model);
    return sendJSON(
      res,
      record,
      404,
      invalidRequest(`The model '${id}' does not exist`, 'model', 'model_not_found'),
    );
  }

  // The same control surface as the JS API, for tests that drive the mock from another process.
  function handleControl(req, res, pathname, body) {
    const reply = (status, value) => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(JSON.stringify(value));
    };
    if (req.method === 'POST' && pathname === '/__mock/script') {
      let behaviours;
      try {
        behaviours = JSON.parse(body);
      } catch {
        return reply(400, invalidRequest('script body must be a JSON array of behaviours'));
      }
      if (!Array.isArray(behaviours)) return reply(400, invalidRequest('script body must be a JSON array of behaviours'));
      script(behaviours);
      return reply(200, { queued: queue.length });
    }
    if (req.method === 'GET' && pathname === '/__mock/requests') return reply(200, requests);
    if (req.method === 'POST' && pathname === '/__mock/reset') {
      reset();
      return reply(200, { ok: true });
    }
    if (req.method === 'POST' && pathname === '/__mock/close-idle') {
      // The connection carrying this request is busy, so it stays open for the answer.
      return reply(200, { closed: closeIdleConnections() });
    }
    return reply(404, invalidRequest(`Unknown mock control route (${req.method} ${pathname})`));
  }

  async function handle(req, res) {
    res.on('error', () => {}); // a client that went away is not the mock's problem
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const body = Buffer.concat(chunks).toString('utf8');
    const pathname = new URL(req.url, 'http://mock').pathname;

    if (pathname.startsWith('/__mock/')) return handleControl(req, res, pathname, body);

    const record = {
      method: req.method,
      path: req.url,
      headers: lowerCaseHeaders(req.headers),
      body,
      remotePort: req.socket.remotePort,
    };
    requests.push(record);
    trackExchange(record, res);

    if (azure) {
      const route = azureRoute(pathname);
      if (req.method !== 'POST' || !route || !new URL(req.url, 'http://mock').searchParams.get('api-version')) {
        return sendJSON(res, record, 404, AZURE_NOT_FOUND);
      }
      if (route.operation === 'embeddings') return handleEmbeddings(req, res, record, route.deployment);
      return handleChat(req, res, record, route.deployment);
    }
    if (req.method === 'POST' && pathname === '/v1/chat/completions') return handleChat(req, res, record);
    if (req.method === 'POST' && pathname === '/v1/embeddings') return handleEmbeddings(req, res, record);
    if (req.method === 'POST' && pathname === '/v1/responses') return handleResponses(req, res, record);
    if ((req.method === 'GET' || req.method === 'DELETE') && pathname.startsWith('/v1/responses/')) {
      return handleStoredResponse(req, res, record, pathname);
    }
    if (req.method === 'GET' && (pathname === '/v1/models' || pathname.startsWith('/v1/models/'))) {
      return handleModels(req, res, record, pathname);
    }
    return sendJSON(res, record, 404, invalidRequest(`Invalid URL (${req.method} ${pathname})`));
  }

  const onRequest = (req, res) => {
    const connection = req.socket;
    inFlight.set(connection, (inFlight.get(connection) ?? 0) + 1);
    // 'close' also follows a normal 'finish' (and is emitted once either way).
    res.once('close', () => inFlight.set(connection, inFlight.get(connection) - 1));
    handle(req, res).catch((err) => {
      if (err?.name === 'AbortError') return; // the mock is closing
      if (!res.headersSent) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: { message: `mock failure: ${err}`, type: 'server_error', param: null, code: null } }));
      } else {
        res.destroy();
      }
    });
  };
  const server = tls ? https.createServer({ key: tls.key, cert: tls.cert }, onRequest) : http.createServer(onRequest);
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on(tls ? 'secureConnection' : 'connection', (socket) => {
    connections.add(socket);
    socket.on('close', () => connections.delete(socket));
  });
  // A failed handshake (e.g. a client that rejects the certificate) is not the mock's problem.
  if (tls) server.on('tlsClientError', () => {});

  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  const actualPort = server.address().port;

  function script(behaviours) {
    for (const behaviour of behaviours) {
      if (!behaviour || typeof behaviour.kind !== 'string') throw new TypeError(`invalid behaviour: ${JSON.stringify(behaviour)}`);
      queue.push(behaviour);
    }
  }
  function reset() {
    requests.length = 0;
    queue.length = 0;
    state.lastFirehose = null;
  }
  /** Closes (FIN) every connection without a request in flight; returns how many it closed. */
  function closeIdleConnections() {
    let closed = 0;
    for (const socket of connections) {
      if (socket.destroyed || (inFlight.get(socket) ?? 0) > 0) continue;
      socket.destroy();
      closed++;
    }
    return closed;
  }
  let closed;
  function close() {
    closed ??= new Promise((resolve) => {
      closing.abort();
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
    return closed;
  }

  return {
    url: `${tls ? 'https' : 'http'}://127.0.0.1:${actualPort}${azure ? '' : '/v1'}`,
    port: actualPort,
    apiKey,
    requests,
    script,
    reset,
    close,
    closeIdleConnections,
    /** Progress of the latest firehose stream ({written, total, done, aborted}), or null. */
    get lastFirehose() {
      return state.lastFirehose;
    },
    /** The POST /v1/responses requests received so far. */
    responsesRequests: () => requests.filter((r) => r.method === 'POST' && r.path.startsWith('/v1/responses')),
    /** The chat requests received so far, parsed. */
    chatRequests: () =>
      requests.filter(
        (r) => r.method === 'POST' && (r.path.startsWith('/v1/chat/completions') || /^\/openai\/deployments\/[^/]+\/chat\/completions/.test(r.path)),
      ),
  };
}

// CLI entry point.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const option = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
  };
  const mock = await startOpenAIMock({
    port: Number(option('--port', '0')),
    apiKey: option('--api-key', 'sk-upstream-test'),
  });
  console.log(`openai-mock listening on http://127.0.0.1:${mock.port}`);
  for (const signal of ['SIGINT', 'SIGTERM']) {
    process.once(signal, () => mock.close().then(() => process.exit(0)));
  }
}
