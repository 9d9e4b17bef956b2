// A value read from the database and trusted for a while: one load at a time however many callers wait, and an
// invalidation that also disowns a load already under way (it read the rows before this process changed them, so
// its answer goes to the callers that waited for it and is never cached). The token keyring and the capability
// gateway's keys share it.
import type { Clock } from './clock.ts';

export class CachedLoad<T> {
  readonly #clock: Clock;
  readonly #load: () => Promise<T>;
  #loaded: { at: number; value: T } | undefined;
  #loading: Promise<T> | undefined;
  /** Bumped by {@link invalidate}: a load that began before keeps its answer to itself. */
  #epoch = 0;

  /** `load` reads the value; its age counts from when it began (the rows are at least that new). */
  constructor(clock: Clock, load: () => Promise<T>) {
    this.#clock = clock;
    this.#load = load;
  }

  /** The cached value if it is younger than `maxAgeMs` (and not from a clock that has since gone back). */
  fresh(maxAgeMs: number): T | undefined {
    const loaded = this.#loaded;
    if (loaded === undefined) return undefined;
    const age = this.#clock.now() - loaded.at;
    return age >= 0 && age < maxAgeMs ? loaded.value : undefined;
  }

  /** The cached value however old, without loading. */
  peek(): T | undefined {
    return this.#loaded?.value;
  }

  /** A value younger than `maxAgeMs`: the cached one, the load under way, or a new load. */
  get(maxAgeMs: number): Promise<T> {
    const value = this.fresh(maxAgeMs);
    if (value !== undefined) return Promise.resolve(value);
    if (this.#loading === undefined) {
      const loading = this.#start().finally(() => {
        if (this.#loading === loading) this.#loading = undefined;
      });
      this.#loading = loading;
    }
    return this.#loading;
  }

  /** Forgets the cached value and any load under way: the next {@link get} reads again. */
  invalidate(): void {
    this.#loaded = undefined;
    this.#loading = undefined;
    this.#epoch++;
  }

  async #start(): Promise<T> {
    const epoch = this.#epoch;
    const at = this.#clock.now();
    const value = await this.#load();
    if (epoch === this.#epoch) this.#loaded = { at, value };
    return value;
  }
}
