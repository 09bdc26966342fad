/** Page tokens: opaque to callers, an offset inside. A malformed token is the caller's error. */
import type { Selectable, SelectQueryBuilder } from 'kysely';
import { invalidArgument } from '../errors.ts';

export interface Page {
  offset: number;
  limit: number;
}

export function pageOf(
  pageSize: number | undefined,
  pageToken: string | undefined,
  max: number,
  def = max,
): Page {
  const limit = pageSize && pageSize > 0 ? Math.min(pageSize, max) : def;
  if (!pageToken) return { offset: 0, limit };
  const m = /^o(\d{1,9})$/.exec(Buffer.from(pageToken, 'base64url').toString('latin1'));
  if (!m) throw invalidArgument('page_token', 'is not a page token this server issued');
  return { offset: Number(m[1]), limit };
}

const token = (offset: number): string => Buffer.from(`o${offset}`, 'latin1').toString('base64url');

/** Next and previous page tokens for a page of `count` rows out of `total`. */
export function pageTokens(page: Page, total: number): { nextPageToken: string; prevPageToken: string } {
  const next = page.offset + page.limit;
  return {
    nextPageToken: next < total ? token(next) : '',
    prevPageToken: page.offset > 0 ? token(Math.max(0, page.offset - page.limit)) : '',
  };
}

/** A case-insensitive LIKE operand: lower-cased, with `\\`, `%` and `_` escaped (use `escape '\\'`). */
export const escapeLike = (s: string): string => s.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * One page of a filtered table query and the total count of the filter, in creation order (the
 * `created_at`, `id` order every listing uses).
 */
export async function listPage<DB, TB extends keyof DB & string>(
  q: SelectQueryBuilder<DB, TB, object>,
  page: Page,
): Promise<{ rows: Selectable<DB[TB]>[]; total: number }> {
  const counted = await q.select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow();
  const rows = await q
    .selectAll()
    .orderBy('created_at' as never)
    .orderBy('id' as never)
    .limit(page.limit)
    .offset(page.offset)
    .execute();
  return { rows: rows as Selectable<DB[TB]>[], total: Number((counted as { n: unknown }).n) };
}
