// The message catalog: every message has its English, with the same placeholders; errors carry
// their key and parameters across the wire (and nothing else gets through); zod issues are keyed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeskError } from '../../common/errors';
import { LABELS_VI, MESSAGES_VI, placeholders, viMessage, type MessageKey } from '../../common/messages';
import { fieldErrors, fieldMessages, incomingRegisterSchema, pinSchema } from '../../common/schemas';
import { LABELS_EN, MESSAGES_EN } from '../../renderer/src/i18n/errors.en';

test('every message and label has its English, with the same placeholders and no Vietnamese left', () => {
  for (const key of Object.keys(MESSAGES_VI) as MessageKey[]) {
    const en = MESSAGES_EN[key];
    assert.ok(en && en.trim().length > 0, `${key}: no English`);
    // English may leave out a detail worded only in Vietnamese (cert.untrusted's chain reason), nothing more.
    const vi = placeholders(MESSAGES_VI[key]);
    assert.deepEqual(placeholders(en).filter((p) => !vi.includes(p)), [], `${key}: English has a placeholder Vietnamese lacks`);
    assert.deepEqual(vi.filter((p) => !placeholders(en).includes(p)), key === 'cert.untrusted' ? ['why'] : [], `${key}: placeholders differ`);
    // Number-symbols keep their letters (15/QĐ-UBND); nothing else in English is Vietnamese.
    assert.doesNotMatch(en.replace(/\S*\d\S*/g, ''), /[À-ỹ]/u, `${key}: Vietnamese in the English text: ${en}`);
  }
  assert.deepEqual(Object.keys(LABELS_EN).sort(), Object.keys(LABELS_VI).sort());
});

test('the Vietnamese wording fills parameters; a field is named by its label, capitalised where the sentence starts', () => {
  assert.equal(viMessage('field.required', { field: 'issuer' }), 'Chưa nhập cơ quan ban hành.');
  assert.equal(viMessage('date.invalid', { field: 'documentDate' }), 'Ngày văn bản không phải ngày hợp lệ (dd/mm/yyyy).');
  assert.equal(viMessage('file.tooLarge', { name: 'Công văn.pdf', limit: '200 MB' }), 'Tệp "Công văn.pdf" vượt quá giới hạn 200 MB.');
});

test('a keyed error crosses the wire with its key, parameters and field keys; anything else is dropped', () => {
  const e = DeskError.keyed('VALIDATION', 'subject.tooLong', { max: 500 }, { at: 'subject', fields: { deadline: { key: 'deadline.beforeDocument' } } });
  assert.equal(e.message, 'Trích yếu dài tối đa 500 ký tự.');
  const wire = JSON.parse(JSON.stringify(e.toPayload())) as ReturnType<DeskError['toPayload']>;
  const back = DeskError.fromPayload(wire);
  assert.equal(back.key, 'subject.tooLong');
  assert.deepEqual(back.params, { max: 500 });
  assert.deepEqual(back.fields, { subject: 'Trích yếu dài tối đa 500 ký tự.', deadline: 'Hạn xử lý không được trước ngày văn bản.' });
  assert.deepEqual(back.fieldKeys, { subject: { key: 'subject.tooLong', params: { max: 500 } }, deadline: { key: 'deadline.beforeDocument' } });

  const forged = DeskError.fromPayload({
    code: 'INTERNAL', message: 'x', key: 'constructor', params: { a: { nested: true } as unknown as string, n: Number.NaN, ok: 'y' },
    fieldKeys: { f: { key: '__proto__' as MessageKey }, g: { key: 'pin.invalid' } },
  });
  assert.equal(forged.key, undefined, 'an unknown key is not kept');
  assert.deepEqual(forged.params, { ok: 'y' }, 'only plain strings and finite numbers');
  assert.deepEqual(forged.fieldKeys, { g: { key: 'pin.invalid' } });
});

test('zod issues carry their key: the schemas\' own messages and zod\'s defaults alike; the text stays Vietnamese', () => {
  const parsed = incomingRegisterSchema.safeParse({ issuer: { name: ' ' }, numberSymbol: '15/QĐ-UBND', documentDate: '', typeCode: 'QĐ', secrecy: 'thuong', urgency: 'x', recipients: Array(31).fill('A'), stagedIds: [] });
  assert.ok(!parsed.success);
  const keys = fieldMessages(parsed.error);
  assert.deepEqual(keys['issuer.name'], { key: 'field.required', params: { field: 'issuer' } });
  assert.deepEqual(keys.documentDate, { key: 'field.required', params: { field: 'documentDate' } });
  assert.deepEqual(keys.urgency, { key: 'urgency.invalid' });
  assert.deepEqual(keys.recipients, { key: 'recipients.tooMany', params: { max: 30 } });
  assert.deepEqual(keys.stagedIds, { key: 'attachments.required' });
  assert.equal(fieldErrors(parsed.error)['issuer.name'], 'Chưa nhập cơ quan ban hành.');
  assert.match(parsed.error.message, /Chưa nhập cơ quan ban hành/, 'what a ZodError says is readable');
  const pin = pinSchema.safeParse('12');
  assert.ok(!pin.success);
  assert.deepEqual(fieldMessages(pin.error)._, { key: 'pin.tooShort', params: { min: 4 } });
});

test('a message written out in full that is a catalog text is recognised as that message', () => {
  const e = new DeskError('NOT_FOUND', 'Không tìm thấy văn bản.', { fields: { x: 'Chọn loại văn bản.', y: 'Một câu ngoài danh mục.' } });
  assert.equal(e.key, 'document.notFound');
  assert.deepEqual(e.fieldKeys, { x: { key: 'docType.required' } });
  assert.equal(new DeskError('VALIDATION', 'Một câu ngoài danh mục.').key, undefined);
});
