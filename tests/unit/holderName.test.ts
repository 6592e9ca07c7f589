// The signing dialog warns when the certificate names someone other than the person signed in.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sameHolder } from '../../renderer/src/features/incoming/holderName';

test('the same person whatever the CA did to the name', () => {
  assert.equal(sameHolder('Nguyễn Văn An', 'Nguyễn Văn An'), true);
  assert.equal(sameHolder('NGUYỄN VĂN AN', 'Nguyễn Văn An'), true);
  assert.equal(sameHolder('Nguyen Van An', 'Nguyễn Văn An'), true);
  assert.equal(sameHolder('Nguyễn Văn An (mã hóa)', 'Nguyễn Văn An'), true);
  assert.equal(sameHolder('  Đỗ   Văn Hùng ', 'Đỗ Văn Hùng'), true);
});

test('someone else, or no name at all', () => {
  assert.equal(sameHolder('Nguyễn Văn An', 'Nguyễn Thị Lan'), false);
  assert.equal(sameHolder('Nguyễn Văn Anh', 'Nguyễn Văn An'), false);
  assert.equal(sameHolder('Khôi phục dữ liệu', 'Phạm Quốc Tuấn'), false);
  assert.equal(sameHolder('', 'Nguyễn Văn An'), false);
  assert.equal(sameHolder('(mã hóa)', ''), false);
});
