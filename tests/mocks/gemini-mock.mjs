// A scriptable mock of the Gemini API (Generative Language v1beta), used as the gateway's upstream in
// the conformance suite. It speaks the wire format of tests/fixtures/gemini/* (SSE frames
// `data: {...}\r\n\r\n`, no [DONE], running usage totals, finishReason on the last chunk, the real
// google.rpc.Status error bodies), validates requests the way the real API does (400
// INVALID_ARGUMENT, including proto-style "Unknown name" errors for fields the API does not have),
// answers with the deterministic model of mock-answers.mjs, and can be told to misbehave.
//
//   import { startGeminiMock } from '../mocks/gemini-mock.mjs';
//   const mock = await startGeminiMock({ apiKey: 'sk-upstream-test' });
//   // mock.url === 'http://127.0.0.1:PORT' (no version: @google/genai appends /v1beta itself)
//
// Routes (all under /v1beta): POST models/{model}:generateContent, :streamGenerateContent (SSE with
// ?alt=sse, else one JSON array), :countTokens, :embedContent, :batchEmbedContents;
// GET models, GET models/{model}. Generation models are gemini-*; embedding routes want a model whose
// name contains "embedding" (anything else is a 404, as upstream).
// Auth: `x-goog-api-key: KEY` or `?key=KEY`. A wrong key gets the real 400 API_KEY_INVALID body; no
// key at all gets the real 403 ("unregistered callers").
//
// Behaviours (FIFO, one per generateContent / streamGenerateContent request):
//   {kind:'normal', cached_tokens?, thoughts_tokens?}   extra usage: cachedContentTokenCount (part of
//                                             promptTokenCount) and thoughtsTokenCount (on top of
//                                             candidatesTokenCount), as the real API reports them
//   {kind:'status', status, body?, headers?}  an error status with the real google.rpc.Status body
//   {kind:'slow_first_byte', delay_ms} | {kind:'hang'} | {kind:'reset'}
//   {kind:'truncate', after_chunks}           stream: N chunks, half a chunk, then drop the socket
//   {kind:'error_midstream', after_chunks}    stream: N chunks, then a `data: {"error":{"code":503,…}}`
//                                             frame and a clean end (non-streaming: a plain 500)
//   {kind:'slow_stream', interval_ms}
//   {kind:'slow_first_content', delay_ms}     stream: the headers at once, then a pause before the
//                                             first chunk (Gemini sends no preamble); non-streaming:
//                                             the head, then the body
//
// Answers (see mock-answers.mjs): text parts; functionCall parts (no ids, finishReason STOP) when
// function declarations are offered; "Tool said: …" after functionResponse parts (a response that
// only wraps a string — {"output"|"result"|"content"|"text"|"response": "…"} — counts as that string,
// any other object as its JSON);
// {"answer":"Hello"} with responseMimeType application/json. Streams send text word by word and
// each functionCall whole, in its own chunk.

import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

import { DEFAULT_EMBEDDING_DIMENSIONS, decideAnswer, mockEmbedding, thinkingText, wordChunks } from './mock-answers.mjs';
import { applyCompleteBehaviour, applyPreBehaviour, startMockServer } from './mock-server.mjs';

const FIXTURES = new URL('../fixtures/gemini/', import.meta.url);
const fixture = (name) => JSON.parse(readFileSync(new URL(name, FIXTURES), 'utf8'));

const ERROR_BODIES = {
  400: { error: { code: 400, message: 'Request contains an invalid argument.', status: 'INVALID_ARGUMENT' } },
  403: fixture('gemini.error.403.json'),
  404: fixture('gemini.error.404.json'),
  429: fixture('gemini.error.429.json'),
  500: fixture('gemini.error.500.json'),
  503: fixture('gemini.error.503.json'),
};
const BAD_KEY = fixture('gemini.error.400.json');
const NO_KEY = fixture('gemini.error.403.json');
const MIDSTREAM_ERROR = fixture('gemini.error.503.json');
const MODELS = (() => {
  const list = fixture('gemini.models.list.json');
  delete list.nextPageToken; // one page: a token would make the SDK's pager ask again forever
  return list;
})();

