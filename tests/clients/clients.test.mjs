// The client-library battery: popular JavaScript libraries (Vercel AI SDK 7 and 6, LangChain JS,
// OpenAI Agents SDK), each talking its own dialect to the gateway, which routes to a strict mock of
// every provider type (tests/conformance/env.mjs). One node:test test per cell × client × provider
// type; the matrix is printed at the end and written to tests/clients/last-matrix.md, and its summary
// must match docs/dialects.md (UPDATE_DOCS=1 rewrites it). See README.md beside this file.
//
// Between each library and the gateway sits a recording proxy (recorder.mjs), so a failing cell shows
// what the library sent and what the gateway answered, next to what the mock upstream received.
// A failing cell never stops the others: every cell is its own test with its own timeout, every
// library call has an abort signal, and the matrix is published in `after` whatever happened.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';

import { generationRecords, upstreamUsage } from '../conformance/cells.mjs';
import { MASTER_KEY, PROVIDERS, startGateways, startMocks } from '../conformance/env.mjs';
import { Matrix } from '../conformance/matrix.mjs';
import { parseSSE } from '../support/http.mjs';
import { agentsClients } from './agents.mjs';
import { aiSdkClients } from './ai-sdk.mjs';
import { installedVersion } from './common.mjs';
import { langchainClients } from './langchain.mjs';
import { describe as describeExchanges, startRecorder } from './recorder.mjs';

const CALL_TIMEOUT_MS = 8_000; // each cell's library calls (their abort signal)
const CELL_TIMEOUT_MS = 12_000; // each test
// The whole battery (~10 s when healthy): past this, the cells left fail at once, and no cell's
// calls outlive it, so even a gateway that hangs on every request cannot hold the file for long.
const BATTERY_BUDGET_MS = 40_000;

const CLIENTS = [...aiSdkClients(7), ...aiSdkClients(6), ...langchainClients(), ...agentsClients()];

// Upstream dialects whose streams report the input count only at their end (OpenAI's usage chunk,
// the Responses API's response.completed), after the first content; Gemini and Anthropic tell it first.
const REPORTS_INPUT_AT_THE_END = new Set(['openai', 'azure-openai', 'openai-responses']);

const HELLO = 'Say hello';
const HELLO_ANSWER = 'Hello from mock: Say hello';
const WEATHER = 'What is the weather in Paris?';

// ---------------------------------------------------------------------------------------------
// The cells: ctx = { adapter (the entry of CLIENTS), client (its instance), signal, providerType, mock,
// exchanges() (what went between the library and the gateway during the cell) }

const CELLS = [
  {
    name: 'text',
    async run({ client, signal }) {
      const r = await client.text(HELLO, signal);
      assert.equal(r.text, HELLO_ANSWER, 'answer text');
    },
  },
  {
    name: 'streamed text',
    async run({ client, signal, exchanges }) {
      const r = await client.streamText(HELLO, signal);
      assert.equal(r.text, HELLO_ANSWER, 'streamed text');
      assert.ok(r.chunks >= 2, `the text came in ${r.chunks} piece(s), not streamed`);
      const sse = exchanges().filter((x) => /^text\/event-stream/.test(x.responseHeaders['content-type'] ?? ''));
      assert.ok(sse.length > 0, 'the gateway answered no request with text/event-stream');
    },
  },
  {
    name: 'tool round trip',
    async run({ client, signal, providerType, mock }) {
      const calls = [];
      const spec = {
        name: 'get_weather',
        description: 'Get the current weather for a city',
        execute: (args) => {
          calls.push(args);
          return { temp_c: 21 };
        },
      };
      const r = await client.toolRoundTrip(WEATHER, spec, signal);
      assert.deepEqual(calls, [{ city: 'Paris' }], 'the tool ran once with the model\'s arguments');
      assert.match(String(r.text), /^Tool said: .*temp_c.*21/s, 'final answer after the tool result');
      assert.equal(generationRecords(providerType, mock).length, 2, 'upstream generation requests (call, then result)');
    },
  },
  {
    name: 'structured output',
    async run({ client, signal }) {
      const object = await client.structured('Answer in JSON', signal);
      assert.deepEqual(object, { answer: 'Hello' }, 'parsed object');
    },
  },
  {
    name: 'usage',
    async run(ctx) {
      await checkUsage(ctx, false);
    },
  },
  {
    name: 'usage (streamed)',
    async run(ctx) {
      await checkUsage(ctx, true);
    },
  },
];

