// Writes the packet XML: elements in the edXML namespace under the `edXML:` prefix, as the national
// SDK does, text escaped, empty values left out (the reader reads absent and empty alike).
import { EdxmlError } from './errors';

// XML 1.0 forbids most C0 controls even as references: refuse them rather than write a packet nobody can read.
// eslint-disable-next-line no-control-regex
const ILLEGAL = /[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]/;

export const escapeText = (s: string): string => {
  if (ILLEGAL.test(s)) throw new EdxmlError('EDXML_INPUT', 'text with control characters XML cannot carry');
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/\r/g, '&#xD;');
};

export class XmlWriter {
  private readonly out: string[] = [];
  private depth = 0;

  constructor(private readonly prefix = 'edXML:') {}

  raw(s: string): this {
    this.out.push(s);
    return this;
  }

  private indent(): string {
    return `\n${'  '.repeat(this.depth)}`;
  }

  open(name: string, attrs = ''): this {
    this.out.push(`${this.indent()}<${this.prefix}${name}${attrs}>`);
    this.depth++;
    return this;
  }

  close(name: string): this {
    this.depth--;
    this.out.push(`${this.indent()}</${this.prefix}${name}>`);
    return this;
  }

  /** A leaf with text; nothing at all when the value is null or empty. */
  leaf(name: string, value: string | number | boolean | null | undefined): this {
    if (value === null || value === undefined || value === '') return this;
    this.out.push(`${this.indent()}<${this.prefix}${name}>${escapeText(String(value))}</${this.prefix}${name}>`);
    return this;
  }

  /** A leaf whose text needs no escaping (base64). */
  leafRaw(name: string, value: string): this {
    this.out.push(`${this.indent()}<${this.prefix}${name}>${value}</${this.prefix}${name}>`);
    return this;
  }

  /** A group written only when `body` writes something into it. */
  group(name: string, body: (w: this) => void): this {
    const mark = this.out.length;
    this.open(name);
    const inner = this.out.length;
    body(this);
    if (this.out.length === inner) {
      this.out.length = mark;
      this.depth--;
      return this;
    }
    return this.close(name);
  }

  toString(): string {
    return this.out.join('');
  }
}
