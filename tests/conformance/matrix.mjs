// The result matrix of a conformance file: rows are cells, columns are client→provider pairs.
// Printed at the end of the run and written as one section of tests/conformance/last-matrix.md
// (each test file owns its section, so the files can run in any order).

import { existsSync, readFileSync, writeFileSync } from 'node:fs';

export const MATRIX_FILE = new URL('./last-matrix.md', import.meta.url);
const MATRIX_HEADER =
  '# Conformance matrix\n\nWritten by `node --test tests/conformance/` (see tests/conformance/README.md); ✓ pass, ✗ fail, – does not apply, · did not run.\n\n';

export class Matrix {
  /** options: { file, header }: where publish() writes (default last-matrix.md beside this file) and that file's header. */
  constructor(title, rows, columns, { file = MATRIX_FILE, header = MATRIX_HEADER } = {}) {
    this.file = file;
    this.header = header;
    this.title = title;
    this.rows = rows;
    this.columns = columns;
    this.results = new Map(); // `${row}\u0000${column}` -> {ok, message}
    this.notes = [];
  }

  set(row, column, ok, error = null) {
    const message = error ? String(error?.message ?? error).split('\n').filter(Boolean).slice(0, 3).join(' / ') : '';
    this.results.set(`${row}\u0000${column}`, { ok, message: message.length > 300 ? `${message.slice(0, 300)}…` : message });
  }

  /** Marks a cell that does not apply to this pair (shown as –, not counted). */
  na(row, column) {
    this.results.set(`${row}\u0000${column}`, { ok: true, na: true, message: '' });
  }

  note(text) {
    this.notes.push(text);
  }

  get counts() {
    const all = [...this.results.values()];
    const na = all.filter((r) => r.na).length;
    return { passed: all.filter((r) => r.ok && !r.na).length, total: this.rows.length * this.columns.length - na, ran: all.length - na };
  }

  /** Markdown: the table and its summary line only (what docs/dialects.md shows). */
  renderTable() {
    return this.render().split('\n<details>')[0].trim();
  }

  /** Markdown: the table, a summary line, the failures with their first lines, and notes. */
  render() {
    const mark = (row, column) => {
      const r = this.results.get(`${row}\u0000${column}`);
      return r === undefined ? '·' : r.na ? '–' : r.ok ? '✓' : '✗';
    };
    const lines = [
      `## ${this.title}`,
      '',
      `| cell | ${this.columns.join(' | ')} |`,
      `|---|${this.columns.map(() => ':-:').join('|')}|`,
      ...this.rows.map((row) => `| ${row} | ${this.columns.map((c) => mark(row, c)).join(' | ')} |`),
      '',
    ];
    const { passed, total, ran } = this.counts;
    lines.push(`${passed} of ${total} cells pass${ran < total ? ` (${total - ran} did not run: ·)` : ''}.`, '');
    const failures = [...this.results.entries()].filter(([, r]) => !r.ok);
    if (failures.length > 0) {
      lines.push('<details><summary>Failures</summary>', '');
      for (const [key, r] of failures) {
        const [row, column] = key.split('\u0000');
        lines.push(`- **${row}** @ ${column}: ${r.message.replaceAll('|', '\\|')}`);
      }
      lines.push('', '</details>', '');
    }
    for (const note of this.notes) lines.push(note, '');
    return lines.join('\n');
  }

  /** Prints the matrix and replaces this matrix's section of its file (last-matrix.md unless told). */
  publish() {
    const text = this.render();
    process.stdout.write(`\n${text}\n`);
    const begin = `<!-- begin ${this.title} -->`;
    const end = `<!-- end ${this.title} -->`;
    const header = this.header;
    let file = existsSync(this.file) ? readFileSync(this.file, 'utf8') : '';
    const firstSection = file.indexOf('<!-- begin ');
    file = header + (firstSection >= 0 ? file.slice(firstSection) : '');
    const section = `${begin}\n_Run ${new Date().toISOString()}_\n\n${text}\n${end}\n`;
    const start = file.indexOf(begin);
    const stop = file.indexOf(end);
    file = start >= 0 && stop > start ? file.slice(0, start) + section + file.slice(stop + end.length + 1) : `${file}${section}\n`;
    writeFileSync(this.file, file);
  }
}
