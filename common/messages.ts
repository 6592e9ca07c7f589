// The catalog of user-facing messages that cross the IPC: a stable key, parameters, and the
// Vietnamese wording. The core words its errors from here (the CLI prints them as they are); the
// renderer receives the key and parameters with each error and words them in the person's language
// (renderer/src/i18n/errors.en.ts holds the English, typed against these keys so none is missing).
//
// Templates use {{name}} placeholders. A `field` parameter is a label key (LABELS_VI), worded in
// the same language; {{Field}} is that label with a capital first letter.

export const LABELS_VI = {
  unitName: 'tên cơ quan',
  unitCode: 'mã định danh',
  fullName: 'họ và tên',
  position: 'chức vụ',
  issuer: 'cơ quan ban hành',
  documentDate: 'ngày văn bản',
  arrivalDate: 'ngày đến',
  deadline: 'hạn xử lý',
  subject: 'trích yếu',
  pin: 'mã PIN',
  numberSymbol: 'số, ký hiệu',
  pageCount: 'số trang',
  copyCount: 'số bản',
  handedOn: 'ngày chuyển',
  termStart: 'ngày bắt đầu nhiệm kỳ',
  periodFrom: 'từ ngày',
  protectionUntil: 'thời hạn bảo vệ',
  periodTo: 'đến ngày',
  decidedOn: 'ngày quyết định',
  effectiveOn: 'ngày hiệu lực',
  validFrom: 'ngày bắt đầu',
  validTo: 'ngày kết thúc',
} as const;
export type LabelKey = keyof typeof LABELS_VI;

