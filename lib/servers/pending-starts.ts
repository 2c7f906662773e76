import { shared } from "../shared";

// Starts in flight in this process, so a stop or delete can cancel one that has not finished.
export const pendingStarts = () => shared("pendingStarts", () => new Map<string, { controller: AbortController; done: Promise<void> }>());

/**
 * Waits `ms`, or less when a start of server `id` that this process runs ends first (it has then
 * written `running` or `failed`): whoever polls the server's row for the end of a start sees it
 * when it happens, not up to a poll later. A start another replica runs is seen by the poll.
 */
export function untilStartSettles(id: string, ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    let timer: NodeJS.Timeout | undefined = undefined;
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    timer = setTimeout(done, ms);
    signal?.addEventListener("abort", done, { once: true });
    void pendingStarts().get(id)?.done.then(done, done);
  });
}