async function checkUsage({ client, signal, providerType, mock, adapter, exchanges }, stream) {
  const usage = await client.usage(HELLO, { stream }, signal);
  const record = generationRecords(providerType, mock).at(-1);
  assert.ok(record, 'the upstream received no request');
  const expected = upstreamUsage(providerType, record);
  assert.ok(expected, 'the upstream reported no usage');
  if (stream && adapter.quirks?.addsMessageStartOutputTokens) {
    // The library adds message_start's output_tokens to message_delta's cumulative count (it does
    // so against Anthropic itself, whose message_start carries output_tokens ≥ 1): expect that sum.
    const events = parseSSE(exchanges().at(-1)?.responseBody ?? '').frames.map((f) => f.json);
    const start = events.find((e) => e?.type === 'message_start');
    expected.output += start?.message?.usage?.output_tokens ?? 0;
    if (REPORTS_INPUT_AT_THE_END.has(providerType)) {
      // It reads input tokens from message_start alone. An upstream that counts the input only at
      // the end of its stream cannot have it there; the gateway restates it, exact, in the
      // cumulative message_delta (which the official SDK and the AI SDK read), and LangChain says 0.
      const delta = events.filter((e) => e?.type === 'message_delta').at(-1);
      const sent = (delta?.usage?.input_tokens ?? 0) + (delta?.usage?.cache_read_input_tokens ?? 0) + (delta?.usage?.cache_creation_input_tokens ?? 0);
      assert.equal(sent, expected.input, `message_delta's input counts ${JSON.stringify(delta?.usage)} ≠ the upstream's ${expected.input}`);
      assert.equal(start?.message?.usage?.input_tokens, 0, 'message_start carried an input count the upstream had not told yet');
      expected.input = 0;
    }
  }
  assert.deepEqual(usage, expected, `usage as the library reports it ${JSON.stringify(usage)} ≠ the upstream's ${JSON.stringify(expected)}`);
}

// ---------------------------------------------------------------------------------------------
// The matrix: rows are client · cell, columns are provider types.

const rowName = (client, cell) => `${client.label} · ${cell.name}`;
const MATRIX_FILE = new URL('./last-matrix.md', import.meta.url);
const matrix = new Matrix(
  'Client libraries → provider type',
  CLIENTS.flatMap((client) => CELLS.map((cell) => rowName(client, cell))),
  PROVIDERS.map((p) => p.type),
  {
    file: MATRIX_FILE,
    header:
      '# Client-library matrix\n\nWritten by `node tests/run-node.mjs tests/clients/clients.test.mjs` (see tests/clients/README.md); ✓ pass, ✗ fail, – does not apply, · did not run.\n\n',
  },
);

/** The pinned versions each client uses, e.g. `ai@7.0.185, @ai-sdk/openai@4.0.126`. */
const versionsOf = (client) =>
  client.packages
    .map(installedVersion)
    .map((p) => `${p.name}@${p.version}`)
    .join(', ');

