/** A first-come, first-served lock for async code: `release` hands the lock to the next waiter. */
export class Mutex {
  #tail: Promise<void> = Promise.resolve();

  /** Resolves, once the lock is held, to the function that releases it. */
  async acquire(): Promise<() => void> {
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const previous = this.#tail;
    this.#tail = previous.then(() => held);
    await previous;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      release();
    };
  }
}
