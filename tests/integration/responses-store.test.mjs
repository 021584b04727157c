// Responses API state kept by the gateway itself, for a deployment whose provider keeps none
// (Anthropic here): previous_response_id and item_reference continue a conversation, GET,
// input_items and DELETE behave as on OpenAI, `store: false` leaves nothing in the database, and
// what was kept survives a restart (it is in the SQLite file under the data directory).

import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import OpenAI from 'openai';

import { startAnthropicMock } from '../mocks/anthropic-mock.mjs';
import { MASTER_KEY, UPSTREAM_KEY } from '../support/config.mjs';
import { makeTempDir, startGateway } from '../support/gateway.mjs';

describe('Responses API state kept by the gateway', () => {
  const ctx = { mock: null, gateway: null, dataDir: makeTempDir() };
  const config = (mock) =>
    [
      'server: {listen: "127.0.0.1:0"}',
      `auth: {master_key: ${JSON.stringify(MASTER_KEY)}}`,
      'providers:',
      `  ant: {type: anthropic, base_url: ${JSON.stringify(mock.url.replace(/\/v1$/, ''))}, api_key: ${UPSTREAM_KEY}}`,
      'models:',
      '  claude: {deployments: [{provider: ant, model: claude-sonnet-4-5}]}',
      '',
    ].join('\n');
  const start = async () => {
    ctx.gateway = await startGateway({ config: config(ctx.mock), env: { SWITCHYARD_DATA_DIR: ctx.dataDir } });
  };
  before(async () => {
    ctx.mock = await startAnthropicMock({ apiKey: UPSTREAM_KEY });
    await start();
  });
  after(async () => {
    await ctx.gateway?.stop();
    await ctx.mock?.close();
  });

  const openai = () => new OpenAI({ baseURL: `${ctx.gateway.url}/v1`, apiKey: MASTER_KEY, maxRetries: 0, timeout: 10_000 });
  /** The rows of the database as an operator's sqlite3 shell sees them. */
  const sql = (query) =>
    execFileSync('sqlite3', [path.join(ctx.dataDir, 'switchyard.db'), query], { encoding: 'utf8' }).trim();
  const lastUpstreamMessages = () => JSON.parse(ctx.mock.messageRequests().at(-1).body).messages;

  it('continues a conversation by previous_response_id, sending the upstream the whole of it', async () => {
    const first = await openai().responses.create({ model: 'claude', input: 'My name is Ada' });
    assert.equal(first.store, true);
    const second = await openai().responses.create({ model: 'claude', input: 'What is my name', previous_response_id: first.id });
    assert.equal(second.output_text, 'Hello from mock: What is my name');
    assert.deepEqual(
      lastUpstreamMessages().map((m) => [m.role, typeof m.content === 'string' ? m.content : m.content.map((b) => b.text).join('')]),
      [
        ['user', 'My name is Ada'],
        ['assistant', 'Hello from mock: My name is Ada'],
        ['user', 'What is my name'],
      ],
    );
    // A third turn continues the second: the conversation grows.
    const streamed = openai().responses.stream({ model: 'claude', input: 'And again', previous_response_id: second.id });
    const third = await streamed.finalResponse();
    assert.equal(third.output_text, 'Hello from mock: And again');
    assert.equal(lastUpstreamMessages().length, 5);
    // The streamed answer was kept too: it can be continued.
    const fourth = await openai().responses.create({ model: 'claude', input: 'Last', previous_response_id: third.id });
    assert.equal(fourth.output_text, 'Hello from mock: Last');
    assert.equal(lastUpstreamMessages().length, 7);
  });

  it('finds an earlier item by id alone (item_reference, as the AI SDK sends a tool round trip)', async () => {
    const tools = [{ type: 'function', name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } }, strict: false }];
    const first = await openai().responses.create({ model: 'claude', input: 'Weather in Paris?', tools });
    const call = first.output.find((i) => i.type === 'function_call');
    assert.ok(call?.id, JSON.stringify(first.output));
    const answer = await openai().responses.create({
      model: 'claude',
      tools,
      input: [
        { role: 'user', content: 'Weather in Paris?' },
        ...first.output.filter((i) => i.type === 'message').map((i) => ({ type: 'item_reference', id: i.id })),
        { type: 'item_reference', id: call.id },
        { type: 'function_call_output', call_id: call.call_id, output: '{"temp_c":21}' },
      ],
    });
    assert.equal(answer.output_text, 'Tool said: {"temp_c":21}');
  });

  it('GET returns a kept response, input_items lists what it answered, DELETE forgets it', async () => {
    const kept = await openai().responses.create({ model: 'claude', input: 'Remember me' });
    const fetched = await openai().responses.retrieve(kept.id);
    assert.equal(fetched.id, kept.id);
    assert.equal(fetched.output_text, 'Hello from mock: Remember me');
    const items = await openai().responses.inputItems.list(kept.id);
    assert.deepEqual(items.data.map((i) => [i.type, i.role, i.content]), [['message', 'user', 'Remember me']]);
    assert.match(items.data[0].id, /^msg_/);
    const deleted = await openai().responses.delete(kept.id);
    assert.deepEqual(deleted, { id: kept.id, object: 'response', deleted: true });
    await assert.rejects(openai().responses.retrieve(kept.id), (err) => err.status === 404 && /not found/.test(err.message));
    await assert.rejects(openai().responses.delete(kept.id), (err) => err.status === 404);
    assert.equal(sql(`SELECT COUNT(*) FROM responses WHERE id = '${kept.id}'`), '0');
  });

  it('store: false leaves nothing in the database, and cannot be continued', async () => {
    const before = sql('SELECT COUNT(*) FROM responses');
    const unkept = await openai().responses.create({ model: 'claude', input: 'Forget me', store: false });
    const streamed = await openai().responses.stream({ model: 'claude', input: 'Forget me too', store: false }).finalResponse();
    await openai().responses.create({ model: 'claude', input: 'flush' }); // the store's queue is in order: this lands after them
    await openai().responses.retrieve((await openai().responses.create({ model: 'claude', input: 'sync' })).id);
    assert.equal(Number(sql('SELECT COUNT(*) FROM responses')), Number(before) + 2);
    for (const id of [unkept.id, streamed.id]) {
      assert.equal(sql(`SELECT COUNT(*) FROM responses WHERE id = '${id}'`), '0');
      assert.equal(sql(`SELECT COUNT(*) FROM response_items WHERE response_id = '${id}'`), '0');
    }
    await assert.rejects(
      openai().responses.create({ model: 'claude', input: 'Again', previous_response_id: unkept.id }),
      (err) => err.status === 400 && err.error?.param === 'previous_response_id',
    );
  });

  it('what was kept survives a restart of the gateway', async () => {
    const kept = await openai().responses.create({ model: 'claude', input: 'Before the restart' });
    await openai().responses.retrieve(kept.id);
    await ctx.gateway.stop();
    await start();
    const after = await openai().responses.create({ model: 'claude', input: 'After it', previous_response_id: kept.id });
    assert.equal(after.output_text, 'Hello from mock: After it');
    const firstTurn = lastUpstreamMessages()[0];
    assert.equal([].concat(firstTurn.content).map((b) => b.text ?? b).join(''), 'Before the restart');
    assert.equal(sql('SELECT MAX(version) FROM schema_migrations'), '4');
  });
});
