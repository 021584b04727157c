// The deterministic "model" shared by the three provider mocks (OpenAI, Anthropic, Gemini), so that
// one test can assert the same outcome whatever provider the gateway routed to.
//
// Each mock reduces its native request to a neutral view and asks decideAnswer() what to say:
//
//   view = {
//     texts:      every prompt text (system, messages, tool results), for the input token count
//     lastTurn:   {kind: 'text', text} | {kind: 'tool_results', results: [string]} | {kind: 'none'}
//     tools:      [{name, schema}] the function tools offered (schema = JSON-schema-ish parameters)
//     toolChoice: {mode: 'auto' | 'none' | 'required' | 'tool', name?}
//     json:       true when JSON output was asked for (response_format / responseMimeType / output_config)
//   }
//
// The rules:
//   - last user turn holds tool results           → text "Tool said: <r1> | <r2>"
//   - tools offered (choice not 'none'), last turn is plain text:
//       choice names a tool, or is 'required' with
//       a single tool offered                     → one call to it: {"city":"Paris"} when its schema has a
//                                                   `city` property, else {"answer":"Hello"} (JSON mode
//                                                   emulated with a forced tool, e.g. Anthropic's
//                                                   tool_choice "any" with one `json` tool)
//       the text contains the word "parallel"     → one call to EACH tool, args {"city":"Paris"}
//       otherwise                                 → one call to the first tool, args {"city":"Paris"}
//   - JSON mode                                   → text {"answer":"Hello"}
//   - otherwise                                   → text "Hello from mock: <last user text>"
// Usage: input = words in all prompt texts; output = words in the answer text, or for tool calls the
// words of each call's JSON arguments (1 per call for {"city":"Paris"}).

import { createHash } from 'node:crypto';

export const JSON_ANSWER = { answer: 'Hello' };
export const TOOL_ARGS = { city: 'Paris' };

/** Split on whitespace, ignoring empty pieces: the mocks' notion of a "token". */
export const countWords = (text) => String(text ?? '').split(/\s+/).filter(Boolean).length;

/** True when `text` contains the word "parallel" (any case). */
export const wantsParallel = (text) => /\bparallel\b/i.test(text ?? '');

const schemaHasCity = (schema) =>
  schema !== null && typeof schema === 'object' && schema.properties !== null && typeof schema.properties === 'object'
    ? Object.hasOwn(schema.properties, 'city')
    : false;

/**
 * The answer for a neutral view (see the header): {kind:'text', text} or
 * {kind:'tool_calls', calls:[{name, args}]}, plus usage {input, output}.
 */
export function decideAnswer({ texts = [], lastTurn = { kind: 'none' }, tools = [], toolChoice = { mode: 'auto' }, json = false }) {
  const input = countWords(texts.join(' '));
  let answer;
  if (lastTurn.kind === 'tool_results') {
    answer = { kind: 'text', text: `Tool said: ${lastTurn.results.join(' | ')}` };
  } else if (tools.length > 0 && toolChoice.mode !== 'none') {
    if (toolChoice.mode === 'tool' || (toolChoice.mode === 'required' && tools.length === 1)) {
      const tool = tools.find((t) => t.name === toolChoice.name) ?? tools[0];
      answer = { kind: 'tool_calls', calls: [{ name: tool.name, args: schemaHasCity(tool.schema) ? { ...TOOL_ARGS } : { ...JSON_ANSWER } }] };
    } else if (lastTurn.kind === 'text' && wantsParallel(lastTurn.text)) {
      answer = { kind: 'tool_calls', calls: tools.map((t) => ({ name: t.name, args: { ...TOOL_ARGS } })) };
    } else {
      answer = { kind: 'tool_calls', calls: [{ name: tools[0].name, args: { ...TOOL_ARGS } }] };
    }
  } else if (json) {
    answer = { kind: 'text', text: JSON.stringify(JSON_ANSWER) };
  } else {
    answer = { kind: 'text', text: `Hello from mock: ${lastTurn.kind === 'text' ? lastTurn.text : ''}` };
  }
  const output =
    answer.kind === 'text'
      ? countWords(answer.text)
      : answer.calls.reduce((sum, call) => sum + countWords(JSON.stringify(call.args)), 0);
  return { ...answer, usage: { input, output } };
}

