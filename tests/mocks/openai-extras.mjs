// The parts of the OpenAI mock that the cross-dialect (conformance) suites need, kept out of
// openai-mock.mjs so that file only gains small hooks:
//   - chatView(): the neutral view of a chat request for the shared deterministic model
//     (mock-answers.mjs): tools, tool results, JSON mode;
//   - validateChatDetails(): what the real API rejects in requests a gateway translated from another
//     dialect (tool messages that answer nothing, tool_choice without tools, unknown content part
//     types, bad image data URLs, non-string tool arguments, invalid JSON schemas, strict schemas
//     without additionalProperties:false, json_object without the word "json", …);
//   - the Azure OpenAI flavour (paths, `api-key` auth, api-version, the content-filter fields);
//   - POST /v1/embeddings with deterministic vectors (float or base64).

import { countWords, floatsToBase64, isBase64, mockEmbedding, DEFAULT_EMBEDDING_DIMENSIONS, sniffImageType } from './mock-answers.mjs';

const invalidRequest = (message, param = null, code = null) => ({
  error: { message, type: 'invalid_request_error', param, code },
});
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
const typeName = (v) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v === 'object' ? 'object' : typeof v);
/** 'a', 'b', and 'c' — the way the API lists supported values. */
const supported = (values) =>
  values.length === 1 ? `'${values[0]}'` : `${values.slice(0, -1).map((v) => `'${v}'`).join(', ')}${values.length > 2 ? ',' : ''} and '${values.at(-1)}'`;

/** The text of a message: a string content, or its text parts joined by a space. */
export function chatMessageText(message) {
  const content = message?.content;
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) {
    return content
      .filter((part) => part?.type === 'text' && typeof part.text === 'string')
      .map((part) => part.text)
      .join(' ');
  }
  return '';
}

/** The neutral view of a (validated) chat request, for decideAnswer(). */
export function chatView(request) {
  const messages = request.messages;
  const texts = messages.map(chatMessageText);
  let lastTurn = { kind: 'none' };
  if (messages.at(-1)?.role === 'tool') {
    const results = [];
    for (let i = messages.length - 1; i >= 0 && messages[i].role === 'tool'; i--) results.unshift(chatMessageText(messages[i]));
    lastTurn = { kind: 'tool_results', results };
  } else {
    const lastUser = [...messages].reverse().find((m) => m?.role === 'user');
    if (lastUser) lastTurn = { kind: 'text', text: chatMessageText(lastUser) };
  }
  const tools = (request.tools ?? []).filter((t) => t?.type === 'function').map((t) => ({ name: t.function.name, schema: t.function.parameters }));
  const choice = request.tool_choice;
  let toolChoice = { mode: 'auto' };
  if (choice === 'none') toolChoice = { mode: 'none' };
  else if (choice === 'required') toolChoice = { mode: 'required' };
  else if (isObject(choice) && choice.function?.name) toolChoice = { mode: 'tool', name: choice.function.name };
  const json = ['json_object', 'json_schema'].includes(request.response_format?.type);
  return { texts, lastTurn, tools, toolChoice, json };
}

const JSON_TYPES = ['string', 'number', 'integer', 'boolean', 'array', 'object', 'null'];

/** The first invalid `type` in a JSON schema (recursively), or null. */
function badSchemaType(schema) {
  if (!isObject(schema)) return null;
  const types = Array.isArray(schema.type) ? schema.type : schema.type === undefined ? [] : [schema.type];
  for (const t of types) if (!JSON_TYPES.includes(t)) return t;
  const children = [
    ...Object.values(isObject(schema.properties) ? schema.properties : {}),
    ...(schema.items ? [schema.items] : []),
    ...['anyOf', 'oneOf', 'allOf'].flatMap((k) => (Array.isArray(schema[k]) ? schema[k] : [])),
    ...Object.values(isObject(schema.$defs) ? schema.$defs : {}),
    ...Object.values(isObject(schema.definitions) ? schema.definitions : {}),
  ];
  for (const child of children) {
    const bad = badSchemaType(child);
    if (bad !== null) return bad;
  }
  return null;
}

