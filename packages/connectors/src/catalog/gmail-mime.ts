/**
 * RFC 2822 / MIME message building for Gmail's `messages.send` (`raw`: base64url of the message).
 * Headers are ASCII: non-ASCII subjects and display names become RFC 2047 encoded words; the body is
 * UTF-8, base64 transfer-encoded, so any text survives.
 */
import { ToolInputError } from '../errors.ts';

export interface MimeMessage {
  to: string;
  cc?: string;
  bcc?: string;
  subject: string;
  body: string;
  contentType: 'text/plain' | 'text/html';
  inReplyTo?: string;
  references?: string;
}

const CRLF = '\r\n';
// biome-ignore lint/suspicious/noControlCharactersInRegex: detecting non-ASCII on purpose
const NON_ASCII = /[^\x00-\x7f]/;

/** RFC 2047 `=?UTF-8?B?…?=` words, each at most 75 characters, folded onto continuation lines. */
export function encodeWords(text: string): string {
  if (!NON_ASCII.test(text) && text.length <= 900) return text;
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    // 45 bytes of UTF-8 → 60 base64 characters → a 72-character encoded word.
    if (Buffer.byteLength(chunk + ch, 'utf8') > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(`${CRLF} `);
}

/** Splits `a@x.com, "Doe, J" <j@x.com>` at commas outside quotes and angle brackets. */
export function splitAddresses(list: string): string[] {
  const out: string[] = [];
  let current = '';
  let quoted = false;
  let angle = false;
  for (const ch of list) {
    if (ch === '"') quoted = !quoted;
    else if (ch === '<' && !quoted) angle = true;
    else if (ch === '>' && !quoted) angle = false;
    if ((ch === ',' || ch === ';') && !quoted && !angle) {
      out.push(current);
      current = '';
    } else current += ch;
  }
  out.push(current);
  return out.map((a) => a.trim()).filter((a) => a !== '');
}

function formatAddress(address: string, field: string): string {
  const named = /^(.*?)\s*<([^<>\s]+@[^<>\s]+)>$/.exec(address);
  if (named !== null) {
    const name = named[1]!.replace(/^"(.*)"$/, '$1').trim();
    if (name === '') return `<${named[2]}>`;
    const display = NON_ASCII.test(name) ? encodeWords(name) : `"${name.replace(/(["\\])/g, '\\$1')}"`;
    return `${display} <${named[2]}>`;
  }
  if (!/^[^\s<>@,;"]+@[^\s<>@,;"]+$/.test(address))
    throw new ToolInputError(field, `is not an email address: ${address}`);
  return address;
}

function addressHeader(value: string | undefined, field: string, required: boolean): string | undefined {
  const addresses = value === undefined ? [] : splitAddresses(value);
  if (addresses.length === 0) {
    if (required) throw new ToolInputError(field, 'needs at least one email address');
    return undefined;
  }
  return addresses.map((a) => formatAddress(a, field)).join(`,${CRLF} `);
}

function noLineBreaks(value: string | undefined, field: string): void {
  if (value !== undefined && /[\r\n]/.test(value))
    throw new ToolInputError(field, 'must not contain line breaks');
}

/** Builds the message text (CRLF line ends). */
export function buildMimeMessage(m: MimeMessage): string {
  for (const [field, value] of [
    ['to', m.to],
    ['cc', m.cc],
    ['bcc', m.bcc],
    ['subject', m.subject],
  ] as const) {
    noLineBreaks(value, field);
  }
  noLineBreaks(m.inReplyTo, 'thread_id');
  noLineBreaks(m.references, 'thread_id');
  const headers: string[] = [];
  const add = (name: string, value: string | undefined): void => {
    if (value !== undefined) headers.push(`${name}: ${value}`);
  };
  add('To', addressHeader(m.to, 'to', true));
  add('Cc', addressHeader(m.cc, 'cc', false));
  add('Bcc', addressHeader(m.bcc, 'bcc', false));
  add('Subject', encodeWords(m.subject));
  add('In-Reply-To', m.inReplyTo);
  add('References', m.references);
  add('MIME-Version', '1.0');
  add('Content-Type', `${m.contentType}; charset="UTF-8"`);
  add('Content-Transfer-Encoding', 'base64');
  const encoded = Buffer.from(m.body, 'utf8').toString('base64');
  const lines = encoded.match(/.{1,76}/g) ?? [];
  return headers.join(CRLF) + CRLF + CRLF + lines.join(CRLF) + CRLF;
}

export const base64url = (text: string): string => Buffer.from(text, 'utf8').toString('base64url');