const FUNCTION_NAME = /^[a-zA-Z_][a-zA-Z0-9_.:-]{0,127}$/;
const SCHEMA_TYPES = ['TYPE_UNSPECIFIED', 'STRING', 'NUMBER', 'INTEGER', 'BOOLEAN', 'ARRAY', 'OBJECT', 'NULL'];
const MIME_TYPES = ['text/plain', 'application/json', 'application/xml', 'application/yaml', 'text/x.enum'];
const MODES = ['MODE_UNSPECIFIED', 'AUTO', 'ANY', 'NONE', 'VALIDATED'];

// Field names per message (JSON lowerCamelCase; proto3 JSON also accepts the snake_case names).
const FIELDS = {
  request: ['model', 'contents', 'tools', 'toolConfig', 'safetySettings', 'systemInstruction', 'generationConfig', 'cachedContent', 'serviceTier', 'store'],
  content: ['role', 'parts'],
  part: ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult', 'toolCall', 'toolResponse',
    'thought', 'thoughtSignature', 'videoMetadata', 'mediaResolution', 'partMetadata', 'mediaProcessing'],
  blob: ['mimeType', 'data'],
  fileData: ['mimeType', 'fileUri'],
  functionCall: ['id', 'name', 'args'],
  functionResponse: ['id', 'name', 'response', 'parts', 'willContinue', 'scheduling'],
  tool: ['functionDeclarations', 'googleSearch', 'googleSearchRetrieval', 'codeExecution', 'urlContext', 'fileSearch', 'googleMaps', 'computerUse', 'mcpServers'],
  functionDeclaration: ['name', 'description', 'parameters', 'parametersJsonSchema', 'response', 'responseJsonSchema', 'behavior'],
  toolConfig: ['functionCallingConfig', 'retrievalConfig', 'includeServerSideToolInvocations'],
  functionCallingConfig: ['mode', 'allowedFunctionNames'],
  schema: ['type', 'format', 'title', 'description', 'nullable', 'enum', 'maxItems', 'minItems', 'properties', 'required', 'minProperties', 'maxProperties',
    'minLength', 'maxLength', 'pattern', 'example', 'anyOf', 'propertyOrdering', 'default', 'items', 'minimum', 'maximum'],
  generationConfig: ['stopSequences', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'responseModalities', 'candidateCount', 'maxOutputTokens',
    'temperature', 'topP', 'topK', 'seed', 'presencePenalty', 'frequencyPenalty', 'responseLogprobs', 'logprobs', 'enableEnhancedCivicAnswers',
    'speechConfig', 'thinkingConfig', 'imageConfig', 'mediaResolution', 'enableAffectiveDialog', 'translationConfig', 'responseFormat',
    'audioTranscriptionConfig'],
  thinkingConfig: ['thinkingBudget', 'includeThoughts', 'thinkingLevel'],
  safetySetting: ['category', 'threshold', 'method'],
  embedRequest: ['model', 'content', 'taskType', 'title', 'outputDimensionality', 'embedContentConfig'],
  countRequest: ['contents', 'generateContentRequest'],
};
const DATA_FIELDS = ['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse', 'executableCode', 'codeExecutionResult', 'toolCall', 'toolResponse'];

const snake = (name) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
const isObject = (v) => v !== null && typeof v === 'object' && !Array.isArray(v);
/** obj[name] under its JSON name or its proto (snake_case) name. */
const get = (obj, name) => (obj?.[name] !== undefined ? obj[name] : obj?.[snake(name)]);
const randomId = (bytes = 16) => randomBytes(bytes).toString('base64url').replace(/[-_]/g, 'x');

class Invalid extends Error {}
const invalid = (message) => {
  throw new Invalid(message);
};
const violation = (path, message) => invalid(`* ${path}: ${message}\n`);

function checkFields(obj, kind, at, { context = null } = {}) {
  if (!isObject(obj)) {
    if (Array.isArray(obj)) invalid(`Invalid JSON payload received. Unknown name "${at.split('.').at(-1)}" at '${at.split('.').slice(0, -1).join('.')}': Proto field is not repeating, cannot start list.`);
    invalid(`Invalid value at '${at}' (${context ?? 'object'}), ${JSON.stringify(obj)}`);
  }
  const allowed = FIELDS[kind];
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key) && !allowed.map(snake).includes(key)) {
      invalid(`Invalid JSON payload received. Unknown name "${key}"${at ? ` at '${at}'` : ''}: Cannot find field.`);
    }
  }
}

const isBase64 = (text) => typeof text === 'string' && /^[A-Za-z0-9+/_-]*={0,2}$/.test(text);

