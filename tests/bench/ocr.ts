// OCR throughput: a scanned Vietnamese document (N image-only A4 pages at 200 dpi, each a full page of
// text typeset with diacritics and rasterised by pdftoppm) registered on a real profile and read by the
// OCR job through the services, end to end (decrypt in memory, page count, text-layer check, pdftoppm at
// 300 dpi, Tesseract vie at low priority, one transaction per page with the index entry). Reported:
// pages per minute, per-page time, the share of the source's words found (folded), and the main
// thread's event-loop delay while the job runs (the window's responsiveness).
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { searchTokens } from '../../common/vietnamese';
import { newDesk, registration, stageBytes } from '../helpers/desk';
import { scannedPdf } from '../helpers/scannedPages';
import { ms, progress, summarize, type Summary } from './stats';

export interface OcrFigures {
  pages: number;
  totalMs: number;
  pagesPerMinute: number;
  perPageMs: Summary;
  /** Share of the distinct folded words of the source found in the recognised text. */
  wordRecall: number;
  eventLoopDelayMs: { p50: number; p99: number; max: number };
}

const LINES = [
  'ỦY BAN NHÂN DÂN TỈNH QUẢNG NINH',
  'CÔNG VĂN KHẨN',
  'Về việc triển khai công tác phòng, chống thiên tai',
  'Thực hiện chỉ đạo của Ban Chỉ đạo quốc gia về phòng, chống',
  'thiên tai, Ủy ban nhân dân tỉnh đề nghị các sở, ban, ngành,',
  'Ủy ban nhân dân các huyện, thị xã, thành phố khẩn trương',
  'rà soát phương án ứng phó với bão, lũ, sạt lở đất; bố trí',
  'lực lượng, phương tiện, vật tư sẵn sàng cứu hộ, cứu nạn;',
  'tổ chức trực ban nghiêm túc hai mươi bốn giờ trong ngày;',
  'báo cáo kết quả thực hiện về Văn phòng Ủy ban nhân dân tỉnh',
  'trước ngày mười lăm tháng mười một năm hai nghìn hai mươi sáu.',
  'Đây là nhiệm vụ quan trọng, đề nghị các đơn vị nghiêm túc',
  'triển khai thực hiện./.',
];

export async function measureOcr(pages = 6): Promise<OcrFigures> {
  const env = await newDesk('state');
  try {
    const { desk, admin } = env;
    const content = Array.from({ length: pages }, (_, i) => [`Trang ${i + 1}`, ...LINES]);
    const pdf = await scannedPdf(content);
    const staged = await stageBytes(desk, admin, pdf, 'cong-van-scan.pdf');
    await desk.incoming.register(admin, await registration(desk, admin, { subject: 'Văn bản số hóa', secrecy: 'mat', stagedIds: [staged.stagedId] }));
    const times: number[] = [];
    let last = performance.now();
    let done = 0;
    desk.ocr.onProgress((s) => {
      if (s.pages.done > done) {
        done = s.pages.done;
        const now = performance.now();
        times.push(now - last);
        last = now;
        progress(`ocr: page ${done}/${pages}`);
      }
    });
    const loop = monitorEventLoopDelay({ resolution: 5 });
    loop.enable();
    const t0 = performance.now();
    last = t0;
    await desk.ocr.start(admin);
    const total = performance.now() - t0;
    loop.disable();
    const texts = desk.db.prepare('SELECT text FROM c_mat.ocr_pages ORDER BY page').pluck().all() as string[];
    if (texts.length !== pages) throw new Error(`OCR read ${texts.length} of ${pages} pages`);
    const expected = new Set(searchTokens(LINES.join(' ')));
    const got = new Set(searchTokens(texts.join(' ')));
    const found = [...expected].filter((w) => got.has(w)).length;
    return {
      pages,
      totalMs: ms(total),
      pagesPerMinute: Math.round((pages * 60_000 / total) * 10) / 10,
      perPageMs: summarize(times),
      wordRecall: Math.round((found / expected.size) * 1000) / 1000,
      eventLoopDelayMs: { p50: ms(loop.percentile(50) / 1e6), p99: ms(loop.percentile(99) / 1e6), max: ms(loop.max / 1e6) },
    };
  } finally {
    env.cleanup();
  }
}