export const MESSAGES_VI = {
  // Transport and the router
  'request.invalid': 'Yêu cầu không hợp lệ.',
  'input.invalid': 'Dữ liệu không hợp lệ.',
  'input.badBody': 'Dữ liệu gửi lên không hợp lệ.',
  internal: 'Đã xảy ra lỗi không mong muốn. Thao tác chưa được thực hiện; chi tiết đã được ghi vào nhật ký.',
  'internal.short': 'Đã xảy ra lỗi không mong muốn.',
  'transport.badResponse': 'Phản hồi không hợp lệ từ máy chủ cục bộ.',
  'transport.lost': 'Mất kết nối tới tiến trình chính của ứng dụng.',
  'transport.unauthorized': 'Phiên làm việc không hợp lệ. Hãy mở lại ứng dụng từ địa chỉ được cấp.',
  'transport.refused': 'Tiến trình chính từ chối yêu cầu (HTTP {{status}}).',
  'transport.failed': 'Không liên lạc được với tiến trình chính của ứng dụng. Hãy thử lại; nếu lỗi lặp lại, hãy khởi động lại SecureDesk.',
  'stage.failed': 'Không lưu được tệp. Chi tiết đã được ghi vào nhật ký.',

  // Values of the wrong shape (zod's own issues, see common/schemas.ts)
  'value.invalid': 'Giá trị không hợp lệ.',
  'value.tooShort': 'Cần ít nhất {{min}} ký tự.',
  'value.tooLong': 'Tối đa {{max}} ký tự.',
  'value.tooSmall': 'Giá trị nhỏ nhất là {{min}}.',
  'value.tooBig': 'Giá trị lớn nhất là {{max}}.',
  'value.tooFew': 'Cần ít nhất {{min}} mục.',
  'value.tooMany': 'Tối đa {{max}} mục.',
  'value.unknownKey': 'Có trường dữ liệu không được phép.',

  // Form fields
  'field.required': 'Chưa nhập {{field}}.',
  'date.invalid': '{{Field}} không phải ngày hợp lệ (dd/mm/yyyy).',
  'secrecy.invalid': 'Độ mật không hợp lệ.',
  'urgency.invalid': 'Độ khẩn không hợp lệ.',
  'role.invalid': 'Vai trò không hợp lệ.',
  'preset.required': 'Chọn quy tắc đánh số.',
  'docType.required': 'Chọn loại văn bản.',
  'subject.tooLong': 'Trích yếu dài tối đa {{max}} ký tự.',
  'subject.tuyetMat': 'Văn bản Tuyệt mật được vào sổ không ghi trích yếu.',
  'recipients.tooMany': 'Tối đa {{max}} nơi nhận.',
  'notes.tooLong': 'Ghi chú dài tối đa {{max}} ký tự.',
  'attachments.invalid': 'Tệp đính kèm không hợp lệ.',
  'attachments.required': 'Cần ít nhất một tệp đính kèm (bản điện tử của văn bản).',
  'attachments.tooMany': 'Tối đa {{max}} tệp đính kèm.',
  'deadline.beforeDocument': 'Hạn xử lý không được trước ngày văn bản.',
  'arrival.beforeDocument': 'Ngày đến không được trước ngày văn bản.',
  'documentDate.afterArrival': 'Ngày văn bản không được sau ngày đến.',
  'pin.tooShort': 'Mã PIN có ít nhất {{min}} ký tự.',
  'pin.tooLong': 'Mã PIN dài tối đa {{max}} ký tự.',
  'unitCode.tooLong': 'Mã định danh dài tối đa {{max}} ký tự.',
  'unitCode.groups': 'Mã định danh gồm các nhóm ngăn cách bằng dấu chấm, ví dụ 000.00.00.H49.',
  'unitCode.emptyGroup': 'Mã định danh có nhóm rỗng (hai dấu chấm liền nhau hoặc dấu chấm ở đầu/cuối).',
  'unitCode.chars': 'Mã định danh chỉ gồm chữ số 0-9, chữ cái A-Z và dấu chấm.',
  'unitCode.level1': 'Nhóm cuối (cơ quan cấp 1) phải bắt đầu bằng một chữ cái rồi đến chữ số, ví dụ H49, G22.',
  'unitCode.lower': 'Các nhóm cấp dưới của mã định danh chỉ gồm chữ số.',
  'unitCode.invalid': 'Mã định danh không hợp lệ.',
  'symbol.tooLong': 'Số, ký hiệu dài tối đa {{max}} ký tự.',
  'symbol.noNumber': 'Số, ký hiệu phải bắt đầu bằng số, ví dụ 15/QĐ-UBND hoặc 27-QĐ/TW.',
  'symbol.noNotation': 'Thiếu ký hiệu sau số, ví dụ 15/QĐ-UBND hoặc 27-QĐ/TW.',
  'symbol.digitsOnly': '{{text}} chỉ có chữ số: thiếu ký hiệu (loại văn bản, cơ quan ban hành), ví dụ 15/QĐ-UBND hoặc 27-QĐ/TW.',
  'symbol.date': '{{text}} là một ngày, không phải số, ký hiệu. Ngày ghi ở ô Ngày văn bản.',
  'symbol.badCharacter': 'Số, ký hiệu không chứa ký tự “{{char}}”.',
  'symbol.numberTooLong': 'Số văn bản dài tối đa 7 chữ số.',
  'symbol.zero': 'Số văn bản bắt đầu từ 1, không có số 0.',

  // Session, rights, the profile
  'session.ended': 'Phiên làm việc đã kết thúc. Vui lòng đăng nhập lại.',
  'session.locked': 'Máy trạm đang khóa. Cắm thiết bị ký số và nhập mã PIN để mở.',
  'rights.forbidden': 'Bạn không có quyền thực hiện thao tác này.',
  'rights.clearance': 'Độ mật vượt quá mức được phép tiếp cận của bạn.',
  'profile.readOnly': 'Cơ sở dữ liệu bị hỏng nên đang mở ở chế độ chỉ đọc. Không thể ghi dữ liệu; hãy liên hệ quản trị để khôi phục từ bản sao lưu.',
  'profile.damaged': 'Cơ sở dữ liệu của máy trạm bị hỏng. Ứng dụng chỉ mở ở chế độ chỉ đọc và không ghi gì thêm. Hãy báo quản trị để khôi phục từ bản sao lưu.',
  'profile.damagedOnUnlock': 'Cơ sở dữ liệu của máy trạm bị hỏng nên đang mở ở chế độ chỉ đọc. Hãy báo quản trị để khôi phục từ bản sao lưu.',
  'profile.bindRequired': 'Dữ liệu máy trạm này được tạo trước khi dùng thiết bị ký số. Chọn người dùng của bạn để gắn thiết bị và mã hóa dữ liệu máy trạm.',
  'profile.alreadyEncrypted': 'Dữ liệu máy trạm đã được mã hóa.',
  'setup.done': 'Máy trạm này đã được thiết lập.',
  'setup.required': 'Máy trạm chưa được thiết lập.',
  'user.notFound': 'Không tìm thấy người dùng.',
  'policy.registerRolesEmpty': 'Cần ít nhất một vai trò được vào sổ văn bản.',

  // Tokens
  'token.notBound': 'Thiết bị ký số này chưa được gắn với máy trạm. Hãy nhờ quản trị gắn thiết bị cho bạn.',
  'token.notBoundToActiveUser': 'Thiết bị ký số này không gắn với người dùng nào còn hoạt động trên máy trạm.',
  'token.noEncryptionCert': 'Thiết bị ký số không có chứng thư dùng để mã hóa (RSA, keyEncipherment), nên không thể giữ khóa dữ liệu của máy trạm.',
  'token.noEncryptionCertShort': 'Thiết bị ký số không có chứng thư dùng để mã hóa (RSA, keyEncipherment).',
  'token.oaepUnsupported': 'Thiết bị ký số không giải mã được khóa dữ liệu (cơ chế RSA-OAEP không được hỗ trợ).',
  'token.noSigningCert': 'Thiết bị ký số không có chứng thư dùng để ký.',
  'token.noCertificates': 'Thiết bị này không có chứng thư nào.',
  'token.certBoundToOther': 'Chứng thư trên thiết bị này đã được gắn với người dùng khác.',
  'token.noUnlockCert': 'Thiết bị không có chứng thư dùng để mở khóa máy trạm (RSA, keyEncipherment).',
  'token.unknownModule': 'Không thấy thiết bị ký số đã chọn. Hãy bấm “Làm mới” rồi chọn lại thiết bị.',
  'token.notRecovery': 'Thiết bị này không giữ khóa khôi phục của máy trạm (machine.json, recoveryCertificate).',
  'token.signerNotYou': 'Chứng thư ký số trên thiết bị này đang gắn với người khác; không thể ký thay người đó.',
  'token.signerNotBound': 'Chứng thư ký số trên thiết bị này chưa được gắn với bạn. Hãy nhờ quản trị gắn thiết bị (Người dùng → Gắn thiết bị).',
  'cert.boundElsewhere': 'Chứng thư “{{name}}” (sê-ri {{serial}}) đang gắn với {{holder}}. Muốn gắn cho người khác, quản trị phải gỡ chứng thư đó khỏi {{holder}} trước.',
  'cert.notBoundToUser': 'Chứng thư này không gắn với người dùng đã chọn.',
  'cert.unbindOwn': 'Không gỡ được chứng thư đang dùng cho phiên làm việc này. Hãy nhờ một quản trị khác gỡ.',
  'cert.recovery': 'Chứng thư “{{name}}” là chứng thư khôi phục của máy trạm, không gắn cho cá nhân.',
  'cert.ca': 'Chứng thư “{{name}}” là chứng thư của tổ chức cấp chứng thư (CA), không phải của cá nhân.',
  'cert.expired': 'Chứng thư “{{name}}” không còn hoặc chưa có hiệu lực (từ {{from}} đến {{to}}).',
  'cert.keyUsage': 'Chứng thư “{{name}}” không dùng được để mở khóa (cần khóa RSA cho phép keyEncipherment) hay để ký số (cần digitalSignature hoặc nonRepudiation).',
  'cert.noTrustAnchors': 'Máy trạm chưa được cài chứng thư gốc tin cậy (machine.json, trustAnchors) nên chưa gắn được thiết bị ký số. Hãy báo bộ phận CNTT.',
  'cert.untrusted': 'Chứng thư “{{name}}” không do tổ chức cấp chứng thư được tin cậy trên máy trạm này cấp: {{why}}',
  'user.clearanceAbove': '{{name}} được tiếp cận ở mức cao hơn mức của bạn; chỉ quản trị có mức tiếp cận bằng hoặc cao hơn mới gắn hoặc gỡ thiết bị cho người này.',
  'profile.notLegacy': 'Đây không phải dữ liệu máy trạm cũ chưa mã hóa; hãy mở khóa bằng thiết bị ký số đã được gắn.',
  'profile.legacyRecovery': 'Dữ liệu máy trạm này được tạo trước khi dùng thiết bị ký số và thiết bị này chưa được gắn với ai. Bộ phận CNTT cần dùng thiết bị khôi phục của máy trạm để gắn thiết bị cho người dùng đầu tiên (thường là quản trị); sau đó quản trị gắn thiết bị cho những người khác.',
  'profile.legacyNoRecovery': 'Dữ liệu máy trạm này được tạo trước khi dùng thiết bị ký số và thiết bị này chưa được gắn với ai. Máy trạm chưa có chứng thư khôi phục (machine.json, recoveryCertificate) để gắn thiết bị cho người dùng đầu tiên: hãy báo bộ phận CNTT.',
  'token.absent': 'Không thấy thiết bị ký số. Hãy cắm thiết bị vào máy rồi thử lại.',
  'token.driverMissing': 'Không tìm thấy trình điều khiển (driver) của thiết bị ký số. Hãy báo quản trị kiểm tra cấu hình máy trạm.',
  'token.driverUnusable': 'Trình điều khiển thiết bị ký số không dùng được (không phải thư viện PKCS#11 hoặc không khởi động được). Hãy báo quản trị.',
  'token.driverHung': 'Trình điều khiển thiết bị ký số không phản hồi hoặc đã dừng. Phiên làm việc đã được khóa; hãy rút và cắm lại thiết bị rồi đăng nhập lại.',
  'token.mechanismParam': 'Thiết bị ký số không hỗ trợ tham số mã hóa của tệp này (ví dụ RSA-OAEP với SHA-256). Người gửi cần mã hóa lại với tham số thiết bị hỗ trợ (SHA-1).',
  'token.keyUnusable': 'Khóa trên thiết bị ký số không thực hiện được thao tác này.',
  'token.sessionEnded': 'Phiên đăng nhập thiết bị ký số đã kết thúc. Hãy nhập lại mã PIN.',
  'token.failed': 'Thiết bị ký số báo lỗi. Hãy thử lại; nếu vẫn lỗi, báo quản trị.',
  'pin.incorrect': 'Mã PIN không đúng.',
  'pin.incorrectLow': 'Mã PIN không đúng. Thiết bị sắp bị khóa: còn ít lần thử.',
  'pin.incorrectFinal': 'Mã PIN không đúng. Đây là lần thử cuối cùng: nhập sai nữa thiết bị sẽ bị khóa.',
  'pin.locked': 'Mã PIN của thiết bị ký số đã bị khóa do nhập sai quá số lần cho phép. Hãy liên hệ bộ phận quản trị (cơ yếu) để mở khóa bằng mã PIN quản trị (SO PIN).',
  'pin.badFormat': 'Mã PIN không đúng độ dài hoặc ký tự mà thiết bị yêu cầu.',
  'pin.invalid': 'Mã PIN không hợp lệ.',
  'pin.expired': 'Mã PIN đã hết hạn. Hãy đổi mã PIN bằng phần mềm của thiết bị rồi thử lại.',

  // Signatures and envelopes (CryptoError codes; the core keeps the more specific Vietnamese text)
  'crypto.MALFORMED_SIGNATURE': 'Chữ ký số bị hỏng hoặc không đúng định dạng.',
  'crypto.MALFORMED_CERTIFICATE': 'Chứng thư số bị hỏng hoặc không đúng định dạng.',
  'crypto.MALFORMED_ENVELOPE': 'Tệp mã hóa bị hỏng hoặc không đúng định dạng.',
  'crypto.TRUNCATED': 'Tệp mã hóa bị cắt cụt.',
  'crypto.TAMPERED': 'Tệp đã bị thay đổi, bị hỏng hoặc không mở được bằng khóa này.',
  'crypto.NOT_A_RECIPIENT': 'Tệp không được mã hóa cho chứng thư của bạn.',
  'crypto.UNSUPPORTED_ALGORITHM': 'Thuật toán mật mã không được hỗ trợ.',
  'crypto.POLICY_REFUSED': 'Thao tác mật mã bị từ chối theo chính sách an toàn.',
  'crypto.UNSUITABLE_CERTIFICATE': 'Chứng thư số không dùng được cho thao tác này.',
  'crypto.SIGNING_FAILED': 'Chữ ký tạo ra không kiểm tra được với chứng thư. Thao tác ký đã bị hủy.',
  'crypto.failed': 'Thao tác mật mã không thực hiện được.',

  // Files
  'attachment.notFound': 'Không tìm thấy tệp đính kèm.',
  'file.tooLarge': 'Tệp "{{name}}" vượt quá giới hạn {{limit}}.',
  'file.unreadable': 'Không đọc được tệp "{{name}}".',
  'file.unreadablePick': 'Không đọc được tệp "{{name}}". Hãy chọn một tệp trên máy hoặc trên thiết bị lưu trữ được phép.',
  'file.empty': 'Tệp "{{name}}" rỗng (0 byte).',
  'file.notOnDisk': 'Không đọc được tệp "{{name}}". Hãy chọn tệp từ ổ đĩa của máy.',
  'file.badName': 'Tên tệp không hợp lệ.',
  'staged.gone': 'Tệp đính kèm đã tải lên không còn. Vui lòng chọn lại tệp.',
  'staged.otherPerson': 'Tệp đính kèm này do người khác tải lên; chỉ người đã tải lên mới được dùng để vào sổ.',
  'personal.keyMissing': 'Không mở được khóa cá nhân của bạn trên máy trạm này nên chưa thể tải tệp lên hay lưu bản nháp. Hãy khóa máy rồi mở lại; nếu vẫn không được, báo quản trị hệ thống.',

  // Documents
  'document.notFound': 'Không tìm thấy văn bản.',
  'value.tooLarge': 'Giá trị lớn nhất là {{max}}.',
  'secret.reasonRequired': 'Nhập lý do.',
  'secret.authorityRequired': 'Nhập căn cứ, thẩm quyền quyết định.',
  'secret.decisionRequired': 'Nhập số, ngày của quyết định hoặc biên bản.',
  'grant.notAllowed': 'Chỉ lãnh đạo hoặc văn thư được bổ sung người được tiếp cận tài liệu mật.',
  'grant.notClassified': 'Văn bản thường không cần cấp quyền tiếp cận theo tên.',
  'grant.notCleared': '{{name}} chưa được phép tiếp cận bí mật nhà nước ở mức độ này.',
  'grant.exists': '{{name}} đã được cấp quyền tiếp cận văn bản này.',
  'grant.notFound': 'Không tìm thấy quyền tiếp cận.',
  'grant.alreadyRevoked': 'Quyền tiếp cận này đã được thu hồi.',
  'level.notAllowed': 'Chỉ lãnh đạo được đề xuất thay đổi độ mật; người xác nhận là lãnh đạo hoặc văn thư.',
  'level.notClassified': 'Văn bản thường không có độ mật để giải mật.',
  'level.partRequired': 'Ghi rõ phần được giải mật.',
  'level.toRequired': 'Chọn độ mật mới.',
  'level.lowerToUnclassified': 'Không hạ độ mật xuống “Thường”: đó là giải mật, hãy chọn “Giải mật”.',
  'level.notLower': 'Độ mật mới phải thấp hơn độ mật hiện tại.',
  'level.notHigher': 'Độ mật mới phải cao hơn độ mật hiện tại.',
  'level.aboveClearance': 'Bạn không được phép tiếp cận độ mật mới này.',
  'level.decidedInFuture': 'Ngày quyết định không được sau hôm nay.',
  'level.pending': 'Văn bản đang có một đề xuất thay đổi độ mật chờ xác nhận.',
  'level.changeNotFound': 'Không tìm thấy đề xuất thay đổi độ mật.',
  'level.samePerson': 'Người xác nhận phải là người khác với người đề xuất.',
  'level.notPending': 'Đề xuất này đã được xác nhận hoặc đã hủy.',
  'hold.notAllowed': 'Chỉ lãnh đạo hoặc văn thư được tạm giữ tài liệu.',
  'hold.notFound': 'Không tìm thấy lệnh tạm giữ.',
  'hold.released': 'Lệnh tạm giữ này đã được gỡ.',
  'destroy.notAllowed': 'Chỉ lãnh đạo có thẩm quyền được quyết định tiêu hủy tài liệu mật.',
  'destroy.notClassified': 'Chỉ tài liệu bí mật nhà nước được tiêu hủy theo thủ tục này.',
  'destroy.onHold': 'Tài liệu đang bị tạm giữ; gỡ lệnh tạm giữ trước khi tiêu hủy.',
  'copy.notClassified': 'Văn bản thường không cần cho phép sao, chụp.',
  'copy.notAuthority': 'Bạn không có thẩm quyền cho phép sao, chụp tài liệu độ {{level}}.',
  'copy.needsPermission': 'Sao, chụp hoặc in tài liệu độ {{level}} cần sự cho phép của người có thẩm quyền.',
  'copy.permissionUsed': 'Sự cho phép này đã được sử dụng.',
  'copy.beyondPermission': 'Vượt quá sự cho phép (tối đa {{copies}} bản, đúng hình thức đã cho phép).',
  'copy.noPdf': 'Văn bản không có tệp PDF để in hoặc sao.',
  'report.oneYear': 'Sổ được lập theo năm: chọn từ ngày và đến ngày trong cùng một năm.',
  'report.noSecretLevel': 'Bạn không giữ khóa của mức độ mật nào trên máy trạm này.',
  'protection.notLater': 'Thời hạn gia hạn phải sau thời hạn bảo vệ hiện tại.',
  'restriction.onlyThuong': 'Chỉ văn bản thường mới cần hạn chế phạm vi; văn bản mật đã chỉ dành cho người có trách nhiệm.',
  'restriction.notAllowed': 'Chỉ lãnh đạo hoặc văn thư được hạn chế phạm vi hoặc bỏ hạn chế phạm vi của văn bản.',
  'restriction.unchanged': 'Văn bản đã ở trạng thái này.',
  'envelope.noCertificate': '{{name}} chưa có chứng thư số gắn với máy trạm để niêm phong bì “Chỉ người có tên mới được bóc bì”.',
  'envelope.namedOnly': 'Chỉ người có tên trên bì mới được bóc bì và xem tệp này.',
  'envelope.nameRequired': 'Chọn người có tên trên bì (người duy nhất được bóc bì).',
  'protection.outOfRange': 'Thời hạn bảo vệ ghi trên văn bản phải sau ngày văn bản và không quá {{max}}.',
  'copy.busy': 'Số bản sao đang được cấp ở nơi khác; vui lòng thử lại.',
  // A printout or copy on its way out (the Electron layer: printer or file)
  'output.gone': 'Bản in này không còn: nó đã được dùng, đã hết hạn hoặc phiên làm việc đã khóa. Hãy in hoặc sao lại từ văn bản.',
  'output.notForPrinter': 'Bản sao điện tử được lưu thành tệp, không gửi ra máy in.',
  'output.notForFile': 'Bản in chỉ được gửi ra máy in, không lưu thành tệp.',
  'output.printerUnknown': 'Không tìm thấy máy in “{{printer}}” trên máy trạm này.',
  'output.printFailed': 'Không in được trên máy in “{{printer}}”: {{reason}}.',
  'output.noFolder': 'Máy trạm chưa được cấu hình thư mục được phép lưu tài liệu mật; liên hệ cán bộ công nghệ thông tin.',
  'output.folderNotAllowed': 'Tài liệu độ {{level}} chỉ được lưu vào thư mục đã được cấu hình cho máy trạm: {{folders}}.',
  'output.saveFailed': 'Không lưu được tệp: {{reason}}.',
  'compartment.notHeld': 'Bạn chưa được cấp khóa của mức độ mật {{level}} trên máy trạm này; người giữ khóa mức này cần mở máy trạm một lần để cấp cho bạn.',
  'document.duplicate': 'Văn bản này có thể đã được vào sổ. Kiểm tra trước khi đăng ký tiếp.',
  'register.noneForSecrecy': 'Không có sổ đăng ký nào nhận văn bản ở độ mật này.',
  'register.wrongSecrecy': 'Sổ đăng ký đã chọn không nhận văn bản ở độ mật này.',
  'issuer.unknown': 'Cơ quan ban hành không có trong danh mục.',

  // The register as the law keeps it: dates and order, Phụ lục VI fields, recipients, hand-over,
  // corrections, registers and numbering scopes, the agency's units
  'arrival.future': 'Ngày đến không được sau hôm nay ({{today}}).',
  'documentDate.afterArrivalOn': 'Ngày văn bản không được sau ngày đến ({{arrival}}).',
  'documentDate.future': 'Ngày văn bản không được sau hôm nay ({{today}}).',
  'date.yearRange': 'Năm {{year}} của {{field}} không hợp lệ: chỉ nhận từ năm {{min}} đến năm {{max}}.',
  'order.pastYear': 'Ngày đến thuộc năm {{year}} đã qua: văn bản sẽ được vào “{{register}}” năm {{year}}, với số đến tiếp theo của năm đó.',
  'order.beforeLatest': 'Ngày đến sớm hơn văn bản vào sổ gần nhất của “{{register}}” (ngày đến {{latest}}): số đến sẽ không theo thứ tự ngày đến.',
  'count.notNumber': '{{Field}} phải là số.',
  'count.notInteger': '{{Field}} phải là số nguyên.',
  'count.tooSmall': '{{Field}} ít nhất là {{min}}.',
  'count.tooBig': '{{Field}} tối đa {{max}}.',
  'signer.tooLong': 'Người ký dài tối đa {{max}} ký tự.',
  'arrivalChannel.required': 'Chọn hình thức nhận văn bản.',
  'recipient.required': 'Chưa nhập đơn vị hoặc người nhận.',
  'recipient.unitUnknown': 'Đơn vị nhận không có trong danh sách đơn vị của cơ quan.',
  'recipient.userUnknown': 'Người nhận không có trong danh sách người dùng của cơ quan.',
  'recipient.notCleared': '{{name}} không được tiếp cận văn bản {{level}}.',
  'recipient.choose': 'Chọn đơn vị hoặc người nhận.',
  'handover.future': 'Ngày chuyển không được sau hôm nay ({{today}}).',
  'handover.beforeArrival': 'Ngày chuyển không được trước ngày đến ({{arrival}}).',
  'handover.notFound': 'Không tìm thấy lần chuyển văn bản.',
  'handover.alreadyAcknowledged': 'Văn bản đã được ký nhận lúc {{time}}.',
  'handover.onlyRecipient': 'Chỉ người nhận văn bản mới ký nhận được.',
  'handover.notByHander': 'Người chuyển văn bản không tự ký nhận thay đơn vị nhận.',
  'correction.reasonRequired': 'Chưa nhập lý do sửa.',
  'correction.nothingChanged': 'Không có thay đổi nào so với thông tin đã vào sổ.',
  'correction.yearClosed': '“{{register}}” năm {{year}} đã khóa sổ: không sửa được văn bản của năm này.',
  'register.yearClosed': '“{{register}}” năm {{year}} đã khóa sổ: không vào sổ thêm văn bản của năm này được.',
  'register.notFound': 'Không tìm thấy sổ đăng ký.',
  'register.nameRequired': 'Chưa nhập tên sổ.',
  'register.nameTaken': 'Đã có sổ tên “{{name}}”.',
  'register.levelsRequired': 'Chọn ít nhất một độ mật.',
  'register.levelsMixed': 'Văn bản mật phải vào sổ đăng ký bí mật nhà nước đến riêng: một sổ không nhận cả văn bản thường và văn bản mật.',
  'register.levelUncovered': 'Không còn sổ nào nhận văn bản {{levels}}. Mỗi độ mật phải có ít nhất một sổ đang dùng.',
  'register.scopeChoice': 'Chọn một dãy số có sẵn hoặc tạo dãy số mới cho sổ.',
  'register.scopeUnknown': 'Không tìm thấy dãy số đã chọn.',
  'register.scopeLocked': 'Sổ đã có văn bản nên không đổi được dãy số (số đến đã cấp giữ nguyên). Hãy tạo sổ mới với dãy số khác.',
  'register.kindLocked': 'Sổ đã có văn bản nên không chuyển được giữa sổ văn bản thường và sổ bí mật nhà nước. Hãy tạo sổ mới.',
  'register.renameSigned': 'Sổ có văn bản đã ký số (chữ ký số ghi cả tên sổ) nên không đổi tên được. Hãy tạo sổ mới với tên mới.',
  'register.closeFuture': 'Chưa đến năm {{year}}: chỉ khóa được sổ của năm nay hoặc các năm trước.',
  'register.alreadyClosed': 'Sổ “{{register}}” năm {{year}} đã được khóa.',
  'year.required': 'Chọn năm.',
  'year.invalid': 'Năm không hợp lệ.',
  'scope.notFound': 'Không tìm thấy dãy số.',
  'scope.nameRequired': 'Chưa nhập tên dãy số.',
  'scope.nameTaken': 'Đã có dãy số tên “{{name}}”.',
  'scope.resetRequired': 'Chọn cách bắt đầu lại số.',
  'scope.termStartRequired': 'Dãy số theo nhiệm kỳ cần ngày bắt đầu nhiệm kỳ.',
  'scope.termYearsRange': 'Nhiệm kỳ từ {{min}} đến {{max}} năm.',
  'scope.perTypeUsed': 'Dãy số này đã cấp số nên không đổi được cách đánh số theo từng loại văn bản. Hãy tạo dãy số mới.',
  'scope.ruleMidPeriod': 'Dãy số đã cấp số trong kỳ hiện tại: đổi cách bắt đầu lại giữa kỳ sẽ làm số đến không liên tục. Chỉ đổi được trước số đầu tiên của kỳ mới.',
  'unit.nameRequired': 'Chưa nhập tên đơn vị.',
  'unit.nameTaken': 'Đã có đơn vị “{{name}}”.',
  'unit.selfParent': 'Đơn vị không thể trực thuộc chính nó.',
  'unit.parentUnknown': 'Không tìm thấy đơn vị cấp trên.',
  'unit.notFound': 'Không tìm thấy đơn vị.',
  'units.tooMany': 'Tối đa {{max}} đơn vị.',
  'structure.unitEnded': 'Đơn vị “{{name}}” đã ngừng hoạt động từ sau ngày {{date}}.',
  'structure.codeTaken': 'Mã “{{code}}” đang là mã của đơn vị “{{name}}”.',
  'structure.dateOrder': 'Ngày hiệu lực phải sau ngày {{date}} của lần thay đổi trước.',
  'structure.sameName': 'Tên và mã mới trùng với tên và mã hiện tại.',
  'structure.mergeTooFew': 'Cần ít nhất hai đơn vị để hợp nhất.',
  'structure.splitTooFew': 'Cần ít nhất hai đơn vị mới khi chia tách.',
  'structure.splitBadTarget': 'Cán bộ được chuyển tới một đơn vị mới không có trong danh sách.',
  'structure.personUnknown': 'Không tìm thấy cán bộ.',
  'structure.authorityUnknown': 'Không tìm thấy quyền này.',
  'structure.authorityEnded': 'Quyền này đã hết hiệu lực.',
  'structure.periodOrder': 'Ngày kết thúc phải từ ngày bắt đầu trở đi.',
  'structure.prefixOnlySign': 'Tiền tố ký (TM., KT., TL., TUQ., Q.) chỉ dùng cho quyền ký.',
  'structure.prefixNeedsBehalf': 'Ký “{{prefix}}” cần ghi rõ thay mặt, ký thay, thừa lệnh hoặc thừa ủy quyền ai.',
  'structure.import.badFile': 'Tệp không phải bảng tính Excel (.xlsx) đọc được.',
  'structure.import.noSheet': 'Bảng tính thiếu trang “{{sheet}}”.',
  'structure.import.noColumn': 'Trang “{{sheet}}” thiếu cột “{{column}}”.',
  'structure.import.hasErrors': 'Bảng tính có {{count}} lỗi; chưa nhập gì. Hãy sửa các dòng được chỉ ra rồi nhập lại.',
  'structure.import.changed': 'Tệp đã thay đổi từ lúc xem trước; hãy xem trước lại.',
  'structure.import.required': 'Thiếu {{column}}.',
  'structure.import.unknownUnit': 'Không có đơn vị mã “{{code}}” trong bảng tính hay trong cơ quan.',
  'structure.import.duplicateCode': 'Mã đơn vị “{{code}}” xuất hiện hơn một lần.',
  'structure.import.badValue': '{{column}} “{{value}}” không hợp lệ.',
  'structure.import.badDate': '{{column}} “{{value}}” không phải ngày hợp lệ (dd/mm/yyyy).',
  'structure.import.ambiguousPerson': 'Có nhiều cán bộ tên “{{name}}”; hãy sửa trong phần Người dùng.',
  'structure.import.tooMany': 'Bảng tính có quá {{max}} dòng.',
  'structure.decisionRequired': 'Chưa nhập số, ngày của quyết định.',
  'structure.kindInvalid': 'Loại quyền không hợp lệ.',
  'structure.prefixInvalid': 'Tiền tố ký không hợp lệ.',
  'structure.capacityInvalid': 'Vị trí trong đơn vị không hợp lệ.',
  'structure.import.roleKept': 'Vai trò và độ mật của “{{name}}” trong bảng tính khác hiện tại; giữ nguyên (đổi trong phần Người dùng).',

  // Printouts and register exports (main/core/print, main/core/reports)
  'print.notPdf': 'Tệp không phải PDF nên không in được.',
  'print.damaged': 'Tệp PDF bị hỏng, không đọc được nên không in được.',
  'print.encrypted': 'Tệp PDF được đặt mật khẩu (mã hóa) nên không in được. Cần bản PDF không đặt mật khẩu.',
  'print.noPages': 'Tệp PDF không có trang nào để in.',
  'print.tooManyPages': 'Tệp PDF có {{pages}} trang, vượt quá giới hạn {{max}} trang của một lần in.',
  'print.copyNumber': 'Số bản không hợp lệ: bản số {{number}} trên tổng số {{count}} bản.',
  'print.watermarkMissing': 'Thiếu thông tin cho hình mờ (người, đơn vị, thời gian hoặc số văn bản).',
  'report.tooManyRows': 'Sổ có {{rows}} dòng, vượt quá giới hạn {{max}} dòng của một lần xuất.',
  'report.badRow': 'Dòng {{row}} của sổ thiếu thông tin bắt buộc.',
  'report.badPeriod': 'Khoảng thời gian của sổ không hợp lệ: cần ngày bắt đầu và ngày kết thúc, ngày bắt đầu không sau ngày kết thúc.',
  'report.badDate': 'Dòng {{row}} của sổ có ngày không hợp lệ.',

  // Drafts and preferences
  'draft.tooLarge': 'Bản nháp quá lớn (tối đa {{max}} KB).',
  'language.invalid': 'Ngôn ngữ không hợp lệ.',

  // The audit trail
  'period.order': 'Từ ngày phải trước hoặc trùng đến ngày.',

  // The state-secret registers closed at year end (secrets/registerYears.ts)
  'secretRegister.notReader': 'Bạn không có quyền xem các sổ bí mật nhà nước (mặc định: văn thư và lãnh đạo).',
  'secretRegister.notCloser': 'Bạn không có quyền khóa sổ bí mật nhà nước (mặc định: văn thư và lãnh đạo).',
  'secretRegister.needsWholeRegister': 'Khóa sổ cần người xem được toàn bộ sổ: văn thư hoặc lãnh đạo giữ khóa của cả ba độ mật (Mật, Tối mật, Tuyệt mật).',
  'secretRegister.closeNotEnded': 'Năm {{year}} chưa kết thúc: chỉ khóa sổ năm {{year}} được từ ngày 01/01/{{next}}.',
  'secretRegister.alreadyClosed': '{{register}} năm {{year}} đã khóa sổ lúc {{time}}.',
  'secretRegister.needsPrint': 'Chưa in {{register}} năm {{year}}: hãy in sổ (PDF) cho cả năm, từ 01/01/{{year}} đến 31/12/{{year}}, rồi mới khóa sổ.',
  'secretRegister.changedSincePrint': '{{register}} năm {{year}} đã thay đổi sau lần in lúc {{time}}: hãy in lại sổ (PDF) cả năm rồi khóa sổ.',
  'secretRegister.handoverYearClosed': 'Sổ chuyển giao bí mật nhà nước năm {{year}} đã khóa sổ: không ghi thêm lần chuyển giao ngày {{date}} được. Hãy ghi ngày chuyển trong năm nay.',
  'secretRegister.incomingYearClosed': 'Sổ đăng ký bí mật nhà nước đến năm {{year}} đã khóa sổ: không ghi thêm lần chuyển ngày {{date}} cho văn bản đến năm {{year}} được. Hãy ghi ngày chuyển trong năm nay.',
  'secretRegister.lateAcknowledgement': 'Lần chuyển giao ngày {{date}} thuộc Sổ chuyển giao bí mật nhà nước năm {{year}} đã khóa sổ nên không ký nhận muộn được. Văn thư cần ghi lần chuyển giao mới trong năm nay để người nhận ký nhận vào đó.',
  'secretRegister.lateAcknowledgementIncoming': 'Lần chuyển ngày {{date}} thuộc Sổ đăng ký bí mật nhà nước đến năm {{year}} đã khóa sổ nên không ký nhận muộn được. Văn thư cần ghi lần chuyển giao mới trong năm nay để người nhận ký nhận vào đó.',
  'secretRegister.closeInSecretArea': '“{{register}}” là sổ bí mật nhà nước: khóa sổ năm tại mục Sổ bí mật nhà nước, sau khi in sổ (PDF) cả năm.',
  'secretRegister.copyYearClosed': 'Sổ quản lý sao, chụp bí mật nhà nước năm {{year}} đã khóa sổ: không ghi thêm bản sao vào dãy số năm {{year}} được. Hãy kiểm tra ngày giờ của máy trạm.',
  // Outgoing documents (main/core/outgoing)
  'outgoing.mainFileRequired': 'Chưa chọn tệp văn bản chính (PDF).',
  'outgoing.mainNotPdf': 'Tệp văn bản chính phải là PDF: “{{name}}” không phải PDF.',
  'outgoing.commentRequired': 'Chưa nhập ý kiến.',
  'outgoing.reasonRequired': 'Chưa nhập lý do.',
  'outgoing.typeNotIssued': 'Cơ quan không ban hành loại văn bản “{{type}}” theo mẫu số, ký hiệu đang dùng.',
  'outgoing.signerUnknown': 'Người ký đã chọn không có hoặc đã ngừng hoạt động.',
  'outgoing.signerNotLeader': '{{name}} không phải lãnh đạo: chỉ lãnh đạo mới ký ban hành văn bản.',
  'outgoing.notCleared': '{{name}} chưa được phép tiếp cận văn bản {{level}}.',
  'outgoing.approverUnknown': 'Người duyệt đã chọn không có hoặc đã ngừng hoạt động.',
  'outgoing.approverRepeated': '{{name}} có tên hai lần trong danh sách duyệt.',
  'outgoing.notDrafter': 'Chỉ người soạn thảo ({{name}}) mới sửa hoặc trình được dự thảo này.',
  'outgoing.notEditable': 'Văn bản đang ở trạng thái “{{status}}”: không sửa được.',
  'outgoing.wrongState': 'Văn bản đang ở trạng thái “{{status}}”: không thực hiện được thao tác này.',
  'outgoing.notYourTurn': 'Chưa đến lượt bạn duyệt: văn bản đang chờ {{name}} duyệt.',
  'outgoing.alreadyApproved': 'Bạn đã duyệt văn bản này lúc {{time}}.',
  'outgoing.notApprover': 'Bạn không có tên trong danh sách duyệt văn bản này.',
  'outgoing.notApproved': 'Văn bản chưa được duyệt xong: chưa ký được.',
  'outgoing.notSigner': 'Chỉ {{name}}, người ký được chỉ định, mới ký được văn bản này.',
  'outgoing.signerFirst': 'Chữ ký số của cơ quan chỉ được ký sau chữ ký của người có thẩm quyền.',
  'outgoing.notClerk': 'Chỉ văn thư mới được ký số cơ quan, cấp số và ban hành văn bản.',
  'outgoing.certNotBound': 'Chứng thư số “{{name}}” không gắn với bạn trên máy trạm này.',
  'outgoing.certExpired': 'Chứng thư số “{{name}}” không còn hiệu lực (từ {{from}} đến {{to}}).',
  'outgoing.certKeyUsage': 'Chứng thư số “{{name}}” không dùng để ký số.',
  'outgoing.notAgencyCert': 'Chứng thư số “{{name}}” không phải chứng thư số của cơ quan.',
  'outgoing.alreadyIssued': 'Văn bản đã được ban hành với số, ký hiệu {{number}} ngày {{date}}.',
  'outgoing.notSigned': 'Văn bản chưa được ký số đủ: chưa cấp số và ban hành được.',
  'outgoing.signedOtherDay': 'Văn bản được ký số ngày {{date}}: số và ngày văn bản phải cấp trong ngày ký. Hãy ký số lại rồi ban hành.',
  'outgoing.issuedFrozen': 'Văn bản đã ban hành: không sửa được. Muốn thay đổi, hãy ban hành văn bản thay thế.',
  'outgoing.notIssued': 'Chỉ thu hồi hoặc thay thế được văn bản đã ban hành.',
  'outgoing.alreadyRecalled': 'Văn bản đã bị thu hồi lúc {{time}}.',
  'outgoing.alreadyReplaced': 'Văn bản đã được thay thế bằng văn bản khác.',
  'outgoing.replaceSelf': 'Văn bản không thể thay thế chính nó.',
  'outgoing.mayNotRecall': 'Chỉ văn thư hoặc lãnh đạo mới được thu hồi văn bản.',
  'outgoing.recipientUnknown': 'Không tìm thấy nơi nhận đã chọn.',
  'outgoing.noRegister': 'Chưa có sổ đăng ký văn bản đi cho văn bản {{level}}.',
  'outgoing.noMainFile': 'Văn bản không có tệp chính để ký.',
} as const;
export type MessageKey = keyof typeof MESSAGES_VI;
export type MessageParams = Readonly<Record<string, string | number>>;

