import { shared } from "../shared";

// Starts in flight in this process, so a stop or delete can cancel one that has not finished.
export const pendingStarts = () => shared("pendingStarts", () => new Map<string, { controller: AbortController; done: Promise<void> }>());
