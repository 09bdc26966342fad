/**
 * Dot paths into parsed JSON, as declared in connector data: `authed_user.access_token`,
 * `errors.0.code`. A numeric segment indexes an array. Keys containing a dot cannot be addressed
 * (no provider here needs it). A list of paths means "the first one that is present".
 */

export type PathList = string | readonly string[];

export const JSON_PATH_PATTERN = /^[A-Za-z0-9_$@-]+(\.[A-Za-z0-9_$@-]+)*$/;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Reads one dot path; `undefined` when any segment is missing. */
export function getPath(value: unknown, path: string): unknown {
  let current: unknown = value;
  for (const segment of path.split('.')) {
    if (Array.isArray(current) && /^\d+$/.test(segment)) current = current[Number(segment)];
    else if (isRecord(current) && Object.hasOwn(current, segment)) current = current[segment];
    else return undefined;
  }
  return current;
}

/** The value at the first path of the list that holds something other than null/undefined. */
export function getFirst(value: unknown, paths: PathList | undefined): unknown {
  if (paths === undefined) return undefined;
  for (const path of typeof paths === 'string' ? [paths] : paths) {
    const found = getPath(value, path);
    if (found !== undefined && found !== null) return found;
  }
  return undefined;
}

/** Writes `value` at a dot path, creating objects on the way (`sort.direction`). */
export function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
  const segments = path.split('.');
  let current = target;
  for (const segment of segments.slice(0, -1)) {
    const next = current[segment];
    if (isRecord(next)) current = next;
    else {
      const created: Record<string, unknown> = {};
      current[segment] = created;
      current = created;
    }
  }
  current[segments[segments.length - 1]!] = value;
}

export { isRecord };