function checkSchema(schema, at) {
  checkFields(schema, 'schema', at, { context: 'type.googleapis.com/google.ai.generativelanguage.v1beta.Schema' });
  const type = get(schema, 'type');
  if (Array.isArray(type)) invalid(`Invalid JSON payload received. Unknown name "type" at '${at}': Proto field is not repeating, cannot start list.`);
  if (type !== undefined && (typeof type !== 'string' || !SCHEMA_TYPES.includes(type.toUpperCase()))) {
    invalid(`Invalid value at '${at}.type' (type.googleapis.com/google.ai.generativelanguage.v1beta.Type), ${JSON.stringify(type)}`);
  }
  const properties = get(schema, 'properties');
  if (properties !== undefined) {
    if (!isObject(properties)) invalid(`Invalid value at '${at}.properties' (map), ${JSON.stringify(properties)}`);
    for (const [key, value] of Object.entries(properties)) checkSchema(value, `${at}.properties[${key}].value`);
  }
  const items = get(schema, 'items');
  if (items !== undefined) checkSchema(items, `${at}.items`);
  const anyOf = get(schema, 'anyOf');
  if (anyOf !== undefined) {
    if (!Array.isArray(anyOf)) invalid(`Invalid value at '${at}.any_of', ${JSON.stringify(anyOf)}`);
    anyOf.forEach((s, i) => checkSchema(s, `${at}.any_of[${i}]`));
  }
  for (const name of ['required', 'enum', 'propertyOrdering']) {
    const list = get(schema, name);
    if (list !== undefined && (!Array.isArray(list) || list.some((v) => typeof v !== 'string'))) {
      invalid(`Invalid value at '${at}.${snake(name)}' (TYPE_STRING), ${JSON.stringify(list)}`);
    }
  }
}

function checkPart(part, at) {
  checkFields(part, 'part', at);
  const present = DATA_FIELDS.filter((f) => get(part, f) !== undefined);
  if (present.length > 1) invalid(`Invalid value at '${at}' (oneof), oneof field 'data' is already set. Cannot set '${present[1]}'`);
  const text = get(part, 'text');
  if (present.length === 0 || (present[0] === 'text' && text === '' && get(part, 'thoughtSignature') === undefined)) {
    violation(`GenerateContentRequest.${at}.data`, "required oneof field 'data' must have one initialized field");
  }
  if (text !== undefined && typeof text !== 'string') invalid(`Invalid value at '${at}.text' (TYPE_STRING), ${JSON.stringify(text)}`);
  const blob = get(part, 'inlineData');
  if (blob !== undefined) {
    checkFields(blob, 'blob', `${at}.inline_data`);
    if (typeof get(blob, 'mimeType') !== 'string' || get(blob, 'mimeType') === '') violation(`GenerateContentRequest.${at}.inline_data.mime_type`, 'mime_type is required');
    if (!isBase64(get(blob, 'data') ?? '') || !get(blob, 'data')) {
      invalid(`Invalid value at '${at}.inline_data.data' (TYPE_BYTES), Base64 decoding failed for "${String(get(blob, 'data') ?? '').slice(0, 20)}"`);
    }
  }
  const file = get(part, 'fileData');
  if (file !== undefined) {
    checkFields(file, 'fileData', `${at}.file_data`);
    if (typeof get(file, 'fileUri') !== 'string') violation(`GenerateContentRequest.${at}.file_data.file_uri`, 'file_uri is required');
  }
  const call = get(part, 'functionCall');
  if (call !== undefined) {
    checkFields(call, 'functionCall', `${at}.function_call`);
    if (typeof call.name !== 'string' || call.name === '') violation(`GenerateContentRequest.${at}.function_call.name`, 'Name cannot be empty.');
    if (call.args !== undefined && !isObject(call.args)) {
      invalid(`Invalid value at '${at}.function_call.args' (type.googleapis.com/google.protobuf.Struct), ${JSON.stringify(call.args)}`);
    }
  }
  const response = get(part, 'functionResponse');
  if (response !== undefined) {
    checkFields(response, 'functionResponse', `${at}.function_response`);
    if (typeof response.name !== 'string' || response.name === '') violation(`GenerateContentRequest.${at}.function_response.name`, 'Name cannot be empty.');
    if (Array.isArray(response.response)) {
      invalid(`Invalid JSON payload received. Unknown name "response" at '${at}.function_response': Proto field is not repeating, cannot start list.`);
    }
    if (response.response !== undefined && !isObject(response.response)) {
      invalid(`Invalid value at '${at}.function_response.response' (type.googleapis.com/google.protobuf.Struct), ${JSON.stringify(response.response)}`);
    }
  }
}

