import type { UserView } from '@helpdesk/contracts';

interface Waiter {
  resolve(user: UserView | null): void;
  reject(error: unknown): void;
}

/** Long enough for every row of a page to ask in the same render, short enough to go unnoticed. */
const BATCH_WINDOW_MS = 10;

/**
 * Loads users one id at a time for the caller (each id its own cached query) while sending one
 * `GET /users?ids=` per `maxIds` ids asked within a few milliseconds: a queue of 50 tickets names
 * its requesters with one request, not 50. An id the API does not return resolves to null.
 */
export function createUserBatcher(fetchUsers: (ids: string[]) => Promise<UserView[]>, maxIds: number) {
  let waiting = new Map<string, Waiter[]>();
  let timer: ReturnType<typeof setTimeout> | undefined;

  async function send(batch: Map<string, Waiter[]>): Promise<void> {
    try {
      const users = new Map((await fetchUsers([...batch.keys()])).map((user) => [user.id, user]));
      for (const [id, waiters] of batch) for (const waiter of waiters) waiter.resolve(users.get(id) ?? null);
    } catch (error) {
      for (const waiters of batch.values()) for (const waiter of waiters) waiter.reject(error);
    }
  }

  function flush(): void {
    timer = undefined;
    const ids = [...waiting.entries()];
    waiting = new Map();
    for (let start = 0; start < ids.length; start += maxIds) void send(new Map(ids.slice(start, start + maxIds)));
  }

  return function load(id: string): Promise<UserView | null> {
    return new Promise((resolve, reject) => {
      waiting.set(id, [...(waiting.get(id) ?? []), { resolve, reject }]);
      timer ??= setTimeout(flush, BATCH_WINDOW_MS);
    });
  };
}
