// Every sandbox chooses how to treat a send from the last four digits of its address (a phone, a
// chat id, a recipient), so a test picks a failure by picking whom it writes to. Each sandbox has
// its own table of scenarios; the row without a suffix is what every other address gets.

export interface ScenarioRow<Name extends string = string> {
  /** The last four digits that choose it; null for the default. */
  suffix: string | null;
  name: Name;
  description: string;
}

/** The last four digits of an address (a phone, a chat id, a username ending in digits). */
export const suffixOf = (address: string) => /(\d{4})$/.exec(address.trim())?.[1] ?? null;

/** The row for an address by its last four digits, else the table's default. */
export function scenarioIn<Row extends ScenarioRow>(table: readonly Row[], address: string): Row {
  const suffix = suffixOf(address);
  return table.find((s) => s.suffix !== null && s.suffix === suffix) ?? defaultScenarioIn(table);
}

export function defaultScenarioIn<Row extends ScenarioRow>(table: readonly Row[]): Row {
  const row = table.find((s) => s.suffix === null);
  if (!row) throw new Error('A scenario table needs a default row (suffix null)');
  return row;
}

/**
 * `always-fail` refuses every try and `fail-first-tries` the first `failFirstTries` of one send,
 * in every sandbox: that is how a test makes Herald retry.
 */
export const failsThisTry = (scenario: string, tryNumber: number, failFirstTries: number) =>
  scenario === 'always-fail' || (scenario === 'fail-first-tries' && tryNumber <= failFirstTries);

/** How many times each send (by its id, or by its content where the API has none) has been tried. */
export class TryCounter {
  readonly #tries = new Map<string, number>();

  /** Counts one more try of `key` and says which try it is (1 for the first). */
  next(key: string): number {
    const n = (this.#tries.get(key) ?? 0) + 1;
    this.#tries.set(key, n);
    return n;
  }

  clear(): void {
    this.#tries.clear();
  }
}
