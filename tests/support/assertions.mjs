// Assertions about the shapes the gateway must answer with.

import assert from 'node:assert/strict';

import { DONE } from './http.mjs';

/** Asserts an OpenAI-shaped error body: {"error":{"message","type","param","code"}}; returns error. */
export function assertOpenAIError(body, { type, code, param } = {}) {
  assert.equal(typeof body?.error, 'object', `not an OpenAI error body: ${JSON.stringify(body)}`);
  const { error } = body;
  assert.equal(typeof error.message, 'string', 'error.message must be a string');
  assert.equal(typeof error.type, 'string', 'error.type must be a string');
  assert.ok('param' in error, 'error.param must be present (may be null)');
  assert.ok('code' in error, 'error.code must be present (may be null)');
  if (type !== undefined) assert.equal(error.type, type);
  if (code !== undefined) assert.equal(error.code, code);
  if (param !== undefined) assert.equal(error.param, param);
  return error;
}

/**
 * Asserts a stream that failed after it started: every frame complete and valid JSON (parseSSE
 * already throws on a broken frame), nothing after the last blank line, and the last event an
 * OpenAI error frame. A `data: [DONE]` after the error frame is tolerated. Returns the events
 * before the error frame and the error object.
 */
export function assertEndsWithErrorFrame(stream) {
  assert.equal(stream.trailing, '', `the stream ends with an incomplete frame: ${JSON.stringify(stream.trailing)}`);
  const events = stream.events.at(-1) === DONE ? stream.events.slice(0, -1) : stream.events;
  const last = events.at(-1);
  assert.ok(last && last !== DONE && last.error, `the last frame is not an error frame: ${JSON.stringify(last)}`);
  assertOpenAIError(last);
  return { before: events.slice(0, -1), error: last.error };
}
