import assert from 'node:assert/strict';
import { test } from 'node:test';
import { checkIdentifierCode } from '../../common/identifierCode';

test('accepts the QCVN 102:2016 form and longer dotted codes', () => {
  assert.deepEqual(checkIdentifierCode('000.00.00.H49'), { ok: true, code: '000.00.00.H49' });
  assert.equal(checkIdentifierCode(' 000.00.01.g22 ').code, '000.00.01.G22');
  assert.ok(checkIdentifierCode('001.02.03.04.H31').ok); // four levels (Hải Phòng plan)
  assert.ok(checkIdentifierCode('12.H49').ok);
});

test('refuses codes by structure with a reason', () => {
  const bad: Array<[string, RegExp]> = [
    ['', /Chưa nhập/],
    ['H49', /nhóm ngăn cách/],
    ['000..00.H49', /nhóm rỗng/],
    ['000.00.00.H4_9', /chỉ gồm/],
    ['000.00.00.449', /Nhóm cuối/],
    ['0A0.00.00.H49', /cấp dưới/],
    [`${'1.'.repeat(20)}H49`, /tối đa 35/],
  ];
  for (const [code, reason] of bad) {
    const r = checkIdentifierCode(code);
    assert.equal(r.ok, false, code);
    assert.match(r.reason ?? '', reason, code);
  }
});
