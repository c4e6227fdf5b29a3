/**
 * `target` with some of its methods replaced: the driver wrappers (pgliteStatements.ts,
 * pgStatements.ts) change how statements go out and leave the rest of the client as it is, so
 * drizzle's own checks (`instanceof`, other methods, getters) still see the client itself.
 */
export function withMethods<T extends object>(target: T, methods: Partial<Record<keyof T, (...args: never[]) => unknown>>): T {
  return new Proxy(target, {
    get(on, key) {
      if (Object.hasOwn(methods, key)) return methods[key as keyof T];
      const value = Reflect.get(on, key, on) as unknown;
      return typeof value === 'function' ? value.bind(on) : value;
    },
  });
}