/** A message as it crosses the IPC: the key and its parameters, worded by whoever shows it. */
export interface Msg {
  key: MessageKey;
  params?: MessageParams;
}

export const isMessageKey = (k: unknown): k is MessageKey =>
  typeof k === 'string' && Object.prototype.hasOwnProperty.call(MESSAGES_VI, k);
export const isLabelKey = (k: unknown): k is LabelKey =>
  typeof k === 'string' && Object.prototype.hasOwnProperty.call(LABELS_VI, k);

const capitalise = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** Fills {{name}} placeholders; `field` is worded with `label`, {{Field}} capitalised. */
export function fillTemplate(template: string, params: MessageParams | undefined, label: (key: string) => string): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
    const lower = name.charAt(0).toLowerCase() + name.slice(1);
    const raw = params?.[name] ?? params?.[lower];
    if (raw === undefined) return whole;
    if (lower !== 'field') return String(raw);
    const worded = label(String(raw));
    return name === 'Field' ? capitalise(worded) : worded;
  });
}

/** The Vietnamese wording of a message (the core's `message`, and the CLI's). */
export function viMessage(key: MessageKey, params?: MessageParams): string {
  return fillTemplate(MESSAGES_VI[key], params, (k) => (isLabelKey(k) ? LABELS_VI[k] : k));
}

let byText: Map<string, MessageKey> | null = null;
/**
 * The key of a message written out in full rather than through the catalog (a throw site or schema
 * not converted yet): only texts without parameters, which are unambiguous.
 */
export function keyOfVietnamese(text: string): MessageKey | undefined {
  if (!byText) {
    byText = new Map();
    for (const [key, template] of Object.entries(MESSAGES_VI) as Array<[MessageKey, string]>) {
      if (!template.includes('{{') && !byText.has(template)) byText.set(template, key);
    }
  }
  return byText.get(text);
}

/** The placeholders a template uses (tests check every language uses the same ones). */
export const placeholders = (template: string): string[] =>
  [...template.matchAll(/\{\{\s*(\w+)\s*\}\}/g)].map((m) => m[1]!.toLowerCase()).sort();