function checkContents(contents, { prefix = 'GenerateContentRequest', requireUserLast = true } = {}) {
  if (contents === undefined || (Array.isArray(contents) && contents.length === 0)) violation(`${prefix}.contents`, 'contents is not specified');
  if (!Array.isArray(contents)) invalid(`Invalid value at 'contents', ${JSON.stringify(contents)}`);
  contents.forEach((content, i) => {
    checkFields(content, 'content', `contents[${i}]`);
    if (content.role !== undefined && content.role !== 'user' && content.role !== 'model') invalid('Please use a valid role: user, model.');
    if (!Array.isArray(content.parts) || content.parts.length === 0) violation(`${prefix}.contents[${i}].parts`, 'contents.parts must not be empty.');
    content.parts.forEach((part, j) => checkPart(part, `contents[${i}].parts[${j}]`));
  });

  const role = (c) => c.role ?? 'user';
  const calls = (c) => c.parts.map((p) => get(p, 'functionCall')).filter(Boolean);
  const responses = (c) => c.parts.map((p) => get(p, 'functionResponse')).filter(Boolean);
  contents.forEach((content, i) => {
    const prev = contents[i - 1];
    if (calls(content).length > 0) {
      if (role(content) !== 'model') invalid('Please ensure that function call parts are only in model turns.');
      if (!prev || role(prev) !== 'user') {
        invalid('Please ensure that function call turn comes immediately after a user turn or after a function response turn.');
      }
    }
    if (responses(content).length > 0) {
      if (role(content) !== 'user') invalid('Please ensure that function response parts are only in user turns.');
      if (!prev || calls(prev).length === 0) invalid('Please ensure that function response turn comes immediately after a function call turn.');
    }
    if (prev && calls(prev).length > 0) {
      const asked = calls(prev);
      const answered = responses(content);
      if (answered.length !== asked.length) {
        invalid('Please ensure that the number of function response parts is equal to the number of function call parts of the function call turn.');
      }
      const names = (list) => list.map((x) => x.name).sort().join('\n');
      if (names(asked) !== names(answered)) {
        invalid('Please ensure that the names of the function response parts match the names of the function call parts of the function call turn.');
      }
    }
  });
  if (requireUserLast && role(contents.at(-1)) === 'model') {
    invalid('Please ensure that multiturn requests end with a user turn or a function response turn.');
  }
}

function checkTools(body) {
  const tools = get(body, 'tools');
  const names = [];
  if (tools !== undefined) {
    if (!Array.isArray(tools)) invalid(`Invalid value at 'tools', ${JSON.stringify(tools)}`);
    tools.forEach((tool, i) => {
      checkFields(tool, 'tool', `tools[${i}]`);
      const decls = get(tool, 'functionDeclarations');
      if (decls === undefined) return;
      if (!Array.isArray(decls)) invalid(`Invalid value at 'tools[${i}].function_declarations', ${JSON.stringify(decls)}`);
      decls.forEach((decl, j) => {
        const at = `tools[${i}].function_declarations[${j}]`;
        checkFields(decl, 'functionDeclaration', at);
        if (typeof decl.name !== 'string' || !FUNCTION_NAME.test(decl.name)) {
          violation(
            `GenerateContentRequest.${at}.name`,
            'Invalid function name. Must start with a letter or an underscore. Must be a-z, A-Z, 0-9, or contain underscores, dots, colons and dashes, with a maximum length of 128.',
          );
        }
        if (names.includes(decl.name)) violation(`GenerateContentRequest.${at}.name`, `Duplicate function declaration name: ${decl.name}`);
        names.push(decl.name);
        const parameters = get(decl, 'parameters');
        const jsonSchema = get(decl, 'parametersJsonSchema');
        if (parameters !== undefined && jsonSchema !== undefined) {
          violation(`GenerateContentRequest.${at}`, 'parameters and parameters_json_schema cannot both be set.');
        }
        if (parameters !== undefined) checkSchema(parameters, `${at}.parameters`);
        if (jsonSchema !== undefined && !isObject(jsonSchema)) invalid(`Invalid value at '${at}.parameters_json_schema' (type.googleapis.com/google.protobuf.Value), ${JSON.stringify(jsonSchema)}`);
        if (get(decl, 'response') !== undefined) checkSchema(get(decl, 'response'), `${at}.response`);
      });
    });
  }
  const toolConfig = get(body, 'toolConfig');
  if (toolConfig !== undefined) {
    checkFields(toolConfig, 'toolConfig', 'tool_config');
    const fcc = get(toolConfig, 'functionCallingConfig');
    if (fcc !== undefined) {
      checkFields(fcc, 'functionCallingConfig', 'tool_config.function_calling_config');
      if (names.length === 0) {
        violation('GenerateContentRequest.tool_config.function_calling_config', 'function_calling_config is only supported when function_declarations are provided.');
      }
      if (fcc.mode !== undefined && !MODES.includes(fcc.mode)) {
        invalid(`Invalid value at 'tool_config.function_calling_config.mode' (type.googleapis.com/google.ai.generativelanguage.v1beta.FunctionCallingConfig.Mode), ${JSON.stringify(fcc.mode)}`);
      }
      const allowed = get(fcc, 'allowedFunctionNames');
      if (allowed !== undefined) {
        if (!['ANY', 'VALIDATED'].includes(fcc.mode)) {
          violation('GenerateContentRequest.tool_config.function_calling_config.allowed_function_names', 'allowed_function_names can only be set when mode is ANY or VALIDATED.');
        }
        for (const name of allowed) {
          if (!names.includes(name)) violation('GenerateContentRequest.tool_config.function_calling_config.allowed_function_names', `function ${name} is not declared.`);
        }
      }
    }
  }
  return names;
}

