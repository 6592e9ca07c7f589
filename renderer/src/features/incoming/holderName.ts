// Whether a certificate names the person signed in. Vietnamese CAs put the person's name in the
// certificate's CN, sometimes in capitals, without diacritics, or with a note in brackets
// ("Nguyễn Văn An (mã hóa)"); the comparison ignores all of that.
import { foldVietnamese } from '../../../../common/vietnamese';

const normalise = (s: string): string => foldVietnamese(s.replace(/\([^)]*\)/g, ' ')).replace(/\s+/g, ' ').trim();

export function sameHolder(commonName: string, fullName: string): boolean {
  const cn = normalise(commonName);
  return cn !== '' && cn === normalise(fullName);
}
