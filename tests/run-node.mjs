// Runs node test files one at a time, like `node --test --test-concurrency=1`, and also fails
// when a file registers no test or skips one: a suite that runs nothing must not pass.
//
//   node tests/run-node.mjs FILE...
import path from 'node:path';
import { run } from 'node:test';
import { spec } from 'node:test/reporters';

const files = process.argv.slice(2).map((f) => path.resolve(f));
if (files.length === 0) {
  console.error('run-node: no test files given');
  process.exit(2);
}

const testsPerFile = new Map(files.map((f) => [f, 0]));
const skipped = [];
let failed = false;

const stream = run({ files, concurrency: 1 });
stream.on('test:fail', () => {
  failed = true;
});
stream.on('test:pass', (data) => {
  // A file's own entry and describe() blocks are containers, not tests.
  if (data.name === data.file || data.details?.type === 'suite') return;
  if (data.skip !== undefined || data.todo !== undefined) skipped.push(`${path.relative('.', data.file)}: ${data.name}`);
  testsPerFile.set(data.file, (testsPerFile.get(data.file) ?? 0) + 1);
});
stream.compose(spec).pipe(process.stdout);

stream.on('end', () => {
  const empty = [...testsPerFile].filter(([, count]) => count === 0).map(([file]) => path.relative('.', file));
  for (const file of empty) console.error(`run-node: ${file} ran no test`);
  for (const name of skipped) console.error(`run-node: skipped: ${name}`);
  if (failed || empty.length > 0 || skipped.length > 0) process.exitCode = 1;
});
