// A small RFC 2822 / MIME reader and writer: enough for what mail clients and agents send (text, HTML,
// multipart/alternative and /mixed with attachments; base64, quoted-printable, 7bit/8bit).

export interface MimeHeader {
  name: string;
  value: string;
}

export interface MimePart {
  headers: MimeHeader[];
  mimeType: string;
  filename: string;
  /** Decoded body bytes (empty for multipart containers). */
  body: Buffer;
  parts: MimePart[];
}

export function header(headers: MimeHeader[], name: string): string | undefined {
  const lower = name.toLowerCase();
  return headers.find((h) => h.name.toLowerCase() === lower)?.value;
}

function splitHeadAndBody(text: string): [string, string] {
  const match = /\r?\n\r?\n/.exec(text);
  if (!match) return [text, ''];
  return [text.slice(0, match.index), text.slice(match.index + match[0].length)];
}

function decodeEncodedWords(value: string): string {
  return value.replace(
    /=\?([^?]+)\?([bBqQ])\?([^?]*)\?=/g,
    (_m, _charset: string, enc: string, data: string) => {
      if (enc.toUpperCase() === 'B') return Buffer.from(data, 'base64').toString('utf8');
      const bytes = data.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_x, hex: string) => `%${hex}`);
      try {
        return decodeURIComponent(bytes);
      } catch {
        return data;
      }
    },
  );
}

export function parseHeaders(head: string): MimeHeader[] {
  const headers: MimeHeader[] = [];
  for (const line of head.split(/\r?\n/)) {
    const last = headers[headers.length - 1];
    if (/^[ \t]/.test(line) && last) {
      last.value += ` ${line.trim()}`;
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    headers.push({ name: line.slice(0, colon).trim(), value: line.slice(colon + 1).trim() });
  }
  for (const h of headers) h.value = decodeEncodedWords(h.value);
  return headers;
}

/** `text/plain; charset="utf-8"` -> { value: 'text/plain', params: { charset: 'utf-8' } } */
export function parseParams(value: string | undefined): { value: string; params: Record<string, string> } {
  const [first = '', ...rest] = (value ?? '').split(';');
  const params: Record<string, string> = {};
  for (const p of rest) {
    const eq = p.indexOf('=');
    if (eq < 0) continue;
    params[p.slice(0, eq).trim().toLowerCase()] = p
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1');
  }
  return { value: first.trim().toLowerCase(), params };
}

function decodeQuotedPrintable(text: string): Buffer {
  const soft = text.replace(/=\r?\n/g, '');
  const bytes: number[] = [];
  for (let i = 0; i < soft.length; i++) {
    const ch = soft[i] ?? '';
    const hex = soft.slice(i + 1, i + 3);
    if (ch === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      for (const b of Buffer.from(ch, 'utf8')) bytes.push(b);
    }
  }
  return Buffer.from(bytes);
}

function decodeBody(text: string, encoding: string | undefined): Buffer {
  switch ((encoding ?? '7bit').toLowerCase()) {
    case 'base64':
      return Buffer.from(text.replace(/\s+/g, ''), 'base64');
    case 'quoted-printable':
      return decodeQuotedPrintable(text);
    default:
      return Buffer.from(text, 'utf8');
  }
}

function parsePart(text: string, defaultType = 'text/plain'): MimePart {
  const [head, body] = splitHeadAndBody(text);
  const headers = parseHeaders(head);
  const type = parseParams(header(headers, 'Content-Type') ?? defaultType);
  const disposition = parseParams(header(headers, 'Content-Disposition'));
  const filename = disposition.params['filename'] ?? type.params['name'] ?? '';
  const boundary = type.params['boundary'];
  if (type.value.startsWith('multipart/') && boundary) {
    const childDefault = type.value === 'multipart/digest' ? 'message/rfc822' : 'text/plain';
    const chunks = body.split(new RegExp(`\\r?\\n?--${boundary.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
    const parts = chunks
      .slice(1)
      .filter((c) => !c.startsWith('--'))
      .map((c) => parsePart(c.replace(/^[ \t]*\r?\n/, ''), childDefault));
    return { headers, mimeType: type.value, filename, body: Buffer.alloc(0), parts };
  }
  return {
    headers,
    mimeType: type.value || defaultType,
    filename,
    body: decodeBody(body, header(headers, 'Content-Transfer-Encoding')),
    parts: [],
  };
}

export function parseMessage(raw: Buffer | string): MimePart {
  return parsePart(typeof raw === 'string' ? raw : raw.toString('utf8'));
}

/** First text/plain body (or HTML without tags) of a message. */
export function textOf(part: MimePart): string {
  const plain = findPart(part, (p) => p.mimeType === 'text/plain' && !p.filename);
  if (plain) return plain.body.toString('utf8');
  const html = findPart(part, (p) => p.mimeType === 'text/html' && !p.filename);
  return html ? html.body.toString('utf8').replace(/<[^>]*>/g, ' ') : '';
}

export function findPart(part: MimePart, test: (p: MimePart) => boolean): MimePart | undefined {
  if (test(part)) return part;
  for (const child of part.parts) {
    const found = findPart(child, test);
    if (found) return found;
  }
  return undefined;
}

/** Splits an address list header into addresses (`"A, B" <a@x>, b@y` -> ['a@x', 'b@y']). */
export function addresses(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const piece of value.match(/(?:"[^"]*"|[^,])+/g) ?? []) {
    const angle = /<([^>]+)>/.exec(piece);
    const address = (angle?.[1] ?? piece).trim().toLowerCase();
    if (address) out.push(address);
  }
  return out;
}

export function isValidAddress(address: string): boolean {
  return /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/.test(address);
}

/** RFC 2822 date, e.g. `Tue, 14 Nov 2023 09:30:00 +0000`. */
export function rfc2822Date(date: Date): string {
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[date.getUTCDay()]}, ${p(date.getUTCDate())} ${months[date.getUTCMonth()]} ${date.getUTCFullYear()} ${p(date.getUTCHours())}:${p(date.getUTCMinutes())}:${p(date.getUTCSeconds())} +0000`;
}

export interface SimpleMessage {
  from: string;
  to: string;
  cc?: string;
  subject: string;
  date: Date;
  messageId: string;
  inReplyTo?: string;
  text: string;
  html?: string;
}

/** Builds a raw RFC 2822 message (text, or multipart/alternative with HTML). */
export function buildRaw(m: SimpleMessage): string {
  const lines = [
    'MIME-Version: 1.0',
    `Date: ${rfc2822Date(m.date)}`,
    `Message-ID: ${m.messageId}`,
    `Subject: ${m.subject}`,
    `From: ${m.from}`,
    `To: ${m.to}`,
  ];
  if (m.cc) lines.push(`Cc: ${m.cc}`);
  if (m.inReplyTo) lines.push(`In-Reply-To: ${m.inReplyTo}`, `References: ${m.inReplyTo}`);
  if (!m.html) {
    lines.push('Content-Type: text/plain; charset="UTF-8"', '', m.text);
    return lines.join('\r\n');
  }
  const boundary = `000000000000${m.messageId.replace(/[^a-z0-9]/gi, '').slice(0, 16)}`;
  lines.push(
    `Content-Type: multipart/alternative; boundary="${boundary}"`,
    '',
    `--${boundary}`,
    'Content-Type: text/plain; charset="UTF-8"',
    '',
    m.text,
    `--${boundary}`,
    'Content-Type: text/html; charset="UTF-8"',
    '',
    m.html,
    `--${boundary}--`,
    '',
  );
  return lines.join('\r\n');
}