function checkGenerationConfig(body) {
  const config = get(body, 'generationConfig');
  if (config === undefined) return;
  checkFields(config, 'generationConfig', 'generation_config');
  const stops = get(config, 'stopSequences');
  if (stops !== undefined) {
    if (!Array.isArray(stops)) invalid(`Invalid value at 'generation_config.stop_sequences', ${JSON.stringify(stops)}`);
    if (stops.length > 5) violation('GenerateContentRequest.generation_config.stop_sequences', 'the number of stop_sequences must not exceed 5.');
  }
  const mime = get(config, 'responseMimeType');
  if (mime !== undefined && !MIME_TYPES.includes(mime)) {
    violation('GenerateContentRequest.generation_config.response_mime_type', 'allowed mimetypes are `text/plain`, `application/json`, `application/xml`, `application/yaml` and `text/x.enum`.');
  }
  const schema = get(config, 'responseSchema');
  const jsonSchema = get(config, 'responseJsonSchema');
  if (schema !== undefined && jsonSchema !== undefined) {
    violation('GenerateContentRequest.generation_config', 'response_schema and response_json_schema cannot both be set.');
  }
  if (schema !== undefined) checkSchema(schema, 'generation_config.response_schema');
  if ((schema !== undefined || jsonSchema !== undefined) && !['application/json', 'text/x.enum'].includes(mime)) {
    violation('GenerateContentRequest.generation_config.response_mime_type', 'response_mime_type must be application/json or text/x.enum when a response schema is set.');
  }
  const temperature = get(config, 'temperature');
  if (temperature !== undefined && (typeof temperature !== 'number' || temperature < 0 || temperature > 2)) {
    violation('GenerateContentRequest.generation_config.temperature', 'temperature must be between 0 and 2.');
  }
  const count = get(config, 'candidateCount');
  if (count !== undefined && (!Number.isInteger(count) || count < 1 || count > 8)) {
    violation('GenerateContentRequest.generation_config.candidate_count', 'candidate_count must be between 1 and 8.');
  }
  const maxTokens = get(config, 'maxOutputTokens');
  if (maxTokens !== undefined && (!Number.isInteger(maxTokens) || maxTokens < 1)) {
    violation('GenerateContentRequest.generation_config.max_output_tokens', 'max_output_tokens must be positive.');
  }
  const thinking = get(config, 'thinkingConfig');
  if (thinking !== undefined) checkFields(thinking, 'thinkingConfig', 'generation_config.thinking_config');
}

