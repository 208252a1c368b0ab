/**
 * Bounds on the shape of JSON-like data before a schema sees it. zod and JSON.stringify recurse, so
 * 200,000 nested arrays overflow the stack (a RangeError, not an issue), and a million keys cost
 * seconds; a cycle (structured clone carries them) never ends. Checked with an explicit stack, so
 * this check cannot overflow itself.
 */
export interface JsonShapeLimits {
  /** Nesting of objects and arrays. */
  depth: number;
  /** Objects, arrays and primitive values in all. */
  nodes: number;
  /** Characters of all strings and keys together. */
  chars: number;
}

export interface JsonShapeProblem {
  /** Where (for formatPath), or null for a limit on the whole value. */
  path: Array<string | number> | null;
  message: string;
}

const plainPrototype = (v: object): boolean => {
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === null || proto === Object.prototype || proto === Array.prototype;
};

/**
 * Why `value` is not JSON data within `limits`, or null when it is. JSON data: plain objects, arrays,
 * strings, finite or not numbers, booleans, null and `undefined` (an absent optional field); a cycle
 * is reported as too deep.
 */
export function jsonShapeProblem(value: unknown, limits: JsonShapeLimits): JsonShapeProblem | null {
  const tooMany: JsonShapeProblem = { path: null, message: `holds more than ${limits.nodes} values` };
  const tooLong: JsonShapeProblem = { path: null, message: `holds more than ${limits.chars} characters of text` };
  const stack: Array<{ value: unknown; path: Array<string | number>; depth: number }> = [{ value, path: [], depth: 0 }];
  let nodes = 1;
  let chars = 0;
  while (stack.length > 0) {
    const { value: v, path, depth } = stack.pop()!;
    switch (typeof v) {
      case 'string':
        chars += v.length;
        if (chars > limits.chars) return tooLong;
        continue;
      case 'number':
      case 'boolean':
      case 'undefined':
        continue;
      case 'object':
        break;
      default:
        return { path, message: `must be JSON data, not a ${typeof v}` };
    }
    if (v === null) continue;
    if (!plainPrototype(v))
      return { path, message: 'must be JSON data (a plain object, array, string, number, boolean or null)' };
    if (depth >= limits.depth) return { path, message: `nested more than ${limits.depth} levels deep` };
    // Counted before anything is pushed, so a huge array or object costs no more than the limit.
    if (Array.isArray(v)) {
      nodes += v.length;
      if (nodes > limits.nodes) return tooMany;
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: [...path, i], depth: depth + 1 });
      continue;
    }
    const keys = Object.keys(v);
    nodes += keys.length;
    if (nodes > limits.nodes) return tooMany;
    for (const key of keys) {
      chars += key.length;
      if (chars > limits.chars) return tooLong;
      stack.push({ value: (v as Record<string, unknown>)[key], path: [...path, key], depth: depth + 1 });
    }
  }
  return null;
}
