// Vendors stay in their folders: the code (not the comments) under the folders that must
// not know one provider from another names none of them, not even in a string. What a
// vendor's wire format or URL space needs lives in src/dialects/<vendor>/ and
// src/providers/, behind the codec and provider interfaces.

import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { describe, it } from 'node:test';

import { REPO_ROOT } from '../support/gateway.mjs';

const NEUTRAL_FOLDERS = ['src/server', 'src/policy', 'src/routing', 'src/telemetry', 'src/config'];
const VENDORS = ['openai', 'anthropic', 'gemini', 'goog', 'azure', 'claude', 'vertex', 'bedrock', 'mistral', 'cohere'];

function sourceFiles(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const file = path.join(dir, name);
    if (statSync(file).isDirectory()) out.push(...sourceFiles(file));
    else if (/\.(cc|h)$/.test(name)) out.push(file);
  }
  return out;
}

/** The text with comments blanked out (line breaks kept, so line numbers hold); strings stay. */
export function withoutComments(text) {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const two = text.slice(i, i + 2);
    if (two === '//') {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (two === '/*') {
      const end = text.indexOf('*/', i + 2);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop).replace(/[^\n]/g, ' ');
      i = stop;
    } else if (text[i] === '"' || text[i] === "'") {
      // A string or character literal, escapes included, so a "//" inside one is not a comment.
      const quote = text[i];
      let j = i + 1;
      while (j < text.length && text[j] !== quote && text[j] !== '\n') j += text[j] === '\\' ? 2 : 1;
      out += text.slice(i, j + 1);
      i = j + 1;
    } else if (text.startsWith('R"(', i)) {
      const end = text.indexOf(')"', i + 3);
      const stop = end < 0 ? text.length : end + 2;
      out += text.slice(i, stop);
      i = stop;
    } else {
      out += text[i++];
    }
  }
  return out;
}

export function vendorMentions(text) {
  const found = [];
  const code = withoutComments(text).split('\n');
  code.forEach((line, index) => {
    for (const vendor of VENDORS) {
      if (line.toLowerCase().includes(vendor)) found.push({ line: index + 1, vendor, text: line.trim() });
    }
  });
  return found;
}

describe('vendors stay in their folders', () => {
  it('the check itself sees code and skips comments', () => {
    assert.deepEqual(vendorMentions('// talks to OpenAI\nint x; /* Gemini\n too */'), []);
    assert.equal(vendorMentions('auto d = Dialect::openai_chat;').length, 1);
    assert.equal(vendorMentions('header("anthropic-version");  // the sniff').length, 1);
    assert.equal(vendorMentions('const char* url = "https://x//gemini";').length, 1);
  });

  for (const folder of NEUTRAL_FOLDERS) {
    it(`${folder} names no vendor in its code`, () => {
      const offending = [];
      for (const file of sourceFiles(path.join(REPO_ROOT, folder))) {
        for (const mention of vendorMentions(readFileSync(file, 'utf8'))) {
          offending.push(`${path.relative(REPO_ROOT, file)}:${mention.line}: ${mention.vendor}: ${mention.text}`);
        }
      }
      assert.deepEqual(offending, [], `vendor names in ${folder}:\n${offending.join('\n')}`);
    });
  }
});