/** The first strict-mode violation of a JSON schema, as the API words it, or null. */
function strictViolation(schema, context = []) {
  if (!isObject(schema)) return null;
  const where = `In context=(${context.map((c) => `'${c}'`).join(', ')}${context.length === 1 ? ',' : ''})`;
  const isObjectType = schema.type === 'object' || (Array.isArray(schema.type) && schema.type.includes('object'));
  if (isObjectType) {
    if (schema.additionalProperties !== false) return `${where}, 'additionalProperties' is required to be supplied and to be false.`;
    const keys = Object.keys(schema.properties ?? {});
    const required = Array.isArray(schema.required) ? schema.required : [];
    const missing = keys.filter((k) => !required.includes(k));
    if (missing.length > 0) {
      return `${where}, 'required' is required to be supplied and to be an array including every key in properties. Missing '${missing[0]}'.`;
    }
    for (const [key, child] of Object.entries(schema.properties ?? {})) {
      const inner = strictViolation(child, [...context, 'properties', key]);
      if (inner) return inner;
    }
  }
  if (schema.items) return strictViolation(schema.items, [...context, 'items']);
  return null;
}

const PART_TYPES = {
  user: ['text', 'image_url', 'input_audio', 'file'],
  system: ['text'],
  developer: ['text'],
  assistant: ['text', 'refusal'],
  tool: ['text'],
};
const ROLES = ['system', 'assistant', 'user', 'function', 'tool', 'developer'];
const IMAGE_DATA_URL = /^data:([^;,]+)(;base64)?,(.*)$/s;

function validateParts(message, i) {
  const content = message.content;
  if (!Array.isArray(content)) return null;
  if (content.length === 0) {
    return invalidRequest(
      `Invalid 'messages[${i}].content': empty array. Expected an array with minimum length 1, but got an empty array instead.`,
      `messages[${i}].content`,
      'empty_array',
    );
  }
  const allowed = PART_TYPES[message.role] ?? ['text'];
  for (const [j, part] of content.entries()) {
    const at = `messages[${i}].content[${j}]`;
    if (!isObject(part)) return invalidRequest(`Invalid type for '${at}': expected an object, but got ${typeName(part)} instead.`, at, 'invalid_type');
    if (!allowed.includes(part.type)) {
      return invalidRequest(`Invalid value: '${part.type}'. Supported values are: ${supported(allowed)}.`, `${at}.type`, 'invalid_value');
    }
    if (part.type === 'text' && typeof part.text !== 'string') {
      return invalidRequest(`Invalid type for '${at}.text': expected a string, but got ${typeName(part.text)} instead.`, `${at}.text`, 'invalid_type');
    }
    if (part.type === 'image_url') {
      const url = part.image_url?.url;
      if (typeof url !== 'string') return invalidRequest(`Missing required parameter: '${at}.image_url.url'.`, `${at}.image_url.url`, 'missing_required_parameter');
      const data = IMAGE_DATA_URL.exec(url);
      if (data) {
        const [, mime, base64, payload] = data;
        if (!['image/png', 'image/jpeg', 'image/gif', 'image/webp'].includes(mime) || !base64) {
          return invalidRequest(
            `Invalid '${at}.image_url.url'. Expected a base64-encoded data URL with an image MIME type (e.g. 'data:image/png;base64,aW1nIGJ5dGVzIGhlcmU='), but got unsupported MIME type '${mime}'.`,
            `${at}.image_url.url`,
            'invalid_value',
          );
        }
        if (!isBase64(payload) || sniffImageType(payload) === null) {
          return invalidRequest('You uploaded an unsupported image. Please make sure your image is valid.', null, 'invalid_image_format');
        }
      } else if (!/^https?:\/\/\S+$/.test(url)) {
        return invalidRequest(`Invalid '${at}.image_url.url'. Expected a valid URL, but got a value with an invalid format.`, `${at}.image_url.url`, 'invalid_value');
      }
      const detail = part.image_url.detail;
      if (detail !== undefined && !['auto', 'low', 'high'].includes(detail)) {
        return invalidRequest(`Invalid value: '${detail}'. Supported values are: 'auto', 'low', and 'high'.`, `${at}.image_url.detail`, 'invalid_value');
      }
    }
  }
  return null;
}

