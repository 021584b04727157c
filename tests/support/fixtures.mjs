// Reads the recorded payloads under tests/fixtures/ (copied from the shared reference material).

import { readFileSync } from 'node:fs';

const OPENAI = new URL('../fixtures/openai/', import.meta.url);

/** The parsed JSON of tests/fixtures/openai/<name>. */
export const openaiFixture = (name) => JSON.parse(readFileSync(new URL(name, OPENAI), 'utf8'));
