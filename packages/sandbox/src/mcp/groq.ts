// A small GROQ subset, enough for agents' typical queries:
//   *[_type == "post" && status == "draft"] | order(_updatedAt desc) [0...10] {title, status, "slug": slug.current}
// Filters: == != < <= > >= in match, && || !, parentheses, defined(x), references("id"), $params, dotted paths.
// Pipeline: | order(field [asc|desc], ...), slices [a...b] / [a..b] / [n], projections {a, "b": c.d, ...}.

export class GroqError extends Error {}

type Doc = Record<string, unknown>;
type Node =
  | { k: 'lit'; v: unknown }
  | { k: 'path'; p: string[] }
  | { k: 'param'; n: string }
  | { k: 'arr'; items: Node[] }
  | { k: 'not'; e: Node }
  | { k: 'bin'; op: string; l: Node; r: Node }
  | { k: 'fn'; name: string; args: Node[] };

const TOKEN_SOURCE =
  /\s*(\.\.\.|\.\.|==|!=|<=|>=|&&|\|\||"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'|-?\d+(?:\.\d+)?|\$?[A-Za-z_][A-Za-z0-9_]*|[*[\]{}(),.:|!<>@])/y;

function tokenize(src: string): string[] {
  const TOKEN = new RegExp(TOKEN_SOURCE.source, 'y');
  const out: string[] = [];
  let at = 0;
  while (at < src.length) {
    if (/^\s*$/.test(src.slice(at))) break;
    TOKEN.lastIndex = at;
    const m = TOKEN.exec(src);
    if (!m?.[1]) throw new GroqError(`unexpected input at position ${at}: ${src.slice(at, at + 12)}`);
    out.push(m[1]);
    at = TOKEN.lastIndex;
  }
  return out;
}

function parser(tokens: string[]) {
  let i = 0;
  const peek = () => tokens[i];
  const next = () => tokens[i++];
  const expect = (t: string) => {
    if (tokens[i] !== t) throw new GroqError(`expected "${t}" but found "${tokens[i] ?? 'end of query'}"`);
    i++;
  };
  const primary = (): Node => {
    const t = next();
    if (t === undefined) throw new GroqError('unexpected end of query');
    if (t === '(') {
      const e = or();
      expect(')');
      return e;
    }
    if (t === '!') return { k: 'not', e: primary() };
    if (t === '[') {
      const items: Node[] = [];
      while (peek() !== ']') {
        items.push(or());
        if (peek() === ',') next();
      }
      expect(']');
      return { k: 'arr', items };
    }
    if (t.startsWith('"')) return { k: 'lit', v: JSON.parse(t) };
    if (t.startsWith("'")) return { k: 'lit', v: t.slice(1, -1).replace(/\\'/g, "'") };
    if (/^-?\d/.test(t)) return { k: 'lit', v: Number(t) };
    if (t === 'true' || t === 'false') return { k: 'lit', v: t === 'true' };
    if (t === 'null') return { k: 'lit', v: null };
    if (t.startsWith('$')) return { k: 'param', n: t.slice(1) };
    if (/^[A-Za-z_@]/.test(t)) {
      if (peek() === '(') {
        next();
        const args: Node[] = [];
        while (peek() !== ')') {
          args.push(or());
          if (peek() === ',') next();
        }
        expect(')');
        return { k: 'fn', name: t, args };
      }
      const p = [t];
      while (peek() === '.') {
        next();
        const part = next();
        if (!part || !/^[A-Za-z_]/.test(part)) throw new GroqError('expected a field name after "."');
        p.push(part);
      }
      return { k: 'path', p };
    }
    throw new GroqError(`unexpected token "${t}"`);
  };
  const cmp = (): Node => {
    const l = primary();
    const op = peek();
    if (op && ['==', '!=', '<', '<=', '>', '>=', 'in', 'match'].includes(op)) {
      next();
      return { k: 'bin', op, l, r: primary() };
    }
    return l;
  };
  const and = (): Node => {
    let l = cmp();
    while (peek() === '&&') {
      next();
      l = { k: 'bin', op: '&&', l, r: cmp() };
    }
    return l;
  };
  const or = (): Node => {
    let l = and();
    while (peek() === '||') {
      next();
      l = { k: 'bin', op: '||', l, r: and() };
    }
    return l;
  };
  return { peek, next, expect, or, at: () => i, done: () => i >= tokens.length };
}

function get(doc: unknown, path: string[]): unknown {
  let cur: unknown = doc;
  for (const key of path) {
    if (key === '@') continue;
    cur = cur && typeof cur === 'object' ? (cur as Doc)[key] : undefined;
  }
  return cur;
}

function matchText(text: unknown, pattern: unknown): boolean {
  if (typeof text !== 'string' || typeof pattern !== 'string') return false;
  const words = text
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
  return pattern
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((p) => {
      const re = new RegExp(`^${p.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`);
      return words.some((w) => re.test(w));
    });
}

function evaluate(n: Node, doc: Doc, params: Record<string, unknown>): unknown {
  switch (n.k) {
    case 'lit':
      return n.v;
    case 'path':
      return get(doc, n.p);
    case 'param':
      if (!(n.n in params)) throw new GroqError(`param $${n.n} referenced, but not provided`);
      return params[n.n];
    case 'arr':
      return n.items.map((x) => evaluate(x, doc, params));
    case 'not':
      return !evaluate(n.e, doc, params);
    case 'fn': {
      const args = n.args.map((a) => evaluate(a, doc, params));
      if (n.name === 'defined') return args[0] !== undefined && args[0] !== null;
      if (n.name === 'references') return JSON.stringify(doc).includes(`"_ref":${JSON.stringify(args[0])}`);
      if (n.name === 'lower' && typeof args[0] === 'string') return args[0].toLowerCase();
      if (n.name === 'upper' && typeof args[0] === 'string') return args[0].toUpperCase();
      if (n.name === 'count' && Array.isArray(args[0])) return args[0].length;
      throw new GroqError(`function "${n.name}()" is not supported by the sandbox`);
    }
    case 'bin': {
      if (n.op === '&&') return Boolean(evaluate(n.l, doc, params)) && Boolean(evaluate(n.r, doc, params));
      if (n.op === '||') return Boolean(evaluate(n.l, doc, params)) || Boolean(evaluate(n.r, doc, params));
      const l = evaluate(n.l, doc, params);
      const r = evaluate(n.r, doc, params);
      switch (n.op) {
        case '==':
          return l === r;
        case '!=':
          return l !== r;
        case 'in':
          return Array.isArray(r) && r.includes(l);
        case 'match':
          return matchText(l, r);
        default: {
          if (typeof l !== typeof r || (typeof l !== 'string' && typeof l !== 'number')) return null;
          const a = l as string | number;
          const b = r as string | number;
          return n.op === '<' ? a < b : n.op === '<=' ? a <= b : n.op === '>' ? a > b : a >= b;
        }
      }
    }
  }
}

/** Runs a query over documents. Returns an array, or a single document/null for `[n]`. */
export function runGroq(query: string, docs: Doc[], params: Record<string, unknown> = {}): unknown {
  const p = parser(tokenize(query));
  p.expect('*');
  let result: unknown = docs;
  const list = () => {
    if (!Array.isArray(result)) throw new GroqError('this operation needs an array');
    return result as Doc[];
  };
  while (!p.done()) {
    const t = p.peek();
    if (t === '[') {
      p.next();
      if (p.peek() !== undefined && /^-?\d+$/.test(p.peek() ?? '')) {
        const start = Number(p.next());
        const op = p.peek();
        if (op === '..' || op === '...') {
          p.next();
          const end = Number(p.next());
          p.expect(']');
          result = list().slice(start, op === '..' ? end + 1 : end);
        } else {
          p.expect(']');
          result = list().at(start) ?? null;
        }
        continue;
      }
      const filter = p.or();
      p.expect(']');
      result = list().filter((d) => evaluate(filter, d, params) === true);
    } else if (t === '|') {
      p.next();
      const fn = p.next();
      if (fn !== 'order') throw new GroqError(`pipe function "${fn}()" is not supported by the sandbox`);
      p.expect('(');
      const keys: Array<{ path: string[]; desc: boolean }> = [];
      while (p.peek() !== ')') {
        const node = p.or();
        if (node.k !== 'path') throw new GroqError('order() takes field names');
        const dir = p.peek() === 'desc' || p.peek() === 'asc' ? p.next() : 'asc';
        keys.push({ path: node.p, desc: dir === 'desc' });
        if (p.peek() === ',') p.next();
      }
      p.expect(')');
      result = [...list()].sort((a, b) => {
        for (const key of keys) {
          const x = get(a, key.path) as string | number;
          const y = get(b, key.path) as string | number;
          if (x === y) continue;
          const less = x === undefined || x === null ? true : y === undefined || y === null ? false : x < y;
          return (less ? -1 : 1) * (key.desc ? -1 : 1);
        }
        return 0;
      });
    } else if (t === '{') {
      p.next();
      const fields: Array<{ name: string; node: Node } | { spread: true }> = [];
      while (p.peek() !== '}') {
        if (p.peek() === '...') {
          p.next();
          fields.push({ spread: true });
        } else {
          const first = p.peek() ?? '';
          if (first.startsWith('"')) {
            p.next();
            p.expect(':');
            fields.push({ name: JSON.parse(first) as string, node: p.or() });
          } else {
            const node = p.or();
            if (node.k !== 'path')
              throw new GroqError('projection fields must be names or "alias": expression');
            fields.push({ name: node.p[node.p.length - 1] ?? '', node });
          }
        }
        if (p.peek() === ',') p.next();
      }
      p.expect('}');
      const project = (d: Doc): Doc => {
        const out: Doc = {};
        for (const f of fields) {
          if ('spread' in f) Object.assign(out, d);
          else out[f.name] = evaluate(f.node, d, params) ?? null;
        }
        return out;
      };
      result = Array.isArray(result)
        ? list().map(project)
        : result && typeof result === 'object'
          ? project(result as Doc)
          : null;
    } else {
      throw new GroqError(`unexpected "${t}" in query`);
    }
  }
  return result;
}
