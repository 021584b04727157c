// The fast upstream every proxy target shares: nginx `return 200` of realistic provider
// answers, so the upstream is never the bottleneck. One location per wire format and mode:
//
//   /openai/v1/chat/completions           chat.completion JSON
//   /openai-stream/v1/chat/completions    chat.completion.chunk SSE (usage chunk, [DONE])
//   /anthropic/v1/messages                Messages JSON
//   /anthropic-stream/v1/messages         Messages SSE (message_start .. message_stop)
//   /openai/v1/responses                  Responses API `response` JSON
//   /openai-stream/v1/responses           Responses API typed events (response.created .. response.completed)
//
// Shapes follow tests/fixtures/{openai,anthropic}; the streams carry STREAM_TOKENS deltas.

export const STREAM_TOKENS = 20;
const WORDS = ['Hello', '!', ' How', ' can', ' I', ' help', ' you', ' today', '?', ' I', ' can', ' answer',
  ' questions', ',', ' write', ' code', ' and', ' explain', ' things', '.'];
const TEXT = WORDS.join('');

export const openaiResponse = JSON.stringify({
  id: 'chatcmpl-bench', object: 'chat.completion', created: 1741569952, model: 'gpt-4o-mini-2024-07-18',
  choices: [{ index: 0, message: { role: 'assistant', content: TEXT, refusal: null, annotations: [] },
    logprobs: null, finish_reason: 'stop' }],
  usage: { prompt_tokens: 19, completion_tokens: 20, total_tokens: 39,
    prompt_tokens_details: { cached_tokens: 0, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0 } },
  service_tier: 'default', system_fingerprint: 'fp_06737a9306',
});

export function openaiStream() {
  const base = { id: 'chatcmpl-bench', object: 'chat.completion.chunk', created: 1741569952,
    model: 'gpt-4o-mini-2024-07-18', system_fingerprint: 'fp_06737a9306' };
  const chunk = (delta, finish = null, extra = {}) => `data: ${JSON.stringify({ ...base,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }], usage: null, ...extra })}\n\n`;
  let out = chunk({ role: 'assistant', content: '', refusal: null });
  for (const word of WORDS.slice(0, STREAM_TOKENS)) out += chunk({ content: word });
  out += chunk({}, 'stop');
  out += `data: ${JSON.stringify({ ...base, choices: [], usage: { prompt_tokens: 19, completion_tokens: STREAM_TOKENS,
    total_tokens: 19 + STREAM_TOKENS, prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 } } })}\n\n`;
  return out + 'data: [DONE]\n\n';
}

export const anthropicResponse = JSON.stringify({
  id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF', type: 'message', role: 'assistant', model: 'claude-sonnet-4-5-20250929',
  content: [{ type: 'text', text: TEXT }], stop_reason: 'end_turn', stop_sequence: null,
  usage: { cache_creation: null, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, inference_geo: null,
    server_tool_use: null, service_tier: 'standard', input_tokens: 19, output_tokens: 20 },
});

export function anthropicStream() {
  const event = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  let out = event('message_start', { message: { id: 'msg_S1', type: 'message', role: 'assistant',
    model: 'claude-sonnet-4-5-20250929', content: [], stop_reason: null, stop_sequence: null,
    usage: { input_tokens: 19, cache_creation_input_tokens: 0, cache_read_input_tokens: 0, output_tokens: 1,
      service_tier: 'standard' } } });
  out += event('content_block_start', { index: 0, content_block: { type: 'text', text: '' } });
  out += event('ping', {});
  for (const word of WORDS.slice(0, STREAM_TOKENS)) {
    out += event('content_block_delta', { index: 0, delta: { type: 'text_delta', text: word } });
  }
  out += event('content_block_stop', { index: 0 });
  out += event('message_delta', { delta: { stop_reason: 'end_turn', stop_sequence: null },
    usage: { output_tokens: STREAM_TOKENS } });
  return out + event('message_stop', {});
}

const responseObject = (status, output, usage) => ({
  id: 'resp_bench', object: 'response', created_at: 1741476542, status, error: null, incomplete_details: null,
  instructions: null, max_output_tokens: null, model: 'gpt-4.1-2025-04-14', output, parallel_tool_calls: true,
  previous_response_id: null, reasoning: { effort: null, summary: null }, store: false, temperature: 1.0,
  text: { format: { type: 'text' } }, tool_choice: 'auto', tools: [], top_p: 1.0, truncation: 'disabled', metadata: {}, usage,
});
const responsesUsage = { input_tokens: 19, input_tokens_details: { cached_tokens: 0 }, output_tokens: STREAM_TOKENS,
  output_tokens_details: { reasoning_tokens: 0 }, total_tokens: 19 + STREAM_TOKENS };
const messageItem = (text) => ({ type: 'message', id: 'msg_bench', status: 'completed', role: 'assistant',
  content: [{ type: 'output_text', text, annotations: [], logprobs: [] }] });

export const responsesResponse = JSON.stringify(responseObject('completed', [messageItem(TEXT)], responsesUsage));

export function responsesStream() {
  let sequence = 0;
  const event = (type, data) => `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...data })}\n\n`;
  const at = { item_id: 'msg_bench', output_index: 0, content_index: 0 };
  let out = event('response.created', { response: responseObject('in_progress', [], null) });
  out += event('response.in_progress', { response: responseObject('in_progress', [], null) });
  out += event('response.output_item.added', { output_index: 0, item: { ...messageItem(''), status: 'in_progress', content: [] } });
  out += event('response.content_part.added', { ...at, part: { type: 'output_text', text: '', annotations: [] } });
  for (const word of WORDS.slice(0, STREAM_TOKENS)) out += event('response.output_text.delta', { ...at, delta: word, logprobs: [] });
  out += event('response.output_text.done', { ...at, text: TEXT, logprobs: [] });
  out += event('response.content_part.done', { ...at, part: { type: 'output_text', text: TEXT, annotations: [] } });
  out += event('response.output_item.done', { output_index: 0, item: messageItem(TEXT) });
  return out + event('response.completed', { response: responseObject('completed', [messageItem(TEXT)], responsesUsage) });
}

// nginx single-quoted string: only ' and \ need escaping.
const quoted = (text) => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

// `return 200 BODY`, with a body over nginx's 4 KB limit for one config token assembled
// from variables of up to 2 KB each.
function returnBody(body) {
  const pieces = [];
  for (let i = 0; i < body.length; i += 2048) pieces.push(body.slice(i, i + 2048));
  const sets = pieces.map((piece, i) => `set $body${i} ${quoted(piece)};`).join(' ');
  return `${sets} return 200 "${pieces.map((_, i) => `$body${i}`).join('')}";`;
}

// Server blocks for the upstream, listening on 127.0.0.1:port.
export function upstreamServer(port) {
  const location = (path, type, body) => `    location = ${path} { default_type ${type}; ${returnBody(body)} }`;
  return [
    `  server {`,
    `    listen 127.0.0.1:${port};`,
    location('/openai/v1/chat/completions', 'application/json', openaiResponse),
    location('/openai-stream/v1/chat/completions', 'text/event-stream', openaiStream()),
    location('/anthropic/v1/messages', 'application/json', anthropicResponse),
    location('/anthropic-stream/v1/messages', 'text/event-stream', anthropicStream()),
    location('/openai/v1/responses', 'application/json', responsesResponse),
    location('/openai-stream/v1/responses', 'text/event-stream', responsesStream()),
    `  }`,
  ].join('\n');
}
