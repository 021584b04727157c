// The OpenAI Responses API (POST /v1/responses, GET and DELETE /v1/responses/{id}, GET
// /v1/responses/{id}/input_items) for the OpenAI mock: validation as strict as the real API's,
// the deterministic answers of mock-answers.mjs as `response` objects and typed event streams
// (tests/fixtures/openai/openai.responses.*), and the state the real API keeps — responses
// stored unless `store: false`, continued by `previous_response_id`, their items found by id
// for `item_reference` inputs.

import { randomBytes } from 'node:crypto';

import { decideAnswer, fragments, thinkingText } from './mock-answers.mjs';
import { RESPONSES_FIELDS, isKnownModel, modelNotFound, validateArguments } from './openai-strict.mjs';

const invalidRequest = (message, param = null, code = null) => ({
  error: { message, type: 'invalid_request_error', param, code },
});
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const randomId = (prefix) => prefix + randomBytes(12).toString('hex');

const PART_TYPES = {
  user: ['input_text', 'input_image', 'input_file'],
  system: ['input_text'],
  developer: ['input_text'],
  assistant: ['output_text', 'refusal'],
};

/** The mock's memory: stored responses by id, and every item they hold by its id. */
export function createResponsesState() {
  return { responses: new Map(), items: new Map() };
}

/** A conversation item with its defaults filled in (a bare message gets type "message"). */
function normalizeItem(item) {
  return isObject(item) && item.type === undefined && item.role !== undefined ? { type: 'message', ...item } : item;
}

/**
 * Validates a request and expands it into the whole conversation (the previous response's
 * conversation, then this input with item references resolved).
 * Returns { error: { status, body } } or { conversation }.
 */