/**
 * The reasoning every mock shows when asked to (Anthropic thinking, Gemini includeThoughts, a
 * Responses reasoning summary): "Thinking about: <last user text>".
 */
export function thinkingText({ lastTurn = { kind: 'none' } } = {}) {
  return `Thinking about: ${lastTurn.kind === 'text' ? lastTurn.text : 'the tool results'}`;
}

/** Splits text into word chunks that concatenate back to it (each word keeps its trailing space). */
export const wordChunks = (text) => text.match(/\S+\s*|\s+/g) ?? [];

/** Splits a string into 2–3 fragments (fewer when it is too short) that concatenate back to it. */
export function fragments(text) {
  if (text.length < 2) return [text];
  if (text.length < 6) return [text.slice(0, 1), text.slice(1)];
  const a = Math.floor(text.length / 3);
  const b = Math.floor((2 * text.length) / 3);
  return [text.slice(0, a), text.slice(a, b), text.slice(b)];
}

/**
 * A deterministic embedding for `text`: `dimensions` floats in [-0.5, 0.5) derived from SHA-256 of
 * the text (rounded to 6 decimals, so float32 round trips stay within 1e-6). Both the OpenAI and the
 * Gemini mock use it, with the same default size.
 */
export const DEFAULT_EMBEDDING_DIMENSIONS = 8;
export function mockEmbedding(text, dimensions = DEFAULT_EMBEDDING_DIMENSIONS) {
  const values = [];
  let block = Buffer.alloc(0);
  for (let i = 0; values.length < dimensions; i++) {
    if (block.length === 0) block = createHash('sha256').update(`${i}:${text}`).digest();
    values.push(Math.round((block[0] / 256 - 0.5) * 1e6) / 1e6);
    block = block.subarray(1);
  }
  return values;
}

/** Little-endian float32 bytes of `values`, base64: OpenAI's `encoding_format: "base64"`. */
export function floatsToBase64(values) {
  const buf = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => buf.writeFloatLE(v, i * 4));
  return buf.toString('base64');
}

/** The image type a base64 payload really holds (by magic bytes), or null. */
export function sniffImageType(base64) {
  let bytes;
  try {
    bytes = Buffer.from(base64, 'base64');
  } catch {
    return null;
  }
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 6 && /^GIF8[79]a$/.test(bytes.subarray(0, 6).toString('latin1'))) return 'image/gif';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP') {
    return 'image/webp';
  }
  return null;
}

/** Standard base64 (with optional padding), as the APIs accept it in JSON. */
export const isBase64 = (text) =>
  typeof text === 'string' && text.length > 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text) && text.length % 4 === 0;

/** A real 1x1 PNG, for image-input tests. */
/** A one-page PDF, base64: what the file-input cells send. */
export const TINY_PDF_BASE64 = Buffer.from(
  '%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj ' +
    '3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 3 3]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n',
).toString('base64');

export const TINY_PNG_BASE64 =
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

/** Reads a whole request body as UTF-8. */
export async function readBody(req) {
  const chunks = [];
  for await (const chunk of req) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

export const lowerCaseHeaders = (headers) =>
  Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v]));

/**
 * Records in `record` how its exchange ended: `receivedAt` (when the request was read), then
 * either `completed` (the whole answer was written) or `closedEarly` with `closedAt` (the client
 * closed the connection before the answer was complete: a cancelled attempt, a client gone).
 */
export function trackExchange(record, res) {
  record.receivedAt = Date.now();
  record.completed = false;
  record.closedEarly = false;
  res.once('finish', () => {
    record.completed = true;
  });
  res.once('close', () => {
    if (record.completed) return;
    record.closedEarly = true;
    record.closedAt = Date.now();
  });
}
