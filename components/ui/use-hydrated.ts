"use client";

import { useSyncExternalStore } from "react";

// False in the server's HTML and until React has taken the page over in the browser, true after.
// A form whose controls only work through React disables them until then: a choice made before
// hydration would otherwise be reset by it without React ever hearing of it (a <select>'s
// selection goes back to its initial value), on a slow device or a busy machine.

const subscribe = () => () => {};

export function useHydrated(): boolean {
  return useSyncExternalStore(
    subscribe,
    () => true,
    () => false,
  );
}
