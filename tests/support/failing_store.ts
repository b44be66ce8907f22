// A store wrapper for tests: counts appends and fails them on demand (disk full, I/O error).

import { type EventStore, StoreError } from "../../src/store/types.ts";

/** An EventStore whose appends can be made to fail. */
export interface FailingStore extends EventStore {
  /** Append calls so far. */
  appends: number;
  /** While true, append() rejects with a StoreError. */
  failing: boolean;
}

/** Wraps `inner` (every other method is passed through). */
export function failingStore(inner: EventStore): FailingStore {
  const state = { appends: 0, failing: false };
  return new Proxy(inner, {
    get(target, key) {
      if (key === "appends" || key === "failing") return state[key];
      if (key === "append") {
        return (...args: Parameters<EventStore["append"]>) => {
          state.appends++;
          if (state.failing) {
            return Promise.reject(new StoreError(target.kind, "disk full"));
          }
          return target.append(...args);
        };
      }
      const value = Reflect.get(target, key, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
    set(_target, key, value) {
      if (key === "appends" || key === "failing") {
        (state as Record<string, unknown>)[key] = value;
        return true;
      }
      return false;
    },
  }) as FailingStore;
}