/** Validates a GenerateContentRequest like the real API; throws Invalid. */
function validateGenerate(body, { requireUserLast = true } = {}) {
  if (!isObject(body)) invalid(`Invalid JSON payload received. Expected an object, got ${JSON.stringify(body)}.`);
  checkFields(body, 'request', '');
  const system = get(body, 'systemInstruction');
  if (system !== undefined) {
    checkFields(system, 'content', 'system_instruction');
    if (!Array.isArray(system.parts) || system.parts.length === 0) violation('GenerateContentRequest.system_instruction.parts', 'contents.parts must not be empty.');
    system.parts.forEach((part, j) => checkPart(part, `system_instruction.parts[${j}]`));
  }
  checkContents(body.contents, { requireUserLast });
  checkTools(body);
  checkGenerationConfig(body);
  const safety = get(body, 'safetySettings');
  if (safety !== undefined) safety.forEach((s, i) => checkFields(s, 'safetySetting', `safety_settings[${i}]`));
}

// The keys gateways use to wrap a plain-text tool result into the object Gemini requires.
const WRAPPER_KEYS = ['output', 'result', 'content', 'text', 'response'];

/** A function response as the text the deterministic model quotes. */
function responseText(response) {
  if (isObject(response)) {
    const keys = Object.keys(response);
    if (keys.length === 1 && WRAPPER_KEYS.includes(keys[0]) && typeof response[keys[0]] === 'string') return response[keys[0]];
  }
  return JSON.stringify(response ?? {});
}

function neutralView(body) {
  const texts = [];
  const system = get(body, 'systemInstruction');
  for (const part of system?.parts ?? []) if (typeof part.text === 'string') texts.push(part.text);
  for (const content of body.contents) {
    for (const part of content.parts) {
      if (typeof part.text === 'string' && !part.thought) texts.push(part.text);
      const response = get(part, 'functionResponse');
      if (response) texts.push(responseText(response.response));
    }
  }
  const lastUser = [...body.contents].reverse().find((c) => (c.role ?? 'user') === 'user');
  let lastTurn = { kind: 'none' };
  if (lastUser) {
    const results = lastUser.parts.map((p) => get(p, 'functionResponse')).filter(Boolean);
    lastTurn =
      results.length > 0
        ? { kind: 'tool_results', results: results.map((r) => responseText(r.response)) }
        : { kind: 'text', text: lastUser.parts.filter((p) => typeof p.text === 'string' && !p.thought).map((p) => p.text).join(' ') };
  }
  const tools = [];
  for (const tool of get(body, 'tools') ?? []) {
    for (const decl of get(tool, 'functionDeclarations') ?? []) {
      tools.push({ name: decl.name, schema: get(decl, 'parameters') ?? get(decl, 'parametersJsonSchema') });
    }
  }
  const fcc = get(get(body, 'toolConfig'), 'functionCallingConfig');
  const allowed = get(fcc, 'allowedFunctionNames') ?? [];
  let toolChoice = { mode: 'auto' };
  if (fcc?.mode === 'NONE') toolChoice = { mode: 'none' };
  else if ((fcc?.mode === 'ANY' || fcc?.mode === 'VALIDATED') && allowed.length === 1) toolChoice = { mode: 'tool', name: allowed[0] };
  else if (fcc?.mode === 'ANY') toolChoice = { mode: 'required' };
  const json = get(get(body, 'generationConfig'), 'responseMimeType') === 'application/json';
  return { texts, lastTurn, tools, toolChoice, json };
}

/** The answer as Gemini parts plus usageMetadata. */
export function geminiAnswer(body, behaviour = {}) {
  const view = neutralView(body);
  const answer = decideAnswer(view);
  // includeThoughts: a thought summary part comes first.
  const showThoughts = get(get(get(body, 'generationConfig'), 'thinkingConfig'), 'includeThoughts') === true;
  const thought = showThoughts ? [{ text: thinkingText(view), thought: true }] : [];
  const parts = answer.kind === 'text' ? [{ text: answer.text }] : answer.calls.map((c) => ({ functionCall: { name: c.name, args: c.args } }));
  const prompt = answer.usage.input;
  const cached = Math.max(0, Math.min(behaviour.cached_tokens ?? 0, prompt));
  const thoughts = Math.max(0, behaviour.thoughts_tokens ?? 0);
  const usage = {
    promptTokenCount: prompt,
    candidatesTokenCount: answer.usage.output,
    totalTokenCount: prompt + answer.usage.output + thoughts,
    ...(cached > 0 ? { cachedContentTokenCount: cached } : {}),
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    promptTokensDetails: [{ modality: 'TEXT', tokenCount: prompt }],
  };
  const candidateCount = get(get(body, 'generationConfig'), 'candidateCount') ?? 1;
  return { parts, thought, usage, candidateCount, prompt };
}