export function resolveRequest(request, state) {
  const fail = (status, body) => ({ error: { status, body } });
  if (!isObject(request)) return fail(400, invalidRequest('Invalid request body: expected a JSON object.', null, 'invalid_type'));
  const argumentError = validateArguments(request, RESPONSES_FIELDS);
  if (argumentError) return fail(400, argumentError);
  if (typeof request.model !== 'string' || request.model === '') {
    return fail(400, invalidRequest("Missing required parameter: 'model'.", 'model', 'missing_required_parameter'));
  }
  if (!isKnownModel(request.model)) return fail(404, modelNotFound(request.model));
  let conversation = [];
  if (request.previous_response_id != null) {
    const previous = state.responses.get(request.previous_response_id);
    if (!previous) {
      return fail(
        400,
        invalidRequest(`Previous response with id '${request.previous_response_id}' not found.`, 'previous_response_id', 'previous_response_not_found'),
      );
    }
    conversation = [...previous.conversation, ...previous.body.output];
  }
  const input = request.input;
  if (input === undefined && request.previous_response_id == null) {
    return fail(400, invalidRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter'));
  }
  if (typeof input === 'string') {
    conversation.push({ type: 'message', role: 'user', content: input });
  } else if (Array.isArray(input)) {
    for (const [i, raw] of input.entries()) {
      const item = normalizeItem(raw);
      const at = `input[${i}]`;
      if (!isObject(item)) return fail(400, invalidRequest(`Invalid type for '${at}': expected an object.`, at, 'invalid_type'));
      if (item.type === 'item_reference') {
        const found = state.items.get(item.id);
        if (!found) return fail(404, invalidRequest(`Item with id '${item.id}' not found.`, `${at}.id`, null));
        conversation.push(found);
        continue;
      }
      const problem = itemProblem(item, at);
      if (problem) return fail(400, problem);
      conversation.push(item);
    }
  } else if (input !== undefined) {
    return fail(400, invalidRequest("Invalid type for 'input': expected one of a string or an array of input items.", 'input', 'invalid_type'));
  }
  const pairing = pairingProblem(conversation);
  if (pairing) return fail(400, pairing);
  const toolsError = toolsProblem(request.tools);
  if (toolsError) return fail(400, toolsError);
  const format = request.text?.format;
  if (format?.type === 'json_schema' && (typeof format.name !== 'string' || !isObject(format.schema))) {
    return fail(400, invalidRequest("Missing required parameter: 'text.format.name'.", 'text.format.name', 'missing_required_parameter'));
  }
  return { conversation };
}

function itemProblem(item, at) {
  switch (item.type) {
    case 'message': {
      const allowed = PART_TYPES[item.role];
      if (!allowed) return invalidRequest(`Invalid value: '${item.role}'. Supported values are: 'user', 'assistant', 'system', and 'developer'.`, `${at}.role`, 'invalid_value');
      if (typeof item.content === 'string') return null;
      if (!Array.isArray(item.content)) return invalidRequest(`Invalid type for '${at}.content': expected one of a string or an array.`, `${at}.content`, 'invalid_type');
      for (const [j, part] of item.content.entries()) {
        if (!isObject(part) || !allowed.includes(part.type)) {
          return invalidRequest(`Invalid value: '${part?.type}'. Supported values are: ${allowed.map((t) => `'${t}'`).join(', ')}.`, `${at}.content[${j}].type`, 'invalid_value');
        }
        if (part.type === 'input_image' && typeof part.image_url !== 'string' && typeof part.file_id !== 'string') {
          return invalidRequest(`Missing required parameter: '${at}.content[${j}].image_url'.`, `${at}.content[${j}].image_url`, 'missing_required_parameter');
        }
      }
      return null;
    }
    case 'function_call':
      for (const key of ['call_id', 'name', 'arguments']) {
        if (typeof item[key] !== 'string') return invalidRequest(`Missing required parameter: '${at}.${key}'.`, `${at}.${key}`, 'missing_required_parameter');
      }
      return null;
    case 'function_call_output':
      if (typeof item.call_id !== 'string') return invalidRequest(`Missing required parameter: '${at}.call_id'.`, `${at}.call_id`, 'missing_required_parameter');
      if (typeof item.output !== 'string' && !Array.isArray(item.output)) {
        return invalidRequest(`Invalid type for '${at}.output': expected one of a string or an array.`, `${at}.output`, 'invalid_type');
      }
      return null;
    case 'reasoning':
      if (!Array.isArray(item.summary)) return invalidRequest(`Missing required parameter: '${at}.summary'.`, `${at}.summary`, 'missing_required_parameter');
      return null;
    default:
      return invalidRequest(`Invalid value: '${item.type}'.`, `${at}.type`, 'invalid_value');
  }
}

/** Every function_call_output answers an earlier call, and every call is answered before the next message. */
function pairingProblem(conversation) {
  const open = new Set();
  const called = new Set();
  for (const item of conversation) {
    if (item.type === 'function_call') {
      open.add(item.call_id);
      called.add(item.call_id);
    } else if (item.type === 'function_call_output') {
      if (!called.has(item.call_id)) return invalidRequest(`No tool call found for function call output with call_id ${item.call_id}.`, 'input', null);
      open.delete(item.call_id);
    } else if (item.type === 'message' && item.role === 'user' && open.size > 0) {
      return invalidRequest(`No tool output found for function call ${[...open][0]}.`, 'input', null);
    }
  }
  return null;
}

function toolsProblem(tools) {
  if (tools === undefined || tools === null) return null;
  if (!Array.isArray(tools)) return invalidRequest("Invalid type for 'tools': expected an array.", 'tools', 'invalid_type');
  for (const [i, tool] of tools.entries()) {
    if (!isObject(tool)) return invalidRequest(`Invalid type for 'tools[${i}]': expected an object.`, `tools[${i}]`, 'invalid_type');
    if (tool.type === 'function' && typeof tool.name !== 'string') {
      // The chat-completions shape ({type, function: {name, …}}) is a common mistake.
      return invalidRequest(`Missing required parameter: 'tools[${i}].name'.`, `tools[${i}].name`, 'missing_required_parameter');
    }
  }
  return null;
}

const itemText = (item) => {
  if (typeof item.content === 'string') return item.content;
  if (Array.isArray(item.content)) return item.content.filter((p) => typeof p.text === 'string').map((p) => p.text).join(' ');
  return '';
};

/** The neutral view of a resolved conversation, for decideAnswer(). */
export function responsesView(request, conversation) {
  const texts = [];
  if (typeof request.instructions === 'string') texts.push(request.instructions);
  for (const item of conversation) if (item.type === 'message') texts.push(itemText(item));
  let lastTurn = { kind: 'none' };
  const last = conversation.at(-1);
  if (last?.type === 'function_call_output') {
    const results = [];
    for (let i = conversation.length - 1; i >= 0 && conversation[i].type === 'function_call_output'; i--) {
      const output = conversation[i].output;
      results.unshift(typeof output === 'string' ? output : itemText({ content: output }));
    }
    lastTurn = { kind: 'tool_results', results };
  } else {
    const lastUser = [...conversation].reverse().find((i) => i.type === 'message' && i.role === 'user');
    if (lastUser) lastTurn = { kind: 'text', text: itemText(lastUser) };
  }
  const tools = (request.tools ?? []).filter((t) => t.type === 'function').map((t) => ({ name: t.name, schema: t.parameters }));
  const choice = request.tool_choice;
  let toolChoice = { mode: 'auto' };
  if (choice === 'none') toolChoice = { mode: 'none' };
  else if (choice === 'required') toolChoice = { mode: 'required' };
  else if (isObject(choice) && choice.type === 'function') toolChoice = { mode: 'tool', name: choice.name };
  const json = ['json_object', 'json_schema'].includes(request.text?.format?.type);
  return { texts, lastTurn, tools, toolChoice, json };
}

/** The output items and usage of the deterministic answer. */
export function responsesAnswer(request, conversation, behaviour = {}) {
  const view = responsesView(request, conversation);
  const answer = decideAnswer(view);
  const output =
    answer.kind === 'text'
      ? [{ type: 'message', id: randomId('msg_'), status: 'completed', role: 'assistant', content: [{ type: 'output_text', text: answer.text, annotations: [], logprobs: [] }] }]
      : answer.calls.map((call) => ({
          type: 'function_call',
          id: randomId('fc_'),
          call_id: randomId('call_'),
          name: call.name,
          arguments: JSON.stringify(call.args),
          status: 'completed',
        }));
  // A reasoning summary, first, when one is asked for.
  const summary = request.reasoning?.summary;
  if (summary && summary !== 'none') {
    output.unshift({ type: 'reasoning', id: randomId('rs_'), summary: [{ type: 'summary_text', text: thinkingText(view) }] });
  }
  const reasoning = Math.max(0, behaviour.reasoning_tokens ?? 0);
  const input = answer.usage.input;
  const usage = {
    input_tokens: input,
    input_tokens_details: { cached_tokens: Math.max(0, Math.min(behaviour.cached_tokens ?? 0, input)) },
    output_tokens: answer.usage.output + reasoning,
    output_tokens_details: { reasoning_tokens: reasoning },
    total_tokens: input + answer.usage.output + reasoning,
  };
  return { output, usage };
}

/** The `response` object, field order as in the fixtures. */
export function responseObject(request, { id, createdAt, status, output, usage }) {
  return {
    id,
    object: 'response',
    created_at: createdAt,
    status,
    error: null,
    incomplete_details: null,
    instructions: request.instructions ?? null,
    max_output_tokens: request.max_output_tokens ?? null,
    model: request.model,
    output,
    parallel_tool_calls: request.parallel_tool_calls ?? true,
    previous_response_id: request.previous_response_id ?? null,
    reasoning: { effort: request.reasoning?.effort ?? null, summary: request.reasoning?.summary ?? null },
    store: request.store !== false,
    temperature: request.temperature ?? 1.0,
    text: request.text ?? { format: { type: 'text' } },
    tool_choice: request.tool_choice ?? 'auto',
    tools: request.tools ?? [],
    top_p: request.top_p ?? 1.0,
    truncation: 'disabled',
    user: request.user ?? null,
    metadata: request.metadata ?? {},
    usage,
  };
}

/** The typed SSE frames of a streamed answer (the last is response.completed). */
export function responseFrames(request, final) {
  let sequence = 0;
  const frames = [];
  const emit = (type, payload) => frames.push(`event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: sequence++, ...payload })}\n\n`);
  // `final` is a response object (created_at), responseObject() takes createdAt.
  const createdAt = final.created_at;
  const pending = { ...final, createdAt, status: 'in_progress', output: [], usage: null };
  emit('response.created', { response: responseObject(request, pending) });
  emit('response.in_progress', { response: responseObject(request, pending) });
  final.output.forEach((item, outputIndex) => {
    if (item.type === 'reasoning') {
      const text = item.summary[0].text;
      emit('response.output_item.added', { output_index: outputIndex, item: { ...item, summary: [] } });
      const at = { item_id: item.id, output_index: outputIndex, summary_index: 0 };
      emit('response.reasoning_summary_part.added', { ...at, part: { type: 'summary_text', text: '' } });
      for (const word of text.match(/\S+\s*/g) ?? []) emit('response.reasoning_summary_text.delta', { ...at, delta: word });
      emit('response.reasoning_summary_text.done', { ...at, text });
      emit('response.reasoning_summary_part.done', { ...at, part: { type: 'summary_text', text } });
    } else if (item.type === 'message') {
      const text = item.content[0].text;
      emit('response.output_item.added', { output_index: outputIndex, item: { ...item, status: 'in_progress', content: [] } });
      const at = { item_id: item.id, output_index: outputIndex, content_index: 0 };
      emit('response.content_part.added', { ...at, part: { type: 'output_text', text: '', annotations: [] } });
      for (const word of text.match(/\S+\s*/g) ?? []) emit('response.output_text.delta', { ...at, delta: word, logprobs: [] });
      emit('response.output_text.done', { ...at, text, logprobs: [] });
      emit('response.content_part.done', { ...at, part: { type: 'output_text', text, annotations: [] } });
    } else {
      emit('response.output_item.added', { output_index: outputIndex, item: { ...item, arguments: '', status: 'in_progress' } });
      for (const piece of fragments(item.arguments)) {
        emit('response.function_call_arguments.delta', { item_id: item.id, output_index: outputIndex, delta: piece });
      }
      emit('response.function_call_arguments.done', { item_id: item.id, output_index: outputIndex, arguments: item.arguments });
    }
    emit('response.output_item.done', { output_index: outputIndex, item });
  });
  emit('response.completed', { response: responseObject(request, { ...final, createdAt }) });
  return { frames, errorFrame: (message) => `event: error\ndata: ${JSON.stringify({ type: 'error', sequence_number: sequence++, code: 'server_error', message, param: null })}\n\n` };
}

/** Keeps a finished response (unless store is false): by id, and each of its items by id. */
export function storeResponse(state, request, conversation, body) {
  if (request.store === false) return;
  state.responses.set(body.id, { conversation, body });
  for (const item of [...conversation, ...body.output]) if (typeof item.id === 'string') state.items.set(item.id, item);
}

export const newResponseId = () => randomId('resp_');
