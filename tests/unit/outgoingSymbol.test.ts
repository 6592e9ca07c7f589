// The number-symbol an issued document gets, in both presets, read back by the register's parser.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatIssuedSymbol, issuableTypes, padIssued, symbolCodeOf } from '../../common/outgoing';
import { parseNumberSymbol } from '../../common/numberSymbol';

test('numbers below 10 take a leading zero, others do not', () => {
  assert.deepEqual([1, 9, 10, 123].map(padIssued), ['01', '09', '10', '123']);
});

test('state and party forms, công văn in each, and the form-specific symbol codes', () => {
  const cases: Array<[Parameters<typeof formatIssuedSymbol>, string]> = [
    [['state', 15, 'QĐ', 'UBND'], '15/QĐ-UBND'],
    [['state', 3, 'CV', 'UBND', 'VX'], '03/UBND-VX'],
    [['state', 7, 'QyĐ', 'UBND'], '07/QyĐ-UBND'],
    [['party', 27, 'QĐ', 'TW'], '27-QĐ/TW'],
    [['party', 234, 'CV', 'VPTU'], '234-CV/VPTU'],
    [['party', 5053, 'CV', 'VPTW', 'nb'], '5053-CV/VPTW/nb'],
    [['party', 2, 'QyĐ', 'TU'], '02-QĐi/TU'],
    [['party', 5, 'Thông tri', 'TU'], '05-TT/TU'],
    // The year in the number (state form, the types configured for it): 01/2024/NĐ-CP.
    [['state', 1, 'NĐ', 'CP', undefined, 2024], '01/2024/NĐ-CP'],
    [['state', 15, 'QĐ', 'UBND', undefined, 2026], '15/2026/QĐ-UBND'],
    [['party', 27, 'QĐ', 'TW', undefined, 2026], '27-QĐ/TW'],
  ];
  for (const [args, expected] of cases) {
    const s = formatIssuedSymbol(...args);
    assert.equal(s, expected);
    const p = parseNumberSymbol(s);
    assert.ok(p.ok, s);
    assert.equal(p.value.number, args[1]);
    assert.equal(p.value.form, args[0], s);
  }
});

test('an agency issues the types that have a symbol code in its form (not Luật, not copies), Công văn in both presets', () => {
  const state = issuableTypes('state').map((t) => t.code);
  const party = issuableTypes('party').map((t) => t.code);
  for (const list of [state, party]) {
    assert.ok(list.includes('QĐ') && list.includes('CV'));
    assert.ok(!list.includes('Luật') && !list.includes('SY'));
  }
  assert.ok(state.includes('NĐ') === true && party.includes('NĐ') === false);
  assert.ok(party.includes('KL') && !state.includes('KL'));
  assert.equal(symbolCodeOf('Luật', 'state'), undefined);
});
