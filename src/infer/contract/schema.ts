/**
 * A small schema language for JSON files the project reads (the model card): one description gives
 * both the TypeScript type (`Infer<typeof schema>`) and the validation. Each reader returns the value
 * typed, or calls `fail` with the path of the offending field, what was expected and what arrived, so
 * the caller words one error line. Objects keep the fields they do not describe.
 */

/** Reports a value that does not fit: the field's path (`a.b[2].c`, '' for the root), what was expected, the value. */
export type Fail = (path: string, expected: string, value: unknown) => never;

export interface Schema<T> {
  read(value: unknown, path: string, fail: Fail): T;
  /** An object field that may be absent. */
  readonly optional?: boolean;
}

export type Infer<S> = S extends Schema<infer T> ? T : never;

type Shape = Record<string, Schema<unknown>>;
type Optional<S extends Shape> = { [K in keyof S]: S[K] extends { optional: true } ? K : never }[keyof S];
type Flat<T> = { [K in keyof T]: T[K] };
export type ObjectOf<S extends Shape> = Flat<{ [K in Exclude<keyof S, Optional<S>>]: Infer<S[K]> } & { [K in Optional<S>]?: Infer<S[K]> }>;

const leaf = <T>(expected: string, ok: (v: unknown) => boolean): Schema<T> => ({
  read: (v, path, fail) => (ok(v) ? (v as T) : fail(path, expected, v)),
});

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

export const str = (): Schema<string> => leaf('a string', (v) => typeof v === 'string');
export const matching = (re: RegExp, expected: string): Schema<string> => leaf(expected, (v) => typeof v === 'string' && re.test(v));
export const literal = <T extends string>(value: T, expected: string): Schema<T> => leaf(expected, (v) => v === value);
export const oneOf = <const T extends readonly string[]>(allowed: T): Schema<T[number]> =>
  leaf(`one of ${allowed.map((a) => `"${a}"`).join(', ')}`, (v) => allowed.includes(v as string));
export const num = (min = -Infinity, expected = 'a finite number'): Schema<number> => leaf(expected, (v) => finite(v) && v >= min);
export const positive = (): Schema<number> => leaf('a positive number', (v) => finite(v) && v > 0);
export const int = (min: number, max = Infinity, expected = `an integer >= ${min}`): Schema<number> => leaf(expected, (v) => Number.isInteger(v) && (v as number) >= min && (v as number) <= max);
export const bool = (): Schema<boolean> => leaf('true or false', (v) => typeof v === 'boolean');

type Tuple<N extends number> = N extends 2 ? [number, number] : N extends 3 ? [number, number, number] : number[];

/** n numbers, each passing `item`; `expected` describes them ("positive integers"). */
export function tuple<N extends 2 | 3>(n: N, item: (x: unknown) => boolean, expected: string): Schema<Tuple<N>> {
  return leaf(`${n} ${expected}`, (v) => Array.isArray(v) && v.length === n && v.every(item));
}

export const isPositive = (x: unknown): boolean => finite(x) && x > 0;
export const isPositiveInt = (x: unknown): boolean => Number.isInteger(x) && (x as number) > 0;

export function array<T>(item: Schema<T>, expected = 'an array'): Schema<T[]> {
  return {
    read: (v, path, fail) => (Array.isArray(v) ? v.map((x, i) => item.read(x, `${path}[${i}]`, fail)) : fail(path, expected, v)),
  };
}

/** An object whose every field is read by `value` (a map by name). */
export function record<T>(value: Schema<T>): Schema<Record<string, T>> {
  return {
    read: (v, path, fail) => {
      const o = isObject(v) ? v : fail(path, 'an object', v);
      return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, value.read(x, join(path, k), fail)]));
    },
  };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const join = (path: string, key: string): string => (path && key ? (key.startsWith('[') ? `${path}${key}` : `${path}.${key}`) : path || key);

/** An object with the described fields (in order); fields it does not describe are kept as they are. */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return {
    read: (v, path, fail) => {
      const o = isObject(v) ? v : fail(path, 'an object', v);
      const out: Record<string, unknown> = { ...o };
      for (const [k, s] of Object.entries(shape)) {
        if (o[k] === undefined && s.optional) continue;
        out[k] = s.read(o[k], join(path, k), fail);
      }
      return out as ObjectOf<S>;
    },
  };
}

/** The field may be absent. */
export const optional = <T>(s: Schema<T>): Schema<T> & { optional: true } => ({ read: (v, path, fail) => s.read(v, path, fail), optional: true });

/** Any JSON object, typed as `T` without looking inside (records the project writes and only shows). */
export const opaque = <T extends object>(): Schema<T> => leaf('an object', isObject);

/** `s`, then a check across its fields: `check` returns a problem as [path, expected] (relative to the value), or null. */
export function refine<T>(s: Schema<T>, check: (value: T) => [string, string] | null): Schema<T> {
  return {
    read: (v, path, fail) => {
      const out = s.read(v, path, fail);
      const problem = check(out);
      if (problem) fail(join(path, problem[0]), problem[1], pick(v, problem[0]));
      return out;
    },
    ...(s.optional ? { optional: true } : {}),
  };
}

/** The value at a relative path (`a.b[2].c`) inside v. */
function pick(v: unknown, path: string): unknown {
  const keys = path.match(/[^.[\]]+/g) ?? [];
  return keys.reduce<unknown>((o, k) => (Array.isArray(o) ? o[Number(k)] : isObject(o) ? o[k] : undefined), v);
}
