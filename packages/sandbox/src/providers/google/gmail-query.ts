// The subset of Gmail's search syntax (`q`) the sandbox understands:
// from: to: cc: subject: label: in: is:(unread|read|starred|important) has:attachment after: before:
// newer_than: older_than: "quoted phrases", free words, and `-` negation. Terms are ANDed.
import type { GmailLabel, GmailMessage } from './gmail-state.ts';
import { findPart, header, textOf } from './mime.ts';

type Test = (m: GmailMessage) => boolean;

function tokenize(q: string): string[] {
  return q.match(/-?[a-zA-Z_]+:"[^"]*"|-?"[^"]*"|\S+/g) ?? [];
}

const unquote = (s: string) => s.replace(/^"(.*)"$/, '$1').toLowerCase();

function parseDate(value: string): number | undefined {
  const m = /^(\d{4})[/-](\d{1,2})[/-](\d{1,2})$/.exec(value);
  if (m) return Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  return undefined;
}

function parseAge(value: string): number | undefined {
  const m = /^(\d+)([dmy])$/.exec(value);
  if (!m) return undefined;
  const days = { d: 1, m: 30, y: 365 }[m[2] as 'd' | 'm' | 'y'];
  return Number(m[1]) * days * 86_400_000;
}

function labelMatcher(labels: GmailLabel[], name: string): Test {
  const wanted = name.toLowerCase().replace(/-/g, ' ');
  const label = labels.find((l) => l.id.toLowerCase() === wanted || l.name.toLowerCase() === wanted);
  return label ? (m) => m.labelIds.includes(label.id) : () => false;
}

/** Whether the query names where to look (so SPAM/TRASH are not excluded by default). */
export function queryMentionsSpamOrTrash(q: string): boolean {
  return /\bin:(trash|spam|anywhere)\b/i.test(q) || /\blabel:(trash|spam)\b/i.test(q);
}

export function compileQuery(q: string, labels: GmailLabel[], now: number): Test {
  const tests: Test[] = [];
  for (const raw of tokenize(q)) {
    const negate = raw.startsWith('-') && raw.length > 1;
    const token = negate ? raw.slice(1) : raw;
    const colon = token.indexOf(':');
    const op = colon > 0 && !token.startsWith('"') ? token.slice(0, colon).toLowerCase() : '';
    const value = unquote(op ? token.slice(colon + 1) : token);
    const h = (m: GmailMessage, name: string) => (header(m.parsed.headers, name) ?? '').toLowerCase();
    let test: Test;
    switch (op) {
      case 'from':
        test = (m) => h(m, 'From').includes(value);
        break;
      case 'to':
        test = (m) => ['To', 'Cc', 'Bcc'].some((n) => h(m, n).includes(value));
        break;
      case 'cc':
        test = (m) => h(m, 'Cc').includes(value);
        break;
      case 'subject':
        test = (m) => h(m, 'Subject').includes(value);
        break;
      case 'label':
        test = labelMatcher(labels, value);
        break;
      case 'in':
        test = value === 'anywhere' ? () => true : labelMatcher(labels, value);
        break;
      case 'is':
        if (value === 'read') test = (m) => !m.labelIds.includes('UNREAD');
        else test = labelMatcher(labels, value);
        break;
      case 'has':
        test =
          value === 'attachment'
            ? (m) => Boolean(findPart(m.parsed, (p) => Boolean(p.filename)))
            : () => false;
        break;
      case 'after':
      case 'before':
      case 'newer':
      case 'older': {
        const at = parseDate(value);
        if (at === undefined) test = () => false;
        else if (op === 'after' || op === 'newer') test = (m) => m.internalDate >= at;
        else test = (m) => m.internalDate < at;
        break;
      }
      case 'newer_than':
      case 'older_than': {
        const age = parseAge(value);
        if (age === undefined) test = () => false;
        else if (op === 'newer_than') test = (m) => m.internalDate >= now - age;
        else test = (m) => m.internalDate < now - age;
        break;
      }
      default: {
        const words = value.split(/\s+/).filter(Boolean);
        test = (m) => {
          const hay = [h(m, 'Subject'), h(m, 'From'), h(m, 'To'), textOf(m.parsed).toLowerCase()].join('\n');
          return words.every((w) => hay.includes(w));
        };
      }
    }
    tests.push(negate ? (m) => !test(m) : test);
  }
  return (m) => tests.every((t) => t(m));
}