function validateToolCalls(message, i) {
  if (message.tool_calls === undefined || message.tool_calls === null) return null;
  if (!Array.isArray(message.tool_calls)) {
    return invalidRequest(`Invalid type for 'messages[${i}].tool_calls': expected an array, but got ${typeName(message.tool_calls)} instead.`, `messages[${i}].tool_calls`, 'invalid_type');
  }
  for (const [j, call] of message.tool_calls.entries()) {
    const at = `messages[${i}].tool_calls[${j}]`;
    if (typeof call?.id !== 'string') return invalidRequest(`Missing required parameter: '${at}.id'.`, `${at}.id`, 'missing_required_parameter');
    if (call.type !== 'function') return invalidRequest(`Missing required parameter: '${at}.type'.`, `${at}.type`, 'missing_required_parameter');
    if (typeof call.function?.name !== 'string') {
      return invalidRequest(`Missing required parameter: '${at}.function.name'.`, `${at}.function.name`, 'missing_required_parameter');
    }
    if (typeof call.function.arguments !== 'string') {
      return invalidRequest(
        `Invalid type for '${at}.function.arguments': expected a string, but got ${typeName(call.function.arguments)} instead.`,
        `${at}.function.arguments`,
        'invalid_type',
      );
    }
  }
  return null;
}

function validateTools(request) {
  if (request.tools === undefined || request.tools === null) return null;
  if (!Array.isArray(request.tools)) {
    return invalidRequest(`Invalid type for 'tools': expected an array of objects, but got ${typeName(request.tools)} instead.`, 'tools', 'invalid_type');
  }
  if (request.tools.length === 0) {
    return invalidRequest("Invalid 'tools': empty array. Expected an array with minimum length 1, but got an empty array instead.", 'tools', 'empty_array');
  }
  for (const [i, tool] of request.tools.entries()) {
    if (tool?.type === undefined) return invalidRequest(`Missing required parameter: 'tools[${i}].type'.`, `tools[${i}].type`, 'missing_required_parameter');
    if (tool.type !== 'function' && tool.type !== 'custom') {
      return invalidRequest(`Invalid value: '${tool.type}'. Supported values are: 'function' and 'custom'.`, `tools[${i}].type`, 'invalid_value');
    }
    if (tool.type !== 'function') continue;
    const fn = tool.function;
    if (!isObject(fn)) return invalidRequest(`Missing required parameter: 'tools[${i}].function'.`, `tools[${i}].function`, 'missing_required_parameter');
    if (typeof fn.name !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(fn.name)) {
      return invalidRequest(
        `Invalid 'tools[${i}].function.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.`,
        `tools[${i}].function.name`,
        'invalid_value',
      );
    }
    if (fn.parameters !== undefined) {
      const param = `tools[${i}].function.parameters`;
      if (!isObject(fn.parameters) || fn.parameters.type !== 'object') {
        return invalidRequest(
          `Invalid schema for function '${fn.name}': schema must be a JSON Schema of 'type: "object"', got 'type: "${fn.parameters?.type ?? 'None'}"'.`,
          param,
          'invalid_function_parameters',
        );
      }
      const bad = badSchemaType(fn.parameters);
      if (bad !== null) {
        return invalidRequest(`Invalid schema for function '${fn.name}': ${JSON.stringify(bad)} is not valid under any of the given schemas.`, param, 'invalid_function_parameters');
      }
      if (fn.strict === true) {
        const violation = strictViolation(fn.parameters);
        if (violation) return invalidRequest(`Invalid schema for function '${fn.name}': ${violation}`, param, 'invalid_function_parameters');
      }
    }
  }
  return null;
}