/** One row per client, one column per provider type: ✓ when every cell passes, else the failing cells. */
function summaryTable() {
  const lines = [
    `| client library | versions | ${PROVIDERS.map((p) => p.type).join(' | ')} |`,
    `|---|---|${PROVIDERS.map(() => ':-:').join('|')}|`,
  ];
  for (const client of CLIENTS) {
    const marks = PROVIDERS.map((p) => {
      const results = CELLS.map((cell) => ({ cell, r: matrix.results.get(`${rowName(client, cell)}\u0000${p.type}`) }));
      if (results.some(({ r }) => r === undefined)) return '·';
      const failed = results.filter(({ r }) => !r.ok).map(({ cell }) => cell.name);
      return failed.length === 0 ? '✓' : `✗ ${failed.join(', ')}`;
    });
    lines.push(`| ${client.label} | ${versionsOf(client)} | ${marks.join(' | ')} |`);
  }
  const { passed, total } = matrix.counts;
  lines.push('', `${passed} of ${total} cells pass (${CELLS.map((c) => c.name).join(', ')}).`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------

const env = { mocks: null, gateways: null, recorders: new Map(), startError: null, deadline: Infinity };

before(async () => {
  env.deadline = Date.now() + BATTERY_BUDGET_MS;
  try {
    env.mocks = await startMocks();
    env.gateways = await startGateways(env.mocks);
    for (const note of env.gateways.notes) matrix.note(note);
  } catch (err) {
    env.startError = err;
    matrix.note(`The environment did not start: ${err.message}`);
  }
});

after(async () => {
  try {
    matrix.note(`### Summary (as in docs/dialects.md)\n\n${summaryTable()}`);
    if (env.gateways && matrix.counts.passed < matrix.counts.total) {
      const tail = env.gateways.logs().split('\n').filter(Boolean).slice(-40).join('\n');
      if (tail) matrix.note(`<details><summary>Gateway log (last lines)</summary>\n\n\`\`\`\n${tail}\n\`\`\`\n\n</details>`);
    }
    matrix.publish();
  } finally {
    await Promise.all([...env.recorders.values()].map((r) => r.close()));
    await env.gateways?.stop();
    await Promise.all(Object.values(env.mocks ?? {}).map((m) => m.close()));
  }
});

/** The recorder in front of the gateway that serves `type` (one per gateway). */
async function recorderFor(type) {
  const gateway = env.gateways.gatewayFor(type);
  if (!env.recorders.has(gateway.url)) env.recorders.set(gateway.url, await startRecorder(gateway.url));
  return env.recorders.get(gateway.url);
}

const clip = (text, max = 1200) => (text.length > max ? `${text.slice(0, max)}…(${text.length} chars)` : text);

/** What the mock upstream received during the cell, and what it answered. */
function describeUpstream(mock) {
  if (mock.requests.length === 0) return '(the upstream received no request)';
  return mock.requests
    .map((r, i) => `#${i + 1} ${r.method} ${r.path} → ${r.response?.status ?? 'no answer'}\n  got:  ${clip(r.body)}\n  sent: ${clip(r.response?.body ?? '')}`)
    .join('\n');
}

/** `promise`, or the signal's reason once it aborts: a cell ends on time even when a library
 * ignores the signal (LangChain's ChatGoogleGenerativeAI.invoke does). */
function untilAborted(promise, signal) {
  const aborted = new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason);
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
  return Promise.race([promise, aborted]);
}

for (const client of CLIENTS) {
  describe(client.label, () => {
    for (const provider of PROVIDERS) {
      describe(`→ ${provider.type}`, () => {
        for (const cell of CELLS) {
          it(cell.name, { timeout: CELL_TIMEOUT_MS }, async () => {
            let recorder = null;
            try {
              if (env.startError) throw env.startError;
              const left = env.deadline - Date.now();
              if (left < 500) throw new Error(`not run: the battery's ${BATTERY_BUDGET_MS / 1000} s budget is spent`);
              const signal = AbortSignal.timeout(Math.min(CALL_TIMEOUT_MS, left));
              recorder = await recorderFor(provider.type);
              for (const mock of Object.values(env.mocks)) mock.reset();
              recorder.reset();
              const instance = await client.create({ url: recorder.url, apiKey: MASTER_KEY, model: provider.alias });
              const mock = env.mocks[provider.type];
              const run = cell.run({
                adapter: client,
                client: instance,
                signal,
                providerType: provider.type,
                mock,
                exchanges: () => recorder.exchanges,
              });
              await untilAborted(run, signal);
              const stray = recorder.exchanges.filter((x) => !client.paths.test(x.path));
              assert.deepEqual(stray.map((x) => `${x.method} ${x.path}`), [], `requests outside the ${client.dialect} dialect`);
              matrix.set(rowName(client, cell), provider.type, true);
            } catch (err) {
              matrix.set(rowName(client, cell), provider.type, false, err);
              const detail = recorder
                ? `\n--- ${client.label} → gateway:\n${describeExchanges(recorder.exchanges)}\n--- gateway → ${provider.type} mock:\n${describeUpstream(env.mocks[provider.type])}`
                : '';
              const failure = new Error(`${err?.message ?? err}${detail}`, { cause: err });
              throw failure;
            }
          });
        }
      });
    }
  });
}

// The summary in docs/dialects.md is this run's; UPDATE_DOCS=1 rewrites it.
const DIALECTS_DOC = new URL('../../docs/dialects.md', import.meta.url);
const DOC_BEGIN = '<!-- clients-matrix:begin -->';
const DOC_END = '<!-- clients-matrix:end -->';

it('docs/dialects.md shows the client-library summary this run produced', () => {
  const doc = readFileSync(DIALECTS_DOC, 'utf8');
  const start = doc.indexOf(DOC_BEGIN);
  const stop = doc.indexOf(DOC_END);
  assert.ok(start >= 0 && stop > start, `docs/dialects.md lacks the ${DOC_BEGIN} … ${DOC_END} markers`);
  const table = summaryTable();
  if (process.env.UPDATE_DOCS) {
    writeFileSync(DIALECTS_DOC, `${doc.slice(0, start + DOC_BEGIN.length)}\n${table}\n${doc.slice(stop)}`);
    return;
  }
  assert.equal(
    doc.slice(start + DOC_BEGIN.length, stop).trim(),
    table,
    'docs/dialects.md is out of date: run UPDATE_DOCS=1 node tests/run-node.mjs tests/clients/clients.test.mjs',
  );
});