function generateBody(model, answer) {
  return {
    candidates: Array.from({ length: answer.candidateCount }, (_, index) => ({
      content: { parts: [...answer.thought, ...answer.parts], role: 'model' },
      finishReason: 'STOP',
      index,
    })),
    usageMetadata: answer.usage,
    modelVersion: model,
    responseId: randomId(),
  };
}

/** The chunks of a streamed answer: text word by word, each functionCall whole; the last one has finishReason. */
function streamChunks(model, answer) {
  const responseId = randomId();
  const running = { promptTokenCount: answer.prompt, totalTokenCount: answer.prompt };
  const pieces = answer.parts[0]?.text !== undefined ? wordChunks(answer.parts[0].text).map((text) => [{ text }]) : answer.parts.map((p) => [p]);
  const chunk = (parts, last) => ({
    candidates: Array.from({ length: answer.candidateCount }, (_, index) => ({
      content: { parts, role: 'model' },
      ...(last ? { finishReason: 'STOP' } : {}),
      index,
    })),
    usageMetadata: last ? answer.usage : running,
    modelVersion: model,
    responseId,
  });
  const chunks = [
    ...answer.thought.map((part) => chunk([part], false)),
    ...pieces.map((parts, i) => chunk(parts, answer.parts[0]?.text === undefined && i === pieces.length - 1)),
  ];
  if (answer.parts[0]?.text !== undefined) chunks.push(chunk([{ text: '' }], true));
  return chunks;
}

const sseFrame = (value) => `data: ${JSON.stringify(value)}\r\n\r\n`;