function validateResponseFormat(request) {
  const format = request.response_format;
  if (format === undefined || format === null) return null;
  const types = ['text', 'json_object', 'json_schema'];
  if (!types.includes(format?.type)) {
    return invalidRequest(`Invalid value: '${format?.type}'. Supported values are: ${supported(types)}.`, 'response_format.type', 'invalid_value');
  }
  if (format.type === 'json_object') {
    const mentionsJson = request.messages.some((m) => /json/i.test(chatMessageText(m)));
    if (!mentionsJson) {
      return invalidRequest("'messages' must contain the word 'json' in some form, to use 'response_format' of type 'json_object'.", 'messages', null);
    }
  }
  if (format.type === 'json_schema') {
    const spec = format.json_schema;
    if (!isObject(spec)) return invalidRequest("Missing required parameter: 'response_format.json_schema'.", 'response_format.json_schema', 'missing_required_parameter');
    if (typeof spec.name !== 'string') {
      return invalidRequest("Missing required parameter: 'response_format.json_schema.name'.", 'response_format.json_schema.name', 'missing_required_parameter');
    }
    if (!/^[a-zA-Z0-9_-]{1,64}$/.test(spec.name)) {
      return invalidRequest(
        "Invalid 'response_format.json_schema.name': string does not match pattern. Expected a string that matches the pattern '^[a-zA-Z0-9_-]+$'.",
        'response_format.json_schema.name',
        'invalid_value',
      );
    }
    if (spec.schema !== undefined) {
      const bad = badSchemaType(spec.schema);
      if (bad !== null) {
        return invalidRequest(`Invalid schema for response_format '${spec.name}': ${JSON.stringify(bad)} is not valid under any of the given schemas.`, 'response_format', 'invalid_json_schema');
      }
      if (spec.strict === true) {
        const violation = strictViolation(spec.schema);
        if (violation) return invalidRequest(`Invalid schema for response_format '${spec.name}': ${violation}`, 'response_format', 'invalid_json_schema');
      }
    }
  }
  return null;
}

/**
 * The checks of the real API that matter for requests translated from another dialect (the basic
 * ones stay in openai-mock.mjs). Returns an OpenAI error body or null.
 */
