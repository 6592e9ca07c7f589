// A work file's metadata as XML: the fields Nghị định 30/2020 Phụ lục VI lists for a file (mã hồ sơ,
// tiêu đề, thời hạn bảo quản, chế độ sử dụng, người lập, ngôn ngữ, thời gian bắt đầu và kết thúc,
// tổng số văn bản và số trang, mô tả) and, per document, its own metadata. Element names are the
// Vietnamese field names without diacritics (docs/work-files.md maps them).
import { XMLBuilder } from 'fast-xml-parser';
import { SECRECY_LABELS, URGENCY_LABELS, documentTypeName, type Secrecy, type Urgency } from '../../../common/domain';
import { parseNumberSymbol } from '../../../common/numberSymbol';

export interface XmlDocument {
  ordinal: number; kind: string; globalId: string; typeCode: string; numberSymbol: string; documentDate: string; issuer: string;
  subject: string; language: string; pages: number; secrecy: Secrecy; urgency: string; signer?: string | undefined;
  arrivalDate?: string | undefined; arrivalNumber?: number | undefined; startPage: number;
}
export interface XmlFile {
  code: string; globalId: string; unitCode: string; year: number; notation: string; title: string; retentionYears: number | null;
  accessRegime: string; creator: string; language: string; startDate: string; endDate: string; documents: number; pages: number;
  description: string; secrecy: Secrecy; closedOn: string;
}

/** CodeNumber and CodeNotation of Phụ lục VI: the number and the rest of the symbol. */
function splitSymbol(numberSymbol: string): { number: string; notation: string } {
  const parsed = parseNumberSymbol(numberSymbol);
  if (parsed.ok) return { number: String(parsed.value.number), notation: parsed.value.notation };
  const m = /^\s*(\d+)\s*[/-]\s*(.+)$/.exec(numberSymbol);
  return m ? { number: m[1]!, notation: m[2]! } : { number: '', notation: numberSymbol };
}

export function fileXml(file: XmlFile, docs: XmlDocument[]): string {
  const builder = new XMLBuilder({ format: true, ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: false });
  const body = {
    '?xml': { '@_version': '1.0', '@_encoding': 'UTF-8' },
    HoSo: {
      '@_id': file.globalId,
      MaHoSo: file.code,
      MaCoQuan: file.unitCode,
      NamHinhThanh: file.year,
      SoKyHieuHoSo: file.notation,
      TieuDeHoSo: file.title,
      ThoiHanBaoQuan: file.retentionYears === null ? 'Vĩnh viễn' : String(file.retentionYears),
      CheDoSuDung: file.accessRegime,
      DoMat: SECRECY_LABELS[file.secrecy],
      NguoiLap: file.creator,
      NgonNgu: file.language,
      ThoiGianBatDau: file.startDate,
      ThoiGianKetThuc: file.endDate,
      NgayDongHoSo: file.closedOn,
      TongSoVanBan: file.documents,
      TongSoTrang: file.pages,
      MoTa: file.description,
      VanBan: docs.map((d) => {
        const sym = splitSymbol(d.numberSymbol);
        return {
          '@_id': d.globalId,
          '@_loai': d.kind,
          MaHoSo: file.code,
          SoThuTu: d.ordinal,
          TenLoaiVanBan: documentTypeName(d.typeCode),
          SoVanBan: sym.number,
          KyHieuVanBan: sym.notation,
          SoKyHieu: d.numberSymbol,
          NgayVanBan: d.documentDate,
          CoQuanBanHanh: d.issuer,
          TrichYeu: d.subject,
          NgonNgu: d.language,
          SoTrang: d.pages,
          TrangTrongHoSo: d.startPage,
          DoMat: SECRECY_LABELS[d.secrecy],
          DoKhan: URGENCY_LABELS[d.urgency as Urgency] ?? d.urgency,
          ...(d.signer ? { NguoiKy: d.signer } : {}),
          ...(d.arrivalDate ? { NgayDen: d.arrivalDate } : {}),
          ...(d.arrivalNumber !== undefined ? { SoDen: d.arrivalNumber } : {}),
        };
      }),
    },
  };
  return builder.build(body) as string;
}
