// table(): plain cells take a short path that must print exactly what cli-table3 prints.
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { cliTable, table } from '../../../src/output/table.ts';

const cell = fc.string({ unit: fc.constantFrom(' ', 'a', 'Z', '-', '<', '>', '/', '(', ')', '1', ',', '~'), maxLength: 12 });

describe('output/table', () => {
  it('plain cells: the same text as cli-table3 (random tables, empty and space-only cells included)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 5 }).chain((n) => fc.tuple(fc.array(cell, { minLength: n, maxLength: n }), fc.array(fc.array(cell, { minLength: n, maxLength: n }), { maxLength: 8 }))),
        ([head, rows]) => {
          assert.equal(table(head, rows), cliTable(head, rows));
        },
      ),
      { numRuns: 300 },
    );
  });

  const cases: [string, string[], string[][]][] = [
    ['the audit header with no rows', ['NAMESPACE', 'POLICIES', 'STATUS', 'NOTE'], []],
    ['an audit row', ['NAMESPACE', 'POLICIES', 'STATUS', 'NOTE'], [['default', '<none>', 'FAIL', 'No NetworkPolicy defined']]],
    ['colour codes (cli-table3 measures without them)', ['A', 'B'], [['\u001b[31mFAIL\u001b[0m', 'x'], ['PASS', 'y']]],
    ['wide characters', ['A', 'B'], [['✓ ok', '日本'], ['x', 'y']]],
    ['a line break in a cell', ['A', 'B'], [['one\ntwo', 'x']]],
  ];
  for (const [what, head, rows] of cases) {
    it(`${what}: as cli-table3 prints it`, () => {
      assert.equal(table(head, rows), cliTable(head, rows));
    });
  }
});