export function validateChatDetails(request) {
  const { messages } = request;
  for (const [i, message] of messages.entries()) {
    if (!isObject(message)) {
      return invalidRequest(`Invalid type for 'messages[${i}]': expected an object, but got ${typeName(message)} instead.`, `messages[${i}]`, 'invalid_type');
    }
    if (!ROLES.includes(message.role)) {
      return invalidRequest(`Invalid value: '${message.role}'. Supported values are: ${supported(ROLES)}.`, `messages[${i}].role`, 'invalid_value');
    }
    const hasToolCalls = Array.isArray(message.tool_calls) && message.tool_calls.length > 0;
    if (message.content === undefined || message.content === null) {
      if (!(message.role === 'assistant' && (hasToolCalls || message.function_call))) {
        return invalidRequest(`Invalid value for 'content': expected a string, got ${message.content === null ? 'null' : 'undefined'}.`, `messages.[${i}].content`, null);
      }
    } else if (typeof message.content !== 'string' && !Array.isArray(message.content)) {
      return invalidRequest(
        `Invalid type for 'messages[${i}].content': expected one of a string or an array of objects, but got ${typeName(message.content)} instead.`,
        `messages[${i}].content`,
        'invalid_type',
      );
    }
    const partError = validateParts(message, i);
    if (partError) return partError;
    if (message.role === 'assistant') {
      const callError = validateToolCalls(message, i);
      if (callError) return callError;
    }
    if (message.role === 'tool' && typeof message.tool_call_id !== 'string') {
      return invalidRequest(`Missing required parameter: 'messages.[${i}].tool_call_id'.`, `messages.[${i}].tool_call_id`, 'missing_required_parameter');
    }
  }

  // Tool messages answer the tool_calls of the assistant message just before them (other tool
  // messages aside), and every tool call gets its answer.
  for (const [i, message] of messages.entries()) {
    if (message.role === 'tool') {
      let k = i - 1;
      while (k >= 0 && messages[k].role === 'tool') k--;
      const owner = messages[k];
      if (!owner || owner.role !== 'assistant' || !Array.isArray(owner.tool_calls) || owner.tool_calls.length === 0) {
        return invalidRequest(
          "Invalid parameter: messages with role 'tool' must be a response to a preceeding message with 'tool_calls'.",
          `messages.[${i}].role`,
          null,
        );
      }
      if (!owner.tool_calls.some((c) => c.id === message.tool_call_id)) {
        return invalidRequest(
          `Invalid parameter: 'tool_call_id' of '${message.tool_call_id}' not found in 'tool_calls' of previous message.`,
          `messages.[${i}].tool_call_id`,
          null,
        );
      }
    }
  }
  for (const [i, message] of messages.entries()) {
    if (message.role === 'assistant' && Array.isArray(message.tool_calls) && message.tool_calls.length > 0) {
      const answered = [];
      for (let k = i + 1; k < messages.length && messages[k].role === 'tool'; k++) answered.push(messages[k].tool_call_id);
      const missing = message.tool_calls.map((c) => c.id).filter((id) => !answered.includes(id));
      if (missing.length > 0) {
        return invalidRequest(
          `An assistant message with 'tool_calls' must be followed by tool messages responding to each 'tool_call_id'. The following tool_call_ids did not have response messages: ${missing.join(', ')}`,
          `messages.[${i}].role`,
          null,
        );
      }
    }
  }

  const toolsError = validateTools(request);
  if (toolsError) return toolsError;
  const hasTools = Array.isArray(request.tools) && request.tools.length > 0;
  const choice = request.tool_choice;
  if (choice !== undefined && choice !== null) {
    if (!hasTools) {
      return invalidRequest("Invalid value for 'tool_choice': 'tool_choice' is only allowed when 'tools' are specified.", 'tool_choice', null);
    }
    if (typeof choice === 'string' && !['none', 'auto', 'required'].includes(choice)) {
      return invalidRequest(`Invalid value: '${choice}'. Supported values are: 'none', 'auto', and 'required'.`, 'tool_choice', 'invalid_value');
    }
    if (isObject(choice)) {
      const names = request.tools.filter((t) => t.type === 'function').map((t) => t.function.name);
      if (choice.type !== 'function' || typeof choice.function?.name !== 'string') {
        return invalidRequest("Missing required parameter: 'tool_choice.function.name'.", 'tool_choice.function.name', 'missing_required_parameter');
      }
      if (!names.includes(choice.function.name)) {
        return invalidRequest(`Invalid value for 'tool_choice': function '${choice.function.name}' not found in 'tools'.`, 'tool_choice', null);
      }
    }
  }
  if (request.parallel_tool_calls !== undefined && request.parallel_tool_calls !== null && !hasTools) {
    return invalidRequest(
      "Invalid value for 'parallel_tool_calls': 'parallel_tool_calls' is only allowed when 'tools' are specified.",
      'parallel_tool_calls',
      null,
    );
  }

  const formatError = validateResponseFormat(request);
  if (formatError) return formatError;

  if (Array.isArray(request.stop) && request.stop.length > 4) {
    return invalidRequest(
      `Invalid 'stop': array too long. Expected an array with maximum length 4, but got an array with length ${request.stop.length} instead.`,
      'stop',
      'array_above_max_length',
    );
  }
  if (typeof request.temperature === 'number' && request.temperature > 2) {
    return invalidRequest(`Invalid 'temperature': decimal above maximum value. Expected a value <= 2, but got ${request.temperature} instead.`, 'temperature', 'decimal_above_max_value');
  }
  if (typeof request.temperature === 'number' && request.temperature < 0) {
    return invalidRequest(`Invalid 'temperature': decimal below minimum value. Expected a value >= 0, but got ${request.temperature} instead.`, 'temperature', 'decimal_below_min_value');
  }
  return null;
}

// ---------------------------------------------------------------------------------------------
// Azure OpenAI

/** What Azure answers to a missing or wrong `api-key`. */
export const AZURE_ACCESS_DENIED = {
  error: {
    code: '401',
    message:
      'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
  },
};
/** What Azure answers to a path it does not serve, or a request without `api-version`. */
export const AZURE_NOT_FOUND = { error: { code: '404', message: 'Resource not found' } };

