/** Runs tasks one after another, in the order given; `idle()` resolves when nothing is left to run. */
export interface SerialQueue {
  push<T>(task: () => Promise<T>): Promise<T>;
  readonly size: number;
  idle(): Promise<void>;
}

export function serialQueue(): SerialQueue {
  let tail: Promise<unknown> = Promise.resolve();
  let size = 0;
  return {
    push(task) {
      size += 1;
      const result = tail.then(task).finally(() => {
        size -= 1;
      });
      tail = result.catch(() => undefined);
      return result;
    },
    get size() {
      return size;
    },
    async idle() {
      while (size > 0) await tail;
    },
  };
}
