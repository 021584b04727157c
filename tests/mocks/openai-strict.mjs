// What the real OpenAI API refuses before it reads the messages, so that a field the gateway
// leaks into an OpenAI or Azure upstream (another dialect's parameter, an alias name instead of
// the deployment's model, a value out of range) fails a test instead of passing unnoticed:
//   - arguments the endpoint does not define: 400 "Unrecognized request argument supplied: foo";
//   - numbers of the wrong type or out of the spec's range: 400 invalid_type /
//     decimal_above_max_value / integer_below_min_value …;
//   - a model outside OpenAI's families: 404 model_not_found (as the Anthropic mock refuses a
//     model that is not claude-*). Test names such as gpt-cool-bad are accepted; gpt-9 is not.
// Field lists and ranges are those of CreateChatCompletionRequest and CreateResponse in
// ../shared/reference/specs/openai.openapi.json; messages as the real API words them.

const invalidRequest = (message, param = null, code = null) => ({
  error: { message, type: 'invalid_request_error', param, code },
});

export const CHAT_FIELDS = new Set([
  'audio', 'frequency_penalty', 'function_call', 'functions', 'logit_bias', 'logprobs', 'max_completion_tokens',
  'max_tokens', 'messages', 'metadata', 'modalities', 'model', 'moderation', 'n', 'parallel_tool_calls', 'prediction',
  'presence_penalty', 'prompt_cache_key', 'prompt_cache_options', 'prompt_cache_retention', 'reasoning_effort',
  'response_format', 'safety_identifier', 'seed', 'service_tier', 'stop', 'store', 'stream', 'stream_options',
  'temperature', 'tool_choice', 'tools', 'top_logprobs', 'top_p', 'user', 'verbosity', 'web_search_options',
]);

export const RESPONSES_FIELDS = new Set([
  'background', 'context_management', 'conversation', 'include', 'input', 'instructions', 'max_output_tokens',
  'max_tool_calls', 'metadata', 'model', 'moderation', 'parallel_tool_calls', 'previous_response_id', 'prompt',
  'prompt_cache_key', 'prompt_cache_options', 'prompt_cache_retention', 'reasoning', 'safety_identifier',
  'service_tier', 'store', 'stream', 'stream_options', 'temperature', 'text', 'tool_choice', 'tools', 'top_logprobs',
  'top_p', 'truncation', 'user',
]);

// [field, integer?, minimum, maximum]
const NUMBER_RANGES = [
  ['temperature', false, 0, 2],
  ['top_p', false, 0, 1],
  ['frequency_penalty', false, -2, 2],
  ['presence_penalty', false, -2, 2],
  ['n', true, 1, 128],
  ['top_logprobs', true, 0, 20],
  ['max_tokens', true, 1, Infinity],
  ['max_completion_tokens', true, 1, Infinity],
  ['max_output_tokens', true, 16, Infinity],
  ['max_tool_calls', true, 1, Infinity],
  ['seed', true, -Infinity, Infinity],
];
const BOOLEAN_FIELDS = ['stream', 'logprobs', 'store', 'parallel_tool_calls', 'background'];

const typeName = (v) => (v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`);

/** The first unknown or out-of-range top-level argument of a request, as the API refuses it, or null. */
export function validateArguments(request, fields) {
  for (const key of Object.keys(request)) {
    if (!fields.has(key)) return invalidRequest(`Unrecognized request argument supplied: ${key}`);
  }
  for (const [field, integer, min, max] of NUMBER_RANGES) {
    const value = request[field];
    if (value === undefined || value === null || !fields.has(field)) continue;
    const kind = integer ? 'integer' : 'decimal';
    if (typeof value !== 'number' || (integer && !Number.isInteger(value))) {
      return invalidRequest(`Invalid type for '${field}': expected ${kind === 'integer' ? 'an integer' : 'a decimal'}, but got ${typeName(value)} instead.`, field, 'invalid_type');
    }
    if (value < min) {
      return invalidRequest(`Invalid '${field}': ${kind} below minimum value. Expected a value >= ${min}, but got ${value} instead.`, field, `${kind}_below_min_value`);
    }
    if (value > max) {
      return invalidRequest(`Invalid '${field}': ${kind} above maximum value. Expected a value <= ${max}, but got ${value} instead.`, field, `${kind}_above_max_value`);
    }
  }
  for (const field of BOOLEAN_FIELDS) {
    const value = request[field];
    if (value !== undefined && value !== null && fields.has(field) && typeof value !== 'boolean') {
      return invalidRequest(`Invalid type for '${field}': expected a boolean, but got ${typeName(value)} instead.`, field, 'invalid_type');
    }
  }
  return null;
}

// OpenAI's model families. A `gpt-` name with a version number must name a real generation.
const MODEL_FAMILIES = /^(gpt-|chatgpt-|o[1-9](-|$)|text-embedding-|omni-moderation|codex-|computer-use-|davinci-|babbage-)/;
const GPT_GENERATION = /^gpt-(\d+)/;

export function isKnownModel(model) {
  if (!MODEL_FAMILIES.test(model)) return false;
  const generation = GPT_GENERATION.exec(model);
  return !generation || ['3', '4', '5'].includes(generation[1]);
}

/** The real API's 404 for a model it does not serve. */
export const modelNotFound = (model) =>
  invalidRequest(`The model \`${model}\` does not exist or you do not have access to it.`, null, 'model_not_found');