/** {deployment, operation} of an Azure OpenAI data-plane path, or null. */
export function azureRoute(pathname) {
  const match = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/.exec(pathname);
  return match ? { deployment: decodeURIComponent(match[1]), operation: match[2] } : null;
}

const FILTER_RESULTS = {
  hate: { filtered: false, severity: 'safe' },
  self_harm: { filtered: false, severity: 'safe' },
  sexual: { filtered: false, severity: 'safe' },
  violence: { filtered: false, severity: 'safe' },
};
/** Azure's content-filter annotations on a chat.completion. */
export function azureCompletion(body) {
  return {
    ...body,
    choices: body.choices.map((c) => ({ ...c, content_filter_results: FILTER_RESULTS })),
    prompt_filter_results: [{ prompt_index: 0, content_filter_results: FILTER_RESULTS }],
  };
}
/** The first chunk of every Azure stream: no id, no model, empty choices, the prompt filter results. */
export const AZURE_PROMPT_FILTER_CHUNK = {
  choices: [],
  created: 0,
  id: '',
  model: '',
  object: '',
  prompt_filter_results: [{ prompt_index: 0, content_filter_results: FILTER_RESULTS }],
};

// ---------------------------------------------------------------------------------------------
// Embeddings

const EMBEDDING_FIELDS = ['input', 'model', 'encoding_format', 'dimensions', 'user'];

/** Validates an embeddings request like the real API; returns an error body or null. */
export function validateEmbeddings(request, { modelRequired = true } = {}) {
  if (!isObject(request)) return invalidRequest('Invalid request body: expected a JSON object.', null, 'invalid_type');
  for (const key of Object.keys(request)) {
    if (!EMBEDDING_FIELDS.includes(key)) return invalidRequest(`Unrecognized request argument supplied: ${key}`);
  }
  if (modelRequired && (typeof request.model !== 'string' || request.model === '')) {
    return invalidRequest('you must provide a model parameter', 'model', 'missing_required_parameter');
  }
  const { input } = request;
  if (input === undefined) return invalidRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  const valid =
    (typeof input === 'string' && input !== '') ||
    (Array.isArray(input) && input.length > 0 && input.length <= 2048 &&
      (input.every((s) => typeof s === 'string' && s !== '') ||
        input.every((t) => Number.isInteger(t)) ||
        input.every((a) => Array.isArray(a) && a.length > 0 && a.every((t) => Number.isInteger(t)))));
  if (!valid) return invalidRequest("'$.input' is invalid. Please check the API reference: https://platform.openai.com/docs/api-reference.");
  if (request.encoding_format !== undefined && !['float', 'base64'].includes(request.encoding_format)) {
    return invalidRequest(`Invalid value: '${request.encoding_format}'. Supported values are: 'float' and 'base64'.`, 'encoding_format', 'invalid_value');
  }
  if (request.dimensions !== undefined && (!Number.isInteger(request.dimensions) || request.dimensions < 1)) {
    return invalidRequest(`Invalid 'dimensions': integer below minimum value. Expected a value >= 1, but got ${request.dimensions} instead.`, 'dimensions', 'integer_below_min_value');
  }
  return null;
}

/** The deterministic embeddings response (vectors from mockEmbedding, in the requested encoding). */
export function embeddingsBody(request, model) {
  const inputs =
    typeof request.input === 'string' ? [request.input] : request.input.every((t) => Number.isInteger(t)) ? [request.input] : request.input;
  const texts = inputs.map((item) => (typeof item === 'string' ? item : item.join(' ')));
  const dims = request.dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
  const tokens = texts.reduce((sum, text) => sum + countWords(text), 0);
  return {
    object: 'list',
    data: texts.map((text, index) => {
      const values = mockEmbedding(text, dims);
      return { object: 'embedding', index, embedding: request.encoding_format === 'base64' ? floatsToBase64(values) : values };
    }),
    model,
    usage: { prompt_tokens: tokens, total_tokens: tokens },
  };
}