export async function startGeminiMock({ port = 0, apiKey = 'sk-upstream-test' } = {}) {
  async function handle(req, res, record, url, io) {
    const send = (status, body, headers) => io.sendJSON(res, record, status, body, { 'content-type': 'application/json; charset=UTF-8', ...headers });
    const status = (code, statusName, message) => send(code, { error: { code, message, status: statusName } });
    const route = url.pathname;

    const key = req.headers['x-goog-api-key'] ?? url.searchParams.get('key');
    if (key === undefined || key === null) return send(403, NO_KEY);
    if (key !== apiKey) return send(400, BAD_KEY);

    if (req.method === 'GET' && route === '/v1beta/models') return send(200, MODELS);
    const getModel = /^\/v1beta\/models\/([^/:]+)$/.exec(route);
    if (req.method === 'GET' && getModel) {
      const model = MODELS.models.find((m) => m.name === `models/${getModel[1]}`);
      return model ? send(200, model) : status(404, 'NOT_FOUND', `models/${getModel[1]} is not found for API version v1beta.`);
    }
    const action = /^\/v1beta\/models\/([^/:]+):([A-Za-z]+)$/.exec(route);
    if (req.method !== 'POST' || !action) return status(404, 'NOT_FOUND', `Method not found: ${req.method} ${route}`);
    const [, model, method] = action;
    const generating = method === 'generateContent' || method === 'streamGenerateContent';
    const embedding = method === 'embedContent' || method === 'batchEmbedContents';
    if (!generating && !embedding && method !== 'countTokens') return status(404, 'NOT_FOUND', `Method not found: ${method}`);

    const behaviour = generating ? io.nextBehaviour() : { kind: 'normal' };
    record.behaviour = behaviour;
    const sendStatus = ({ status: code, body, headers }) => send(code, body ?? ERROR_BODIES[code] ?? ERROR_BODIES[500], headers);
    if (await applyPreBehaviour(req, res, record, behaviour, io, sendStatus)) return;

    const isEmbeddingModel = model.includes('embedding');
    if ((embedding && !isEmbeddingModel) || (!embedding && (isEmbeddingModel || !model.startsWith('gemini-')))) {
      return status(404, 'NOT_FOUND', `models/${model} is not found for API version v1beta, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`);
    }

    let body;
    try {
      body = JSON.parse(record.body);
    } catch (err) {
      return status(400, 'INVALID_ARGUMENT', `Invalid JSON payload received. ${err.message}`);
    }
    try {
      if (method === 'countTokens') return countTokens(body);
      if (embedding) return embed(body);
      validateGenerate(body);
    } catch (err) {
      if (err instanceof Invalid) return status(400, 'INVALID_ARGUMENT', err.message);
      throw err;
    }

    const answer = geminiAnswer(body, behaviour);
    if (method === 'streamGenerateContent') {
      const chunks = streamChunks(model, answer);
      if (url.searchParams.get('alt') === 'sse') {
        return io.sendFrames(res, record, chunks.map(sseFrame), behaviour, { errorFrame: sseFrame(MIDSTREAM_ERROR) });
      }
      // Without alt=sse Google streams one JSON array.
      return send(200, `[${chunks.map((c) => JSON.stringify(c)).join(',\r\n')}]`);
    }
    const text = JSON.stringify(generateBody(model, answer));
    if (await applyCompleteBehaviour(res, record, behaviour, io, sendStatus, text, 'application/json; charset=UTF-8')) return;
    return send(200, text);

    function countTokens(request) {
      if (!isObject(request)) invalid('Invalid JSON payload received. Expected an object.');
      checkFields(request, 'countRequest', '');
      let view;
      if (request.generateContentRequest !== undefined || request.generate_content_request !== undefined) {
        const inner = get(request, 'generateContentRequest');
        validateGenerate(inner, { requireUserLast: false });
        view = neutralView(inner);
      } else {
        checkContents(request.contents, { prefix: 'CountTokensRequest', requireUserLast: false });
        view = neutralView({ contents: request.contents });
      }
      const total = decideAnswer(view).usage.input;
      return send(200, { totalTokens: total, promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }] });
    }

    function embedOne(request, at, { requireModel }) {
      checkFields(request, 'embedRequest', at);
      const requestModel = request.model;
      if (requireModel && requestModel === undefined) violation(`BatchEmbedContentsRequest.${at}.model`, 'model is required.');
      if (requestModel !== undefined && requestModel !== `models/${model}`) {
        violation(`${requireModel ? 'BatchEmbedContentsRequest' : 'EmbedContentRequest'}.${at ? `${at}.` : ''}model`, `the model in the request (${requestModel}) must match models/${model}.`);
      }
      const content = request.content;
      if (content === undefined) violation(`EmbedContentRequest.${at ? `${at}.` : ''}content`, 'content is required.');
      checkFields(content, 'content', `${at ? `${at}.` : ''}content`);
      if (!Array.isArray(content.parts) || content.parts.length === 0) violation(`EmbedContentRequest.${at ? `${at}.` : ''}content.parts`, 'contents.parts must not be empty.');
      content.parts.forEach((part, j) => checkPart(part, `${at ? `${at}.` : ''}content.parts[${j}]`));
      const dims = get(request, 'outputDimensionality') ?? get(get(request, 'embedContentConfig'), 'outputDimensionality') ?? DEFAULT_EMBEDDING_DIMENSIONS;
      if (!Number.isInteger(dims) || dims < 1) violation('EmbedContentRequest.output_dimensionality', 'output_dimensionality must be positive.');
      const text = content.parts.filter((p) => typeof p.text === 'string').map((p) => p.text).join(' ');
      return { values: mockEmbedding(text, dims) };
    }

    function embed(request) {
      if (!isObject(request)) invalid('Invalid JSON payload received. Expected an object.');
      if (method === 'embedContent') return send(200, { embedding: embedOne(request, '', { requireModel: false }) });
      for (const key of Object.keys(request)) {
        if (key !== 'requests') invalid(`Invalid JSON payload received. Unknown name "${key}": Cannot find field.`);
      }
      if (!Array.isArray(request.requests) || request.requests.length === 0) violation('BatchEmbedContentsRequest.requests', 'requests must not be empty.');
      const embeddings = request.requests.map((r, i) => embedOne(r, `requests[${i}]`, { requireModel: true }));
      return send(200, { embeddings });
    }
  }

  const server = await startMockServer({ port, handle, responseHeaders: () => ({ vary: 'Origin, X-Origin, Referer', server: 'scaffolding on HTTPServer2' }) });

  return {
    url: `http://127.0.0.1:${server.port}`,
    port: server.port,
    apiKey,
    requests: server.requests,
    script: server.script,
    reset: server.reset,
    close: server.close,
    /** The generateContent / streamGenerateContent requests received so far. */
    generateRequests: () => server.requests.filter((r) => r.method === 'POST' && /:(stream)?[gG]enerateContent/.test(r.path)),
  };
}

// CLI entry point.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const option = (name, fallback) => {
    const i = process.argv.indexOf(name);
    return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
  };
  const mock = await startGeminiMock({ port: Number(option('--port', '0')), apiKey: option('--api-key', 'sk-upstream-test') });
  console.log(`gemini-mock listening on ${mock.url}`);
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => mock.close().then(() => process.exit(0)));
}
